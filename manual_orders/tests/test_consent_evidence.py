"""Issue 15: consent tied to the call, confirmed by a code the customer reads back, a quote
that holds for a stated time, and SMS that fill their registered DLT template.

Real MariaDB, Redis and HTTP: the codes are read from where the sender reads them (the
encrypted text of the message), the SMS gateway is a real server on 127.0.0.1.
"""

import re
from contextlib import contextmanager

import frappe
from frappe.utils import add_days, add_to_date, getdate, now_datetime, nowdate
from frappe.utils.password import get_decrypted_password

from manual_orders import api
from manual_orders.consent_evidence import code as consent_code
from manual_orders.consent_evidence import quotes
from manual_orders.consent_evidence.fields import FOLLOW_UP
from manual_orders.exceptions import (
	CallLogRequired,
	ConsentCodeRefused,
	DltTemplateMismatch,
	OtpRequired,
	QuoteExpired,
	RecordLocked,
)
from manual_orders.messaging import outbox
from manual_orders.messaging.tests.gateway_server import GatewayServer
from manual_orders.settings import clear_catalogue_cache
from manual_orders.setup import notifications
from manual_orders.sop import otp
from manual_orders.tests.utils import (
	AGENT,
	MANAGER,
	OTHER_AGENT,
	Api,
	SiteTestCase,
	as_user,
	committed,
	make_lead,
	order_values,
	run_at_once,
	send_due_messages,
	with_consent,
)

SETTINGS = "Manual Order Settings"


@contextmanager
def order_settings(commit=False, **values):
	"""Manual Order Settings for one test, put back on the way out (committed both ways when the
	test commits, so no setting outlives it); the catalogue cache forgets them each time."""
	before = {key: frappe.db.get_single_value(SETTINGS, key) for key in values}
	frappe.db.set_single_value(SETTINGS, values)
	end_change(commit)
	try:
		yield
	finally:
		frappe.db.set_single_value(SETTINGS, before)
		end_change(commit)


def end_change(commit: bool) -> None:
	if commit:
		frappe.db.commit()  # nosemgrep: requests and the sender read settings in their own transactions
	clear_catalogue_cache()


def make_call(number="+919876543210", status="Completed", minutes_ago=5, agent=AGENT, **values):
	start = add_to_date(now_datetime(), minutes=-(minutes_ago + 4))
	call = frappe.get_doc(
		{
			"doctype": "Call Log",
			"id": f"CALL-{frappe.generate_hash(length=10)}",
			"from": number,
			"to": "+918047000000",
			"type": "Incoming",
			"status": status,
			"start_time": start,
			"end_time": add_to_date(start, minutes=4),
			"duration": 240,
			"recording_url": "https://recordings.example.com/call/42.mp3",
			"employee_user_id": agent,
			**values,
		}
	)
	return call.insert(ignore_permissions=True).name


def draft_with_consent(**overrides):
	with as_user(AGENT):
		return frappe.get_doc(with_consent(order_values(**overrides))).insert()


def code_sent_for(order: str) -> str:
	"""The code as the SMS sender reads it: the message's encrypted text."""
	name = frappe.get_all(
		"Manual Order Message",
		filters={"manual_order": order, "notification": notifications.CONSENT_CODE_NAME},
		order_by="creation desc",
		limit=1,
		pluck="name",
	)[0]
	text = get_decrypted_password("Manual Order Message", name, outbox.SECRET_FIELD)
	return re.search(r"\b(\d{6})\b", text).group(1)


def send_code(order: str) -> str:
	with as_user(AGENT):
		api.send_consent_otp(order)
	return code_sent_for(order)


def verify(order: str, code: str) -> dict:
	with as_user(AGENT):
		return api.verify_consent_otp(order, code)


def code_times(order: str, fieldname: str, minutes: int) -> None:
	"""Moves the order's codes' `creation` or `expires_at` by `minutes` from now."""
	frappe.db.set_value(
		consent_code.CODE_DOCTYPE,
		{"manual_order": order},
		fieldname,
		add_to_date(now_datetime(), minutes=minutes),
	)


def stored(order: str, *fields):
	return frappe.db.get_value("Manual Order", order, list(fields), as_dict=True)


