"""Counts Frappe 15 answers without a permission check, made to respect this app's permissions.

- `frappe.client.get_count` counts with `frappe.db.count`: any desk user could ask "is there
  an order X whose UPI ID starts with ab?" about another agent's order.
- `frappe.desk.notifications.get_open_count` (a document's Connections) counts linked
  documents with `frappe.get_all`: a Lead would show another agent's orders.

For the Manual Orders module's DocTypes (and their child tables) both count through
`frappe.get_list`, so role permissions and `permission_query_conditions` apply; every other
DocType is counted by Frappe's own function, unchanged.
"""

import frappe
from frappe.client import get_count as frappe_get_count
from frappe.desk.notifications import get_open_count as frappe_get_open_count
from frappe.utils import get_safe_filters

MODULE = "Manual Orders"


def is_ours(doctype: str) -> bool:
	return frappe.get_meta(doctype).module == MODULE


@frappe.whitelist()
def get_count(doctype: str, filters=None, debug: bool = False, cache: bool = False) -> int:
	if not is_ours(doctype):
		return frappe_get_count(doctype, filters, debug, cache)
	return permitted_count(doctype, get_safe_filters(filters))


def permitted_count(doctype: str, filters) -> int:
	parent = parent_doctype(doctype) if frappe.get_meta(doctype).istable else None
	rows = frappe.get_list(
		doctype, filters=filters, fields=["count(*) as count"], parent_doctype=parent, order_by=None
	)
	return rows[0].count if rows else 0


def parent_doctype(child_doctype: str) -> str | None:
	return frappe.db.get_value(
		"DocField", {"fieldtype": ("in", ("Table", "Table MultiSelect")), "options": child_doctype}, "parent"
	)


@frappe.whitelist()
def get_open_count(doctype: str, name: str, items=None) -> dict:
	out = frappe_get_open_count(doctype, name, items)
	links = frappe.get_meta(doctype).get_dashboard_data()
	for entry in out.get("count", {}).get("external_links_found", []):
		if is_ours(entry["doctype"]):
			fieldname = links.get("non_standard_fieldnames", {}).get(entry["doctype"], links.get("fieldname"))
			entry["count"] = permitted_count(entry["doctype"], {fieldname: name})
			entry["open_count"] = min(entry.get("open_count") or 0, entry["count"])
	return out
