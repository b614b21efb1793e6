"""SOP §6-§7 after the Order ID: slot capacity, partner assignment, the pickup and its SLA.

Plain values in, decisions or violations out; the Frappe glue (`manual_orders/pickup/`)
reads capacities, partners and loads from the DocTypes admins keep and locks what it books.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, time

from manual_orders.sop import formats
from manual_orders.sop.pincodes import same_place
from manual_orders.sop.violations import Violation, _

SCHEDULED = "Scheduled"
PARTNER_ASSIGNED = "Partner Assigned"
OUT_FOR_PICKUP = "Out for Pickup"
PICKED_UP = "Picked Up"
PICKUP_FAILED = "Pickup Failed"
PICKUP_STATUSES = (SCHEDULED, PARTNER_ASSIGNED, OUT_FOR_PICKUP, PICKED_UP, PICKUP_FAILED)

# Where a partner (or a manager) may move a pickup from each status; assignment itself
# (Scheduled -> Partner Assigned) is the server's, on creation or when a manager assigns.
PARTNER_MOVES = {
	PARTNER_ASSIGNED: (OUT_FOR_PICKUP, PICKUP_FAILED),
	OUT_FOR_PICKUP: (PICKED_UP, PICKUP_FAILED),
}
# Statuses in which the pickup is still to happen (the SLA clock runs, a partner may be changed).
PENDING = (SCHEDULED, PARTNER_ASSIGNED, OUT_FOR_PICKUP)
IMEI_LENGTH = 15


@dataclass(frozen=True)
class SlotLoad:
	"""One pickup slot of one day in one city: how many places it has and how many are booked.

	`capacity` 0 means the slot takes any number of pickups.
	"""

	pickup_date: date
	slot: str
	capacity: int
	booked: int

	@property
	def has_room(self) -> bool:
		return not self.capacity or self.booked < self.capacity


@dataclass(frozen=True)
class Partner:
	"""A pickup partner: the pincodes it covers and how many pickups it takes a day (0: any)."""

	name: str
	pincodes: tuple[str, ...] = ()
	daily_capacity: int = 0
	enabled: bool = True
	users: tuple[str, ...] = field(default_factory=tuple)

	def covers(self, pincode) -> bool:
		return self.enabled and formats.normalise_pincode(pincode) in self.pincodes

	def has_room(self, load: int) -> bool:
		return not self.daily_capacity or load < self.daily_capacity


def _v(field_name: str, rule: str, message: str, *params) -> list[Violation]:
	return [Violation(field_name, rule, message, tuple(params))]


# Slot capacity: a default per Pickup Slot, overridden per city


def slot_capacity(default: int, city_capacities: dict[str, int], city) -> int:
	"""The city's own capacity for the slot when admins set one, else the slot's default."""
	for override_city, capacity in city_capacities.items():
		if same_place(override_city, city):
			return max(int(capacity or 0), 0)
	return max(int(default or 0), 0)


def check_slot_room(
	load: SlotLoad, city: str, later_slots: list[SlotLoad], suggestions: int = 3
) -> list[Violation]:
	"""A full slot refuses the booking and names the next slots with room (`later_slots`, in time order)."""
	if load.has_room:
		return []
	with_room = [f"{alt.pickup_date.isoformat()} {alt.slot}" for alt in later_slots if alt.has_room]
	with_room = with_room[:suggestions]
	return _v(
		"pickup_slot",
		"SOP-6-SLOT-FULL",
		_("Pickup Slot: {0} on {1} is full in {2} ({3} pickups booked). Slots with room: {4}."),
		load.slot,
		load.pickup_date.isoformat(),
		formats.text(city),
		load.booked,
		", ".join(with_room) or _("none in the coming days; ask the customer for a later date"),
	)


# Assignment: a partner that covers the pincode and has room that day, least loaded first


def choose_partner(partners: list[Partner], pincode, loads: dict[str, int]) -> Partner | None:
	"""The least loaded partner covering the pincode with room that day (by name on a tie)."""
	candidates = [p for p in partners if p.covers(pincode) and p.has_room(loads.get(p.name, 0))]
	if not candidates:
		return None
	return min(candidates, key=lambda p: (loads.get(p.name, 0), p.name))


def check_partner(partner: Partner | None, pincode, load: int) -> list[Violation]:
	"""A manager's choice of partner: enabled, covering the pincode, with room that day."""
	if partner is None or not partner.enabled:
		return _v("pickup_partner", "SOP-6-PARTNER", _("Pickup Partner: choose an enabled pickup partner."))
	if not partner.covers(pincode):
		return _v(
			"pickup_partner",
			"SOP-6-PARTNER",
			_("Pickup Partner: {0} does not cover pincode {1}; choose a partner that does."),
			partner.name,
			formats.normalise_pincode(pincode) or formats.text(pincode),
		)
	if not partner.has_room(load):
		return _v(
			"pickup_partner",
			"SOP-6-PARTNER",
			_(
				"Pickup Partner: {0} already has {1} pickups that day, its daily capacity; choose another partner."
			),
			partner.name,
			load,
		)
	return []


