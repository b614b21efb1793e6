"""Amounts carry their currency (INR) so they show as rupees on a site whose default currency is not INR.

Rows saved before the `currency` field existed get it once.
"""

import frappe

from manual_orders.sop.pricing import CURRENCY


def execute():
	for doctype in ("Manual Order", "Device Model", "Device Accessory"):
		table = frappe.qb.DocType(doctype)
		frappe.qb.update(table).set(table.currency, CURRENCY).where(table.currency.isnull()).run()
