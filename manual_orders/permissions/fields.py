"""SOP §9: the order is the accountable record. What may change in it, by whom, judged on the stored row.

Every field of Manual Order and of its child tables falls in one class, read from the
DocType's meta, so a field added later is classed (and guarded, and tested) without code:

- server-owned: read-only fields (price, agent, consent record, dispute flag, Lead lock):
  only the server sets them; a value a client sends is replaced by the stored one.
- workflow: the workflow state field, moved only by a transition the Workflow allows.
- operations-owned: fields at permission level 1 (the pickup: partner, status, IMEI, SLA),
  set only by the server (creation, `manual_orders.api.update_pickup`, reassignment, the SLA
  job), never through a generic write.
- after creation: allow-on-submit fields the order's agent and managers may still write on
  a Created order (call notes, cancellation reason and notes).
- agreed terms: everything else: written in a draft, frozen once the order is created.

Frappe's own generic paths (a `PUT` with `docstatus`, `savedocs`, `frappe.client.set_value`,
`frappe.desk.form.save.cancel` with a field name, bulk edit) end in `Document.save`; the
controller calls the checks here from `validate`, `before_update_after_submit` and
`before_cancel`, comparing with the row as stored, never with what the client loaded.
"""

import frappe
from frappe import _
from frappe.model import display_fieldtypes, numeric_fieldtypes, table_fields
from frappe.utils import flt

from manual_orders.exceptions import RecordLocked

DOCTYPE = "Manual Order"

AGREED = "agreed terms"
SERVER = "server-owned"
WORKFLOW = "workflow"
OPERATIONS = "operations-owned"
AFTER_CREATION = "after creation"

# The field the shipped Workflow keeps its state in (`setup/workflow.py`).
WORKFLOW_STATE = "workflow_state"
# Operations-owned fields (the pickup) are at this permission level; level 2 hides the
# agreement's details (payment, consent, notes) from pickup partners, who read only levels 0-1.
OPERATIONS_PERMLEVEL = 1
# Set by Frappe's amend path and checked in `check_amendment`; not a value the server computes.
AMENDED_FROM = "amended_from"


def field_class(df) -> str:
	if df.fieldname == WORKFLOW_STATE:
		return WORKFLOW
	if df.permlevel == OPERATIONS_PERMLEVEL:
		return OPERATIONS
	if df.fieldname == AMENDED_FROM:
		return SERVER
	if df.read_only and df.fieldtype not in table_fields:
		return SERVER
	if df.allow_on_submit:
		return AFTER_CREATION
	return AGREED


def data_fields(doctype: str) -> list:
	"""Every field that holds a value, child tables included."""
	return [df for df in frappe.get_meta(doctype).fields if df.fieldtype not in display_fieldtypes]


def field_classes(doctype: str = DOCTYPE) -> dict[str, str]:
	"""`{"fieldname": class}` for the order and `{"table.fieldname": class}` for its child tables."""
	classes = {df.fieldname: field_class(df) for df in data_fields(doctype)}
	for table in frappe.get_meta(doctype).get_table_fields():
		for df in data_fields(table.options):
			if df.fieldtype in table_fields:
				continue
			classes[f"{table.fieldname}.{df.fieldname}"] = (
				SERVER if field_class(df) == SERVER else classes[table.fieldname]
			)
	return classes


def comparable(value, df=None):
	"""A value as stored: numbers as numbers (a missing Check is 0), empty text as None."""
	if df is not None and df.fieldtype in numeric_fieldtypes:
		number = flt(value)
		return int(number) if number.is_integer() else number
	if value in (None, ""):
		return None
	if isinstance(value, bool):
		return int(value)
	if isinstance(value, float) and value.is_integer():
		return int(value)
	return str(value) if not isinstance(value, int) else value


def changed_fields(doc, before) -> list[str]:
	"""Fields whose value differs from the stored row; a child table counts as one field."""
	changed = []
	for df in data_fields(doc.doctype):
		if df.fieldtype in table_fields:
			if table_rows(doc, df.fieldname) != table_rows(before, df.fieldname):
				changed.append(df.fieldname)
		elif comparable(doc.get(df.fieldname), df) != comparable(before.get(df.fieldname), df):
			changed.append(df.fieldname)
	return changed


def table_rows(doc, fieldname: str) -> list[tuple]:
	rows = []
	for row in doc.get(fieldname) or []:
		values = [comparable(row.get(df.fieldname), df) for df in data_fields(row.doctype)]
		rows.append((row.name if not row.is_new() else None, *values))
	return rows


