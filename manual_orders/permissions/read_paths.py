"""Read paths where Frappe 15 answers without a permission check, made to respect this app's.

- `frappe.client.get_count` counts with `frappe.db.count`: any desk user could ask "is there
  an order X whose UPI ID starts with ab?" about another agent's order.
- `frappe.desk.notifications.get_open_count` (a document's Connections) counts linked
  documents with `frappe.get_all`: a Lead would show another agent's orders.
- `frappe.desk.listview.get_group_by_count` for "Assigned To" filters the list without
  permissions (the same yes/no question, through a ToDo the asker made).
- `frappe.desk.form.linked_with.get_submitted_linked_docs` names every submitted document
  linked to a Lead, another agent's orders included.
- `frappe.desk.form.load.getdoc` / `get_docinfo` send a form's Versions, Info comments and
  attachment list whole: a reader who may not read some fields (a pickup partner: payment,
  consent, notes) would read them in the timeline. For that reader the Versions keep only
  readable fields, Info comments (consent withdrawn, dispute words) and attachment logs are
  left out, and only the attachments the reader may open are listed.
- `frappe.desk.search.search_link` / `search_widget` with `ignore_user_permissions=1` skip
  every permission (Link search listed every order to any agent): for this app's DocTypes
  that flag is dropped.
- `frappe.desk.form.utils.get_next` reads the current record with `frappe.get_value(doctype,
  value, sort_field)`, `value` being any filter: a yes/no question about every order. Here
  `value` must name a record the user may read, and `sort_field` a field they may read.

For the Manual Orders module's DocTypes (and their child tables) these go through
`frappe.get_list` or the document's permission, so role permissions and
`permission_query_conditions` apply; every other DocType gets Frappe's own answer, unchanged.
"""

import frappe
from frappe.client import get_count as frappe_get_count
from frappe.desk import search
from frappe.desk.form import load
from frappe.desk.form import utils as form_utils
from frappe.desk.form.linked_with import get_submitted_linked_docs as frappe_get_submitted_linked_docs
from frappe.desk.listview import get_group_by_count as frappe_get_group_by_count
from frappe.desk.notifications import get_open_count as frappe_get_open_count
from frappe.model import get_permitted_fields
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


@frappe.whitelist()
def get_group_by_count(doctype: str, current_filters: str, field: str) -> list[dict]:
	if field != "assigned_to" or not is_ours(doctype):
		return frappe_get_group_by_count(doctype, current_filters, field)
	permitted = frappe.get_list(
		doctype, filters=frappe.parse_json(current_filters), fields=["name"], run=False
	)
	return frappe.db.sql(
		f"""select todo.allocated_to as name, count(*) as count
		from `tabToDo` todo join `tabUser` user on user.name = todo.allocated_to
		where todo.status != 'Cancelled' and user.user_type = 'System User'
			and todo.reference_type = %s and todo.reference_name in ({permitted})
		group by todo.allocated_to order by count desc limit 50""",
		doctype,
		as_dict=True,
	)


@frappe.whitelist()
def get_submitted_linked_docs(doctype: str, name: str, ignore_doctypes_on_cancel_all=None) -> dict:
	out = frappe_get_submitted_linked_docs(doctype, name, ignore_doctypes_on_cancel_all)
	docs = [
		d
		for d in out["docs"]
		if not is_ours(d["doctype"]) or frappe.has_permission(d["doctype"], "read", d["name"])
	]
	return {"docs": docs, "count": len(docs)}


@frappe.whitelist()
def getdoc(doctype: str, name: str, user: str | None = None):
	load.getdoc(doctype, name, user)
	strip_unreadable_docinfo(doctype)


@frappe.whitelist()
def get_docinfo(doc=None, doctype: str | None = None, name: str | None = None):
	load.get_docinfo(doc, doctype, name)
	strip_unreadable_docinfo(doctype or (doc.doctype if doc else None))


def strip_unreadable_docinfo(doctype: str | None) -> None:
	from manual_orders.permissions.records import reads_every_field

	docinfo = frappe.response.get("docinfo")
	if not (doctype and docinfo and is_ours(doctype)) or reads_every_field(doctype):
		return
	strip_unreadable_versions(docinfo, doctype)
	docinfo["info_logs"] = []
	docinfo["attachment_logs"] = []
	docinfo["attachments"] = [
		attachment
		for attachment in docinfo.get("attachments") or []
		if frappe.has_permission("File", "read", doc=frappe.get_doc("File", attachment.name))
	]


def strip_unreadable_versions(docinfo: dict, doctype: str) -> None:
	"""Keeps, of each Version in the docinfo, only the changes to fields the user may read."""
	readable = set(get_permitted_fields(doctype, user=frappe.session.user))
	versions = []
	for version in docinfo.get("versions") or []:
		data = frappe.parse_json(version.get("data") or "{}")
		data["changed"] = [change for change in data.get("changed") or [] if change[0] in readable]
		data["row_changed"] = [row for row in data.get("row_changed") or [] if row[0] in readable]
		data["added"] = [row for row in data.get("added") or [] if row[0] in readable]
		data["removed"] = [row for row in data.get("removed") or [] if row[0] in readable]
		if any(data.get(key) for key in ("changed", "row_changed", "added", "removed")):
			versions.append({**version, "data": frappe.as_json(data)})
	docinfo["versions"] = versions


@frappe.whitelist()
def search_link(
	doctype: str,
	txt: str,
	query: str | None = None,
	filters: str | dict | list | None = None,
	page_length: int = 10,
	searchfield: str | None = None,
	reference_doctype: str | None = None,
	ignore_user_permissions: bool = False,
):
	if is_ours(doctype):
		ignore_user_permissions = False
	return search.search_link(
		doctype, txt, query, filters, page_length, searchfield, reference_doctype, ignore_user_permissions
	)


@frappe.whitelist()
def search_widget(
	doctype: str,
	txt: str,
	query: str | None = None,
	searchfield: str | None = None,
	start: int = 0,
	page_length: int = 10,
	filters: str | dict | list | None = None,
	filter_fields=None,
	as_dict: bool = False,
	reference_doctype: str | None = None,
	ignore_user_permissions: bool = False,
):
	if is_ours(doctype):
		ignore_user_permissions = False
	return search.search_widget(
		doctype,
		txt,
		query,
		searchfield,
		start,
		page_length,
		filters,
		filter_fields,
		as_dict,
		reference_doctype,
		ignore_user_permissions,
	)


@frappe.whitelist()
def get_next(doctype, value, prev, filters=None, sort_order="desc", sort_field="modified"):
	if is_ours(doctype):
		readable = set(get_permitted_fields(doctype, user=frappe.session.user))
		if not (
			isinstance(value, str)
			and sort_field in readable
			and frappe.has_permission(doctype, "read", value)
		):
			frappe.throw(frappe._("Not permitted"), frappe.PermissionError)
	return form_utils.get_next(doctype, value, prev, filters, sort_order, sort_field)
