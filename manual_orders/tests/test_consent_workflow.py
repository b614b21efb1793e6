"""SOP golden rule, §5 steps 6-7, §8 and §9: consent, the workflow and the order after creation."""

import frappe
from frappe.model.workflow import apply_workflow, get_workflow_name
from frappe.utils import add_days, nowdate

from manual_orders.exceptions import (
	AgentChangeNotAllowed,
	CancellationReasonRequired,
	ConsentRequired,
	OrderNotSubmittable,
	RecordLocked,
)
from manual_orders.setup.workflow import WORKFLOW_NAME
from manual_orders.tests.utils import (
	AGENT,
	MANAGER,
	OTHER_AGENT,
	Api,
	SiteTestCase,
	as_user,
	make_lead,
	make_order,
	order_values,
	with_consent,
)


def consented_order(**overrides):
	return frappe.get_doc(with_consent(order_values(**overrides))).insert()


def fresh_case() -> None:
	"""Between the cases of one test, the rollback each test gets (SiteTestCase.tearDown/setUp)."""
	frappe.db.rollback()
	frappe.set_user("Administrator")
	frappe.local.message_log = []


CONSENT_PARTS = ["consent_customer_words", "consent_price_accepted", "consent_summary_confirmed"]


CHANGES = {
	"device": {"device_model": "iPhone 14", "variant": "128 GB"},
	"variant": {"variant": "256 GB"},
	"conditions": "second answers",
	"price": {"accessories": []},
	"address": {"address_line1": "House 9, 5th Cross, Indiranagar"},
	"landmark": {"landmark": "Near the temple"},
	"pincode": {"pincode": "560002"},
	"slot": {"pickup_slot": "11:00 - 13:00"},
	"date": "day after tomorrow",
	"payment": {
		"payment_method": "Bank Transfer",
		"bank_account_number": "123456789012",
		"ifsc_code": "HDFC0001234",
	},
	"upi id": {"upi_id": "ravi.other@okaxis"},
}


TRANSITIONS = [
	("Draft", "Confirm Consent", "Consent Confirmed"),
	("Consent Confirmed", "Change Terms", "Draft"),
	("Consent Confirmed", "Create Order", "Created"),
	("Draft", "Mark Customer Unsure", "Customer Unsure"),
	("Consent Confirmed", "Mark Customer Unsure", "Customer Unsure"),
	("Created", "Cancel Order", "Cancelled"),
]
ROLES = {"agent": AGENT, "manager": MANAGER, "desk user": "desk.user@manual-orders.test"}


def order_in_state(state: str, owner: str):
	with as_user(owner):
		order = consented_order()
		if state in ("Consent Confirmed", "Created"):
			order = apply_workflow(order, "Confirm Consent")
		if state == "Created":
			order = apply_workflow(order, "Create Order")
			order.cancellation_reason = "Wrong details"
			order.save()
	return frappe.get_doc("Manual Order", order.name)