def draft_on_call(call: str | None = None):
	"""A draft without consent, its call chosen by the agent (Consent > Choose Call)."""
	with as_user(AGENT):
		order = frappe.get_doc(order_values()).insert()
		if call:
			api.set_consent_call(order.name, call)
	return order.name


def record_consent(name: str):
	with as_user(AGENT):
		doc = frappe.get_doc("Manual Order", name)
		doc.update(with_consent({}))
		doc.save()
		return doc


class TestCallLog(SiteTestCase):
	def test_consent_without_a_call_is_refused_when_the_settings_require_one(self):
		name = draft_on_call()
		with order_settings(require_call_log_for_consent=1), self.assertRaises(CallLogRequired):
			record_consent(name)
		assert not stored(name, "consent_fingerprint").consent_fingerprint

	def test_a_completed_call_with_another_number_is_refused(self):
		call = make_call(number="+919999988888")
		with self.assertRaises(CallLogRequired) as refused:
			draft_on_call(call)
		assert "+919876543210" in str(refused.exception)

	def test_an_unfinished_or_old_call_another_agents_or_a_missing_one_is_refused(self):
		for call in (
			make_call(status="No Answer"),
			make_call(minutes_ago=90),
			make_call(agent=OTHER_AGENT),
			"CALL-that-does-not-exist",
		):
			with self.assertRaises(CallLogRequired):
				draft_on_call(call)

	def test_the_chosen_call_is_linked_both_ways_and_its_details_sit_beside_the_consent(self):
		call = make_call(number="09876543210")
		name = draft_on_call(call)
		with order_settings(require_call_log_for_consent=1):
			order = record_consent(name)
		row = stored(
			order.name,
			"call_log",
			"consent_method",
			"call_started_at",
			"call_duration",
			"call_recording_url",
			"consent_recorded_by",
			"consent_customer_words",
		)
		assert row.call_log == call and row.consent_method == "Verbal + Call Log"
		assert row.call_duration == 240 and row.call_recording_url.endswith("42.mp3")
		assert row.call_started_at and row.consent_recorded_by == AGENT and row.consent_customer_words
		links = frappe.get_all(
			"Dynamic Link",
			filters={"parenttype": "Call Log", "parent": call},
			fields=["link_doctype", "link_name"],
		)
		assert {"link_doctype": "Manual Order", "link_name": order.name} in links
		with as_user(AGENT):
			api.set_consent_call(order.name, call)  # chosen again: linked once
		assert frappe.db.count("Dynamic Link", {"parent": call, "link_name": order.name}) == 1

	def test_a_forged_call_through_a_generic_write_is_not_kept(self):
		call = make_call(number="+919999988888")
		with as_user(AGENT):
			order = frappe.get_doc(with_consent(order_values(call_log=call))).insert()
			order.call_log = call
			order.save()
		assert stored(order.name, "call_log").call_log is None
		assert not frappe.db.exists("Dynamic Link", {"parent": call, "link_name": order.name})

	def test_the_agent_is_offered_their_calls_with_the_customer_newest_first(self):
		older = make_call(minutes_ago=40)
		newer = make_call(minutes_ago=3)
		make_call(number="+919999988888")
		make_call(agent=OTHER_AGENT)
		make_call(minutes_ago=120)
		name = draft_on_call()
		with as_user(AGENT):
			offered = [c["name"] for c in api.consent_calls(name)]
		assert offered[:2] == [newer, older] and len(offered) == 2
		with as_user(OTHER_AGENT), self.assertRaises(frappe.PermissionError):
			api.consent_calls(name)

	def test_without_the_requirement_consent_stays_verbal(self):
		order = draft_with_consent()
		assert order.consent_method == "Verbal"


OTP_SETTINGS = {"require_otp_consent": 1, "otp_expiry_minutes": 10, "otp_max_attempts": 5}


