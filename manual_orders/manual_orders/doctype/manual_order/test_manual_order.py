"""The Manual Order controller's own lifecycle: insert, save, submit, cancel, delete.

Each step as an agent, on the demo catalogue; what the rules refuse and what the other suites
check in depth (consent, pickups, the accountable record) is only touched here.
"""

import frappe

from manual_orders.exceptions import DuplicateOpenOrder, RecordLocked
from manual_orders.tests.utils import (
	AGENT,
	MANAGER,
	SiteTestCase,
	as_user,
	make_lead,
	order_values,
	with_consent,
)

# The demo catalogue is loaded by the app's `before_tests`; no test records of linked DocTypes.
test_ignore = [
	"Brand",
	"Call Log",
	"Currency",
	"Customer",
	"Device Model",
	"Device Type",
	"Lead",
	"Manual Order Cancellation Reason",
	"Manual Order Creation Reason",
	"Pickup Failure Reason",
	"Pickup Partner",
	"Pickup Slot",
	"Pickup Slot Load",
	"User",
	"Workflow State",
]


class TestManualOrder(SiteTestCase):
	def test_insert_sets_the_agent_the_price_and_locks_the_lead(self):
		lead = make_lead()
		with as_user(AGENT):
			order = frappe.get_doc(order_values(lead=lead.name, agent=MANAGER)).insert()
		assert order.agent == AGENT
		assert order.estimated_price > 0 and order.price_low <= order.estimated_price <= order.price_high
		assert order.lead_lock == lead.name
		assert order.workflow_state == "Draft" and order.docstatus == 0
		with as_user(AGENT):
			self.assertRaises(DuplicateOpenOrder, frappe.get_doc(order_values(lead=lead.name)).insert)

	def test_submit_creates_the_order_with_its_pickup_and_the_lead_follows(self):
		lead = make_lead()
		with as_user(AGENT):
			order = frappe.get_doc(with_consent(order_values(lead=lead.name))).insert()
			order.submit()
		assert order.docstatus == 1 and order.workflow_state == "Created"
		assert order.pickup_status in ("Scheduled", "Partner Assigned") and order.pickup_due_by
		assert frappe.db.get_value("Lead", lead.name, "disposition") == "Create Order"
		assert {row.docstatus for row in order.conditions + order.accessories} == {1}

	def test_cancel_frees_the_lead_and_keeps_the_record(self):
		lead = make_lead()
		with as_user(AGENT):
			order = frappe.get_doc(with_consent(order_values(lead=lead.name))).insert()
			order.submit()
			order.cancellation_reason = "Customer changed mind"
			order.save()
			order.cancel()
		stored = frappe.db.get_value("Manual Order", order.name, ["docstatus", "lead_lock"], as_dict=True)
		assert stored.docstatus == 2 and stored.lead_lock is None
		assert frappe.db.get_value("Lead", lead.name, "disposition") == "Order Cancelled"
		self.assertRaises(RecordLocked, frappe.delete_doc, "Manual Order", order.name)

	def test_a_draft_may_be_deleted_a_created_order_never(self):
		with as_user(AGENT):
			draft = frappe.get_doc(order_values(lead=make_lead().name)).insert()
			created = frappe.get_doc(with_consent(order_values(lead=make_lead().name))).insert()
			created.submit()
		frappe.delete_doc("Manual Order", draft.name)
		assert not frappe.db.exists("Manual Order", draft.name)
		self.assertRaises(frappe.ValidationError, frappe.delete_doc, "Manual Order", created.name)
		assert frappe.db.exists("Manual Order", created.name)
