"""SOP §6 "pickup inspection" and §9 "accountable for data accuracy": the offer at the door.

The partner records what they see; the price is never typed. The inspected device is priced
with the same `pricing.estimate_price` the order was, and the change from what was agreed is
split into one line per difference (the model or variant, each condition answer, each
accessory), each priced as the step from the previous one, so the lines add up to the change.

Plain values in, an `Offer` or violations out; `manual_orders/pickup/inspection.py` reads the
order and the catalogue and keeps what this decides.
"""

import hashlib
import json
from dataclasses import dataclass, field, replace
from decimal import ROUND_HALF_UP, Decimal

from manual_orders.sop import formats, pricing
from manual_orders.sop.catalogue import Accessory, ConditionQuestion, DeviceModel
from manual_orders.sop.violations import Violation, _

MODEL = "Model"
VARIANT = "Variant"
CONDITION = "Condition"
ACCESSORY = "Accessory"
QUOTE = "Quote"
DIFFERENCE_KINDS = (MODEL, VARIANT, CONDITION, ACCESSORY, QUOTE)
DEVICE_KINDS = (MODEL, VARIANT)
DEVICE_PHOTO = "device"  # the photo key of a model or variant other than agreed (its About screen)

# SOP §7's categories, as Manual Order Error keeps them, for what the inspection found.
WRONG_MODEL = "Wrong device model or variant"
WRONG_CONDITION = "Incorrect condition selection"
ERROR_CATEGORY = {MODEL: WRONG_MODEL, VARIANT: WRONG_MODEL, CONDITION: WRONG_CONDITION}

# The checks that decide whether a device can be bought at all.
NO_POWER = "no_power"
ACCOUNT_LOCKED = "account_locked"
IMEI_BLOCKED = "imei_blocked"
DECLINED_OFFER = "offer_declined"
# The Pickup Failure Reason for each way a pickup ends at the door; admins choose others in settings.
DEFAULT_REASONS = {
	NO_POWER: "Device does not power on",
	"account_locked": "Account lock not removed",
	IMEI_BLOCKED: "IMEI invalid or blocked",
	DECLINED_OFFER: "Customer Rejected Price",
}

# What happens to an offer.
AS_AGREED = "As Agreed"  # the device is what was agreed: the agreed price, no new yes needed
AWAITING_APPROVAL = "Awaiting Approval"  # the drop is above the managers' threshold
READY = "Ready to Send"  # a changed offer the customer may now hear
CODE_SENT = "Code Sent"
ACCEPTED = "Accepted"
DECLINED = "Declined"
BLOCKED = "Blocked"  # a blocking check failed: no offer, the pickup fails
OFFER_STATUSES = (AS_AGREED, AWAITING_APPROVAL, READY, CODE_SENT, ACCEPTED, DECLINED, BLOCKED)
OPEN = (AWAITING_APPROVAL, READY, CODE_SENT)  # the partner may still record the inspection again
BOUGHT = (AS_AGREED, ACCEPTED)  # the device may be picked up at the offer's price


@dataclass(frozen=True)
class Device:
	"""A device as the agent entered it or as the partner found it."""

	device_model: str
	variant: str
	answers: dict[str, str] = field(default_factory=dict)
	accessories: tuple[str, ...] = ()


@dataclass(frozen=True)
class Checks:
	powers_on: bool
	account_lock_removed: bool
	imei_blocked: bool = False


@dataclass(frozen=True)
class Catalogue:
	"""What pricing an inspected device needs: models by name, questions by device type, accessories."""

	models: dict[str, DeviceModel]
	questions: dict[str, list[ConditionQuestion]]
	accessories: dict[str, Accessory]

	def questions_for(self, model_name: str) -> list[ConditionQuestion]:
		model = self.models.get(model_name)
		return self.questions.get(model.device_type, []) if model else []


@dataclass(frozen=True)
class Difference:
	"""One way the device differs from what was agreed, and what it changes in rupees."""

	kind: str
	label: str
	agreed: str
	found: str
	amount: int
	key: str = ""  # the question or accessory it is about

	def describe(self) -> str:
		return f"{self.label}: {self.agreed or '-'} → {self.found or '-'} ({signed_inr(self.amount)})"


