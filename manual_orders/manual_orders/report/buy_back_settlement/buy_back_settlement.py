"""SOP §6 "instant payment at pickup", reconciled: by day (of pickup), city and partner, what was
picked up, invoiced, paid, pending, failed and reversed, with amounts; and every mismatch.

Amounts come from ERPNext's own documents (the Purchase Invoice's grand total, the Payment
Entry's paid amount), so *Invoiced - Paid* is what the sellers' Creditors balance carries for
these invoices (`tests/test_settlement.py` holds it against the General Ledger).
"""

import frappe
from frappe import _
from frappe.utils import add_days, getdate, nowdate

MISMATCH_NOT_INVOICED = "Picked up, not invoiced"
MISMATCH_NOT_PAID = "Invoiced, not paid"
MISMATCH_AMOUNT = "Payout amount is not the invoice's"
MISMATCH_PAID_UNINVOICED = "Paid, invoice not submitted"
MISMATCH_NO_PAYMENT_ENTRY = "Paid out, no Payment Entry"


@frappe.read_only()
def execute(filters: dict | None = None):
	"""Read-only: with `read_from_replica` set, it runs on the replica."""
	filters = frappe._dict(filters or {})
	orders = settlement_rows(filters)
	if filters.get("view") == "Mismatches":
		return mismatch_columns(), mismatches(orders), None, None, None
	rows = totals(orders)
	return total_columns(), rows, None, get_chart(rows), get_summary(rows)


def settlement_rows(filters) -> list[dict]:
	"""One row per picked-up order of the period, with its payout, invoice and payment."""
	from_date = getdate(filters.get("from_date") or add_days(nowdate(), -30))
	to_date = getdate(filters.get("to_date") or nowdate())
	conditions = [
		"o.docstatus = 1",
		"o.pickup_status = 'Picked Up'",
		"o.picked_up_at >= %(from)s",
		"o.picked_up_at < %(to)s",
	]
	values = {"from": from_date, "to": add_days(to_date, 1)}
	if filters.get("pickup_partner"):
		conditions.append("o.pickup_partner = %(partner)s")
		values["partner"] = filters["pickup_partner"]
	if filters.get("city"):
		conditions.append("o.city = %(city)s")
		values["city"] = filters["city"]
	return frappe.db.sql(
		f"""select o.name as manual_order, date(o.picked_up_at) as day, o.city, o.pickup_partner,
			p.name as payout, p.status, p.amount_paise, p.provider_amount_paise, p.utr,
			pi.name as purchase_invoice, pi.docstatus as invoice_docstatus, pi.grand_total,
			pe.name as payment_entry, pe.docstatus as payment_docstatus, pe.paid_amount
		from `tabManual Order` o
		left join `tabManual Order Payout` p on p.manual_order = o.name
		left join `tabPurchase Invoice` pi on pi.name = p.purchase_invoice
		left join `tabPayment Entry` pe on pe.name = p.payment_entry
		where {" and ".join(conditions)}
		order by o.picked_up_at""",
		values,
		as_dict=True,
	)


def invoiced(row) -> bool:
	return bool(row.purchase_invoice) and row.invoice_docstatus == 1


def paid(row) -> bool:
	return bool(row.payment_entry) and row.payment_docstatus == 1


def problems(row) -> list[str]:
	found = []
	if not invoiced(row) and not paid(row):
		found.append(_(MISMATCH_NOT_INVOICED))
	if invoiced(row) and not paid(row):
		found.append(_(MISMATCH_NOT_PAID))
	if row.status == "Processed" and not paid(row):
		found.append(_(MISMATCH_NO_PAYMENT_ENTRY))
	if paid(row) and not invoiced(row):
		found.append(_(MISMATCH_PAID_UNINVOICED))
	if invoiced(row) and paid_paise(row) is not None and paid_paise(row) != round(row.grand_total * 100):
		found.append(_(MISMATCH_AMOUNT))
	return found


def paid_paise(row) -> int | None:
	"""What the provider says it paid, else what the payout was for."""
	if row.provider_amount_paise:
		return int(row.provider_amount_paise)
	return int(row.amount_paise) if row.amount_paise is not None else None


