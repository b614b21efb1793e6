"""SOP §6-§7 after the Order ID: slot capacity, partner choice, IMEI, pickup moves and SLA."""

from datetime import date, datetime, time

import pytest

from manual_orders.sop import pickups
from manual_orders.sop.pickups import Partner, SlotLoad

DAY = date(2026, 12, 1)
# IMEIs with a correct Luhn check digit (the 15th)
GOOD_IMEIS = ("490154203237518", "356938035643809", "353918058381282")


def rule_ids(violations):
	return sorted({v.rule for v in violations})


@pytest.mark.parametrize("imei", GOOD_IMEIS)
def test_valid_imei_passes_luhn(imei):
	assert pickups.luhn_valid(imei)
	assert pickups.check_imei(imei) == []


@pytest.mark.parametrize("imei", GOOD_IMEIS)
def test_every_single_digit_error_is_caught(imei):
	for position in range(15):
		for digit in "0123456789":
			if digit == imei[position]:
				continue
			wrong = imei[:position] + digit + imei[position + 1 :]
			assert rule_ids(pickups.check_imei(wrong)) == ["SOP-6-IMEI"], wrong


@pytest.mark.parametrize(
	"value",
	[
		"",
		None,
		"   ",
		"49015420323751",
		"4901542032375180",
		"49015420323751x",
		"000000000000000",  # passes Luhn; no device has it
		"\U0001d7d2\U0001d7d7\U0001d7ce\U0001d7cf\U0001d7d3\U0001d7d2\U0001d7d0\U0001d7ce\U0001d7d1\U0001d7d0\U0001d7d1\U0001d7d5\U0001d7d3\U0001d7cf\U0001d7d6",
		"\u00b2" * 15,  # superscript two: isdigit() but not a digit int() takes
		"\uff14\uff19\uff10\uff11\uff15\uff14\uff12\uff10\uff13\uff12\uff13\uff17\uff15\uff11\uff18",
	],
)
def test_missing_short_long_or_non_digit_imei_refused(value):
	violations = pickups.check_imei(value)
	assert rule_ids(violations) == ["SOP-6-IMEI"]
	assert violations[0].field == "imei"


def test_imei_spacing_and_dashes_are_ignored():
	assert pickups.normalise_imei(" 49-015420 323751/8 ") == "490154203237518"
	assert pickups.check_imei("49-015420-323751-8") == []


@pytest.mark.parametrize(
	"default,cities,city,expected",
	[
		(10, {}, "Bengaluru", 10),
		(10, {"Bengaluru": 15}, "bengaluru ", 15),
		(10, {"Mumbai": 3}, "Bengaluru", 10),
		(0, {}, "Pune", 0),
		(5, {"Pune": 0}, "Pune", 0),
		(-2, {}, "Pune", 0),
	],
)
def test_slot_capacity_default_and_city_override(default, cities, city, expected):
	assert pickups.slot_capacity(default, cities, city) == expected


def test_slot_with_room_passes_and_unlimited_always_has_room():
	assert pickups.check_slot_room(SlotLoad(DAY, "09:00 - 11:00", 3, 2), "Pune", []) == []
	assert SlotLoad(DAY, "09:00 - 11:00", 0, 10_000).has_room


def test_full_slot_names_the_next_slots_with_room():
	full = SlotLoad(DAY, "09:00 - 11:00", 3, 3)
	later = [
		SlotLoad(DAY, "11:00 - 13:00", 3, 3),
		SlotLoad(DAY, "13:00 - 15:00", 3, 1),
		SlotLoad(date(2026, 12, 2), "09:00 - 11:00", 0, 50),
		SlotLoad(date(2026, 12, 2), "11:00 - 13:00", 3, 0),
		SlotLoad(date(2026, 12, 2), "13:00 - 15:00", 3, 0),
	]
	violations = pickups.check_slot_room(full, "Pune", later)
	assert rule_ids(violations) == ["SOP-6-SLOT-FULL"]
	message = violations[0].render()
	assert "2026-12-01 13:00 - 15:00, 2026-12-02 09:00 - 11:00, 2026-12-02 11:00 - 13:00" in message
	assert "2026-12-01 11:00 - 13:00" not in message
	assert "2026-12-02 13:00 - 15:00" not in message  # three suggestions
	assert violations[0].field == "pickup_slot"


def test_full_slot_with_no_room_anywhere_says_so():
	message = pickups.check_slot_room(SlotLoad(DAY, "A", 1, 1), "Pune", [])[0].render()
	assert "none in the coming days" in message