@dataclass(frozen=True)
class Offer:
	agreed_price: int
	price: int
	differences: tuple[Difference, ...]
	drop_percent: float
	needs_approval: bool

	@property
	def changed(self) -> bool:
		return bool(self.differences) or self.price != self.agreed_price

	@property
	def status(self) -> str:
		if not self.changed:
			return AS_AGREED
		return AWAITING_APPROVAL if self.needs_approval else READY


def signed_inr(amount: int) -> str:
	return ("+" if amount > 0 else "") + formats.format_inr(amount) if amount else formats.format_inr(0)


def _v(field_name: str, rule: str, message: str, *params) -> list[Violation]:
	return [Violation(field_name, rule, message, tuple(params))]


# What the partner recorded


def check_found(found: Device, catalogue: Catalogue, device_type: str | None = None) -> list[Violation]:
	"""The inspected device must be one the catalogue prices, of the order's device type (a phone
	found at the door is a phone model), with every question answered."""
	model = catalogue.models.get(formats.text(found.device_model))
	if model is None or not model.supported or (device_type and model.device_type != device_type):
		return _v(
			"device_model",
			"SOP-6-INSPECT-MODEL",
			_("Device Model: choose the model you see from the catalogue ({0} is not one)."),
			formats.text(found.device_model) or "-",
		)
	variant = model.variant(formats.text(found.variant))
	if variant is None:
		return _v(
			"variant",
			"SOP-6-INSPECT-VARIANT",
			_("Variant: choose one of {0} for {1}."),
			", ".join(v.name for v in model.variants) or "-",
			model.name,
		)
	violations = []
	for question in catalogue.questions_for(model.name):
		if found.answers.get(question.name) not in question.answers:
			violations += _v(
				"conditions",
				"SOP-6-INSPECT-CONDITION",
				_("Conditions: answer '{0}' with one of {1}."),
				question.question,
				", ".join(question.answers),
			)
	unknown = [name for name in found.accessories if name not in catalogue.accessories]
	if unknown:
		violations += _v(
			"accessories",
			"SOP-6-INSPECT-ACCESSORY",
			_("Accessories: {0} is not in the catalogue; pick accessories from the list."),
			", ".join(unknown),
		)
	return violations


def blocking_check(checks: Checks) -> str | None:
	"""The first check that stops the purchase, or None when the device can be bought."""
	if not checks.powers_on:
		return NO_POWER
	if not checks.account_lock_removed:
		return ACCOUNT_LOCKED
	if checks.imei_blocked:
		return IMEI_BLOCKED
	return None


def check_photos(differences: tuple[Difference, ...], photos: dict[str, str]) -> list[Violation]:
	"""A deduction stands only on evidence: each answer, and a model or variant other than the one
	agreed, that lowers the price has its photo (of the defect; of the device's About screen).
	A missing accessory needs none: the customer sees it is not there."""
	missing = [
		d
		for d in differences
		if d.kind in (CONDITION, *DEVICE_KINDS) and d.amount < 0 and not photos.get(d.key)
	]
	return [photo_violation(d) for d in missing]


def photo_violation(difference: Difference) -> Violation:
	lowers = formats.format_inr(-difference.amount)
	if difference.kind in DEVICE_KINDS:
		return Violation(
			"device_model",
			"SOP-6-INSPECT-PHOTO",
			_("Device: take a photo of the device's About screen showing {0}; it lowers the price by {1}."),
			(difference.found, lowers),
		)
	return Violation(
		"conditions",
		"SOP-6-INSPECT-PHOTO",
		_("Conditions: take a photo that shows '{0}: {1}'; it lowers the price by {2}."),
		(difference.label, difference.found, lowers),
	)


# The offer


def price_of(device: Device, catalogue: Catalogue) -> int | None:
	model = catalogue.models.get(device.device_model)
	if model is None:
		return None
	chosen = [catalogue.accessories[name] for name in device.accessories if name in catalogue.accessories]
	estimate = pricing.estimate_price(
		model, device.variant, device.answers, catalogue.questions_for(model.name), chosen
	)
	return estimate.estimated_price if estimate else None