class TestConsentCode(SiteTestCase):
	def run(self, result=None):
		"""Every test of the class with the settings that require a code."""
		with order_settings(**OTP_SETTINGS):
			return super().run(result)

	def test_without_a_verified_code_creation_is_refused(self):
		order = draft_with_consent()
		with as_user(AGENT), self.assertRaises(OtpRequired):
			frappe.get_doc("Manual Order", order.name).submit()

	def test_the_right_code_confirms_consent_by_otp_and_the_order_is_created(self):
		order = draft_with_consent()
		code = send_code(order.name)
		assert verify(order.name, code) == {"verified": True, "consent_method": "Verbal + OTP"}
		with as_user(AGENT):
			doc = frappe.get_doc("Manual Order", order.name)
			doc.submit()
		row = stored(order.name, "docstatus", "consent_method", "consent_otp_verified_at")
		assert row.docstatus == 1 and row.consent_method == "Verbal + OTP" and row.consent_otp_verified_at

	def test_five_wrong_codes_lock_it(self):
		order = draft_with_consent()
		code = send_code(order.name)
		wrong = f"{(int(code) + 1) % 10**6:06d}"
		answers = [verify(order.name, wrong) for _ in range(5)]
		assert [a["attempts_left"] for a in answers] == [4, 3, 2, 1, 0]
		assert not any(a["verified"] for a in answers)
		with self.assertRaises(ConsentCodeRefused) as refused:
			verify(order.name, code)
		assert "locked" in str(refused.exception)
		assert (
			frappe.db.get_value(consent_code.CODE_DOCTYPE, {"manual_order": order.name}, "status")
			== otp.LOCKED
		)

	def test_an_expired_code_is_refused(self):
		order = draft_with_consent()
		code = send_code(order.name)
		code_times(order.name, "expires_at", -1)
		with self.assertRaises(ConsentCodeRefused) as refused:
			verify(order.name, code)
		assert "expired" in str(refused.exception)

	def test_a_code_works_once(self):
		order = draft_with_consent()
		code = send_code(order.name)
		assert verify(order.name, code)["verified"]
		with self.assertRaises(ConsentCodeRefused) as refused:
			verify(order.name, code)
		assert "already used" in str(refused.exception)

	def test_a_code_for_terms_that_changed_is_refused(self):
		order = draft_with_consent()
		code = send_code(order.name)
		with as_user(AGENT):
			doc = frappe.get_doc("Manual Order", order.name)
			doc.variant = "256 GB"
			doc.save()  # consent withdrawn: other terms
			assert not doc.consent_fingerprint
			doc.update(with_consent({}))
			doc.save()  # consent to the new terms
		with self.assertRaises(ConsentCodeRefused) as refused:
			verify(order.name, code)
		assert "other terms" in str(refused.exception)

	def test_changed_terms_void_a_verified_code(self):
		order = draft_with_consent()
		assert verify(order.name, send_code(order.name))["verified"]
		with as_user(AGENT):
			doc = frappe.get_doc("Manual Order", order.name)
			doc.pickup_slot = "11:00 - 13:00"
			doc.update(with_consent({}))
			doc.save()
			doc.update(with_consent({}))
			doc.save()
			assert doc.consent_fingerprint and doc.consent_method == "Verbal"
			with self.assertRaises(OtpRequired):
				doc.submit()

	def test_a_double_click_sends_one_code(self):
		order = draft_with_consent()
		send_code(order.name)
		send_code(order.name)
		assert (
			frappe.db.count(
				"Manual Order Message",
				{"manual_order": order.name, "notification": notifications.CONSENT_CODE_NAME},
			)
			== 1
		)
		assert frappe.db.count(consent_code.CODE_DOCTYPE, {"manual_order": order.name}) == 1

	def test_a_changed_mobile_number_voids_the_code_the_verification_and_the_call(self):
		"""The code went to one phone; the order now names another: nobody there has said yes."""
		call = make_call()
		name = draft_on_call(call)
		record_consent(name)
		assert verify(name, send_code(name))["verified"]
		with as_user(AGENT):
			doc = frappe.get_doc("Manual Order", name)
			doc.mobile_no = "9123456780"
			doc.save()
			assert (doc.consent_fingerprint, doc.consent_method, doc.consent_otp_verified_at) == (
				None,
				None,
				None,
			)
			assert (doc.call_log, doc.call_recording_url) == (None, None)
			doc.update(with_consent({}))
			doc.save()
			with self.assertRaises(OtpRequired):
				doc.submit()

	def test_no_more_than_five_codes_an_hour(self):
		order = draft_with_consent()
		for _ in range(otp.MAX_CODES_PER_HOUR):
			code_times(order.name, "creation", -2)  # each code older than a double click
			send_code(order.name)
		code_times(order.name, "creation", -2)
		with self.assertRaises(ConsentCodeRefused) as refused:
			send_code(order.name)
		assert "last hour" in str(refused.exception)
		# the refused code taken back, whoever catches the refusal: the last one sent still works
		codes = frappe.get_all(consent_code.CODE_DOCTYPE, {"manual_order": order.name}, pluck="status")
		assert len(codes) == otp.MAX_CODES_PER_HOUR and codes.count("Sent") == 1

	def test_a_draft_with_codes_can_be_deleted_and_takes_them_along(self):
		order = draft_with_consent()
		send_code(order.name)
		message = frappe.db.get_value("Manual Order Message", {"manual_order": order.name, "carries_code": 1})
		with as_user(MANAGER):
			frappe.delete_doc("Manual Order", order.name)
		assert not frappe.db.exists(consent_code.CODE_DOCTYPE, {"manual_order": order.name})
		assert not frappe.db.exists("Manual Order Message", message)
		assert not frappe.db.exists("__Auth", {"doctype": "Manual Order Message", "name": message})

	def test_a_new_code_replaces_the_last_one(self):
		order = draft_with_consent()
		first = send_code(order.name)
		code_times(order.name, "creation", -2)
		second = send_code(order.name)
		statuses = frappe.get_all(
			consent_code.CODE_DOCTYPE,
			filters={"manual_order": order.name},
			pluck="status",
			order_by="creation asc",
		)
		assert statuses == [otp.REPLACED, otp.SENT]
		if first != second:
			assert not verify(order.name, first)["verified"]
		assert verify(order.name, second)["verified"]

	def test_no_code_before_consent_and_none_for_another_agents_order(self):
		with as_user(AGENT):
			order = frappe.get_doc(order_values()).insert()
			with self.assertRaises(frappe.ValidationError):
				api.send_consent_otp(order.name)
		order = draft_with_consent()
		with as_user(OTHER_AGENT), self.assertRaises(frappe.PermissionError):
			api.send_consent_otp(order.name)
		with as_user(OTHER_AGENT), self.assertRaises(frappe.PermissionError):
			api.verify_consent_otp(order.name, "123456")

	def test_the_agent_never_reads_the_code(self):
		order = draft_with_consent()
		code = send_code(order.name)
		with as_user(AGENT):
			messages = frappe.get_list(
				"Manual Order Message",
				filters={"manual_order": order.name},
				fields=["message", "carries_code"],
			)
			assert messages and all(code not in (m.message or "") for m in messages)
			assert any("******" in m.message and m.carries_code for m in messages)
			assert not frappe.has_permission(consent_code.CODE_DOCTYPE, "read")
			stored_row = frappe.db.get_value(
				consent_code.CODE_DOCTYPE, {"manual_order": order.name}, "code_hash"
			)
			assert code not in stored_row


