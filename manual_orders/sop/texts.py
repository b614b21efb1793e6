"""What the agent reads out and what the customer receives, rendered from values."""

from manual_orders.sop.formats import format_inr
from manual_orders.sop.violations import _

CALL_SCRIPT = _(
	"The estimated price showing is {0}. Final price depends on inspection. Are you okay to proceed?"
)
NEXT_STEPS = (
	_("A pickup partner (vendor) will be assigned to your order."),
	_("The device is inspected at pickup; the final price depends on that inspection."),
	_("You are paid instantly at pickup by UPI or bank transfer."),
)
ORDER_CREATED_MESSAGE = _("Your order {0} is placed. Pickup: {1}, {2}. Next: {3} {4} {5}")
PARTNER_ASSIGNED_MESSAGE = _(
	"Your order {0}: {1} will pick up the device on {2}, {3}. Keep the device charged and its IMEI (dial *#06#) ready; you are paid at pickup."
)

CONSENT_CODE_MESSAGE = _(
	"{0} is your code to confirm order {1}: your {2} for {3}. Tell it only to our agent on this call. It expires in {4} minutes."
)
OFFER_CODE_MESSAGE = _(
	"Order {0}: after inspection we offer {1}, not {2}. Why: {3}. To accept, tell code {4} to our pickup partner; it expires in {5} minutes."
)
DESTINATION_CODE_MESSAGE = _(
	"Order {0}: to be paid to {1} instead, tell code {2} to our team on the call. It expires in {3} minutes."
)
PAYOUT_PAID_MESSAGE = _(
	"Your order {0}: we have paid you {1}. Bank reference (UTR) {2}. Thank you for selling to us."
)


def call_script(estimated_price, translate=lambda text: text) -> str:
	return translate(CALL_SCRIPT).format(format_inr(estimated_price))


def order_summary(
	device: str,
	price_low,
	price_high,
	pickup_location: str,
	payment_mode: str,
	translate=lambda text: text,
) -> list[tuple[str, str]]:
	"""SOP §5 step 6: the recap read back to the customer, as (label, value) rows."""
	return [
		(translate(_("Device")), device),
		(translate(_("Price range")), f"{format_inr(price_low)} - {format_inr(price_high)}"),
		(translate(_("Pickup location")), pickup_location),
		(translate(_("Payment mode")), payment_mode),
	]


def next_steps(translate=lambda text: text) -> list[str]:
	return [translate(step) for step in NEXT_STEPS]


def order_created_message(
	order_id: str, pickup_date: str, pickup_slot: str, translate=lambda text: text
) -> str:
	"""SOP §6: the Order ID and the next steps, as sent by SMS."""
	return translate(ORDER_CREATED_MESSAGE).format(order_id, pickup_date, pickup_slot, *next_steps(translate))


def partner_assigned_message(
	order_id: str, partner: str, pickup_date: str, pickup_slot: str, translate=lambda text: text
) -> str:
	"""SOP §6's first next step done: the customer learns who comes and when."""
	return translate(PARTNER_ASSIGNED_MESSAGE).format(order_id, partner, pickup_date, pickup_slot)


def consent_code_message(
	code: str, order_id: str, device: str, price: str, minutes, translate=lambda text: text
) -> str:
	"""The code the customer reads back to the agent (consent by OTP)."""
	return translate(CONSENT_CODE_MESSAGE).format(code, order_id, device, price, minutes)


def offer_code_message(
	order_id: str,
	new_price: str,
	old_price: str,
	reason: str,
	code: str,
	minutes,
	translate=lambda text: text,
) -> str:
	"""SOP §6: a changed offer at the door; the customer's yes is the code read to the partner."""
	return translate(OFFER_CODE_MESSAGE).format(order_id, new_price, old_price, reason, code, minutes)


def payout_paid_message(order_id: str, amount: str, utr: str, translate=lambda text: text) -> str:
	"""SOP §6's third step done: the customer is told the money left, with the bank's reference."""
	return translate(PAYOUT_PAID_MESSAGE).format(order_id, amount, utr)


def destination_code_message(
	order_id: str, destination: str, code: str, minutes, translate=lambda text: text
) -> str:
	"""A payout sent back by the bank goes to a corrected destination only with the customer's code."""
	return translate(DESTINATION_CODE_MESSAGE).format(order_id, destination, code, minutes)
