"""SOP §6 at the door, on the partner's phone (the /pickups portal page): what the screens show.

Plain readers for `www/pickups/index.py` and `api.door_pickup`: the day's pickups of the
partners the user acts for, and one pickup with what its inspection form offers. The orders are
read with the server's own permission rules (`get_list`), narrowed to the user's partners; the
caller of `pickup` has already been checked to be the order's partner's user or a manager.
"""

import frappe
from frappe.utils import formatdate, getdate, nowdate

from manual_orders import catalogue_cache
from manual_orders.pickup import inspection as pickup_inspection
from manual_orders.pickup import status as pickup_status
from manual_orders.sop import pickups

LIST_FIELDS = (
	"name",
	"customer_name",
	"address_line1",
	"address_line2",
	"landmark",
	"city",
	"pincode",
	"pickup_date",
	"pickup_slot",
	"device_model",
	"variant",
	"pickup_status",
)
ORDER_FIELDS = (
	*LIST_FIELDS,
	"device_type",
	"brand",
	"pickup_partner",
	"pickup_failure_reason",
	"imei",
)


# Today's pickups


def todays_pickups(user: str | None = None) -> list[dict]:
	"""Today's pickups of the user's partners, and the days before still pending (overdue), by slot."""
	partners = pickup_status.partners_of(user)
	if not partners:
		return []
	today = getdate(nowdate())
	rows = frappe.get_list(
		"Manual Order",
		filters={"docstatus": 1, "pickup_partner": ("in", partners), "pickup_date": ("<=", today)},
		or_filters={"pickup_date": today, "pickup_status": ("in", pickups.PENDING)},
		fields=list(LIST_FIELDS),
		order_by="pickup_date asc, pickup_slot asc, name asc",
		limit_page_length=0,
	)
	return [door_row(row, today) for row in rows]


def door_row(row, today) -> dict:
	return {
		"name": row.name,
		"customer_name": row.customer_name,
		"address": address_of(row),
		"landmark": row.landmark,
		"pickup_date": str(row.pickup_date),
		"pickup_day": formatdate(row.pickup_date),
		"overdue": getdate(row.pickup_date) < today and row.pickup_status in pickups.PENDING,
		"pickup_slot": row.pickup_slot,
		"device": " ".join(filter(None, [row.device_model, row.variant])),
		"pickup_status": row.pickup_status,
		"done": row.pickup_status not in pickups.PENDING,
	}


def address_of(row) -> str:
	return ", ".join(filter(None, [row.address_line1, row.address_line2, row.city, row.pincode]))


# One pickup: the order, its inspection form, its offer


def pickup(order) -> dict:
	"""The order as the door needs it, what the inspection form offers, and the current offer."""
	inspection = pickup_inspection.for_order(order.name)
	return {
		"order": {
			**{field: order.get(field) for field in ORDER_FIELDS},
			"pickup_date": str(order.pickup_date),
			"address": address_of(order),
			"needs_imei": order.device_type in catalogue_cache.get_imei_device_types(),
		},
		"moves": list(pickups.next_moves(order.pickup_status)),
		"failure_reasons": list(catalogue_cache.get_failure_reasons()),
		"form": inspection_form(order),
		"inspection": summary_of(inspection),
	}


def summary_of(name: str | None) -> dict | None:
	if not name:
		return None
	return pickup_inspection.summary(frappe.get_doc(pickup_inspection.DOCTYPE, name))


def inspection_form(order) -> dict:
	"""What the partner chooses from: the type's models and variants, the questions and their
	answers (those that would lower the agreed price need a photo), the type's accessories."""
	agreed = {row.question: row.answer for row in order.conditions}
	return {
		"models": models_for(order),
		"questions": [question_row(q, agreed.get(q.name)) for q in questions_for(order)],
		"accessories": accessories_for(order.device_type),
		"agreed": {
			"device_model": order.device_model,
			"variant": order.variant,
			"answers": agreed,
			"accessories": [row.accessory for row in order.accessories],
		},
	}


def models_for(order) -> list[dict]:
	"""The models of the order's brand and device type a partner may find instead, agreed first."""
	names = frappe.get_all(
		"Device Model",
		filters={"device_type": order.device_type, "brand": order.brand, "supported": 1},
		pluck="name",
		order_by="name asc",
	)
	names = [order.device_model, *[n for n in names if n != order.device_model]]
	models = [catalogue_cache.get_device_model(name) for name in names]
	return [
		{"name": model.name, "variants": [v.name for v in model.variants if v.enabled]}
		for model in models
		if model
	]


def questions_for(order) -> list:
	return catalogue_cache.get_condition_questions(order.device_type)


def question_row(question, agreed_answer: str | None) -> dict:
	"""An answer whose deduction is larger than the agreed one's lowers the price: it needs a photo."""
	agreed_share = question.answers.get(agreed_answer, 0)
	return {
		"name": question.name,
		"question": question.question,
		"answers": list(question.answers),
		"photo_answers": [answer for answer, share in question.answers.items() if share > agreed_share],
	}


def accessories_for(device_type: str) -> list[str]:
	return sorted(
		name
		for name, accessory in catalogue_cache.get_accessories().items()
		if not accessory.device_types or device_type in accessory.device_types
	)