def differences(agreed: Device, found: Device, catalogue: Catalogue) -> tuple[Difference, ...]:
	"""What changed from the agreed device to the found one, step by step, each step priced."""
	steps: list[tuple[Device, Difference]] = []
	current = agreed
	if found.device_model != agreed.device_model or found.variant != agreed.variant:
		kind = MODEL if found.device_model != agreed.device_model else VARIANT
		label = _("Model") if kind == MODEL else _("Variant")
		was = f"{agreed.device_model} {agreed.variant}".strip()
		now = f"{found.device_model} {found.variant}".strip()
		current = replace(current, device_model=found.device_model, variant=found.variant)
		steps.append((current, Difference(kind, label, was, now, 0, DEVICE_PHOTO)))
	for question in catalogue.questions_for(found.device_model):
		answer = found.answers.get(question.name)
		if answer != agreed.answers.get(question.name):
			current = replace(current, answers={**current.answers, question.name: answer})
			steps.append(
				(
					current,
					Difference(
						CONDITION,
						question.question,
						agreed.answers.get(question.name) or "",
						answer,
						0,
						question.name,
					),
				)
			)
	for name in sorted(set(agreed.accessories) | set(found.accessories)):
		has = name in found.accessories
		if has != (name in agreed.accessories):
			kept = tuple(a for a in current.accessories if a != name) + ((name,) if has else ())
			current = replace(current, accessories=kept)
			present, missing = _("present"), _("missing")
			steps.append(
				(
					current,
					Difference(
						ACCESSORY, name, missing if has else present, present if has else missing, 0, name
					),
				)
			)
	return _priced(agreed, steps, catalogue)


def _priced(agreed: Device, steps, catalogue: Catalogue) -> tuple[Difference, ...]:
	priced = []
	before = price_of(agreed, catalogue) or 0
	for device, difference in steps:
		after = price_of(device, catalogue) or 0
		priced.append(replace(difference, amount=after - before))
		before = after
	return tuple(priced)


def make_offer(
	agreed: Device,
	agreed_price: int,
	found: Device,
	catalogue: Catalogue,
	*,
	quote_valid: bool,
	approval_percent: float,
) -> Offer:
	"""The price for the found device.

	While the quote is valid the agreed price stands and each difference moves it; once it has
	lapsed, today's price of the found device is offered and the change of price list is a line
	of its own. A drop above `approval_percent` of the agreed price waits for a manager.
	"""
	found_price = price_of(found, catalogue) or 0
	lines = differences(agreed, found, catalogue)
	if quote_valid:
		price = agreed_price + sum(d.amount for d in lines)
	else:
		today = price_of(agreed, catalogue)
		change = (today if today is not None else agreed_price) - agreed_price
		if change:
			lines = (Difference(QUOTE, _("Quote lapsed: today's price"), "", "", change), *lines)
		price = found_price
	price = max(int(price), 0)
	return Offer(
		agreed_price=int(agreed_price),
		price=price,
		differences=lines,
		drop_percent=drop_percent(agreed_price, price),
		needs_approval=drop_above(agreed_price, price, approval_percent),
	)


def drop_above(agreed_price: int, price: int, percent) -> bool:
	"""Exact: a drop of 20.001 % is above 20 %, whatever the shown rounding says."""
	limit = max(Decimal(str(percent or 0)), Decimal(0))
	return agreed_price > 0 and Decimal(agreed_price - price) * 100 > limit * Decimal(agreed_price)


