"""The offer at the door: priced by the order's own pricing, one line per difference, never typed."""

from hypothesis import given
from hypothesis import strategies as st

from manual_orders.sop import offers
from manual_orders.sop.offers import Checks, Device
from manual_orders.sop.tests.factories import BOX, CHARGER, IPHONE, QUESTIONS, REDMI

CATALOGUE = offers.Catalogue(
	models={IPHONE.name: IPHONE, REDMI.name: REDMI},
	questions={"Phone": list(QUESTIONS)},
	accessories={CHARGER.name: CHARGER, BOX.name: BOX},
)
AGREED = Device(
	"iPhone 13", "128 GB", {"Q-SCREEN": "Minor scratches", "Q-POWER": "Yes"}, ("Original Charger",)
)
AGREED_PRICE = 29000  # 30000 - 1500 + 500


def offer(found: Device, quote_valid: bool = True, approval_percent: float = 20, agreed_price=AGREED_PRICE):
	return offers.make_offer(
		AGREED, agreed_price, found, CATALOGUE, quote_valid=quote_valid, approval_percent=approval_percent
	)


def test_the_device_as_agreed_gets_the_agreed_price_and_needs_no_new_yes():
	result = offer(AGREED)
	assert (result.price, result.differences, result.changed, result.status) == (
		AGREED_PRICE,
		(),
		False,
		offers.AS_AGREED,
	)


def test_a_cracked_screen_lists_the_difference_and_what_it_costs():
	found = Device("iPhone 13", "128 GB", {"Q-SCREEN": "Cracked", "Q-POWER": "Yes"}, ("Original Charger",))
	result = offer(found)
	assert result.differences == (
		offers.Difference(
			offers.CONDITION, "Screen condition", "Minor scratches", "Cracked", -7500, "Q-SCREEN"
		),
	)
	assert result.price == 21500
	assert result.drop_percent == 25.86
	assert result.needs_approval and result.status == offers.AWAITING_APPROVAL


def test_a_small_drop_is_ready_to_send_without_a_manager():
	found = Device("iPhone 13", "128 GB", AGREED.answers, ())
	result = offer(found)
	assert [(d.kind, d.key, d.amount) for d in result.differences] == [
		(offers.ACCESSORY, "Original Charger", -500)
	]
	assert (result.price, result.status) == (28500, offers.READY)


def test_lines_add_up_to_the_change_whatever_differs():
	found = Device(
		"Redmi Note 13 Pro", "8/128 GB", {"Q-SCREEN": "Cracked", "Q-POWER": "No"}, ("Original Box",)
	)
	result = offer(found, approval_percent=100)
	assert [d.kind for d in result.differences] == [
		offers.MODEL,
		offers.CONDITION,
		offers.CONDITION,
		offers.ACCESSORY,
		offers.ACCESSORY,
	]
	assert AGREED_PRICE + sum(d.amount for d in result.differences) == result.price
	assert result.price == offers.price_of(found, CATALOGUE)


@given(
	screen=st.sampled_from(["Flawless", "Minor scratches", "Cracked"]),
	power=st.sampled_from(["Yes", "No"]),
	variant=st.sampled_from(["128 GB", "256 GB"]),
	accessories=st.sets(st.sampled_from(["Original Charger", "Original Box"])),
)
def test_a_valid_quote_moves_only_by_the_priced_differences(screen, power, variant, accessories):
	found = Device("iPhone 13", variant, {"Q-SCREEN": screen, "Q-POWER": power}, tuple(sorted(accessories)))
	result = offer(found)
	assert result.price == max(AGREED_PRICE + sum(d.amount for d in result.differences), 0)
	assert result.price == offers.price_of(found, CATALOGUE)  # the catalogue has not changed
	assert result.changed == (found != AGREED)


def test_a_lapsed_quote_offers_todays_price_with_the_change_as_a_line():
	result = offer(AGREED, quote_valid=False, agreed_price=31000)
	assert result.price == 29000
	assert [(d.kind, d.amount) for d in result.differences] == [(offers.QUOTE, -2000)]
	assert result.changed


def test_a_price_never_goes_below_zero_and_the_drop_is_capped_at_100_percent():
	found = Device("iPhone 13", "128 GB", {"Q-SCREEN": "Cracked", "Q-POWER": "No"}, ())
	result = offer(found, agreed_price=5000)  # 5000 - 26000 of differences
	assert (result.price, result.drop_percent) == (0, 100.0)
	assert offers.drop_percent(100, 150) == 0.0


def test_the_fingerprint_binds_the_price_and_the_reasons():
	found = Device("iPhone 13", "128 GB", AGREED.answers, ())
	one, two = offer(found), offer(Device("iPhone 13", "256 GB", AGREED.answers, ()))
	assert offers.offer_fingerprint("PI-1", one) == offers.offer_fingerprint("PI-1", offer(found))
	assert offers.offer_fingerprint("PI-1", one) != offers.offer_fingerprint("PI-2", one)
	assert offers.offer_fingerprint("PI-1", one) != offers.offer_fingerprint("PI-1", two)


def test_found_device_must_be_priceable_with_every_question_answered():
	assert [v.rule for v in offers.check_found(Device("Nokia 3310", "-"), CATALOGUE)] == [
		"SOP-6-INSPECT-MODEL"
	]
	assert [v.field for v in offers.check_found(Device("iPhone 13", "1 TB"), CATALOGUE)] == ["variant"]
	violations = offers.check_found(
		Device("iPhone 13", "128 GB", {"Q-SCREEN": "Cracked"}, ("Gold",)), CATALOGUE
	)
	assert [v.rule for v in violations] == ["SOP-6-INSPECT-CONDITION", "SOP-6-INSPECT-ACCESSORY"]
	assert "Does it switch on?" in violations[0].render()
	assert offers.check_found(AGREED, CATALOGUE) == []