class TestCodesAtOnce(SiteTestCase):
	"""Committed data, as concurrent requests need: outside TestConsentCode, whose settings are
	rolled back, not committed."""

	@committed
	def test_agents_asking_for_codes_at_the_same_moment_all_get_one(self):
		"""Issue 25's benchmark found it: two new orders' codes asked for at once deadlocked in
		MariaDB (each locked the index gap the other inserted into) and one agent got a 500."""
		drafts = [draft_with_consent(mobile_no=f"98765400{i:02d}").name for i in range(8)]
		frappe.db.commit()  # nosemgrep: each agent's request sees the drafts
		for _ in range(3):
			errors = run_at_once(
				[lambda name=name: api.send_consent_otp(name) for name in drafts], user=AGENT
			)
			self.assertEqual(errors, [])
			for name in drafts:
				code_times(name, "creation", -2)  # the next round is not a double click
			frappe.db.commit()  # nosemgrep
		for name in drafts:
			statuses = frappe.get_all(consent_code.CODE_DOCTYPE, {"manual_order": name}, pluck="status")
			self.assertEqual(sorted(statuses), ["Replaced", "Replaced", "Sent"], name)

	@committed
	def test_a_read_back_and_a_resend_at_the_same_moment_do_not_deadlock(self):
		"""The customer reads the code back while the agent clicks resend: both queue on the
		order's row (review of issue 25: verify locked the codes first, send the order first)."""
		drafts = [draft_with_consent(mobile_no=f"98765401{i:02d}").name for i in range(6)]
		frappe.db.commit()  # nosemgrep
		codes = {}
		for name in drafts:
			with as_user(AGENT):
				api.send_consent_otp(name)
			codes[name] = code_sent_for(name)
			code_times(name, "creation", -2)  # a resend now is not a double click
		frappe.db.commit()  # nosemgrep
		calls = []
		for name in drafts:
			calls.append(lambda name=name: api.verify_consent_otp(name, codes[name]))
			calls.append(lambda name=name: api.send_consent_otp(name))
		errors = run_at_once(calls, user=AGENT)
		self.assertEqual([e for e in errors if "Deadlock" in e], [])

	@committed
	def test_a_double_click_sends_one_code_even_when_both_clicks_arrive_at_once(self):
		"""Review of issue 25: the second request checked the codes in its snapshot, taken before
		it waited for the order's row, missed the first request's code and sent a second SMS."""
		drafts = [draft_with_consent(mobile_no=f"98765402{i:02d}").name for i in range(4)]
		frappe.db.commit()  # nosemgrep: each agent's request sees the drafts
		clicks = [lambda name=name: api.send_consent_otp(name) for name in drafts for _ in range(2)]
		self.assertEqual(run_at_once(clicks, user=AGENT), [])
		for name in drafts:
			self.assertEqual(frappe.db.count(consent_code.CODE_DOCTYPE, {"manual_order": name}), 1, name)
			self.assertEqual(
				frappe.db.count("Manual Order Message", {"manual_order": name, "carries_code": 1}), 1, name
			)


