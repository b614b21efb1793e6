"""Where manual orders fail: leads touched, consent, created, picked up, cancelled, customer unsure."""

import frappe
from frappe import _
from frappe.query_builder.functions import Count, Sum

from manual_orders.reports import ORDER, order_conditions, orders


@frappe.read_only()
def execute(filters: dict | None = None):
	"""Read-only: with `read_from_replica` set, it runs on the replica."""
	filters = frappe._dict(filters or {})
	counts = get_counts(filters)
	rows = [{"stage": _(label), "count": int(counts.get(key) or 0)} for key, label in STAGES]
	return get_columns(), rows, None, get_chart(rows)


STAGES = (
	("leads_touched", "Leads touched"),
	("attempts", "Order attempts"),
	("consented", "Consent recorded"),
	("created", "Created"),
	("picked_up", "Picked up"),
	("cancelled", "Cancelled"),
	("unsure", "Customer unsure"),
)


def get_counts(filters) -> dict:
	created = ORDER.docstatus.isin([1, 2])
	row = (
		orders()
		.select(
			Count(ORDER.lead).distinct().as_("leads_touched"),
			Count(ORDER.name).as_("attempts"),
			Sum(ORDER.consent_recorded_at.isnotnull() | created).as_("consented"),
			Sum(created).as_("created"),
			Sum((ORDER.docstatus == 1) & (ORDER.picked_up == 1)).as_("picked_up"),
			Sum(ORDER.docstatus == 2).as_("cancelled"),
			Sum(ORDER.outcome == "Customer Unsure").as_("unsure"),
		)
		.where(order_conditions(filters))
		.run(as_dict=True)
	)
	return row[0] if row else {}


def get_columns() -> list[dict]:
	return [
		{"fieldname": "stage", "label": _("Stage"), "fieldtype": "Data", "width": 220},
		{"fieldname": "count", "label": _("Count"), "fieldtype": "Int", "width": 120},
	]


def get_chart(rows: list[dict]) -> dict:
	return {
		"data": {
			"labels": [row["stage"] for row in rows],
			"datasets": [{"name": _("Count"), "values": [row["count"] for row in rows]}],
		},
		"type": "bar",
	}
