"""`frappe.client.get_count` with the permission check Frappe 15 lacks, for this app's DocTypes.

Frappe 15 counts with `frappe.db.count`, which applies no permission: any desk user could
ask "is there an order X whose UPI ID starts with ab?" about another agent's order. For the
Manual Orders module's DocTypes (and their child tables) the count goes through
`frappe.get_list`, so role permissions and `permission_query_conditions` apply; every other
DocType is counted by Frappe's own function, unchanged.
"""

import frappe
from frappe.client import get_count as frappe_get_count
from frappe.utils import get_safe_filters

MODULE = "Manual Orders"


@frappe.whitelist()
def get_count(doctype: str, filters=None, debug: bool = False, cache: bool = False) -> int:
	meta = frappe.get_meta(doctype)
	if meta.module != MODULE:
		return frappe_get_count(doctype, filters, debug, cache)
	parent = parent_doctype(doctype) if meta.istable else None
	rows = frappe.get_list(
		doctype,
		filters=get_safe_filters(filters),
		fields=["count(*) as count"],
		parent_doctype=parent,
		order_by=None,
	)
	return rows[0].count if rows else 0


def parent_doctype(child_doctype: str) -> str | None:
	return frappe.db.get_value(
		"DocField", {"fieldtype": ("in", ("Table", "Table MultiSelect")), "options": child_doctype}, "parent"
	)