class TestConsentCodeOverHttp(SiteTestCase):
	"""Committed data (the requests run in their own transactions), so the settings are committed too."""

	@committed
	def test_over_http_the_code_table_and_the_secret_are_closed_to_the_agent(self):
		with order_settings(commit=True, **OTP_SETTINGS):
			self.check_over_http()

	def check_over_http(self):
		order = draft_with_consent()
		code = send_code(order.name)
		frappe.db.commit()  # nosemgrep: the HTTP threads see committed rows
		try:
			agent = Api(AGENT)
			status, _ = agent.get(f"/api/resource/{consent_code.CODE_DOCTYPE}")
			assert status == 403
			message = frappe.db.get_value(
				"Manual Order Message", {"manual_order": order.name, "carries_code": 1}
			)
			status, body = agent.get(f"/api/resource/Manual Order Message/{message}")
			assert status == 200 and "******" in body["data"]["message"] and code not in str(body)
			status, body = agent.post(
				"/api/method/frappe.client.get_password",
				{"doctype": "Manual Order Message", "name": message, "fieldname": outbox.SECRET_FIELD},
			)
			assert status == 403 and code not in str(body)
			status, body = agent.post(
				"/api/method/manual_orders.api.verify_consent_otp", {"order": order.name, "code": code}
			)
			assert status == 200 and body["message"]["verified"]
			frappe.db.rollback()  # a fresh snapshot: the request committed in its own transaction
			assert stored(order.name, "consent_method").consent_method == "Verbal + OTP"
		finally:
			frappe.db.delete(consent_code.CODE_DOCTYPE, {"manual_order": order.name})
			frappe.db.commit()  # nosemgrep


