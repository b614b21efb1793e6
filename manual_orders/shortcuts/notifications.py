"""The order's own Notifications, without Frappe's round trips: a copy of Frappe 15's loop.

Frappe 15's `Document.run_notifications` loads each Notification whose event matches with
`frappe.get_doc` (two statements each, every save, whatever its condition), and its
`evaluate_alert` reloads the document before each Submit/Save/Cancel notification (three
statements each) "for the latest values". Manual Order runs them here instead: the same
selection and the same conditions, the Notification from Frappe's document cache (cleared
when an admin saves it), and the order as it stands in memory: the row this transaction
has just written, the changes of its own hooks (`db_set`) included.

Copies `Document.run_notifications` and `notification.evaluate_alert`; pinned in `upstream.py`.
"""

import frappe
from frappe.email.doctype.notification.notification import get_context
from frappe.utils import cast
from jinja2 import TemplateError

EVENTS = {"on_update": "Save", "after_insert": "New", "on_submit": "Submit", "on_cancel": "Cancel"}


def run_notifications(doc, method: str) -> None:
	if (
		(frappe.flags.in_import and frappe.flags.mute_emails)
		or frappe.flags.in_patch
		or frappe.flags.in_install
	):
		return
	if doc.flags.notifications_executed is None:
		doc.flags.notifications_executed = []
	if doc.flags.notifications is None:
		doc.flags.notifications = frappe.cache.hget(
			"notifications",
			doc.doctype,
			lambda: frappe.get_all(
				"Notification",
				fields=["name", "event", "method"],
				filters={"enabled": 1, "document_type": doc.doctype},
			),
		)
	events = dict(EVENTS)
	if not doc.flags.in_insert and not doc.flags.in_delete:
		events["on_change"] = "Value Change"
	for alert in doc.flags.notifications or []:
		event = events.get(method)
		runs = (event and alert.event == event) or (alert.event == "Method" and method == alert.method)
		if runs and alert.name not in doc.flags.notifications_executed:
			evaluate(doc, frappe.get_cached_doc("Notification", alert.name), alert.event)
			doc.flags.notifications_executed.append(alert.name)


def evaluate(doc, alert, event: str) -> None:
	"""Frappe's `evaluate_alert`, without reloading the document."""
	try:
		if alert.condition and not frappe.safe_eval(alert.condition, None, get_context(doc)):
			return
		if event == "Value Change" and not value_changed(doc, alert.value_changed):
			return
		alert.send(doc)
	except frappe.ValidationError:
		raise  # the app's own refusals (a DLT mismatch) reach the caller as they are
	except TemplateError:
		frappe.throw(
			frappe._("Error while evaluating Notification {0}. Please fix your template.").format(
				frappe.utils.get_link_to_form("Notification", alert.name)
			),
			title=frappe._("Error in Notification"),
		)
	except Exception as e:
		frappe.log_error(title=str(e), message=frappe.get_traceback(with_context=True))
		frappe.throw(
			f"<details><summary>{e}</summary>{frappe.get_traceback()}</details>",
			title=frappe._("Error in Notification"),
		)


def value_changed(doc, fieldname: str) -> bool:
	if doc.is_new() or not doc.meta.get_field(fieldname):
		return False
	before = doc.get_doc_before_save()
	fieldtype = doc.meta.get_field(fieldname).fieldtype
	return cast(fieldtype, doc.get(fieldname)) != cast(fieldtype, before.get(fieldname) if before else None)
