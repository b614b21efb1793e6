"""The order's values and the catalogue, as the plain SOP rules and pricing take them.

The controller and `manual_orders.api.check_order` (the desk's live check) both read an order
through these, so the check the agent sees is the check the server runs on save.
"""

from frappe.utils import getdate

from manual_orders import catalogue_cache
from manual_orders.consent_evidence.record import answers
from manual_orders.settings import get_settings
from manual_orders.sop import pricing, rules


def set_price(order):
	model = catalogue_cache.get_device_model(order.device_model)
	questions = catalogue_cache.get_condition_questions(order.device_type)
	accessories = catalogue_cache.get_accessories()
	chosen = [accessories[row.accessory] for row in order.accessories if row.accessory in accessories]
	estimate = model and pricing.estimate_price(model, order.variant, answers(order), questions, chosen)
	order.base_price = estimate.base_price if estimate else 0
	order.estimated_price = estimate.estimated_price if estimate else 0
	percent = {q.name: q.answers for q in questions}
	for row in order.conditions:
		deduction = percent.get(row.question, {}).get(row.answer, 0)
		row.deduction = pricing.condition_deduction(order.base_price, deduction) if deduction else 0
	for row in order.accessories:
		row.price_adjustment = (
			accessories[row.accessory].price_adjustment if row.accessory in accessories else 0
		)
	variance = get_settings()["price_variance_percent"]
	order.price_low, order.price_high = pricing.price_range(order.estimated_price, variance)


def order_input(order) -> rules.OrderInput:
	questions = [row.question for row in order.conditions]
	return rules.OrderInput(
		creation_reason=order.creation_reason,
		mobile_no=order.mobile_no,
		whatsapp_no=order.whatsapp_no,
		device_type=order.device_type,
		brand=order.brand,
		device_model=order.device_model,
		variant=order.variant,
		answers=answers(order),
		duplicate_questions=sorted({q for q in questions if questions.count(q) > 1}),
		accessories=[row.accessory for row in order.accessories],
		address_line1=order.address_line1,
		landmark=order.landmark,
		city=order.city,
		state=order.state,
		pincode=order.pincode,
		pickup_date=getdate(order.pickup_date) if order.pickup_date else None,
		pickup_slot=order.pickup_slot,
		payment_method=order.payment_method,
		upi_id=order.upi_id,
		bank_account_number=order.bank_account_number,
		ifsc_code=order.ifsc_code,
	)


def catalogue_for(order) -> rules.Catalogue:
	settings = get_settings()
	return rules.Catalogue(
		device_types=catalogue_cache.get_device_types(),
		creation_reasons=catalogue_cache.get_creation_reasons(),
		model=catalogue_cache.get_device_model(order.device_model),
		questions=catalogue_cache.get_condition_questions(order.device_type),
		accessories=catalogue_cache.get_accessories(),
		area=catalogue_cache.get_service_area(order.pincode),
		slot=catalogue_cache.get_pickup_slot(order.pickup_slot),
		min_lead_minutes=settings["min_lead_minutes"],
		max_days_ahead=settings["max_days_ahead"],
	)
