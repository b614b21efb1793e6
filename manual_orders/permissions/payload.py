"""Refuses malformed Manual Order payloads before Frappe builds a document from them.

Frappe's REST handlers pass the JSON straight to `frappe.get_doc`; a child table
sent as a string or an object, or a field sent as a list, then fails deep inside
Frappe with a 500. This `before_request` hook answers such requests with a clear
validation error (HTTP 417) naming the field instead.
"""

import frappe
from frappe import _

DOCTYPE = "Manual Order"
RESOURCE_PATHS = (
	"/api/resource/Manual Order",
	"/api/v1/resource/Manual Order",
	"/api/v2/document/Manual Order",
)
CLIENT_METHODS = (
	"/api/method/frappe.client.insert",
	"/api/method/frappe.client.save",
	"/api/method/frappe.client.submit",
	"/api/method/frappe.model.workflow.apply_workflow",
	"/api/method/manual_orders.api.check_order",
)


def check_manual_order_payload() -> None:
	request = getattr(frappe.local, "request", None)
	if not request or request.method not in ("POST", "PUT", "PATCH"):
		return
	document = payload_document(request)
	if isinstance(document, dict):
		problem = first_problem(document)
		if problem:
			frappe.throw(problem, frappe.ValidationError, title=_("Malformed Manual Order"))


def payload_document(request):
	if not (request.path.startswith(RESOURCE_PATHS) or request.path in CLIENT_METHODS):
		return None
	body = request.get_json(silent=True)
	if not isinstance(body, dict):
		return None
	if request.path.startswith(RESOURCE_PATHS):
		return body
	document = body.get("doc")
	if isinstance(document, str):
		document = frappe.parse_json(document) if document.strip().startswith("{") else None
	if isinstance(document, dict) and document.get("doctype") in (None, DOCTYPE):
		return document
	return None


def first_problem(document: dict) -> str | None:
	meta = frappe.get_meta(DOCTYPE)
	for field in meta.fields:
		if field.fieldname not in document:
			continue
		value = document[field.fieldname]
		if field.fieldtype in ("Table", "Table MultiSelect"):
			if value is not None and not (
				isinstance(value, list) and all(isinstance(row, dict) for row in value)
			):
				return _("{0}: send a list of rows (objects), not {1}.").format(
					_(field.label), type(value).__name__
				)
		elif isinstance(value, list | dict):
			return _("{0}: send a single value, not {1}.").format(_(field.label), type(value).__name__)
	return None
