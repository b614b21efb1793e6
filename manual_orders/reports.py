"""Shared pieces of the manager reports: filters, the agent rule, and read-only queries."""

import frappe
from frappe.query_builder import DocType
from frappe.utils import add_days, getdate, nowdate

from manual_orders.permissions.records import sees_all

# One covering index for the manager reports (Manual Order's `on_doctype_update`): a period's
# rows are read from it alone.
REPORT_INDEX = "report_index"
REPORT_INDEX_FIELDS = [
	"creation",
	"agent",
	"docstatus",
	"price_disputed",
	"picked_up",
	"outcome",
	"cancellation_reason",
	"lead",
	"consent_recorded_at",
]


ORDER = DocType("Manual Order")


def orders():
	"""Manual Order, read through the report index whatever the optimiser guesses."""
	return frappe.qb.from_(ORDER).force_index(REPORT_INDEX)


def period(filters: dict) -> tuple:
	from_date = getdate(filters.get("from_date") or add_days(nowdate(), -30))
	to_date = getdate(filters.get("to_date") or nowdate())
	return from_date, to_date


def agent_filter(filters: dict) -> str | None:
	"""Agents see only their own numbers, whatever filter they send."""
	if not sees_all():
		return frappe.session.user
	return filters.get("agent") or None


def order_conditions(filters: dict, table=ORDER):
	"""Period, agent, city, device type and branch (the agent's Employee branch in ERPNext)."""
	from_date, to_date = period(filters)
	condition = (table.creation >= from_date) & (table.creation < add_days(to_date, 1))
	if agent := agent_filter(filters):
		condition &= table.agent == agent
	if filters.get("city"):
		condition &= table.city == filters["city"]
	if filters.get("device_type"):
		condition &= table.device_type == filters["device_type"]
	if filters.get("branch"):
		employee = DocType("Employee")
		agents = (
			frappe.qb.from_(employee)
			.select(employee.user_id)
			.where((employee.branch == filters["branch"]) & employee.user_id.isnotnull())
		)
		condition &= table.agent.isin(agents)
	return condition
