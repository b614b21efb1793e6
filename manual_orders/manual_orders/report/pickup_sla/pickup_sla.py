"""SOP §7: where pickups fail and who keeps the SLA, by partner, city and pickup day.

The period, agent, branch, city and device type filters are the Funnel's and Agent
Accuracy's (orders created in the period), so the three reports count the same orders.
"""

import frappe
from frappe import _
from frappe.query_builder.functions import Count, Sum

from manual_orders.reports import ORDER, order_conditions
from manual_orders.sop.pickups import PICKED_UP, PICKUP_FAILED

UNASSIGNED = "Unassigned"


@frappe.read_only()
def execute(filters: dict | None = None):
	"""Read-only: with `read_from_replica` set, it runs on the replica."""
	filters = frappe._dict(filters or {})
	rows = get_rows(filters)
	return get_columns(), rows, None, get_chart(rows), get_summary(rows)


def get_rows(filters) -> list[dict]:
	condition = order_conditions(filters) & (ORDER.docstatus == 1)
	if filters.get("pickup_partner"):
		condition &= ORDER.pickup_partner == filters["pickup_partner"]
	grouped = (
		frappe.qb.from_(ORDER)
		.select(
			ORDER.pickup_partner,
			ORDER.city,
			ORDER.pickup_date,
			Count(ORDER.name).as_("orders"),
			Sum(ORDER.pickup_status == PICKED_UP).as_("picked_up"),
			Sum((ORDER.pickup_status == PICKED_UP) & (ORDER.sla_breached == 0)).as_("on_time"),
			Sum(ORDER.sla_breached).as_("breaches"),
			Sum(ORDER.pickup_status == PICKUP_FAILED).as_("failures"),
		)
		.where(condition)
		.groupby(ORDER.pickup_partner, ORDER.city, ORDER.pickup_date)
		.orderby(ORDER.pickup_date)
		.orderby(ORDER.pickup_partner)
		.run(as_dict=True)
	)
	reasons = failure_reasons(condition)
	rows = []
	for row in grouped:
		key = (row.pickup_partner, row.city, row.pickup_date)
		orders = int(row.orders or 0)
		on_time = int(row.on_time or 0)
		rows.append(
			{
				"pickup_partner": row.pickup_partner or _(UNASSIGNED),
				"city": row.city,
				"pickup_date": row.pickup_date,
				"orders": orders,
				"picked_up": int(row.picked_up or 0),
				"on_time": on_time,
				"on_time_percent": round(100.0 * on_time / orders, 1) if orders else 0.0,
				"breaches": int(row.breaches or 0),
				"failures": int(row.failures or 0),
				"failure_reasons": ", ".join(
					f"{_(reason)}: {count}" for reason, count in reasons.get(key, [])
				),
			}
		)
	return rows


def failure_reasons(condition) -> dict[tuple, list[tuple[str, int]]]:
	rows = (
		frappe.qb.from_(ORDER)
		.select(
			ORDER.pickup_partner,
			ORDER.city,
			ORDER.pickup_date,
			ORDER.pickup_failure_reason,
			Count(ORDER.name).as_("count"),
		)
		.where(condition & (ORDER.pickup_status == PICKUP_FAILED))
		.groupby(ORDER.pickup_partner, ORDER.city, ORDER.pickup_date, ORDER.pickup_failure_reason)
		.run(as_dict=True)
	)
	by_key: dict[tuple, list[tuple[str, int]]] = {}
	for row in rows:
		key = (row.pickup_partner, row.city, row.pickup_date)
		by_key.setdefault(key, []).append((row.pickup_failure_reason or "-", int(row["count"])))
	return by_key


def get_columns() -> list[dict]:
	return [
		{"fieldname": "pickup_partner", "label": _("Pickup Partner"), "fieldtype": "Data", "width": 200},
		{"fieldname": "city", "label": _("City"), "fieldtype": "Data", "width": 120},
		{"fieldname": "pickup_date", "label": _("Pickup Date"), "fieldtype": "Date", "width": 110},
		{"fieldname": "orders", "label": _("Orders"), "fieldtype": "Int", "width": 90},
		{"fieldname": "picked_up", "label": _("Picked Up"), "fieldtype": "Int", "width": 100},
		{"fieldname": "on_time", "label": _("On Time"), "fieldtype": "Int", "width": 90},
		{"fieldname": "on_time_percent", "label": _("On-Time %"), "fieldtype": "Percent", "width": 100},
		{"fieldname": "breaches", "label": _("SLA Breaches"), "fieldtype": "Int", "width": 110},
		{"fieldname": "failures", "label": _("Failed Pickups"), "fieldtype": "Int", "width": 110},
		{"fieldname": "failure_reasons", "label": _("Failures by Reason"), "fieldtype": "Data", "width": 280},
	]


def by_partner(rows: list[dict]) -> dict[str, dict]:
	totals: dict[str, dict] = {}
	for row in rows:
		total = totals.setdefault(row["pickup_partner"], {"orders": 0, "on_time": 0, "breaches": 0})
		for key in total:
			total[key] += row[key]
	return totals


def get_chart(rows: list[dict]) -> dict:
	totals = by_partner(rows)
	return {
		"data": {
			"labels": list(totals),
			"datasets": [
				{
					"name": _("On-Time %"),
					"values": [
						round(100.0 * t["on_time"] / t["orders"], 1) if t["orders"] else 0
						for t in totals.values()
					],
				},
				{"name": _("SLA Breaches"), "values": [t["breaches"] for t in totals.values()]},
			],
		},
		"type": "bar",
	}


def get_summary(rows: list[dict]) -> list[dict]:
	orders = sum(row["orders"] for row in rows)
	on_time = sum(row["on_time"] for row in rows)
	return [
		{"label": _("Orders"), "value": orders, "datatype": "Int"},
		{"label": _("Picked Up"), "value": sum(row["picked_up"] for row in rows), "datatype": "Int"},
		{
			"label": _("On-Time %"),
			"value": round(100.0 * on_time / orders, 1) if orders else 0,
			"datatype": "Percent",
		},
		{"label": _("SLA Breaches"), "value": sum(row["breaches"] for row in rows), "datatype": "Int"},
		{"label": _("Failed Pickups"), "value": sum(row["failures"] for row in rows), "datatype": "Int"},
	]
