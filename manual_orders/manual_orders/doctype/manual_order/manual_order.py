import frappe
from frappe import _
from frappe.utils import now_datetime

from manual_orders import accountability
from manual_orders.consent_evidence import call_log as consent_call
from manual_orders.consent_evidence import code as consent_code
from manual_orders.consent_evidence import record as consent_record
from manual_orders.controllers import StoredRowDocument
from manual_orders.exceptions import (
	AgentChangeNotAllowed,
	CancellationReasonRequired,
	DuplicateOpenOrder,
	RecordLocked,
	throw_violations,
)
from manual_orders.manual_orders.doctype.manual_order import sop_input
from manual_orders.permissions import fields as record_guard
from manual_orders.permissions import records as permissions
from manual_orders.pickup import places as pickup_places
from manual_orders.pickup import status as pickup_status
from manual_orders.pickup import todos as pickup_todos
from manual_orders.reports import REPORT_INDEX, REPORT_INDEX_FIELDS
from manual_orders.shortcuts.controller import FrappeShortcuts
from manual_orders.shortcuts.naming import check_series_offered, name_by_naming_series
from manual_orders.sop import formats, pricing, rules, texts


class ManualOrder(FrappeShortcuts, StoredRowDocument):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		from manual_orders.manual_orders.doctype.manual_order_accessory.manual_order_accessory import (
			ManualOrderAccessory,
		)
		from manual_orders.manual_orders.doctype.manual_order_condition.manual_order_condition import (
			ManualOrderCondition,
		)

		accessories: DF.Table[ManualOrderAccessory]
		address_line1: DF.Data | None
		address_line2: DF.Data | None
		agent: DF.Link | None
		amended_from: DF.Link | None
		bank_account_number: DF.Data | None
		base_price: DF.Currency
		brand: DF.Link | None
		call_duration: DF.Duration | None
		call_log: DF.Link | None
		call_notes: DF.Text | None
		call_recording_url: DF.Data | None
		call_started_at: DF.Datetime | None
		cancellation_notes: DF.SmallText | None
		cancellation_reason: DF.Link | None
		city: DF.Data | None
		conditions: DF.Table[ManualOrderCondition]
		consent_customer_words: DF.SmallText | None
		consent_fingerprint: DF.Data | None
		consent_method: DF.Literal["", "Verbal", "Verbal + Call Log", "Verbal + OTP"]
		consent_otp_verified_at: DF.Datetime | None
		consent_price_accepted: DF.Check
		consent_recorded_at: DF.Datetime | None
		consent_recorded_by: DF.Link | None
		consent_summary_confirmed: DF.Check
		creation_reason: DF.Link | None
		currency: DF.Link | None
		customer: DF.Link | None
		customer_name: DF.Data
		device_model: DF.Link | None
		device_type: DF.Link | None
		estimated_price: DF.Currency
		ifsc_code: DF.Data | None
		landmark: DF.Data | None
		lead: DF.Link | None
		lead_lock: DF.Data | None
		mobile_no: DF.Data
		naming_series: DF.Literal["MO-.YYYY.-"]
		outcome: DF.Literal["", "Customer Unsure", "Quote Expired", "Agent Left"]
		payment_method: DF.Literal["", "UPI", "Bank Transfer"]
		picked_up: DF.Check
		pickup_date: DF.Date | None
		pickup_slot: DF.Link | None
		pincode: DF.Data | None
		price_disputed: DF.Check
		price_high: DF.Currency
		price_low: DF.Currency
		quote_valid_until: DF.Date | None
		state: DF.Data | None
		upi_id: DF.Data | None
		variant: DF.Autocomplete | None
		whatsapp_no: DF.Data | None
		workflow_state: DF.Link | None

	# end: auto-generated types
	def autoname(self):
		# Frappe's naming series, without its deadlock when two orders start a year's series; an
		# admin's other naming rule (Customize Form) is Frappe's to apply
		if self.meta.autoname == "naming_series:":
			check_series_offered(self)
			self.name = name_by_naming_series(self)

	def onload(self):
		self.set_onload("next_steps", texts.next_steps(_))
		self.set_onload("pickup", pickup_status.pickup_onload(self))
		self.set_onload("consent", consent_call.consent_onload())
		if permissions.sees_all():
			self.set_onload("changes_after_creation", record_guard.changes_after_creation(self))

	def before_higher_perm_levels(self):
		"""Operations fields are refused out loud, before Frappe's silent reset (FrappeShortcuts)."""
		record_guard.refuse_operations_changes(self)

	def validate(self):
		self.keep_agent()
		record_guard.restore_server_owned(self, keep=("agent",))
		self.keep_server_outcomes()
		self.currency = pricing.CURRENCY
		if self.is_new():
			accountability.check_agent_allowed(self.agent)
			record_guard.check_amendment(self)
		self.sanitise_html()
		self.normalise_inputs()
		self.lock_lead()
		if self.attempt_ended():
			consent_record.end_attempt(self)
			return
		sop_input.set_price(self)  # SOP §4C / §5 step 4: computed here, whatever the client sent
		self.check_sop()
		consent_record.update_consent(self)

	def before_submit(self):
		accountability.check_agent_allowed(self.agent)
		self.refuse(rules.check_customer_sure(self.outcome))
		consent_record.check_consent(self)
		self.book_pickup()
		self.flags.ignore_version = False  # the creation starts the record managers read

	# SOP §6: the Order ID comes with a place in the slot and, where one has room, a partner.
	def book_pickup(self):
		pickup_places.book_slot(self)
		pickup_places.set_pickup_schedule(self)
		pickup_places.assign_partner(self)
		self.picked_up = 0

	def on_update(self):
		if self.customer_unsure() and self.has_value_changed("outcome"):
			self.set_lead_disposition(rules.CUSTOMER_UNSURE)

	def on_submit(self):
		self.set_lead_disposition("Create Order")  # the partner's ToDos follow: pickup_todos.ensure_todos

	# SOP §9: after creation the record only grows; every change is versioned.
	def before_update_after_submit(self):
		record_guard.check_update_after_submit(self)
		self.flags.ignore_version = False

	def before_cancel(self):
		record_guard.check_cancel(self)
		self.flags.ignore_version = False
		pickup_status.check_cancellable(self)
		if not self.cancellation_reason:
			frappe.throw(
				_(
					"Cancellation Reason: choose why the order is cancelled (e.g. Price dispute, Customer changed mind)."
				),
				exc=CancellationReasonRequired,
				title=_("Cancellation Reason Required"),
			)

	def on_cancel(self):
		self.db_set({"lead_lock": None, "imei_lock": None})
		self.set_lead_disposition("Order Cancelled")
		pickup_places.release_slot(self)
		pickup_places.free_partner_place(self.pickup_date, self.pickup_partner)
		pickup_todos.close_todos(self)

	def on_trash(self):
		if self.docstatus != 0:
			frappe.throw(
				_(
					"Order {0} was created and is part of the accountable record; it cannot be deleted."
				).format(self.name),
				exc=RecordLocked,
				title=_("Not Allowed"),
			)
		consent_code.delete_codes(self.name)

	# SOP §9: the agent who creates the order is accountable; that never changes.
	def keep_agent(self):
		before = self.get_doc_before_save()
		if not before:
			self.agent = frappe.session.user
		elif self.agent != before.agent:
			frappe.throw(
				_(
					"Agent: the agent who created the order ({0}) is accountable for it and cannot be changed."
				).format(before.agent),
				exc=AgentChangeNotAllowed,
				title=_("Not Allowed"),
			)

	# SOP §4C and §9: only the server closes an attempt whose quote lapsed or whose agent left,
	# and it stays closed.
	def keep_server_outcomes(self):
		before = self.get_doc_before_save()
		stored = before.outcome if before else None
		for outcome in rules.SERVER_OUTCOMES:
			if (self.outcome == outcome) != (stored == outcome):
				frappe.throw(
					_(
						"Outcome: {0} is set by the server and is final; for a new attempt, create a new order from the Lead."
					).format(_(outcome)),
					exc=RecordLocked,
					title=_("Not Allowed"),
				)

	# SOP §3: "customer unsure or just checking" ends the attempt without an order.
	def customer_unsure(self) -> bool:
		return self.outcome == rules.CUSTOMER_UNSURE

	def attempt_ended(self) -> bool:
		return self.outcome in rules.ENDED_OUTCOMES

	def normalise_inputs(self):
		self.mobile_no = formats.normalise_mobile(self.mobile_no) or formats.text(self.mobile_no)
		if formats.text(self.whatsapp_no):
			self.whatsapp_no = formats.normalise_mobile(self.whatsapp_no) or formats.text(self.whatsapp_no)
		self.pincode = formats.normalise_pincode(self.pincode)
		if self.payment_method == "UPI":
			self.upi_id = formats.normalise_upi_id(self.upi_id)
			self.bank_account_number = self.ifsc_code = None
		elif self.payment_method == "Bank Transfer":
			self.bank_account_number = formats.normalise_bank_account(self.bank_account_number)
			self.ifsc_code = formats.normalise_ifsc(self.ifsc_code)
			self.upi_id = None

	def lock_lead(self):
		"""At most one open order per Lead, even for two agents saving at the same moment.

		The Lead's row lock queues concurrent savers; the unique `lead_lock` column is
		the last guard if anything slips past.
		"""
		self.lead_lock = self.lead or None
		if not self.lead or self.attempt_ended():
			self.lead_lock = None
			return
		before = self.get_doc_before_save()
		if before and before.lead_lock == self.lead:
			return  # this order already holds the Lead
		frappe.db.get_value("Lead", self.lead, "name", for_update=True)
		other = frappe.db.sql(
			"select name from `tabManual Order` where lead_lock = %s and name != %s for update",
			(self.lead, self.name or ""),
		)
		if other:
			frappe.throw(
				_(
					"Lead {0} already has the open order {1}; continue that order instead of creating another."
				).format(self.lead, other[0][0]),
				exc=DuplicateOpenOrder,
				title=_("Order Already Exists"),
			)

	def check_sop(self):
		self.refuse(
			rules.check_order(sop_input.order_input(self), sop_input.catalogue_for(self), now_datetime())
		)

	def refuse(self, violations: list) -> None:
		"""Counts the refusal per rule for the agent (SOP §9 reports), then raises every violation."""
		if violations:
			accountability.record_refusals(self.agent, [violation.rule for violation in violations])
		throw_violations(violations)

	def set_lead_disposition(self, disposition: str):
		if self.lead:
			frappe.db.set_value("Lead", self.lead, "disposition", disposition)

	@frappe.whitelist()
	def record_price_dispute(self, customer_words: str, notes: str | None = None) -> str:
		"""SOP §8: the customer says "I didn't agree to this price"; keep what they said.

		Each dispute is its own Manual Order Price Dispute record, judged on the stored order.
		"""
		dispute = frappe.get_doc(
			{
				"doctype": "Manual Order Price Dispute",
				"manual_order": self.name,
				"customer_words": customer_words,
				"notes": notes,
			}
		).insert()
		return dispute.name


def on_doctype_update():
	"""One covering index for the manager reports: a period's rows are read from it alone."""
	frappe.db.add_index("Manual Order", REPORT_INDEX_FIELDS, REPORT_INDEX)