PARTNERS = [
	Partner("Alpha", ("560001", "560002"), daily_capacity=2),
	Partner("Beta", ("560001",), daily_capacity=0),
	Partner("Gamma", ("560001",), daily_capacity=5, enabled=False),
	Partner("Delta", ("400001",), daily_capacity=5),
]


def test_least_loaded_covering_partner_is_chosen():
	assert pickups.choose_partner(PARTNERS, "560001", {"Alpha": 0, "Beta": 3}).name == "Alpha"
	assert pickups.choose_partner(PARTNERS, "560001", {"Alpha": 1, "Beta": 0}).name == "Beta"


def test_tie_goes_to_the_first_name_and_full_partners_are_skipped():
	assert pickups.choose_partner(PARTNERS, "560001", {}).name == "Alpha"
	assert pickups.choose_partner(PARTNERS, "560001", {"Alpha": 2, "Beta": 40}).name == "Beta"


def test_no_covering_partner_with_room_means_none():
	assert pickups.choose_partner(PARTNERS, "560002", {"Alpha": 2}) is None
	assert pickups.choose_partner(PARTNERS, "110001", {}) is None
	assert pickups.choose_partner(PARTNERS[2:3], "560001", {}) is None  # disabled


def test_managers_choice_of_partner_is_checked():
	assert pickups.check_partner(PARTNERS[0], "560001", 1) == []
	assert rule_ids(pickups.check_partner(None, "560001", 0)) == ["SOP-6-PARTNER"]
	assert "does not cover" in pickups.check_partner(PARTNERS[3], "560001", 0)[0].render()
	assert "daily capacity" in pickups.check_partner(PARTNERS[0], "560001", 2)[0].render()
	assert rule_ids(pickups.check_partner(PARTNERS[2], "560001", 0)) == ["SOP-6-PARTNER"]


def move(current, new, **kwargs):
	values = {
		"needs_imei": False,
		"imei": None,
		"evidence": None,
		"failure_reason": None,
		"failure_reasons": ("Customer not reachable",),
	}
	values.update(kwargs)
	return rule_ids(pickups.check_move(current, new, **values))


def test_the_partners_moves():
	assert move("Partner Assigned", "Out for Pickup") == []
	assert move("Out for Pickup", "Picked Up") == []
	assert move("Partner Assigned", "Pickup Failed", failure_reason="Customer not reachable") == []


@pytest.mark.parametrize(
	"current,new",
	[
		("Scheduled", "Out for Pickup"),
		("Scheduled", "Picked Up"),
		("Partner Assigned", "Picked Up"),
		("Picked Up", "Pickup Failed"),
		("Pickup Failed", "Picked Up"),
		("Out for Pickup", "Scheduled"),
		("Out for Pickup", "Partner Assigned"),
		("Out for Pickup", "anything"),
		("", "Out for Pickup"),
	],
)
def test_moves_out_of_order_are_refused(current, new):
	assert move(current, new) == ["SOP-6-PICKUP-STATUS"]


def test_phone_needs_a_valid_imei_and_evidence():
	assert move("Out for Pickup", "Picked Up", needs_imei=True) == ["SOP-6-IMEI"]
	assert move("Out for Pickup", "Picked Up", needs_imei=True, imei="490154203237517", evidence="x") == [
		"SOP-6-IMEI"
	]
	no_evidence = pickups.check_move(
		"Out for Pickup",
		"Picked Up",
		needs_imei=True,
		imei=GOOD_IMEIS[0],
		evidence=None,
		failure_reason=None,
		failure_reasons=(),
	)
	assert [v.field for v in no_evidence] == ["imei_evidence"]
	assert move("Out for Pickup", "Picked Up", needs_imei=True, imei=GOOD_IMEIS[0], evidence="f") == []


def test_failure_needs_a_reason_from_the_list():
	assert move("Out for Pickup", "Pickup Failed") == ["SOP-6-FAILURE-REASON"]
	assert move("Out for Pickup", "Pickup Failed", failure_reason="Dog bit me") == ["SOP-6-FAILURE-REASON"]


def test_due_by_is_the_end_of_the_slot_and_breach_after_it():
	due = pickups.pickup_due_by(DAY, time(11, 0))
	assert due == datetime(2026, 12, 1, 11, 0)
	assert not pickups.sla_breached(due, datetime(2026, 12, 1, 11, 0), "Out for Pickup")
	assert pickups.sla_breached(due, datetime(2026, 12, 1, 11, 0, 1), "Out for Pickup")
	assert pickups.sla_breached(due, datetime(2026, 12, 2), "Pickup Failed")
	assert not pickups.sla_breached(due, datetime(2026, 12, 2), "Picked Up")
	assert not pickups.sla_breached(None, datetime(2026, 12, 2), "Scheduled")