def drop_percent(agreed_price: int, price: int) -> float:
	if agreed_price <= 0 or price >= agreed_price:
		return 0.0
	drop = Decimal(agreed_price - price) * 100 / Decimal(agreed_price)
	return float(drop.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def offer_fingerprint(inspection: str, offer: Offer) -> str:
	"""The offer's terms, which the customer's code is bound to: a code for other terms fails."""
	terms = {
		"inspection": inspection,
		"agreed": offer.agreed_price,
		"price": offer.price,
		"lines": [[d.kind, d.key or d.label, d.agreed, d.found, d.amount] for d in offer.differences],
	}
	return hashlib.sha256(json.dumps(terms, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def error_findings(found_differences: tuple[Difference, ...]) -> dict[str, list[Difference]]:
	"""SOP §7/§9: the agent's order was wrong where the model, variant or a condition differs.

	Accessories are left out: whether a charger comes along is the customer's to change.
	"""
	findings: dict[str, list[Difference]] = {}
	for difference in found_differences:
		category = ERROR_CATEGORY.get(difference.kind)
		if category:
			findings.setdefault(category, []).append(difference)
	return findings


# The customer's answer


def check_can_send(status: str) -> list[Violation]:
	if status == AWAITING_APPROVAL:
		return _v(
			"offer_status",
			"SOP-6-OFFER-APPROVAL",
			_("Offer: the drop is above the limit; a manager approves it before the customer hears it."),
		)
	if status not in (READY, CODE_SENT):
		return _v(
			"offer_status",
			"SOP-6-OFFER-STATUS",
			_("Offer: an offer that is {0} is not sent to the customer."),
			status or "-",
		)
	return []


def check_can_decide(status: str) -> list[Violation]:
	if status != CODE_SENT:
		return _v(
			"offer_status",
			"SOP-6-OFFER-STATUS",
			_("Offer: send the customer the offer and its code first (the offer is {0})."),
			status or "-",
		)
	return []


def check_can_approve(
	status: str, inspected_by: str, approver: str, approver_acts_for_partner: bool = False
) -> list[Violation]:
	if status != AWAITING_APPROVAL:
		return _v(
			"offer_status",
			"SOP-6-OFFER-STATUS",
			_("Offer: only an offer awaiting approval is approved (this one is {0})."),
			status or "-",
		)
	if inspected_by and inspected_by == approver:
		return _v(
			"approved_by",
			"SOP-6-OFFER-OWN",
			_("Offer: you recorded this inspection; another manager approves its offer."),
		)
	if approver_acts_for_partner:
		return _v(
			"approved_by",
			"SOP-6-OFFER-OWN",
			_("Offer: you act for the pickup partner that made this offer; another manager approves it."),
		)
	return []


# The consent code's verdicts (sop/otp.py), for the other codes a customer reads back: the offer
# at the door, a corrected payout destination.
OFFER_CODE_MESSAGES = {
	"OTP-NONE": _("Code: no code was sent for this yet; send one first."),
	"OTP-USED": _("Code: this code was already used."),
	"OTP-LOCKED": _("Code: {0} wrong codes were entered; this code is locked. Send a new code."),
	"OTP-EXPIRED": _("Code: the code has expired; send a new code."),
	"OTP-TERMS": _("Code: the code was sent for other terms; send a new code for these."),
	"OTP-WRONG": _("Code: wrong code; {0} attempts left. Ask the customer to read the code again."),
	"OTP-WRONG-LAST": _("Code: wrong code; this code is now locked. Send a new code."),
	"OTP-RATE": _("Code: {0} codes were sent for this order in the last hour; wait before sending another."),
}


def code_violation(violation: Violation) -> Violation:
	"""A consent-code violation in a code's own words (the last wrong attempt has its own)."""
	rule = violation.rule
	key = "OTP-WRONG-LAST" if rule == "OTP-WRONG" and not violation.params else rule
	message = OFFER_CODE_MESSAGES.get(key)
	return replace(violation, field="offer_code", message=message) if message else violation


def check_bought(offer_status: str | None) -> list[Violation]:
	"""Picked Up needs an offer the customer accepted (or the device as agreed)."""
	if offer_status in BOUGHT:
		return []
	return _v(
		"offer_status",
		"SOP-6-OFFER-STATUS",
		_(
			"Pickup Status: record the inspection and get the customer's yes to the offer before Picked Up (the offer is {0})."
		),
		offer_status or _("not recorded"),
	)


def check_door_reason(failure_reason, door_reasons) -> list[Violation]:
	"""The inspection's reasons (a declined offer, no power, an account lock, a blocked IMEI) are
	recorded by the inspection alone: a partner cannot say "Customer Rejected Price" without an offer."""
	if formats.text(failure_reason) in set(door_reasons):
		return _v(
			"pickup_failure_reason",
			"SOP-6-FAILURE-REASON",
			_(
				"Pickup Failure Reason: {0} is recorded by the inspection at the door; record the inspection instead."
			),
			formats.text(failure_reason),
		)
	return []


def reasons_text(found_differences: tuple[Difference, ...]) -> str:
	"""The reasons, one a line, as the customer reads them on WhatsApp."""
	return "; ".join(d.describe() for d in found_differences)


def short_reason(found_differences: tuple[Difference, ...], limit: int = 30) -> str:
	"""One DLT variable's worth (30 characters): the first reason, and how many more."""
	if not found_differences:
		return ""
	first = f"{found_differences[0].label} {found_differences[0].found}".strip()
	more = len(found_differences) - 1
	suffix = f" +{more}" if more else ""
	room = limit - len(suffix)
	return (first if len(first) <= room else first[: room - 1] + "…") + suffix
