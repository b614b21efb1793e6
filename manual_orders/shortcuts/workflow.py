"""Frappe's workflow machinery on Manual Order, without the round trips it does not need.

1. Workflow Action bookkeeping, run only where someone is waiting on the order.

After every save of a document under a workflow, Frappe runs `process_workflow_actions`
(a `doc_events "*"` hook): it closes the document's open Workflow Actions and opens one
for each role that may take a next transition, so approvers find it in their list. On a
Manual Order that is about 14 statements on insert and 7 on submit. With the shipped
workflow every next action (Confirm Consent, Create Order, Cancel Order) is the acting
agent's own to take; the same transitions exist for managers, so Frappe would put every
agent's draft in every manager's Workflow Action list, though no manager is waiting to act on
it (managers follow orders through their reports and cards). Chosen: no such records then.

`ManualOrder.run_method` leaves that one hook out of `on_update` when
- the acting user may take every action out of the order's state himself (a transition for
  one of his roles, self-approval allowed), so no step waits on anyone else, and
- the workflow sends no email alerts, and
- the order has no open Workflow Action (none can exist on insert).
Otherwise, e.g. after an admin adds an approval step the agent cannot take, or turns
self-approval off, Frappe's hook runs as always. Every other hook of `on_update` runs
unchanged, in Frappe's order; `on_cancel`, `on_trash` and `on_update_after_submit` keep it.

2. The workflow state on submit and cancel: Frappe's `set_workflow_state_on_action` loads the
Workflow from the database (three statements) on every submit; the same rule here reads it
from the document cache, which Frappe clears when an admin saves the Workflow.
"""

import frappe
from frappe.core.doctype.server_script.server_script_utils import run_server_script_for_doc_event
from frappe.integrations.doctype.webhook import run_webhooks
from frappe.model.workflow import get_workflow_name
from frappe.utils import cint

HOOK = "frappe.workflow.doctype.workflow_action.workflow_action.process_workflow_actions"


def needed(doc) -> bool:
	workflow_name = get_workflow_name(doc.doctype)
	if not workflow_name:
		return False  # Frappe's hook returns at once too
	workflow = frappe.get_cached_doc("Workflow", workflow_name)
	if workflow.send_email_alert:
		return True
	state = doc.get(workflow.workflow_state_field)
	roles = set(frappe.get_roles())
	actions = {row.action for row in workflow.transitions if row.state == state}
	own = {
		row.action
		for row in workflow.transitions
		if row.state == state and row.allowed in roles and row.allow_self_approval
	}
	if actions - own:
		return True  # someone else has a next step to take
	return not doc.flags.in_insert and has_open_actions(doc)


def has_open_actions(doc) -> bool:
	return bool(
		frappe.db.exists(
			"Workflow Action",
			{"reference_doctype": doc.doctype, "reference_name": doc.name, "status": "Open"},
		)
	)


def run_method_without_bookkeeping(doc, method: str, *args, **kwargs):
	"""Frappe's `Document.run_method` with every hook but the Workflow Action one."""
	handler = getattr(doc, method, None)
	out = handler(*args, **kwargs) if callable(handler) else None
	doc_events = frappe.get_doc_hooks()
	for path in doc_events.get(doc.doctype, {}).get(method, []) + doc_events.get("*", {}).get(method, []):
		if path != HOOK:
			frappe.get_attr(path)(doc, method, *args, **kwargs)
	doc.run_notifications(method)
	run_webhooks(doc, method)
	run_server_script_for_doc_event(doc, method)
	return out


ACTION_DOCSTATUS = {"update_after_submit": "1", "submit": "1", "cancel": "2"}


def set_state_on_action(doc, workflow_name: str, action: str) -> None:
	"""Frappe's `set_workflow_state_on_action` with the cached Workflow: a state that fits the
	new docstatus stays; otherwise the first state with that docstatus is set."""
	workflow = frappe.get_cached_doc("Workflow", workflow_name)
	field = workflow.workflow_state_field
	if any(row.state == doc.get(field) and doc.docstatus == cint(row.doc_status) for row in workflow.states):
		return
	for row in workflow.states:
		if row.doc_status == ACTION_DOCSTATUS[action]:
			doc.set(field, row.state)
			return
