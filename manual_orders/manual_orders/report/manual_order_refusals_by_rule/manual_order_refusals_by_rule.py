"""How often each server-side SOP check stopped an order, per agent.

Only counts are kept (day, agent, rule): nothing the customer said or typed.
"""

from collections import defaultdict

import frappe
from frappe import _
from frappe.query_builder import DocType
from frappe.query_builder.functions import Sum
from frappe.utils import add_days, getdate

from manual_orders.accountability import pending_refusals
from manual_orders.reports import agent_filter, period

REFUSALS = DocType("Manual Order Refusal Count")


@frappe.read_only()
def execute(filters: dict | None = None):
	"""Read-only: with `read_from_replica` set, it runs on the replica."""
	filters = frappe._dict(filters or {})
	rows = get_rows(filters)
	return get_columns(), rows, None, get_chart(rows)


def get_rows(filters) -> list[dict]:
	from_date, to_date = period(filters)
	agent = agent_filter(filters)
	condition = (REFUSALS.date >= from_date) & (REFUSALS.date <= to_date)
	if agent:
		condition &= REFUSALS.agent == agent
	totals = defaultdict(int)
	for row in (
		frappe.qb.from_(REFUSALS)
		.select(REFUSALS.rule, REFUSALS.agent, Sum(REFUSALS.refusals).as_("refusals"))
		.where(condition)
		.groupby(REFUSALS.rule, REFUSALS.agent)
		.run(as_dict=True)
	):
		totals[(row.rule, row.agent)] += int(row.refusals)
	for (day, row_agent, rule), count in pending_refusals().items():
		if from_date <= getdate(day) < add_days(to_date, 1) and (not agent or row_agent == agent):
			totals[(rule, row_agent)] += count
	rows = [
		{"rule": rule, "agent": row_agent, "refusals": count} for (rule, row_agent), count in totals.items()
	]
	return sorted(rows, key=lambda row: (-row["refusals"], row["rule"], row["agent"]))


def get_columns() -> list[dict]:
	return [
		{"fieldname": "rule", "label": _("SOP Rule"), "fieldtype": "Data", "width": 240},
		{"fieldname": "agent", "label": _("Agent"), "fieldtype": "Link", "options": "User", "width": 220},
		{"fieldname": "refusals", "label": _("Refusals"), "fieldtype": "Int", "width": 110},
	]


def get_chart(rows: list[dict]) -> dict:
	by_rule = defaultdict(int)
	for row in rows:
		by_rule[row["rule"]] += row["refusals"]
	return {
		"data": {
			"labels": list(by_rule),
			"datasets": [{"name": _("Refusals"), "values": list(by_rule.values())}],
		},
		"type": "bar",
	}
