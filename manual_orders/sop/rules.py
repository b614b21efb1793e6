"""SOP §2-§5 as rules: one function per check, values in, violations out.

Every function returns a list of `Violation` (empty when the rule holds), so a
save can report every broken rule at once. `check_order` runs them all.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from manual_orders.sop import formats
from manual_orders.sop.catalogue import (
	Accessory,
	ConditionQuestion,
	CreationReason,
	DeviceModel,
	PickupSlot,
	ServiceArea,
)
from manual_orders.sop.pincodes import pincode_matches_state, same_place
from manual_orders.sop.violations import Violation, _

CUSTOMER_UNSURE = "Customer Unsure"
# SOP §4C: set by the daily job when the quoted price lapsed before the order was created.
QUOTE_EXPIRED = "Quote Expired"
# SOP §9: set when the agent who owned an open draft is disabled or leaves; the Lead goes back to follow-up.
AGENT_LEFT = "Agent Left"
# Outcomes only the server sets, and which are final.
SERVER_OUTCOMES = (QUOTE_EXPIRED, AGENT_LEFT)
ENDED_OUTCOMES = (CUSTOMER_UNSURE, *SERVER_OUTCOMES)
PAYMENT_METHODS = ("UPI", "Bank Transfer")
MIN_ADDRESS_LENGTH = 10


@dataclass
class OrderInput:
	"""What the agent entered, as plain values (strings may be anything)."""

	creation_reason: str = ""
	mobile_no: str = ""
	whatsapp_no: str = ""
	device_type: str = ""
	brand: str = ""
	device_model: str = ""
	variant: str = ""
	answers: dict[str, str] = field(default_factory=dict)
	duplicate_questions: list[str] = field(default_factory=list)
	accessories: list[str] = field(default_factory=list)
	address_line1: str = ""
	landmark: str = ""
	city: str = ""
	state: str = ""
	pincode: str = ""
	pickup_date: date | None = None
	pickup_slot: str = ""
	payment_method: str = ""
	upi_id: str = ""
	bank_account_number: str = ""
	ifsc_code: str = ""


@dataclass
class Catalogue:
	"""What the catalogue says about this order's choices (None where nothing was found).

	`device_types` and `creation_reasons` are the enabled records admins keep.
	"""

	device_types: tuple[str, ...] = ()
	creation_reasons: tuple[CreationReason, ...] = ()
	model: DeviceModel | None = None
	questions: list[ConditionQuestion] = field(default_factory=list)
	accessories: dict[str, Accessory] = field(default_factory=dict)
	area: ServiceArea | None = None
	slot: PickupSlot | None = None
	min_lead_minutes: int = 60
	max_days_ahead: int = 14


def _v(field_name: str, rule: str, message: str, *params) -> list[Violation]:
	return [Violation(field_name, rule, message, tuple(params))]


# SOP §2: when manual order creation is allowed


def check_creation_reason(
	reason, reasons: tuple[CreationReason, ...], model: DeviceModel | None
) -> list[Violation]:
	chosen = next((r for r in reasons if r.name == formats.text(reason)), None)
	if chosen is None:
		return _v(
			"creation_reason",
			"SOP-2-REASON",
			_(
				"Creation Reason: choose one of the SOP's cases ({0}); manual orders are a support tool, not a shortcut."
			),
			", ".join(r.name for r in reasons),
		)
	if chosen.needs_high_end_device and model is not None and not model.high_end:
		return _v(
			"creation_reason",
			"SOP-2-HIGH-END",
			_(
				'Creation Reason: "{0}" is for a high-end device, and {1} is not one; choose the reason the customer gave.'
			),
			chosen.name,
			model.name,
		)
	return []


# SOP §3: the customer unsure or "just checking"


def check_customer_sure(outcome) -> list[Violation]:
	if formats.text(outcome) == CUSTOMER_UNSURE:
		return _v(
			"outcome",
			"SOP-3-UNSURE",
			_("Outcome: the customer is unsure or just checking; this attempt ends without an order."),
		)
	if formats.text(outcome) == QUOTE_EXPIRED:
		return _v(
			"outcome",
			"SOP-3-UNSURE",
			_(
				"Outcome: the quoted price lapsed and this attempt was closed; create a new order from the Lead with a fresh quote."
			),
		)
	if formats.text(outcome) == AGENT_LEFT:
		return _v(
			"outcome",
			"SOP-3-UNSURE",
			_(
				"Outcome: the agent who took this call has left and the attempt was closed; create a new order from the Lead."
			),
		)
	return []


# SOP golden rule: no order without consent to these exact terms


def check_consent(consent_given: bool, consent_covers_terms: bool) -> list[Violation]:
	if not (consent_given and consent_covers_terms):
		return _v(
			"consent_customer_words",
			"SOP-GOLDEN-CONSENT",
			_(
				'Consent: the customer has not said "Yes, please place the order" to these terms. Read back the summary, then record the customer\'s words and both confirmations.'
			),
		)
	return []


# SOP §4A: serviceability


def check_pincode_format(pincode) -> list[Violation]:
	if not formats.is_valid_pincode(pincode):
		return _v(
			"pincode",
			"SOP-4A-PINCODE-FORMAT",
			_(
				"Pincode: '{0}' is not a six-digit Indian pincode; ask the customer for the pincode of the pickup address."
			),
			formats.text(pincode)[:20],
		)
	return []


def check_pincode_serviceable(pincode, area: ServiceArea | None) -> list[Violation]:
	if not formats.is_valid_pincode(pincode):
		return []
	if area is None or not area.enabled:
		return _v(
			"pincode",
			"SOP-4A-PINCODE-SERVICEABLE",
			_(
				"Pincode: {0} is not serviceable; do not create the order, tell the customer pickup is not available there."
			),
			formats.normalise_pincode(pincode),
		)
	return []


def check_device_type_served(device_type, area: ServiceArea | None) -> list[Violation]:
	if area is None or not area.enabled or not formats.text(device_type):
		return []
	if formats.text(device_type) not in area.device_types:
		return _v(
			"device_type",
			"SOP-4A-DEVICE-TYPE-SERVED",
			_("Device Type: {0} pickups are not served at pincode {1} (served there: {2})."),
			formats.text(device_type),
			area.pincode,
			", ".join(area.device_types) or "-",
		)
	return []


def check_city_and_state(city, state, pincode, area: ServiceArea | None) -> list[Violation]:
	violations = []
	if not formats.text(city):
		violations += _v("city", "SOP-4A-CITY", _("City: enter the city of the pickup address."))
	elif area is not None and not same_place(city, area.city):
		violations += _v(
			"city",
			"SOP-4A-CITY",
			_("City: pincode {0} is in {1}, not {2}; confirm the city and pincode with the customer."),
			area.pincode,
			area.city,
			formats.text(city)[:60],
		)
	if not formats.text(state):
		violations += _v("state", "SOP-4A-STATE", _("State: enter the state of the pickup address."))
	elif formats.is_valid_pincode(pincode) and not pincode_matches_state(pincode, state):
		violations += _v(
			"state",
			"SOP-4A-STATE",
			_("State: pincode {0} does not belong to {1}; confirm the state and pincode with the customer."),
			formats.normalise_pincode(pincode),
			formats.text(state)[:60],
		)
	elif area is not None and not same_place(state, area.state):
		violations += _v(
			"state",
			"SOP-4A-STATE",
			_("State: pincode {0} is in {1}, not {2}."),
			area.pincode,
			area.state,
			formats.text(state)[:60],
		)
	return violations


# SOP §4B: device details


def check_device_type(device_type, device_types: tuple[str, ...]) -> list[Violation]:
	if formats.text(device_type) not in device_types:
		return _v(
			"device_type",
			"SOP-4B-DEVICE-TYPE",
			_("Device Type: choose one of {0}."),
			", ".join(device_types),
		)
	return []


def check_model_supported(device_model, model: DeviceModel | None) -> list[Violation]:
	if not formats.text(device_model):
		return _v(
			"device_model", "SOP-4B-MODEL", _("Device Model: select the customer's model from the catalogue.")
		)
	if model is None or not model.supported:
		return _v(
			"device_model",
			"SOP-4B-MODEL",
			_("Device Model: {0} is not a supported device; do not create the order."),
			formats.text(device_model)[:140],
		)
	return []


def check_model_matches(device_type, brand, model: DeviceModel | None) -> list[Violation]:
	if model is None:
		return []
	violations = []
	if formats.text(brand) != model.brand:
		violations += _v(
			"brand",
			"SOP-4B-BRAND",
			_("Brand: {0} is made by {1}, not {2}."),
			model.name,
			model.brand,
			formats.text(brand)[:140] or "-",
		)
	if formats.text(device_type) != model.device_type:
		violations += _v(
			"device_type",
			"SOP-4B-DEVICE-TYPE",
			_("Device Type: {0} is a {1}, not a {2}."),
			model.name,
			model.device_type,
			formats.text(device_type)[:40] or "-",
		)
	return violations


def check_variant(variant, model: DeviceModel | None) -> list[Violation]:
	if model is None:
		return []
	known = model.variant(formats.text(variant))
	if known is None or not known.enabled:
		choices = ", ".join(v.name for v in model.variants if v.enabled) or "-"
		return _v(
			"variant",
			"SOP-4B-VARIANT",
			_("Variant: choose the storage/variant of {0} from: {1}."),
			model.name,
			choices,
		)
	return []


def check_conditions(
	answers: dict[str, str], questions: list[ConditionQuestion], duplicates: list[str] | None = None
) -> list[Violation]:
	"""Every enabled question of the device type answered once with one of its answers."""
	violations = []
	for name in duplicates or []:
		violations += _v(
			"conditions",
			"SOP-4B-CONDITION",
			_("Conditions: '{0}' is answered more than once; keep one row."),
			formats.text(name)[:140],
		)
	known = {q.name for q in questions}
	for question in questions:
		answer = formats.text(answers.get(question.name))
		if answer not in question.answers:
			violations += _v(
				"conditions",
				"SOP-4B-CONDITION",
				_("Conditions: answer '{0}' with one of: {1}."),
				question.question,
				", ".join(question.answers),
			)
	for name in answers:
		if name not in known:
			violations += _v(
				"conditions",
				"SOP-4B-CONDITION",
				_("Conditions: '{0}' is not a condition question for this device type; remove that row."),
				formats.text(name)[:140],
			)
	return violations


def check_accessories(names: list[str], accessories: dict[str, Accessory], device_type) -> list[Violation]:
	violations = []
	for name in names:
		accessory = accessories.get(name)
		if accessory is None or (
			accessory.device_types and formats.text(device_type) not in accessory.device_types
		):
			violations += _v(
				"accessories",
				"SOP-4B-ACCESSORY",
				_("Accessories: '{0}' is not an accessory of a {1}; remove that row."),
				formats.text(name)[:140],
				formats.text(device_type) or "-",
			)
	if len(set(names)) != len(names):
		violations += _v(
			"accessories", "SOP-4B-ACCESSORY", _("Accessories: each accessory may be listed once.")
		)
	return violations


# SOP §4D and §5 step 5: pickup details


def check_address(address_line1, landmark) -> list[Violation]:
	violations = []
	if len(formats.text(address_line1)) < MIN_ADDRESS_LENGTH:
		violations += _v(
			"address_line1",
			"SOP-4D-ADDRESS",
			_("Address: enter the full pickup address (house/flat, street, area), at least {0} characters."),
			MIN_ADDRESS_LENGTH,
		)
	if not formats.text(landmark):
		violations += _v(
			"landmark",
			"SOP-4D-LANDMARK",
			_("Landmark: ask the customer for a landmark near the pickup address."),
		)
	return violations


def check_pickup_slot(
	pickup_date: date | None,
	slot: PickupSlot | None,
	now: datetime,
	min_lead_minutes: int,
	max_days_ahead: int,
) -> list[Violation]:
	if pickup_date is None:
		return _v(
			"pickup_date", "SOP-4D-SLOT", _("Pickup Date: choose the customer's preferred pickup date.")
		)
	if slot is None or not slot.enabled:
		return _v("pickup_slot", "SOP-4D-SLOT", _("Pickup Slot: choose one of the enabled pickup slots."))
	starts = datetime.combine(pickup_date, slot.start)
	if starts < now + timedelta(minutes=min_lead_minutes):
		return _v(
			"pickup_slot",
			"SOP-4D-SLOT",
			_("Pickup Slot: {0} on {1} is too soon; choose a slot starting at least {2} minutes from now."),
			slot.name,
			pickup_date.isoformat(),
			min_lead_minutes,
		)
	if pickup_date > now.date() + timedelta(days=max_days_ahead):
		return _v(
			"pickup_date",
			"SOP-4D-SLOT",
			_("Pickup Date: choose a date within the next {0} days."),
			max_days_ahead,
		)
	return []


# SOP §4E: payment method


def check_payment(method, upi_id, bank_account_number, ifsc_code) -> list[Violation]:
	method = formats.text(method)
	if method not in PAYMENT_METHODS:
		return _v(
			"payment_method",
			"SOP-4E-PAYMENT-METHOD",
			_("Payment Method: choose UPI or Bank Transfer and confirm the customer has it ready."),
		)
	if method == "UPI":
		if not formats.is_valid_upi_id(upi_id):
			return _v(
				"upi_id",
				"SOP-4E-UPI",
				_("UPI ID: enter the customer's UPI ID in the form name@bank."),
			)
		return []
	violations = []
	if not formats.is_valid_bank_account(bank_account_number):
		violations += _v(
			"bank_account_number",
			"SOP-4E-BANK-ACCOUNT",
			_("Bank Account Number: enter the customer's account number, 9 to 18 digits."),
		)
	if not formats.is_valid_ifsc(ifsc_code):
		violations += _v(
			"ifsc_code",
			"SOP-4E-IFSC",
			_("IFSC Code: enter the branch's 11-character IFSC, e.g. HDFC0001234."),
		)
	return violations


def check_mobile(mobile_no, whatsapp_no="") -> list[Violation]:
	violations = []
	if formats.normalise_mobile(mobile_no) is None:
		violations += _v(
			"mobile_no",
			"SOP-4-MOBILE",
			_("Mobile No: enter the customer's 10-digit Indian mobile number (starting with 6-9)."),
		)
	if formats.text(whatsapp_no) and formats.normalise_mobile(whatsapp_no) is None:
		violations += _v(
			"whatsapp_no",
			"SOP-4-MOBILE",
			_(
				"WhatsApp No: enter a 10-digit Indian mobile number, or leave it empty to use the mobile number."
			),
		)
	return violations


def check_order(order: OrderInput, catalogue: Catalogue, now: datetime) -> list[Violation]:
	"""Every SOP pre-check of §2-§5, in the order the agent fills the form."""
	return [
		*check_creation_reason(order.creation_reason, catalogue.creation_reasons, catalogue.model),
		*check_mobile(order.mobile_no, order.whatsapp_no),
		*check_device_type(order.device_type, catalogue.device_types),
		*check_model_supported(order.device_model, catalogue.model),
		*check_model_matches(order.device_type, order.brand, catalogue.model),
		*check_variant(order.variant, catalogue.model),
		*check_conditions(order.answers, catalogue.questions, order.duplicate_questions),
		*check_accessories(order.accessories, catalogue.accessories, order.device_type),
		*check_address(order.address_line1, order.landmark),
		*check_pincode_format(order.pincode),
		*check_pincode_serviceable(order.pincode, catalogue.area),
		*check_device_type_served(order.device_type, catalogue.area),
		*check_city_and_state(order.city, order.state, order.pincode, catalogue.area),
		*check_pickup_slot(
			order.pickup_date, catalogue.slot, now, catalogue.min_lead_minutes, catalogue.max_days_ahead
		),
		*check_payment(order.payment_method, order.upi_id, order.bank_account_number, order.ifsc_code),
	]
