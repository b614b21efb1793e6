"""SOP §6/§9: what happens at the door, by partner, agent, city or reason.

Inspections, changed offers, the average drop, declines and disputes after an accepted
offer. The period, agent, branch, city and device type filters are the other reports'
(orders created in the period), so the reports count the same orders.
"""

import frappe
from frappe import _
from frappe.query_builder import DocType

from manual_orders.reports import ORDER, order_conditions
from manual_orders.sop import offers

INSPECTION = DocType("Pickup Inspection")
DIFFERENCE = DocType("Pickup Inspection Difference")
DISPUTE = DocType("Manual Order Price Dispute")
GROUPS = {"Partner": "pickup_partner", "Agent": "agent", "City": "city", "Reason": "reason"}
CHANGED = (
	offers.AWAITING_APPROVAL,
	offers.READY,
	offers.CODE_SENT,
	offers.ACCEPTED,
	offers.DECLINED,
)


@frappe.read_only()
def execute(filters: dict | None = None):
	"""Read-only: with `read_from_replica` set, it runs on the replica."""
	filters = frappe._dict(filters or {})
	rows = get_rows(filters)
	return get_columns(filters), rows, None, get_chart(rows), get_summary(rows)


def get_rows(filters) -> list[dict]:
	inspections = inspections_in(filters)
	reasons = reasons_of([row.name for row in inspections])
	disputed = disputed_after_acceptance(inspections)
	group = GROUPS.get(filters.get("group_by") or "Partner", "pickup_partner")
	totals: dict[str, dict] = {}
	for row in inspections:
		keys = reasons.get(row.name, [_("No difference")]) if group == "reason" else [row[group]]
		for key in keys:
			add(
				totals.setdefault(key or _("Not set"), new_row(key or _("Not set"))),
				row,
				row.name in disputed,
			)
	for total in totals.values():
		drops = total.pop("_drops")
		total["average_drop"] = round(sum(d for d, _p in drops) / len(drops)) if drops else 0
		total["average_drop_percent"] = round(sum(p for _d, p in drops) / len(drops), 2) if drops else 0
	return sorted(totals.values(), key=lambda row: (-row["inspections"], row["group"]))


def inspections_in(filters) -> list:
	condition = order_conditions(filters) & ORDER.docstatus.isin([1, 2])
	if filters.get("pickup_partner"):
		condition &= INSPECTION.pickup_partner == filters["pickup_partner"]
	return (
		frappe.qb.from_(INSPECTION)
		.join(ORDER)
		.on(ORDER.name == INSPECTION.manual_order)
		.select(
			INSPECTION.name,
			INSPECTION.manual_order,
			INSPECTION.pickup_partner,
			ORDER.agent,
			ORDER.city,
			INSPECTION.offer_status,
			INSPECTION.agreed_price,
			INSPECTION.offer_price,
			INSPECTION.drop_percent,
			INSPECTION.decided_at,
		)
		.where(condition)
		.run(as_dict=True)
	)


def reasons_of(names: list[str]) -> dict[str, list[str]]:
	"""Each inspection's differences by what differed (the question, the model, the accessory)."""
	if not names:
		return {}
	rows = (
		frappe.qb.from_(DIFFERENCE)
		.select(DIFFERENCE.parent, DIFFERENCE.kind, DIFFERENCE.label)
		.where(DIFFERENCE.parent.isin(names) & (DIFFERENCE.parenttype == "Pickup Inspection"))
		.run(as_dict=True)
	)
	reasons: dict[str, list[str]] = {}
	for row in rows:
		reasons.setdefault(row.parent, []).append(row.label if row.kind == offers.CONDITION else _(row.kind))
	return {name: sorted(set(labels)) for name, labels in reasons.items()}


def disputed_after_acceptance(inspections: list) -> set[str]:
	"""Inspections whose order got a price dispute after the customer accepted the offer."""
	accepted = {row.manual_order: row for row in inspections if row.offer_status == offers.ACCEPTED}
	if not accepted:
		return set()
	disputes = (
		frappe.qb.from_(DISPUTE)
		.select(DISPUTE.manual_order, DISPUTE.creation)
		.where(DISPUTE.manual_order.isin(list(accepted)))
		.run(as_dict=True)
	)
	return {
		accepted[d.manual_order].name
		for d in disputes
		if accepted[d.manual_order].decided_at and d.creation > accepted[d.manual_order].decided_at
	}


def new_row(key: str) -> dict:
	return {
		"group": key,
		"inspections": 0,
		"as_agreed": 0,
		"changed_offers": 0,
		"blocked": 0,
		"accepted": 0,
		"declines": 0,
		"disputes_after_acceptance": 0,
		"_drops": [],
	}


def add(total: dict, row, disputed: bool) -> None:
	total["inspections"] += 1
	total["as_agreed"] += int(row.offer_status == offers.AS_AGREED)
	total["blocked"] += int(row.offer_status == offers.BLOCKED)
	total["accepted"] += int(row.offer_status == offers.ACCEPTED)
	total["declines"] += int(row.offer_status == offers.DECLINED)
	total["disputes_after_acceptance"] += int(disputed)
	if row.offer_status in CHANGED:
		total["changed_offers"] += 1
		drop = int(row.agreed_price or 0) - int(row.offer_price or 0)
		total["_drops"].append((drop, float(row.drop_percent or 0)))


def get_columns(filters) -> list[dict]:
	group_by = filters.get("group_by") or "Partner"
	group = {"fieldname": "group", "label": _(group_by), "fieldtype": "Data", "width": 200}
	if group_by == "Partner":
		group.update(fieldtype="Link", options="Pickup Partner")
	elif group_by == "Agent":
		group.update(fieldtype="Link", options="User")
	return [
		group,
		{"fieldname": "inspections", "label": _("Inspections"), "fieldtype": "Int", "width": 110},
		{"fieldname": "as_agreed", "label": _("As Agreed"), "fieldtype": "Int", "width": 100},
		{"fieldname": "changed_offers", "label": _("Changed Offers"), "fieldtype": "Int", "width": 120},
		{
			"fieldname": "average_drop",
			"label": _("Average Drop (INR)"),
			"fieldtype": "Currency",
			"width": 140,
		},
		{
			"fieldname": "average_drop_percent",
			"label": _("Average Drop %"),
			"fieldtype": "Percent",
			"width": 120,
		},
		{"fieldname": "accepted", "label": _("Accepted"), "fieldtype": "Int", "width": 100},
		{"fieldname": "declines", "label": _("Declines"), "fieldtype": "Int", "width": 100},
		{"fieldname": "blocked", "label": _("Blocked at the Door"), "fieldtype": "Int", "width": 140},
		{
			"fieldname": "disputes_after_acceptance",
			"label": _("Disputes after Acceptance"),
			"fieldtype": "Int",
			"width": 180,
		},
	]


def get_chart(rows: list[dict]) -> dict:
	return {
		"data": {
			"labels": [row["group"] for row in rows],
			"datasets": [
				{"name": _("Changed Offers"), "values": [row["changed_offers"] for row in rows]},
				{"name": _("Declines"), "values": [row["declines"] for row in rows]},
			],
		},
		"type": "bar",
	}


def get_summary(rows: list[dict]) -> list[dict]:
	return [
		{"label": _("Inspections"), "value": sum(r["inspections"] for r in rows), "datatype": "Int"},
		{"label": _("Changed Offers"), "value": sum(r["changed_offers"] for r in rows), "datatype": "Int"},
		{"label": _("Declines"), "value": sum(r["declines"] for r in rows), "datatype": "Int"},
	]