# The pickup itself


def pickup_due_by(pickup_date: date, slot_end: time) -> datetime:
	"""The SLA: the pickup happens by the end of the slot the customer booked."""
	return datetime.combine(pickup_date, slot_end)


def normalise_imei(value) -> str:
	return "".join(ch for ch in formats.text(value) if not ch.isspace() and ch not in "-/")


def is_ascii_digits(number: str) -> bool:
	"""0-9 only: Python's isdigit() also takes other scripts' digits, which MariaDB's
	collation would not match against the same IMEI in ASCII."""
	return bool(number) and all("0" <= ch <= "9" for ch in number)


def luhn_valid(number: str) -> bool:
	"""The Luhn check digit, which every IMEI carries as its 15th digit."""
	if not is_ascii_digits(number):
		return False
	total = 0
	for position, digit in enumerate(reversed(number)):
		value = int(digit)
		if position % 2 == 1:
			value *= 2
			if value > 9:
				value -= 9
		total += value
	return total % 10 == 0


def check_imei(imei) -> list[Violation]:
	number = normalise_imei(imei)
	if not number:
		return _v(
			"imei",
			"SOP-6-IMEI",
			_(
				"IMEI: a phone is picked up only with its IMEI; dial *#06# on the phone and enter the 15 digits."
			),
		)
	if len(number) != IMEI_LENGTH or not luhn_valid(number) or len(set(number)) == 1:
		return _v(
			"imei",
			"SOP-6-IMEI",
			_("IMEI: '{0}' is not a valid 15-digit IMEI (check digit wrong); read it again from *#06#."),
			number[:20],
		)
	return []


def check_move(
	current, new, *, needs_imei: bool, imei, evidence, failure_reason, failure_reasons
) -> list[Violation]:
	"""A move of the pickup by its partner or a manager, with what that move needs."""
	current, new = formats.text(current), formats.text(new)
	if new not in PARTNER_MOVES.get(current, ()):
		allowed = ", ".join(PARTNER_MOVES.get(current, ())) or _("none")
		return _v(
			"pickup_status",
			"SOP-6-PICKUP-STATUS",
			_("Pickup Status: a pickup that is {0} cannot become {1} (next: {2})."),
			current or "-",
			new or "-",
			allowed,
		)
	if new == PICKED_UP and needs_imei:
		return check_imei(imei) or check_imei_evidence(evidence)
	if new == PICKUP_FAILED and formats.text(failure_reason) not in failure_reasons:
		return _v(
			"pickup_failure_reason",
			"SOP-6-FAILURE-REASON",
			_("Pickup Failure Reason: choose why the pickup failed ({0})."),
			", ".join(failure_reasons) or "-",
		)
	return []


def check_imei_evidence(evidence) -> list[Violation]:
	"""India's Telecom Cyber Security Amendment Rules 2025: a buyer of a used phone checks its
	IMEI on the central register (CEIR); the look-up is manual, its evidence is kept."""
	if not formats.text(evidence):
		return _v(
			"imei_evidence",
			"SOP-6-IMEI",
			_(
				"IMEI Evidence: check the IMEI on the central register (CEIR) and attach the screenshot of the result."
			),
		)
	return []


def next_moves(current) -> tuple[str, ...]:
	return PARTNER_MOVES.get(formats.text(current), ())


# SLA: a pickup still pending after the end of its slot is breached


def sla_breached(due_by: datetime | None, now: datetime, status) -> bool:
	return due_by is not None and now > due_by and formats.text(status) != PICKED_UP
