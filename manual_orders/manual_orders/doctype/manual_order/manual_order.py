import frappe
from frappe import _
from frappe.model.workflow import get_workflow_name, validate_workflow
from frappe.utils import getdate, now_datetime

from manual_orders import (
	accountability,
	catalogue,
	evidence,
	frappe_workflow,
	link_check,
	permissions,
	pickups,
	record_guard,
)
from manual_orders.evidence import CONSENT_FIELDS, RECORDED_CONSENT_FIELDS
from manual_orders.exceptions import (
	AgentChangeNotAllowed,
	CancellationReasonRequired,
	DuplicateOpenOrder,
	RecordLocked,
	throw_violations,
)
from manual_orders.overrides import notification
from manual_orders.permissions import StoredRowDocument
from manual_orders.sop import consent, formats, pricing, rules, texts
from manual_orders.sop.evidence import VERBAL_OTP, check_otp, check_quote, consent_method, quote_valid_until


class ManualOrder(StoredRowDocument):
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
	def onload(self):
		self.set_onload("next_steps", texts.next_steps(_))
		self.set_onload("pickup", pickups.pickup_onload(self))
		self.set_onload("consent", evidence.consent_onload())
		if permissions.sees_all():
			self.set_onload("changes_after_creation", record_guard.changes_after_creation(self))

	def run_notifications(self, method):
		"""Frappe's, with the Notification records from the cache and the order as it stands
		(no reload before sending): overrides/notification.py."""
		notification.run_notifications(self, method)

	def run_method(self, method, *args, **kwargs):
		"""Frappe's, without the Workflow Action bookkeeping when it would tell nobody
		(frappe_workflow.py)."""
		if method == "on_update" and not frappe_workflow.needed(self):
			return frappe_workflow.run_method_without_bookkeeping(self, method, *args, **kwargs)
		return super().run_method(method, *args, **kwargs)

	def _validate_links(self):
		"""Frappe's link check, with every link asked in one statement first (link_check.py)."""
		if not (self.flags.ignore_links or self._action == "cancel"):
			link_check.confirm_links(self)
		super()._validate_links()

	def validate_workflow(self):
		"""Frappe's, with the Workflow from the document cache on submit and cancel (frappe_workflow.py)."""
		workflow = self.meta.get_workflow()
		if workflow:
			validate_workflow(self)
			if self._action != "save":
				frappe_workflow.set_state_on_action(self, workflow, self._action)

	def update_children(self):
		"""On submit the rows are the ones just stored and checked: only their docstatus changes,
		one UPDATE a table instead of Frappe's DELETE and one UPDATE a row (issue #16)."""
		if self._action == "submit" and self.rows_as_stored():
			for df in self.meta.get_table_fields():
				table = frappe.qb.DocType(df.options)
				(
					frappe.qb.update(table)
					.set(table.docstatus, self.docstatus)
					.set(table.modified, self.modified)
					.set(table.modified_by, self.modified_by)
					.where(
						(table.parent == self.name)
						& (table.parenttype == self.doctype)
						& (table.parentfield == df.fieldname)
					)
					.run()
				)
			return
		super().update_children()

	def rows_as_stored(self) -> bool:
		"""Whether every child row is the stored one, field for field (docstatus and times apart)."""
		before = self.get_doc_before_save()
		if not before:
			return False
		ignored = {"docstatus", "creation", "modified", "modified_by"}
		for df in self.meta.get_table_fields():
			rows, stored = self.get(df.fieldname), before.get(df.fieldname)
			if [row.name for row in rows] != [row.name for row in stored]:
				return False
			for row, stored_row in zip(rows, stored, strict=True):
				now = row.get_valid_dict(convert_dates_to_str=True)
				then = stored_row.get_valid_dict(convert_dates_to_str=True)
				if any(now.get(key) != then.get(key) for key in set(now) | set(then) if key not in ignored):
					return False
		return True

	def validate_higher_perm_levels(self):
		"""Before Frappe's silent reset of fields above the user's permission level."""
		record_guard.refuse_operations_changes(self)
		super().validate_higher_perm_levels()

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
			self.end_attempt()
			return
		self.set_price()
		self.check_sop()
		self.update_consent()

	def before_submit(self):
		accountability.check_agent_allowed(self.agent)
		self.refuse(rules.check_customer_sure(self.outcome))
		self.check_consent()
		self.book_pickup()
		self.flags.ignore_version = False  # the creation starts the record managers read

	# SOP §6: the Order ID comes with a place in the slot and, where one has room, a partner.
	def book_pickup(self):
		pickups.book_slot(self)
		pickups.set_pickup_schedule(self)
		pickups.assign_partner(self)
		self.picked_up = 0

	def on_update(self):
		if self.customer_unsure() and self.has_value_changed("outcome"):
			self.set_lead_disposition(rules.CUSTOMER_UNSURE)

	def on_submit(self):
		self.set_lead_disposition("Create Order")  # the partner's ToDos follow: pickups.ensure_todos

	# SOP §9: after creation the record only grows; every change is versioned.
	def before_update_after_submit(self):
		record_guard.check_update_after_submit(self)
		self.flags.ignore_version = False

	def before_cancel(self):
		record_guard.check_cancel(self)
		self.flags.ignore_version = False
		pickups.check_cancellable(self)
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
		pickups.release_slot(self)
		pickups.free_partner_place(self.pickup_date, self.pickup_partner)
		pickups.close_todos(self)

	def on_trash(self):
		if self.docstatus != 0:
			frappe.throw(
				_(
					"Order {0} was created and is part of the accountable record; it cannot be deleted."
				).format(self.name),
				exc=RecordLocked,
				title=_("Not Allowed"),
			)
		evidence.delete_codes(self.name)

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

	def end_attempt(self):
		"""The Lead is free for a later call; no consent stands (the disposition follows in on_update)."""
		self.lead_lock = None
		for fieldname in CONSENT_FIELDS:
			self.set(fieldname, None)

	def sanitise_html(self):
		"""Frappe's HTML sanitising, now, so the consent fingerprint covers the values stored."""
		self._sanitize_content()
		for row in self.get_all_children():
			row._sanitize_content()

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

	# SOP §4C / §5 step 4: the price is always computed here, whatever the client sent.
	def set_price(self):
		model = catalogue.get_device_model(self.device_model)
		questions = catalogue.get_condition_questions(self.device_type)
		accessories = catalogue.get_accessories()
		chosen = [accessories[row.accessory] for row in self.accessories if row.accessory in accessories]
		estimate = model and pricing.estimate_price(model, self.variant, self.answers(), questions, chosen)
		self.base_price = estimate.base_price if estimate else 0
		self.estimated_price = estimate.estimated_price if estimate else 0
		percent = {q.name: q.answers for q in questions}
		for row in self.conditions:
			deduction = percent.get(row.question, {}).get(row.answer, 0)
			row.deduction = pricing.condition_deduction(self.base_price, deduction) if deduction else 0
		for row in self.accessories:
			row.price_adjustment = (
				accessories[row.accessory].price_adjustment if row.accessory in accessories else 0
			)
		variance = catalogue.get_settings()["price_variance_percent"]
		self.price_low, self.price_high = pricing.price_range(self.estimated_price, variance)

	def answers(self) -> dict[str, str]:
		return {row.question: formats.text(row.answer) for row in self.conditions}

	def check_sop(self):
		self.refuse(rules.check_order(self.as_order_input(), self.load_catalogue(), now_datetime()))

	def refuse(self, violations: list) -> None:
		"""Counts the refusal per rule for the agent (SOP §9 reports), then raises every violation."""
		if violations:
			accountability.record_refusals(self.agent, [violation.rule for violation in violations])
		throw_violations(violations)

	def as_order_input(self) -> rules.OrderInput:
		questions = [row.question for row in self.conditions]
		return rules.OrderInput(
			creation_reason=self.creation_reason,
			mobile_no=self.mobile_no,
			whatsapp_no=self.whatsapp_no,
			device_type=self.device_type,
			brand=self.brand,
			device_model=self.device_model,
			variant=self.variant,
			answers=self.answers(),
			duplicate_questions=sorted({q for q in questions if questions.count(q) > 1}),
			accessories=[row.accessory for row in self.accessories],
			address_line1=self.address_line1,
			landmark=self.landmark,
			city=self.city,
			state=self.state,
			pincode=self.pincode,
			pickup_date=getdate(self.pickup_date) if self.pickup_date else None,
			pickup_slot=self.pickup_slot,
			payment_method=self.payment_method,
			upi_id=self.upi_id,
			bank_account_number=self.bank_account_number,
			ifsc_code=self.ifsc_code,
		)

	def load_catalogue(self) -> rules.Catalogue:
		settings = catalogue.get_settings()
		return rules.Catalogue(
			device_types=catalogue.get_device_types(),
			creation_reasons=catalogue.get_creation_reasons(),
			model=catalogue.get_device_model(self.device_model),
			questions=catalogue.get_condition_questions(self.device_type),
			accessories=catalogue.get_accessories(),
			area=catalogue.get_service_area(self.pincode),
			slot=catalogue.get_pickup_slot(self.pickup_slot),
			min_lead_minutes=settings["min_lead_minutes"],
			max_days_ahead=settings["max_days_ahead"],
		)

	# SOP golden rule: consent covers exactly what the customer agreed to.
	def agreed_terms(self) -> dict:
		values = {fieldname: self.get(fieldname) for fieldname in consent.AGREED_FIELDS}
		return consent.agreed_terms(values, self.answers(), [row.accessory for row in self.accessories])

	def consent_given(self) -> bool:
		return consent.is_given(
			self.consent_customer_words, self.consent_price_accepted, self.consent_summary_confirmed
		)

	def update_consent(self):
		"""Records consent when it is given; withdraws it when the terms or the answers change.

		Who recorded it, when and the fingerprint are the server's alone: values a client
		sends for them are replaced by what is stored.
		"""
		before = self.get_doc_before_save()
		for fieldname in RECORDED_CONSENT_FIELDS:
			self.set(fieldname, before.get(fieldname) if before else None)
		if before and before.mobile_no != self.mobile_no:
			self.forget_call()  # it was with another number
		fingerprint = consent.fingerprint(self.agreed_terms())
		if self.consent_fingerprint and (self.consent_fingerprint != fingerprint or not self.consent_given()):
			self.reset_consent()
		if not self.consent_fingerprint and self.consent_given():
			self.record_consent(fingerprint)
		self.consent_method = consent_method(
			bool(self.consent_fingerprint), bool(self.consent_otp_verified_at), self.call_log
		)

	def forget_call(self):
		for fieldname in evidence.CALL_DETAIL_FIELDS:
			self.set(fieldname, None)

	def record_consent(self, fingerprint: str):
		"""With the call it was given on (when chosen or required) and the day the quote holds to."""
		now = now_datetime()
		settings = catalogue.get_settings()
		self.refuse(
			evidence.call_violations(self, self.call_log, now, settings["require_call_log_for_consent"])
		)
		valid_until = quote_valid_until(getdate(now), settings["quote_validity_days"])
		self.refuse(check_quote(self.pickup_day(), valid_until, getdate(now)))
		self.consent_fingerprint = fingerprint
		self.consent_recorded_by = frappe.session.user
		self.consent_recorded_at = now
		self.quote_valid_until = valid_until

	def pickup_day(self):
		return getdate(self.pickup_date) if self.pickup_date else None

	def reset_consent(self):
		before = self.get_doc_before_save()
		changed = consent.changed_terms(before.agreed_terms(), self.agreed_terms()) if before else []
		for fieldname in CONSENT_FIELDS:
			self.set(fieldname, None)
		self.return_to_first_workflow_state()
		self.add_comment(
			"Info",
			_("Consent withdrawn: the customer agreed to other terms ({0}). Ask for consent again.").format(
				", ".join(changed) or _("terms changed")
			),
		)

	def return_to_first_workflow_state(self):
		"""Terms changed after consent: the order goes back to the workflow's first state."""
		workflow_name = get_workflow_name(self.doctype)
		if not workflow_name:
			return
		first_state = frappe.get_cached_doc("Workflow", workflow_name).states[0].state
		self.set(frappe.get_cached_value("Workflow", workflow_name, "workflow_state_field"), first_state)

	def check_consent(self):
		covers = consent.covers(self.consent_fingerprint, self.agreed_terms())
		self.refuse(rules.check_consent(self.consent_given(), covers))
		code_read_back = self.consent_method == VERBAL_OTP and bool(self.consent_otp_verified_at)
		self.refuse(
			check_quote(
				self.pickup_day(), self.quote_valid_until and getdate(self.quote_valid_until), getdate()
			)
			+ check_otp(catalogue.get_settings()["require_otp_consent"], code_read_back)
		)

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


REPORT_INDEX = "report_index"
REPORT_INDEX_FIELDS = [
	"creation",
	"agent",
	"docstatus",
	"price_disputed",
	"picked_up",
	"outcome",
	"cancellation_reason",
	"lead",
	"consent_recorded_at",
]