def totals(orders: list[dict]) -> list[dict]:
	grouped: dict[tuple, dict] = {}
	for row in orders:
		key = (row.day, row.city, row.pickup_partner)
		total = grouped.setdefault(
			key,
			{
				"day": row.day,
				"city": row.city,
				"pickup_partner": row.pickup_partner,
				**dict.fromkeys(
					("picked_up", "invoiced", "paid", "pending", "failed", "reversed", "mismatches"), 0
				),
				"invoiced_amount": 0.0,
				"paid_amount": 0.0,
			},
		)
		total["picked_up"] += 1
		total["invoiced"] += int(invoiced(row))
		total["paid"] += int(paid(row))
		total["pending"] += int(row.status in ("Queued", "Processing"))
		total["failed"] += int(row.status == "Failed")
		total["reversed"] += int(row.status == "Reversed")
		total["mismatches"] += int(bool(problems(row)))
		total["invoiced_amount"] += float(row.grand_total or 0) if invoiced(row) else 0
		total["paid_amount"] += float(row.paid_amount or 0) if paid(row) else 0
	for total in grouped.values():
		total["outstanding_amount"] = total["invoiced_amount"] - total["paid_amount"]
	return list(grouped.values())


def mismatches(orders: list[dict]) -> list[dict]:
	return [
		{
			"manual_order": row.manual_order,
			"day": row.day,
			"city": row.city,
			"pickup_partner": row.pickup_partner,
			"payout": row.payout,
			"status": row.status,
			"purchase_invoice": row.purchase_invoice,
			"payment_entry": row.payment_entry,
			"problem": ", ".join(problems(row)),
		}
		for row in orders
		if problems(row)
	]


def total_columns() -> list[dict]:
	def count(fieldname, label):
		return {"fieldname": fieldname, "label": _(label), "fieldtype": "Int", "width": 100}

	def money(fieldname, label):
		return {"fieldname": fieldname, "label": _(label), "fieldtype": "Currency", "width": 140}

	return [
		{"fieldname": "day", "label": _("Pickup Day"), "fieldtype": "Date", "width": 110},
		{"fieldname": "city", "label": _("City"), "fieldtype": "Data", "width": 120},
		{
			"fieldname": "pickup_partner",
			"label": _("Pickup Partner"),
			"fieldtype": "Link",
			"options": "Pickup Partner",
			"width": 160,
		},
		count("picked_up", "Picked Up"),
		count("invoiced", "Invoiced"),
		count("paid", "Paid"),
		count("pending", "Pending"),
		count("failed", "Failed"),
		count("reversed", "Reversed"),
		money("invoiced_amount", "Invoiced (INR)"),
		money("paid_amount", "Paid (INR)"),
		money("outstanding_amount", "Outstanding (INR)"),
		count("mismatches", "Mismatches"),
	]


def mismatch_columns() -> list[dict]:
	return [
		{
			"fieldname": "manual_order",
			"label": _("Manual Order"),
			"fieldtype": "Link",
			"options": "Manual Order",
			"width": 150,
		},
		{"fieldname": "day", "label": _("Pickup Day"), "fieldtype": "Date", "width": 110},
		{"fieldname": "city", "label": _("City"), "fieldtype": "Data", "width": 110},
		{
			"fieldname": "pickup_partner",
			"label": _("Pickup Partner"),
			"fieldtype": "Link",
			"options": "Pickup Partner",
			"width": 150,
		},
		{
			"fieldname": "payout",
			"label": _("Payout"),
			"fieldtype": "Link",
			"options": "Manual Order Payout",
			"width": 150,
		},
		{"fieldname": "status", "label": _("Payout Status"), "fieldtype": "Data", "width": 110},
		{
			"fieldname": "purchase_invoice",
			"label": _("Purchase Invoice"),
			"fieldtype": "Link",
			"options": "Purchase Invoice",
			"width": 160,
		},
		{
			"fieldname": "payment_entry",
			"label": _("Payment Entry"),
			"fieldtype": "Link",
			"options": "Payment Entry",
			"width": 160,
		},
		{"fieldname": "problem", "label": _("Problem"), "fieldtype": "Data", "width": 260},
	]


def get_chart(rows: list[dict]) -> dict:
	return {
		"data": {
			"labels": [f"{r['day']} {r['city'] or ''}" for r in rows],
			"datasets": [
				{"name": _("Invoiced (INR)"), "values": [r["invoiced_amount"] for r in rows]},
				{"name": _("Paid (INR)"), "values": [r["paid_amount"] for r in rows]},
			],
		},
		"type": "bar",
	}


def get_summary(rows: list[dict]) -> list[dict]:
	return [
		{"label": _("Picked Up"), "value": sum(r["picked_up"] for r in rows), "datatype": "Int"},
		{
			"label": _("Invoiced (INR)"),
			"value": sum(r["invoiced_amount"] for r in rows),
			"datatype": "Currency",
		},
		{"label": _("Paid (INR)"), "value": sum(r["paid_amount"] for r in rows), "datatype": "Currency"},
		{"label": _("Mismatches"), "value": sum(r["mismatches"] for r in rows), "datatype": "Int"},
	]