def restore_server_owned(doc, keep: tuple[str, ...] = ()) -> None:
	"""Drafts: server-owned values a client sent are replaced by the stored ones (or cleared).

	The controller computes them afterwards (price, consent record, Lead lock); `keep` names
	the fields the controller has already judged.
	"""
	before = doc.get_doc_before_save()
	for df in data_fields(doc.doctype):
		if df.fieldtype in table_fields:
			continue
		if df.fieldname in keep or (df.fieldname == AMENDED_FROM and doc.is_new()):
			continue  # a new order's amended_from is judged by check_amendment
		if field_class(df) in (SERVER, OPERATIONS):
			doc.set(df.fieldname, before.get(df.fieldname) if before else None)
	for table in frappe.get_meta(doc.doctype).get_table_fields():
		stored = {row.name: row for row in (before.get(table.fieldname) if before else [])}
		for row in doc.get(table.fieldname) or []:
			for df in data_fields(row.doctype):
				if field_class(df) == SERVER:
					original = stored.get(row.name)
					row.set(df.fieldname, original.get(df.fieldname) if original else None)


def check_update_after_submit(doc) -> None:
	"""A Created order: only after-creation fields, the workflow (Frappe checks the transition)
	and what the server itself changes (`doc.flags.server_changes`) may differ from the stored row."""
	allowed = {AFTER_CREATION, WORKFLOW}
	refuse_other_changes(doc, allowed, _("A created order"))


def check_cancel(doc) -> None:
	"""Cancelling changes the cancellation fields and the workflow state, nothing else."""
	refuse_other_changes(doc, {AFTER_CREATION, WORKFLOW}, _("Cancelling an order"))
	doc.validate_workflow()  # Frappe skips its own workflow check on cancel


def refuse_other_changes(doc, allowed_classes: set[str], what: str) -> None:
	before = doc.get_doc_before_save()
	server_changes = set(doc.flags.server_changes or ())
	classes = {df.fieldname: field_class(df) for df in data_fields(doc.doctype)}
	refused = [
		fieldname
		for fieldname in changed_fields(doc, before)
		if classes[fieldname] not in allowed_classes and fieldname not in server_changes
	]
	if refused:
		meta = frappe.get_meta(doc.doctype)
		labels = ", ".join(_(meta.get_label(fieldname)) for fieldname in refused)
		frappe.throw(
			_(
				"{0} keeps what was agreed: {1} cannot be changed here. Cancel the order with a reason and create a new one if the terms are wrong."
			).format(what, labels),
			exc=RecordLocked,
			title=_("Order Is Part of the Record"),
		)


def refuse_operations_changes(doc) -> None:
	"""Operations fields change only through the operations method, never through a generic write.

	Frappe would reset them without a word for a user without write access at their level;
	the record refuses them out loud, for everybody, so a client knows its change was not made.
	"""
	before = doc.get_doc_before_save()
	if not before:
		return
	server_changes = set(doc.flags.server_changes or ())
	meta = frappe.get_meta(doc.doctype)
	refused = [
		fieldname
		for fieldname in changed_fields(doc, before)
		if field_class(meta.get_field(fieldname)) == OPERATIONS and fieldname not in server_changes
	]
	if refused:
		labels = ", ".join(_(meta.get_label(fieldname)) for fieldname in refused)
		frappe.throw(
			_(
				"{0}: set through the pickup buttons (the assigned partner or a manager), not edited here."
			).format(labels),
			exc=RecordLocked,
			title=_("Set by Operations"),
		)


def check_amendment(doc) -> None:
	"""An amendment copies the cancelled order's attachments: only for a user who may amend that order."""
	source = doc.get(AMENDED_FROM)
	if not source:
		return
	stored = frappe.db.get_value(DOCTYPE, source, ["name", "docstatus"], as_dict=True)
	if not stored or stored.docstatus != 2 or not frappe.has_permission(DOCTYPE, "amend", source):
		frappe.throw(
			_("Amended From: {0} is not a cancelled order you may amend.").format(source),
			frappe.PermissionError,
			title=_("Not Allowed"),
		)


def changes_after_creation(doc) -> list[dict]:
	"""Who changed what on the order after it was created, oldest first, from Frappe's Versions."""
	versions = frappe.get_all(
		"Version",
		filters={"ref_doctype": doc.doctype, "docname": doc.name},
		fields=["owner", "creation", "data"],
		order_by="creation asc",
	)
	meta = frappe.get_meta(doc.doctype)
	created, changes = False, []
	for version in versions:
		changed = frappe.parse_json(version.data or "{}").get("changed") or []
		if not created:
			created = any(field == "docstatus" and new == 1 for field, _old, new in changed)
			continue
		rows = [
			{"field": _(meta.get_label(field)), "from": old, "to": new}
			for field, old, new in changed
			if field != "docstatus" or new == 2
		]
		if rows:
			changes.append({"by": version.owner, "at": str(version.creation), "changes": rows})
	return changes
