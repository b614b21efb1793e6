"""The Manual Order workflow the app ships: created once, then the admins' to change.

States: Draft -> Consent Confirmed -> Created (submitted) -> Cancelled, and
Customer Unsure, which ends an attempt without an order. Whatever an admin
does to the workflow, the server still refuses to submit without consent
(ManualOrder.before_submit).
"""

import frappe
from frappe.model.workflow import get_workflow_name

WORKFLOW_NAME = "Manual Order Workflow"
AGENT = "Manual Order Agent"
MANAGER = "Manual Order Manager"

# state -> style (the colour of its indicator)
STATES = {
	"Draft": "",
	"Consent Confirmed": "Primary",
	"Created": "Success",
	"Cancelled": "Danger",
	"Customer Unsure": "Warning",
	"Quote Expired": "Warning",
	"Agent Left": "Warning",
}
ACTIONS = ("Confirm Consent", "Create Order", "Change Terms", "Mark Customer Unsure", "Cancel Order")
HAS_CONSENT = "doc.consent_fingerprint"
# Set only by the daily job that closes drafts whose quote lapsed (manual_orders.consent_evidence.quotes).
QUOTE_EXPIRED_STATE = {
	"state": "Quote Expired",
	"doc_status": "0",
	"allow_edit": MANAGER,
	"update_field": "outcome",
	"update_value": "Quote Expired",
}
# Set only when the draft's agent is disabled or leaves (manual_orders.leavers.handover).
AGENT_LEFT_STATE = {
	"state": "Agent Left",
	"doc_status": "0",
	"allow_edit": MANAGER,
	"update_field": "outcome",
	"update_value": "Agent Left",
}
SERVER_STATES = (QUOTE_EXPIRED_STATE, AGENT_LEFT_STATE)


def workflow_doc() -> dict:
	def state(name, doc_status, role, **extra):
		return {"state": name, "doc_status": str(doc_status), "allow_edit": role, **extra}

	def transition(current, action, following, role, condition=None):
		row = {
			"state": current,
			"action": action,
			"next_state": following,
			"allowed": role,
			"allow_self_approval": 1,
		}
		if condition:
			row["condition"] = condition
		return row

	states = [
		state("Draft", 0, AGENT),
		state("Draft", 0, MANAGER),
		state("Consent Confirmed", 0, AGENT),
		state("Consent Confirmed", 0, MANAGER),
		state("Created", 1, MANAGER),
		state("Created", 1, AGENT),
		state("Cancelled", 2, MANAGER),
		state("Customer Unsure", 0, MANAGER, update_field="outcome", update_value="Customer Unsure"),
		*SERVER_STATES,
	]
	transitions = []
	for role in (AGENT, MANAGER):
		transitions += [
			transition("Draft", "Confirm Consent", "Consent Confirmed", role, HAS_CONSENT),
			transition("Consent Confirmed", "Create Order", "Created", role, HAS_CONSENT),
			transition("Consent Confirmed", "Change Terms", "Draft", role),
			transition("Draft", "Mark Customer Unsure", "Customer Unsure", role),
			transition("Consent Confirmed", "Mark Customer Unsure", "Customer Unsure", role),
			transition("Created", "Cancel Order", "Cancelled", role, "doc.cancellation_reason"),
		]
	return {
		"doctype": "Workflow",
		"workflow_name": WORKFLOW_NAME,
		"document_type": "Manual Order",
		"workflow_state_field": "workflow_state",
		"is_active": 1,
		"send_email_alert": 0,
		"override_status": 0,
		"states": states,
		"transitions": transitions,
	}


def ensure_workflow() -> None:
	"""Creates the states, actions and workflow that are missing; changes nothing that exists."""
	for name, style in STATES.items():
		if not frappe.db.exists("Workflow State", name):
			frappe.get_doc({"doctype": "Workflow State", "workflow_state_name": name, "style": style}).insert(
				ignore_permissions=True
			)
	for action in ACTIONS:
		if not frappe.db.exists("Workflow Action Master", action):
			frappe.get_doc({"doctype": "Workflow Action Master", "workflow_action_name": action}).insert(
				ignore_permissions=True
			)
	if not frappe.db.exists("Workflow", {"document_type": "Manual Order"}):
		frappe.get_doc(workflow_doc()).insert(ignore_permissions=True)


def add_server_states() -> None:
	"""Once (a patch), for workflows installed before a server-set state existed; admins edit it as any other after."""
	ensure_workflow()
	for name in frappe.get_all("Workflow", filters={"document_type": "Manual Order"}, pluck="name"):
		workflow = frappe.get_doc("Workflow", name)
		kept = {row.state for row in workflow.states}
		missing = [state for state in SERVER_STATES if state["state"] not in kept]
		for state in missing:
			workflow.append("states", state)
		if missing:
			workflow.save(ignore_permissions=True)


def server_state(outcome: str) -> str | None:
	"""The workflow state a server-set outcome moves a draft to: the state of that name if admins
	kept it, else the workflow's first state; None without a workflow."""
	workflow_name = get_workflow_name("Manual Order")
	if not workflow_name:
		return None
	states = [row.state for row in frappe.get_cached_doc("Workflow", workflow_name).states]
	return outcome if outcome in states else states[0]


def delete_workflow() -> None:
	"""On uninstall: the Manual Order workflows, and the states and actions no other workflow uses."""
	for name in frappe.get_all("Workflow", filters={"document_type": "Manual Order"}, pluck="name"):
		frappe.delete_doc("Workflow", name, ignore_permissions=True, force=True)
	for name in STATES:
		if not frappe.db.exists("Workflow Document State", {"state": name}):
			frappe.delete_doc(
				"Workflow State", name, ignore_permissions=True, force=True, ignore_missing=True
			)
	for action in ACTIONS:
		if not frappe.db.exists("Workflow Transition", {"action": action}):
			frappe.delete_doc(
				"Workflow Action Master", action, ignore_permissions=True, force=True, ignore_missing=True
			)
