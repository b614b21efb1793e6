"""SOP §7/§9: per agent, orders created, wrong orders by category, disputes, cancellations, error rate."""

import frappe
from frappe import _
from frappe.query_builder import DocType
from frappe.query_builder.functions import Count, Sum

from manual_orders.reports import ORDER, order_conditions, orders

ERROR = DocType("Manual Order Error")
INSPECTION = DocType("Pickup Inspection")


def error_categories() -> list[str]:
	"""SOP §7's errors, as admins keep them in Manual Order Error's Error Category options."""
	options = frappe.get_meta("Manual Order Error").get_field("error_category").options or ""
	return [option for option in options.split("\n") if option]


@frappe.read_only()
def execute(filters: dict | None = None):
	"""Read-only: with `read_from_replica` set, it runs on the replica."""
	filters = frappe._dict(filters or {})
	rows = get_rows(filters)
	return get_columns(), rows, None, get_chart(rows)


def get_rows(filters) -> list[dict]:
	created = ORDER.docstatus.isin([1, 2])
	created_rows = (
		orders()
		.select(
			ORDER.agent,
			Count(ORDER.name).as_("orders_created"),
			Sum(ORDER.price_disputed).as_("disputes"),
			Sum(ORDER.docstatus == 2).as_("cancellations"),
		)
		.where(order_conditions(filters) & created)
		.groupby(ORDER.agent)
		.run(as_dict=True)
	)
	errors = (
		frappe.qb.from_(ERROR)
		.join(ORDER)
		.on(ORDER.name == ERROR.manual_order)
		.select(ERROR.agent, ERROR.error_category, Count(ERROR.name).as_("count"))
		.where(order_conditions(filters) & created & (ERROR.docstatus == 1))
		.groupby(ERROR.agent, ERROR.error_category)
		.run(as_dict=True)
	)
	inspections = (
		frappe.qb.from_(INSPECTION)
		.join(ORDER)
		.on(ORDER.name == INSPECTION.manual_order)
		.select(
			ORDER.agent,
			Count(INSPECTION.name).as_("inspected"),
			Sum(INSPECTION.errors_drafted == 0).as_("matched"),
		)
		.where(order_conditions(filters) & created & (INSPECTION.offer_status != "Blocked"))
		.groupby(ORDER.agent)
		.run(as_dict=True)
	)
	reasons = (
		orders()
		.select(ORDER.agent, ORDER.cancellation_reason, Count(ORDER.name).as_("count"))
		.where(order_conditions(filters) & (ORDER.docstatus == 2))
		.groupby(ORDER.agent, ORDER.cancellation_reason)
		.run(as_dict=True)
	)
	by_agent = {}
	categories = error_categories()
	for row in created_rows:
		by_agent[row.agent] = {
			"agent": row.agent,
			"orders_created": row.orders_created,
			"disputes": int(row.disputes or 0),
			"cancellations": int(row.cancellations or 0),
			"wrong_orders": 0,
			"inspected": 0,
			"matched_at_inspection": 0,
			"matched_percent": None,
			"cancellation_reasons": "",
			**{scrub(category): 0 for category in categories},
		}
	for row in errors:
		agent = by_agent.get(row.agent)
		if agent:
			agent[scrub(row.error_category)] = row.count
			agent["wrong_orders"] += row.count
	for row in inspections:  # SOP §9: the device at the door against what the agent entered
		agent = by_agent.get(row.agent)
		if agent:
			agent["inspected"] = row.inspected
			agent["matched_at_inspection"] = int(row.matched or 0)
			agent["matched_percent"] = round(100.0 * agent["matched_at_inspection"] / row.inspected, 2)
	for row in reasons:
		agent = by_agent.get(row.agent)
		if agent:
			reason = f"{row.cancellation_reason or _('No reason')}: {row.count}"
			agent["cancellation_reasons"] = ", ".join(filter(None, [agent["cancellation_reasons"], reason]))
	for agent in by_agent.values():
		agent["error_rate"] = round(100.0 * agent["wrong_orders"] / agent["orders_created"], 2)
	return sorted(by_agent.values(), key=lambda row: (-row["error_rate"], row["agent"]))


def scrub(category: str) -> str:
	return frappe.scrub(category)


def get_columns() -> list[dict]:
	columns = [
		{"fieldname": "agent", "label": _("Agent"), "fieldtype": "Link", "options": "User", "width": 220},
		{"fieldname": "orders_created", "label": _("Orders Created"), "fieldtype": "Int", "width": 120},
		{"fieldname": "wrong_orders", "label": _("Wrong Orders"), "fieldtype": "Int", "width": 110},
	]
	columns += [
		{"fieldname": scrub(c), "label": _(c), "fieldtype": "Int", "width": 120} for c in error_categories()
	]
	columns += [
		{"fieldname": "inspected", "label": _("Inspected"), "fieldtype": "Int", "width": 100},
		{
			"fieldname": "matched_at_inspection",
			"label": _("Matched at Inspection"),
			"fieldtype": "Int",
			"width": 150,
		},
		{
			"fieldname": "matched_percent",
			"label": _("Matched at Inspection %"),
			"fieldtype": "Percent",
			"width": 150,
		},
		{"fieldname": "disputes", "label": _("Price Disputes"), "fieldtype": "Int", "width": 110},
		{"fieldname": "cancellations", "label": _("Cancellations"), "fieldtype": "Int", "width": 110},
		{
			"fieldname": "cancellation_reasons",
			"label": _("Cancellations by Reason"),
			"fieldtype": "Data",
			"width": 240,
		},
		{"fieldname": "error_rate", "label": _("Error Rate %"), "fieldtype": "Percent", "width": 110},
	]
	return columns


def get_chart(rows: list[dict]) -> dict:
	return {
		"data": {
			"labels": [row["agent"] for row in rows],
			"datasets": [{"name": _("Error Rate %"), "values": [row["error_rate"] for row in rows]}],
		},
		"type": "bar",
	}