class TestCodeInGatewayErrors(SiteTestCase):
	@committed
	def test_a_gateway_that_quotes_the_text_back_leaves_no_code_in_the_error_agents_read(self):
		from manual_orders.tests.test_messaging import configure

		server = GatewayServer().start()
		self.addCleanup(server.stop)
		configure(server.url)
		server.mode = "echo400"
		with order_settings(commit=True, **OTP_SETTINGS):
			order = draft_with_consent()
			code = send_code(order.name)
			frappe.db.commit()  # nosemgrep: the sender works on committed messages
			message = frappe.db.get_value(
				"Manual Order Message", {"manual_order": order.name, "carries_code": 1}
			)
			outbox.send_one(message)
			frappe.db.delete(consent_code.CODE_DOCTYPE, {"manual_order": order.name})
		assert code in str(server.requests[-1]["query"])  # the gateway did quote it
		with as_user(AGENT):
			[row] = frappe.get_list(
				"Manual Order Message", filters={"name": message}, fields=["status", "last_error", "message"]
			)
		assert row.status == "Failed" and "HTTP 400" in row.last_error
		assert code not in row.last_error and code not in row.message


class TestQuoteValidity(SiteTestCase):
	def test_consent_fixes_the_last_day_and_a_later_pickup_is_refused(self):
		with order_settings(quote_validity_days=2):
			with self.assertRaises(QuoteExpired) as refused:
				draft_with_consent(pickup_date=add_days(nowdate(), 3))
			assert "Re-quote" in str(refused.exception)
			order = draft_with_consent(pickup_date=add_days(nowdate(), 2))
		assert getdate(order.quote_valid_until) == getdate(add_days(nowdate(), 2))

	def test_an_expired_quote_refuses_creation(self):
		with order_settings(quote_validity_days=2):
			order = draft_with_consent()
		frappe.db.set_value("Manual Order", order.name, "quote_valid_until", add_days(nowdate(), -1))
		with as_user(AGENT), self.assertRaises(QuoteExpired):
			frappe.get_doc("Manual Order", order.name).submit()

	def test_quote_expired_is_the_jobs_alone_and_final(self):
		with self.assertRaises(RecordLocked):
			draft_with_consent(outcome="Quote Expired")
		with order_settings(quote_validity_days=2):
			order = draft_with_consent()
		frappe.db.set_value("Manual Order", order.name, "quote_valid_until", add_days(nowdate(), -1))
		quotes.close_expired_quotes()
		for user in (AGENT, MANAGER):
			with as_user(user), self.assertRaises(RecordLocked):
				doc = frappe.get_doc("Manual Order", order.name)
				doc.outcome = ""
				doc.save()
		assert stored(order.name, "outcome").outcome == "Quote Expired"

	def test_the_daily_job_closes_an_expired_draft_once(self):
		lead = make_lead()
		with order_settings(quote_validity_days=2):
			expired = draft_with_consent(lead=lead.name)
			current = draft_with_consent()
		frappe.db.set_value("Manual Order", expired.name, "quote_valid_until", add_days(nowdate(), -1))
		closed = quotes.close_expired_quotes()
		assert expired.name in closed and current.name not in closed
		row = stored(
			expired.name, "outcome", "workflow_state", "lead_lock", "consent_fingerprint", "docstatus"
		)
		assert (row.outcome, row.workflow_state, row.lead_lock, row.consent_fingerprint, row.docstatus) == (
			"Quote Expired",
			"Quote Expired",
			None,
			None,
			0,
		)
		assert frappe.db.get_value("Lead", lead.name, "disposition") == FOLLOW_UP
		comments = frappe.get_all(
			"Comment", filters={"reference_name": expired.name, "content": ("like", "%fresh quote%")}
		)
		assert len(comments) == 1
		assert expired.name not in quotes.close_expired_quotes()
		assert (
			len(
				frappe.get_all(
					"Comment", filters={"reference_name": expired.name, "content": ("like", "%fresh quote%")}
				)
			)
			== 1
		)
		with as_user(AGENT), self.assertRaises(frappe.ValidationError):
			frappe.get_doc("Manual Order", expired.name).submit()


@contextmanager
def notification_values(name: str, commit=False, **values):
	"""A Notification changed behind its form (as a stale or imported record could be), then put back."""
	before = frappe.db.get_value("Notification", name, list(values), as_dict=True)
	frappe.db.set_value("Notification", name, values)
	if commit:
		frappe.db.commit()  # nosemgrep: the sender reads it in its own transaction
	frappe.clear_document_cache("Notification", name)
	try:
		yield
	finally:
		frappe.db.set_value("Notification", name, before)
		if commit:
			frappe.db.commit()  # nosemgrep
		frappe.clear_document_cache("Notification", name)


