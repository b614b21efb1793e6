"""Issue 16: what the creation path leaves out, and that it leaves out nothing it must do.

Frappe's Workflow Action records are skipped only when nobody but the acting user could take
a next transition; an approval step an admin adds brings them back. On submit the child rows
change only their docstatus, in one statement a table.
"""

import frappe
from frappe.model.workflow import apply_workflow
from frappe.utils import get_datetime

from manual_orders import catalogue_cache
from manual_orders.settings import clear_catalogue_cache
from manual_orders.setup.workflow import WORKFLOW_NAME
from manual_orders.shortcuts import workflow as workflow_shortcuts
from manual_orders.tests.utils import AGENT, MANAGER, SiteTestCase, as_user, order_values, with_consent


def workflow_actions(order: str) -> list[dict]:
	return frappe.get_all(
		"Workflow Action",
		filters={"reference_doctype": "Manual Order", "reference_name": order},
		fields=["name", "status", "workflow_state"],
	)


def created_by_agent():
	with as_user(AGENT):
		order = frappe.get_doc(with_consent(order_values())).insert()
		order = apply_workflow(order, "Confirm Consent")
		return apply_workflow(order, "Create Order")


class TestWorkflowActions(SiteTestCase):
	def tearDown(self):
		super().tearDown()
		frappe.clear_document_cache("Workflow", WORKFLOW_NAME)

	def test_the_shipped_workflow_leaves_no_workflow_action_to_anyone(self):
		order = created_by_agent()
		assert order.docstatus == 1 and order.workflow_state == "Created"
		assert workflow_actions(order.name) == []

	def test_an_approval_step_for_managers_brings_frappes_workflow_actions_back(self):
		workflow = frappe.get_doc("Workflow", WORKFLOW_NAME)
		for row in workflow.transitions:
			if row.action == "Create Order" and row.allowed == "Manual Order Agent":
				row.allowed = "Manual Order Manager"  # the manager approves every order
		workflow.save()
		with as_user(AGENT):
			order = frappe.get_doc(with_consent(order_values())).insert()
			order = apply_workflow(order, "Confirm Consent")
		[action] = [a for a in workflow_actions(order.name) if a.status == "Open"]
		assert action.workflow_state == "Consent Confirmed"
		roles = frappe.get_all(
			"Workflow Action Permitted Role", filters={"parent": action.name}, pluck="role"
		)
		assert "Manual Order Manager" in roles
		with as_user(MANAGER):
			order = apply_workflow(frappe.get_doc("Manual Order", order.name), "Create Order")
		assert order.docstatus == 1
		assert "Open" not in [a.status for a in workflow_actions(order.name)]

	def test_email_alerts_on_the_workflow_keep_frappes_bookkeeping(self):
		"""Asked, not run: Frappe's hook would mail the approvers (a PDF each) at once in tests."""
		with as_user(AGENT):
			order = frappe.get_doc(with_consent(order_values())).insert()
			assert not workflow_shortcuts.needed(order)
			frappe.db.set_value("Workflow", WORKFLOW_NAME, "send_email_alert", 1)
			frappe.clear_document_cache("Workflow", WORKFLOW_NAME)
			assert workflow_shortcuts.needed(order)


class TestSubmitRows(SiteTestCase):
	def test_submit_marks_every_child_row_submitted_with_the_orders_time(self):
		order = created_by_agent()
		for table in ("Manual Order Condition", "Manual Order Accessory"):
			rows = frappe.get_all(table, filters={"parent": order.name}, fields=["docstatus", "modified"])
			assert rows and all(
				row.docstatus == 1 and row.modified == get_datetime(order.modified) for row in rows
			)
		stored = frappe.get_doc("Manual Order", order.name)
		assert [(r.question, r.answer, r.deduction) for r in stored.conditions] == [
			(r.question, r.answer, r.deduction) for r in order.conditions
		]

	def test_rows_reordered_on_submit_are_stored_in_their_new_order(self):
		"""The same answers in another order are the same terms (consent stands); the rows are no
		longer as stored, so Frappe's own update writes their new positions."""
		with as_user(AGENT):
			order = frappe.get_doc(with_consent(order_values())).insert()
			order.reload()
			order.conditions.reverse()
			for idx, row in enumerate(order.conditions, start=1):
				row.idx = idx
			order.submit()
		stored = frappe.get_all(
			"Manual Order Condition",
			filters={"parent": order.name},
			fields=["name", "docstatus"],
			order_by="idx",
		)
		assert [row.name for row in stored] == [row.name for row in order.conditions]
		assert all(row.docstatus == 1 for row in stored)


class TestLinkCheck(SiteTestCase):
	def tearDown(self):
		super().tearDown()
		clear_catalogue_cache()

	def test_a_record_gone_from_the_database_is_refused_even_while_the_catalogue_cache_still_holds_it(self):
		model = frappe.get_doc(
			{
				"doctype": "Device Model",
				"model_name": "Ghost Phone 1",
				"brand": "Apple",
				"device_type": "Phone",
				"variants": [{"variant_name": "128 GB", "base_price": 10000}],
			}
		).insert()
		assert catalogue_cache.get_device_model(model.name)  # in Redis now
		frappe.db.delete("Device Variant", {"parent": model.name})
		frappe.db.delete("Device Model", model.name)  # behind the hooks: the cache is stale
		with as_user(AGENT), self.assertRaises(frappe.LinkValidationError):
			frappe.get_doc(with_consent(order_values(device_model=model.name, variant="128 GB"))).insert()

	def test_names_in_another_spelling_are_stored_as_the_records_are(self):
		with as_user(AGENT):
			order = frappe.get_doc(
				with_consent(
					order_values(device_model="IPHONE 13", creation_reason="customer asked for help")
				)
			).insert()
		assert (order.device_model, order.creation_reason) == ("iPhone 13", "Customer asked for help")

	def test_a_link_sent_as_an_object_is_refused_or_stored_as_frappe_does_never_a_crash(self):
		with as_user(AGENT):
			try:
				frappe.get_doc(with_consent(order_values(device_model={"name": "iPhone 13"}))).insert()
			except frappe.ValidationError:
				pass


class TestNotificationTexts(SiteTestCase):
	def test_a_text_compiled_once_renders_with_each_requests_user(self):
		from manual_orders.messaging.notifications import render

		text = "{{ frappe.session.user }} / {{ doc.name }}"
		for user in (AGENT, MANAGER):
			with as_user(user):
				frappe.local.jenv = None  # the next request's Jinja environment
				assert render(text, {"doc": frappe._dict(name="MO-1")}) == f"{user} / MO-1"
		frappe.local.jenv = None