class TestConsentWorkflow(SiteTestCase):
	def test_the_app_ships_an_active_workflow_with_its_states(self):
		assert get_workflow_name("Manual Order") == WORKFLOW_NAME
		workflow = frappe.get_doc("Workflow", WORKFLOW_NAME)
		states = {row.state: row.doc_status for row in workflow.states}
		assert states == {
			"Draft": "0",
			"Consent Confirmed": "0",
			"Created": "1",
			"Cancelled": "2",
			"Customer Unsure": "0",
			"Quote Expired": "0",
			"Agent Left": "0",
		}

	def test_consent_records_who_when_and_the_customers_words(self):
		frappe.set_user(AGENT)
		order = consented_order()
		assert order.consent_recorded_by == AGENT
		assert order.consent_recorded_at
		assert order.consent_fingerprint
		assert order.consent_customer_words == "Yes, please place the order"

	def test_consent_needs_words_price_and_summary(self):
		for missing in CONSENT_PARTS:
			with self.subTest(missing=missing):
				fresh_case()
				values = with_consent(order_values())
				values[missing] = 0 if missing != "consent_customer_words" else ""
				order = frappe.get_doc(values).insert()
				assert not order.consent_fingerprint
				with self.assertRaises(ConsentRequired):
					order.submit()

	def test_agent_walks_the_workflow_draft_consent_created(self):
		frappe.set_user(AGENT)
		order = make_order()
		assert order.workflow_state == "Draft"
		order.update(with_consent({}))
		order.save()
		order = apply_workflow(order, "Confirm Consent")
		assert order.workflow_state == "Consent Confirmed"
		order = apply_workflow(order, "Create Order")
		assert (order.workflow_state, order.docstatus) == ("Created", 1)

	def test_confirm_consent_is_not_offered_without_consent(self):
		frappe.set_user(AGENT)
		order = make_order()
		with self.assertRaises(frappe.ValidationError):
			apply_workflow(order, "Confirm Consent")

	def test_plain_desk_user_cannot_act_on_the_workflow(self):
		order = consented_order()
		frappe.set_user("desk.user@manual-orders.test")
		with self.assertRaises(frappe.PermissionError):
			apply_workflow(frappe.get_doc("Manual Order", order.name), "Confirm Consent")

	def test_manager_cancels_with_a_reason_only(self):
		order = consented_order()
		order.submit()
		frappe.set_user(MANAGER)
		order = frappe.get_doc("Manual Order", order.name)
		with self.assertRaises(frappe.ValidationError):
			apply_workflow(order, "Cancel Order")  # condition: a reason first
		with self.assertRaises(CancellationReasonRequired):
			order.cancel()
		order.reload()
		order.cancellation_reason = "Price dispute"
		order.cancellation_notes = "Customer objected after inspection"
		order.save()
		order = apply_workflow(order, "Cancel Order")
		assert (order.workflow_state, order.docstatus) == ("Cancelled", 2)

	def test_submit_without_consent_is_refused_even_with_the_workflow_disabled(self):
		frappe.db.set_value("Workflow", WORKFLOW_NAME, "is_active", 0)
		frappe.clear_cache(doctype="Manual Order")
		assert not get_workflow_name("Manual Order")
		order = make_order()
		with self.assertRaises(ConsentRequired):
			order.submit()
		order.reload()  # as the desk does after a refused submit
		order.update(with_consent({}))
		order.save()
		order.submit()
		assert order.docstatus == 1

	def test_submit_without_consent_is_refused_even_with_the_consent_state_deleted(self):
		workflow = frappe.get_doc("Workflow", WORKFLOW_NAME)
		workflow.states = [row for row in workflow.states if row.state != "Consent Confirmed"]
		workflow.transitions = [
			row for row in workflow.transitions if "Consent Confirmed" not in (row.state, row.next_state)
		]
		workflow.append(
			"transitions",
			{
				"state": "Draft",
				"action": "Create Order",
				"next_state": "Created",
				"allowed": "Manual Order Agent",
				"allow_self_approval": 1,
			},
		)
		workflow.save()
		frappe.set_user(AGENT)
		order = make_order()
		with self.assertRaises(ConsentRequired):
			apply_workflow(order, "Create Order")

	def test_consent_expires_when_what_was_agreed_changes(self):
		from manual_orders.tests.utils import answers_for

		for kind in CHANGES:
			with self.subTest(kind=kind):
				fresh_case()
				frappe.set_user(AGENT)
				order = consented_order()
				order = apply_workflow(order, "Confirm Consent")
				change = CHANGES[kind]
				if change == "second answers":
					order.set("conditions", answers_for("Phone", pick=1))
				elif change == "day after tomorrow":
					order.pickup_date = add_days(nowdate(), 2)
				else:
					order.update(change)
				order.save()
				assert not order.consent_fingerprint
				assert not order.consent_price_accepted
				assert order.workflow_state == "Draft"
				with self.assertRaises(ConsentRequired):
					order.submit()
				comments = frappe.get_all(
					"Comment", filters={"reference_name": order.name, "comment_type": "Info"}, pluck="content"
				)
				assert any("Consent withdrawn" in c for c in comments)

	def test_notes_do_not_expire_consent(self):
		order = consented_order()
		order.call_notes = "Customer prefers a call before pickup"
		order.save()
		assert order.consent_fingerprint
		order.submit()

	def test_customer_unsure_ends_the_attempt_without_an_order(self):
		lead = make_lead()
		frappe.set_user(AGENT)
		order = make_order(lead=lead.name)
		order = apply_workflow(order, "Mark Customer Unsure")
		assert (order.workflow_state, order.outcome) == ("Customer Unsure", "Customer Unsure")
		assert not order.lead_lock
		assert frappe.db.get_value("Lead", lead.name, "disposition") == "Customer Unsure"
		with self.assertRaises((OrderNotSubmittable, frappe.PermissionError, frappe.ValidationError)):
			order.submit()
		# the Lead is free for a later call
		assert make_order(lead=lead.name).name

	def test_unsure_attempt_can_be_saved_half_filled(self):
		order = frappe.get_doc(
			order_values(outcome="Customer Unsure", pincode="", landmark="", upi_id="")
		).insert()
		assert order.outcome == "Customer Unsure"

	def test_created_orders_are_read_only_except_notes(self):
		order = consented_order()
		order.submit()
		order.call_notes = "Vendor assigned"
		order.save()
		order.variant = "256 GB"
		with self.assertRaises(RecordLocked):
			order.save()

	def test_price_dispute_is_recorded_on_the_created_order(self):
		frappe.set_user(AGENT)
		order = consented_order()
		order.submit()
		name = order.record_price_dispute(
			"I didn't agree to this price", "Re-explained inspection; offered cancellation"
		)
		dispute = frappe.get_doc("Manual Order Price Dispute", name)
		assert (dispute.manual_order, dispute.agent, dispute.recorded_by) == (order.name, AGENT, AGENT)
		assert dispute.customer_words == "I didn't agree to this price" and dispute.status == "Open"
		assert frappe.db.get_value("Manual Order", order.name, "price_disputed") == 1

	def test_agent_is_set_by_the_server_and_never_changes(self):
		frappe.set_user(AGENT)
		order = frappe.get_doc(order_values(agent=OTHER_AGENT)).insert()
		assert order.agent == AGENT
		order.agent = OTHER_AGENT
		with self.assertRaises(
			AgentChangeNotAllowed
		):  # judged on the stored row: still the agent's own order
			order.save()
		frappe.set_user(MANAGER)
		order = frappe.get_doc("Manual Order", order.name)
		order.agent = OTHER_AGENT
		with self.assertRaises(AgentChangeNotAllowed):
			order.save()

	def test_every_change_after_consent_is_in_the_history(self):
		order = consented_order()
		order.landmark = "Next to the bakery"
		order.save(ignore_version=False)  # Frappe's runner sets in_test, which skips Versions otherwise
		versions = frappe.get_all(
			"Version", filters={"ref_doctype": "Manual Order", "docname": order.name}, pluck="data"
		)
		assert any("landmark" in data for data in versions)

	def test_rest_agent_cannot_submit_without_consent(self):
		api = Api(AGENT)
		status, body = api.post("/api/resource/Manual Order", order_values(consent_fingerprint="forged"))
		assert status == 200, body
		doc = body["data"]
		try:
			assert not doc.get("consent_fingerprint")
			status, body = api.post("/api/method/frappe.client.submit", {"doc": doc})
			assert status == 417 and "ConsentRequired" in body["exc_type"], body
		finally:
			frappe.db.rollback()
			frappe.delete_doc("Manual Order", doc["name"], force=True, ignore_permissions=True)
			frappe.db.commit()  # nosemgrep: clean up what the HTTP thread committed

	def test_migrate_never_overwrites_what_an_admin_changed_in_the_workflow(self):
		from manual_orders.setup.install import after_migrate
		from manual_orders.setup.workflow import ensure_workflow

		workflow = frappe.get_doc("Workflow", WORKFLOW_NAME)
		workflow.append(
			"states", {"state": "Pending", "doc_status": "0", "allow_edit": "Manual Order Manager"}
		)  # an admin's approval step
		workflow.append(
			"transitions",
			{
				"state": "Draft",
				"action": "Review",
				"next_state": "Pending",
				"allowed": "Manual Order Manager",
			},
		)
		workflow.save()
		frappe.db.set_value("Workflow State", "Consent Confirmed", "style", "Info")
		modified = frappe.db.get_value("Workflow", WORKFLOW_NAME, "modified")
		ensure_workflow()
		after_migrate()
		assert frappe.db.get_value("Workflow", WORKFLOW_NAME, "modified") == modified
		assert "Pending" in [row.state for row in frappe.get_doc("Workflow", WORKFLOW_NAME).states]
		assert frappe.db.get_value("Workflow State", "Consent Confirmed", "style") == "Info"
		assert frappe.db.count("Workflow", {"document_type": "Manual Order"}) == 1

	def test_each_transition_by_each_role(self):
		for state, action, following in TRANSITIONS:
			for role in ROLES:
				with self.subTest(case=f"{action} from {state}-{role}"):
					fresh_case()
					owner = AGENT if role != "manager" else MANAGER
					order = order_in_state(state, owner)
					with as_user(ROLES[role]):
						if role == "desk user":
							with self.assertRaises(frappe.PermissionError):
								apply_workflow(frappe.get_doc("Manual Order", order.name), action)
							continue
						order = apply_workflow(frappe.get_doc("Manual Order", order.name), action)
					assert order.workflow_state == following
					assert order.docstatus == {"Created": 1, "Cancelled": 2}.get(following, 0)