class TestDlt(SiteTestCase):
	def tearDown(self):
		super().tearDown()
		frappe.clear_document_cache("Notification", notifications.SMS_NAME)

	def test_an_admins_text_that_leaves_the_template_is_refused_on_save_with_the_place(self):
		alert = frappe.get_doc("Notification", notifications.SMS_NAME)
		alert.message = alert.message.replace("is placed", "is booked")
		with self.assertRaises(DltTemplateMismatch) as refused:
			alert.save()
		text = str(refused.exception)
		assert "character 29" in text and '"placed.' in text and '"booked.' in text
		alert.reload()
		alert.message = alert.message.replace("is placed", "is booked")
		alert.dlt_template_text = alert.dlt_template_text.replace("is placed", "is booked")
		alert.save()  # the registered text changed with it

	def test_a_template_id_needs_its_text(self):
		alert = frappe.get_doc("Notification", notifications.SMS_NAME)
		alert.dlt_template_id = "1107170000000000001"
		alert.dlt_template_text = ""
		with self.assertRaises(DltTemplateMismatch):
			alert.save()

	@committed
	def test_the_gateway_receives_the_template_and_entity_ids_under_the_configured_names(self):
		from manual_orders.tests.test_messaging import configure

		server = GatewayServer().start()
		self.addCleanup(server.stop)
		configure(server.url)
		ids = {
			"dlt_template_id": "1107170000000000001",
			"dlt_entity_id": "1101000000000000002",
			"dlt_sender": "QKPICK",
		}
		names = {
			"dlt_template_id_parameter": "DLT_TE_ID",
			"dlt_entity_id_parameter": "PE_ID",
			"dlt_sender_parameter": "header",
		}
		with (
			notification_values(notifications.SMS_NAME, commit=True, **ids),
			order_settings(commit=True, **names),
		):
			order = frappe.get_doc(with_consent(order_values())).insert()
			order.submit()
			frappe.db.commit()  # nosemgrep: messages are sent only after the order commits
			send_due_messages()
		[sms] = [r for r in server.requests if f"order {order.name} is placed" in r["query"].get("text", "")]
		assert (sms["query"]["DLT_TE_ID"], sms["query"]["PE_ID"], sms["query"]["header"]) == (
			"1107170000000000001",
			"1101000000000000002",
			"QKPICK",
		)
		stored_message = frappe.db.get_value(
			"Manual Order Message",
			{"manual_order": order.name, "notification": notifications.SMS_NAME},
			["status", "dlt_template_id"],
			as_dict=True,
		)
		assert stored_message.status == "Sent" and stored_message.dlt_template_id == ids["dlt_template_id"]

	def test_a_message_that_would_be_dropped_is_recorded_failed_with_the_reason(self):
		with (
			notification_values(notifications.SMS_NAME, message="Order {{ doc.name }} done."),
			as_user(AGENT),
		):
			order = frappe.get_doc(with_consent(order_values())).insert()
			order.submit()
		message = frappe.db.get_value(
			"Manual Order Message",
			{"manual_order": order.name, "notification": notifications.SMS_NAME},
			["status", "last_error", "next_attempt_at"],
			as_dict=True,
		)
		assert message.status == "Failed" and "DLT template at character 1" in message.last_error
		assert message.next_attempt_at is None
		failed = frappe.db.get_value(
			"Manual Order Message", {"manual_order": order.name, "notification": notifications.SMS_NAME}
		)
		with as_user(AGENT), self.assertRaises(DltTemplateMismatch):
			api.resend_message(failed)  # it would be dropped again
		assert frappe.db.get_value("Manual Order Message", failed, "status") == "Failed"

	def test_a_consent_code_that_would_be_dropped_is_refused_to_the_agent(self):
		with order_settings(require_otp_consent=1):
			order = draft_with_consent()
			with notification_values(notifications.CONSENT_CODE_NAME, message="Code {{ otp }}"):
				with as_user(AGENT), self.assertRaises(DltTemplateMismatch):
					api.send_consent_otp(order.name)  # the request rolls back: no code stands