def test_each_answer_that_lowers_the_price_needs_its_photo():
	found = Device("iPhone 13", "128 GB", {"Q-SCREEN": "Cracked", "Q-POWER": "No"}, ())
	lines = offer(found).differences
	violations = offers.check_photos(lines, {"Q-SCREEN": "/private/files/screen.jpg"})
	assert [v.render() for v in violations] == [
		"Conditions: take a photo that shows 'Does it switch on?: No'; it lowers the price by ₹18,000."
	]
	better = offer(
		Device("iPhone 13", "128 GB", {"Q-SCREEN": "Flawless", "Q-POWER": "Yes"}, AGREED.accessories)
	)
	assert offers.check_photos(better.differences, {}) == []  # a better answer needs no proof


def test_blocking_checks_in_order():
	assert offers.blocking_check(Checks(True, True)) is None
	assert offers.blocking_check(Checks(False, False, True)) == offers.NO_POWER
	assert offers.blocking_check(Checks(True, False, True)) == offers.ACCOUNT_LOCKED
	assert offers.blocking_check(Checks(True, True, True)) == offers.IMEI_BLOCKED


def test_model_variant_and_conditions_become_error_findings_accessories_do_not():
	found = Device("iPhone 13", "256 GB", {"Q-SCREEN": "Cracked", "Q-POWER": "Yes"}, ())
	findings = offers.error_findings(offer(found, approval_percent=100).differences)
	assert {category: [d.kind for d in found] for category, found in findings.items()} == {
		offers.WRONG_MODEL: [offers.VARIANT],
		offers.WRONG_CONDITION: [offers.CONDITION],
	}


def test_who_may_move_an_offer():
	assert offers.check_can_send(offers.AWAITING_APPROVAL)[0].rule == "SOP-6-OFFER-APPROVAL"
	assert offers.check_can_send(offers.READY) == []
	assert offers.check_can_send(offers.ACCEPTED)[0].rule == "SOP-6-OFFER-STATUS"
	assert offers.check_can_decide(offers.READY)[0].rule == "SOP-6-OFFER-STATUS"
	assert offers.check_can_decide(offers.CODE_SENT) == []
	assert offers.check_can_approve(offers.AWAITING_APPROVAL, "p@x", "p@x")[0].rule == "SOP-6-OFFER-OWN"
	assert offers.check_can_approve(offers.AWAITING_APPROVAL, "p@x", "m@x") == []
	assert offers.check_can_approve(offers.READY, "p@x", "m@x")[0].rule == "SOP-6-OFFER-STATUS"


def test_the_sms_reason_fits_one_dlt_variable():
	found = Device("iPhone 13", "256 GB", {"Q-SCREEN": "Cracked", "Q-POWER": "No"}, ())
	lines = offer(found, approval_percent=100).differences
	short = offers.short_reason(lines)
	assert len(short) <= 30 and short.endswith(f"+{len(lines) - 1}")
	assert offers.short_reason(()) == ""
	assert "Screen condition: Minor scratches → Cracked (-₹8,500)" in offers.reasons_text(lines)


def test_the_approval_limit_is_exact_whatever_the_rounding_shows():
	assert offers.drop_percent(100000, 79999) == 20.0  # shown rounded
	assert offers.drop_above(100000, 79999, 20)  # but above 20 %
	assert not offers.drop_above(31000, 24800, 20)  # exactly 20 % is not above it
	assert not offers.drop_above(0, 0, 20)


def test_a_model_or_variant_that_lowers_the_price_needs_a_photo_a_missing_accessory_does_not():
	lines = offer(Device("iPhone 13", "128 GB", AGREED.answers, ())).differences
	assert offers.check_photos(lines, {}) == []  # the charger: the customer sees it is not there
	cheaper = Device("iPhone 13", "128 GB", AGREED.answers, AGREED.accessories)
	agreed_256 = Device("iPhone 13", "256 GB", AGREED.answers, AGREED.accessories)
	lines = offers.make_offer(
		agreed_256, 33000, cheaper, CATALOGUE, quote_valid=True, approval_percent=20
	).differences
	assert [v.field for v in offers.check_photos(lines, {})] == ["device_model"]
	assert offers.check_photos(lines, {offers.DEVICE_PHOTO: "/private/files/about.png"}) == []


def test_a_model_of_another_device_type_is_refused():
	laptop = type(IPHONE)("Aspire 7", "Acer", "Laptop", variants=IPHONE.variants)
	catalogue = offers.Catalogue(
		{**CATALOGUE.models, "Aspire 7": laptop}, CATALOGUE.questions, CATALOGUE.accessories
	)
	assert (
		offers.check_found(Device("Aspire 7", "128 GB"), catalogue, "Phone")[0].rule == "SOP-6-INSPECT-MODEL"
	)


def test_the_inspections_reasons_are_the_inspections_alone():
	reasons = ["Customer Rejected Price", "Device does not power on"]
	assert offers.check_door_reason("Customer Rejected Price", reasons)[0].rule == "SOP-6-FAILURE-REASON"
	assert offers.check_door_reason("Customer not reachable", reasons) == []


def test_a_manager_acting_for_the_partner_does_not_approve_its_offer():
	assert offers.check_can_approve(offers.AWAITING_APPROVAL, "p@x", "m@x", True)[0].rule == "SOP-6-OFFER-OWN"
