"""SOP §6 by SMS and WhatsApp: the outbox against a real HTTP server on 127.0.0.1.

Nothing is patched: the app's own code calls `requests`, which talks to the
GatewayServer these tests start, through the SMS Settings and Manual Order
WhatsApp Settings records pointed at it.
"""

import copy
import hashlib
import hmac
import json
import os
import socket
import subprocess

import frappe
from frappe.utils import add_to_date, now_datetime
from frappe.utils.background_jobs import get_queue, get_queue_list
from frappe.utils.password import encrypt

from manual_orders.messaging import channels, outbox
from manual_orders.messaging.tests.gateway_server import GatewayServer
from manual_orders.setup import notifications
from manual_orders.tests.utils import (
	AGENT,
	MANAGER,
	Api,
	SiteTestCase,
	as_user,
	delete_orders,
	frappe_command,
	order_values,
	send_due_messages,
	with_consent,
)

SMS_KEY = "sms-key-SECRET-4242"
TOKEN = "EAAG-wa-token-SECRET-1717"
APP_SECRET = "app-secret-SECRET-99"
VERIFY = "verify-me-123"


def configure(url: str, timeout: int = 2) -> None:
	sms = frappe.get_single("SMS Settings")
	sms.sms_gateway_url = url + "/sms"
	sms.message_parameter = "text"
	sms.receiver_parameter = "to"
	sms.use_post = 0
	sms.set("parameters", [{"parameter": "apikey", "value": SMS_KEY}])
	sms.save()
	wa = frappe.get_single("Manual Order WhatsApp Settings")
	wa.update(
		{
			"enabled": 1,
			"api_base_url": url + "/v19.0",
			"phone_number_id": "1055",
			"access_token": TOKEN,
			"app_secret": APP_SECRET,
			"verify_token": VERIFY,
			"default_language": "en",
		}
	)
	wa.save()
	settings = frappe.get_single("Manual Order Settings")
	settings.update(
		{"message_max_attempts": 4, "message_retry_seconds": 60, "gateway_timeout_seconds": timeout}
	)
	settings.save()
	frappe.db.commit()  # nosemgrep: settings are read by the sender in its own transactions


def run_a_worker_once() -> None:
	"""A real RQ worker on the queues a bench's first worker takes ("short", then "default"),
	until they are empty."""
	sites_path = os.path.abspath(os.environ.get("SITES_PATH", "."))
	subprocess.run(
		frappe_command("worker", "--queue", "short,default", "--burst", "--quiet"),
		cwd=sites_path,
		env={**os.environ, "SITES_PATH": sites_path},
		check=True,
		timeout=300,
		capture_output=True,
	)


def sending_jobs(method: str) -> list:
	"""This site's queued jobs running `method` (outbox.send_pending or outbox.send_messages)."""
	return [
		(name, job)
		for name in get_queue_list()
		for job in get_queue(name).get_jobs()
		if (job.kwargs or {}).get("site") == frappe.local.site
		and (job.kwargs or {}).get("method") == f"manual_orders.messaging.outbox.{method}"
	]


def no_sender_waiting() -> None:
	"""What earlier runs left: their queued senders, the pending names, the flag."""
	for _, job in sending_jobs("send_pending"):
		job.delete()
	for key in (outbox.PENDING_NAMES, outbox.URGENT_NAMES, outbox.SENDER_ON_DUTY):
		frappe.cache.delete(frappe.cache.make_key(key))


def closed_port_url() -> str:
	with socket.socket() as s:
		s.bind(("127.0.0.1", 0))
		return f"http://127.0.0.1:{s.getsockname()[1]}"


def created_order(**overrides) -> str:
	order = frappe.get_doc(with_consent(order_values(**overrides))).insert()
	order.submit()
	return order.name


def created_and_sent(**overrides) -> str:
	"""An order created and committed, and one pass of the sender over what is due."""
	name = created_order(**overrides)
	frappe.db.commit()  # nosemgrep: messages are sent only after the order commits
	send_due_messages()
	return name


def forget_cached_notifications(*names: str) -> None:
	"""After a rollback: the Notification list and records Frappe cached during the test."""
	frappe.cache.hdel("notifications", "Manual Order")
	for name in names:
		frappe.clear_document_cache("Notification", name)


def messages_of(order: str) -> list[dict]:
	"""The order's Order ID messages (SMS, then WhatsApp); the partner-assigned ones are left out."""
	from manual_orders.setup.notifications import SMS_NAME, WHATSAPP_NAME

	return frappe.get_all(
		"Manual Order Message",
		filters={"manual_order": order, "notification": ("in", [SMS_NAME, WHATSAPP_NAME])},
		fields=[
			"name",
			"channel",
			"recipient",
			"status",
			"attempts",
			"last_error",
			"provider_message_id",
			"message",
			"sent_at",
		],
		order_by="channel asc",
	)


def later(minutes: int):
	return add_to_date(now_datetime(), minutes=minutes)


def sign(body: bytes, secret=APP_SECRET) -> str:
	return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def callback(*statuses) -> bytes:
	return json.dumps({"entry": [{"changes": [{"value": {"statuses": list(statuses)}}]}]}).encode()


WEBHOOK = "/api/method/manual_orders.api.whatsapp_webhook"


DOCTYPE = outbox.DOCTYPE


def a_hook_that_fails(doc, method=None):
	"""Another app's doc_events hook on the message that raises (`test_a_failing_hook_…`)."""
	raise frappe.ValidationError("a hook on the message failed")


def another_request_writes_the_code(message: str, text: str) -> None:
	"""The code's stored text replaced from a connection of its own, committed: as another
	request would (the sender's own connection must not see it through an old snapshot)."""
	import pymysql

	conf = frappe.conf
	connection = pymysql.connect(
		host=conf.db_host or "127.0.0.1",
		port=int(conf.db_port or 3306),
		user=conf.db_user or conf.db_name,
		password=conf.db_password,
		database=conf.db_name,
	)
	try:
		with connection.cursor() as cursor:
			cursor.execute(
				"update `__Auth` set `password` = %s where doctype = %s and name = %s and fieldname = %s",
				(encrypt(text), DOCTYPE, message, outbox.SECRET_FIELD),
			)
		connection.commit()
	finally:
		connection.close()


class TestMessaging(SiteTestCase):
	"""These tests commit (the sender works on committed messages); each removes the orders it made."""

	def setUp(self):
		super().setUp()
		self.orders_before = set(frappe.get_all("Manual Order", pluck="name"))

	def tearDown(self):
		frappe.db.rollback()
		delete_orders(set(frappe.get_all("Manual Order", pluck="name")) - self.orders_before)
		frappe.db.commit()  # nosemgrep: undoing what the test committed
		super().tearDown()

	def start_gateway(self) -> GatewayServer:
		"""A GatewayServer on 127.0.0.1 that the settings point at, stopped after the test."""
		server = GatewayServer().start()
		self.addCleanup(server.stop)
		configure(server.url)
		return server

	def test_order_id_goes_out_by_sms_and_whatsapp(self):
		gateway = self.start_gateway()
		name = created_order(whatsapp_no="9900112233")
		frappe.db.commit()  # nosemgrep: messages are sent only after the order commits
		queued = messages_of(name)
		assert [(m.channel, m.recipient, m.status) for m in queued] == [
			("SMS", "+919876543210", "Queued"),
			("WhatsApp", "+919900112233", "Queued"),
		]
		send_due_messages()
		sent = messages_of(name)
		assert [m.status for m in sent] == ["Sent", "Sent"]
		assert all(m.provider_message_id and m.attempts == 1 for m in sent)
		texts = {m.message for m in sent}
		mine = [
			r
			for r in gateway.requests
			if r["query"].get("text") in texts
			or (name in r["body"] and notifications.WHATSAPP_TEMPLATE in r["body"])
		]
		sms, whatsapp = sorted(mine, key=lambda r: r["path"])
		assert sms["query"]["apikey"] == SMS_KEY and sms["query"]["to"] == "+919876543210"
		assert name in sms["query"]["text"] and "09:00 - 11:00" in sms["query"]["text"]
		for step in ("vendor", "inspected at pickup", "paid instantly"):
			assert step in sms["query"]["text"]
		body = json.loads(whatsapp["body"])
		assert body["template"]["name"] == "manual_order_created"
		assert name in [p["text"] for p in body["template"]["components"][0]["parameters"]]

	def test_a_rolled_back_order_sends_nothing(self):
		gateway = self.start_gateway()
		name = created_order()
		assert messages_of(name)
		frappe.db.rollback()
		assert messages_of(name) == []
		send_due_messages(later(1))
		assert not any(name in r["query"].get("text", "") for r in gateway.requests)

	def test_gateway_down_for_a_batch_then_back_delivers_each_exactly_once(self):
		gateway = self.start_gateway()
		configure(closed_port_url())
		names = [created_order(mobile_no=f"98765432{i:02d}") for i in range(5)]
		frappe.db.commit()  # nosemgrep: the orders are created whatever the gateway does
		send_due_messages()
		for name in names:
			sms = messages_of(name)[0]
			assert (sms.status, sms.attempts) == ("Queued", 1)
			assert "unreachable" in sms.last_error and SMS_KEY not in sms.last_error
		assert frappe.db.count("Manual Order", {"name": ("in", names), "docstatus": 1}) == 5
		configure(gateway.url)
		send_due_messages(later(0))  # not due yet: backoff
		assert not [r for r in gateway.requests if any(n in r["query"].get("text", "") for n in names)]
		send_due_messages(later(2))
		send_due_messages(later(30))
		texts = [r["query"]["text"] for r in gateway.accepted() if r["path"] == "/sms"]
		for name in names:
			sms = messages_of(name)[0]
			assert sms.status == "Sent"
			assert texts.count(sms.message) == 1

	def test_errors_are_retried_then_failed_and_an_agent_can_resend(self):
		gateway = self.start_gateway()
		gateway.mode = "error500"
		frappe.set_user(AGENT)
		name = created_order()
		frappe.set_user("Administrator")
		frappe.db.commit()  # nosemgrep
		for minutes in (0, 2, 5, 10):
			send_due_messages(later(minutes))
		sms = messages_of(name)[0]
		assert (sms.status, sms.attempts) == ("Failed", 4)
		assert "HTTP 500" in sms.last_error
		gateway.mode = "ok"
		frappe.set_user(AGENT)
		from manual_orders.api import resend_message

		assert resend_message(sms.name) == "Queued"
		frappe.set_user("Administrator")
		frappe.db.commit()  # nosemgrep
		send_due_messages(later(1))
		assert messages_of(name)[0].status == "Sent"

	def test_a_permanent_error_fails_at_once(self):
		gateway = self.start_gateway()
		gateway.mode = "error400"
		name = created_and_sent()
		assert {m.status for m in messages_of(name)} == {"Failed"}

	def test_a_slow_gateway_times_out_and_is_retried(self):
		gateway = self.start_gateway()
		configure(gateway.url, timeout=1)
		gateway.mode, gateway.delay = "slow", 2.5
		name = created_and_sent()
		sms = messages_of(name)[0]
		assert sms.status == "Queued" and "timed out" in sms.last_error
		gateway.mode = "ok"
		send_due_messages(later(2))
		assert messages_of(name)[0].status == "Sent"

	def test_secrets_never_reach_records_or_logs(self):
		gateway = self.start_gateway()
		gateway.mode = "error500"
		name = created_and_sent()
		stored = json.dumps(frappe.get_all("Manual Order Message", fields=["*"]), default=str)
		logs = json.dumps(frappe.get_all("Error Log", fields=["error"], limit=50), default=str)
		for secret in (SMS_KEY, TOKEN, APP_SECRET):
			assert secret not in stored and secret not in logs
		assert name

	def test_webhook_handshake(self):
		self.start_gateway()
		guest = Api(None)
		status, body = guest.get(
			f"{WEBHOOK}?hub.mode=subscribe&hub.verify_token={VERIFY}&hub.challenge=12345"
		)
		assert (status, body) == (200, 12345)  # the challenge echoed as plain text
		status, _ = guest.get(f"{WEBHOOK}?hub.mode=subscribe&hub.verify_token=wrong&hub.challenge=12345")
		assert status == 403

	def test_webhook_statuses_signed_repeated_and_unknown(self):
		self.start_gateway()
		name = created_and_sent(whatsapp_no="9900112233")
		wamid = messages_of(name)[1].provider_message_id
		guest = Api(None)

		bad = callback({"id": wamid, "status": "delivered"})
		status, _ = guest.request(
			"POST", WEBHOOK, data=bad, headers={"X-Hub-Signature-256": sign(bad, "forged")}
		)
		assert status == 403
		frappe.db.rollback()
		assert messages_of(name)[1].status == "Sent"

		batch = callback(
			{"id": "wamid.UNKNOWN", "status": "delivered"},
			{"id": wamid, "status": "delivered"},
			{"id": wamid, "status": "delivered"},
		)
		status, body = guest.request(
			"POST",
			WEBHOOK,
			data=batch,
			headers={"X-Hub-Signature-256": sign(batch), "Content-Type": "application/json"},
		)
		assert status == 200, body
		assert body["message"] == {"updated": 1, "ignored": 2}
		frappe.db.rollback()
		assert messages_of(name)[1].status == "Delivered"

		read = callback({"id": wamid, "status": "read"})
		guest.request("POST", WEBHOOK, data=read, headers={"X-Hub-Signature-256": sign(read)})
		late = callback({"id": wamid, "status": "delivered"})
		guest.request("POST", WEBHOOK, data=late, headers={"X-Hub-Signature-256": sign(late)})
		frappe.db.rollback()
		assert messages_of(name)[1].status == "Read"

	def test_whatsapp_notifications_on_other_doctypes_send_nothing_and_others_are_untouched(self):
		from frappe.email.doctype.notification.notification import Notification

		from manual_orders.messaging.notifications import ManualOrdersNotification

		assert issubclass(ManualOrdersNotification, Notification)
		doc = frappe.get_doc("Notification", "Manual Order Created - SMS")
		assert isinstance(doc, ManualOrdersNotification)

	def test_an_admins_edit_of_a_notification_reaches_the_next_order(self):
		"""The order's Notifications come from Frappe's document cache (no round trip per save):
		an admin's save of one clears it, so the next order carries the new text, or nothing."""
		from manual_orders.setup.notifications import PARTNER_SMS_NAME, SMS_NAME

		created_order()  # the Notifications are in the cache now
		# The edits are rolled back after the test; Redis keeps what was read meanwhile.
		self.addCleanup(forget_cached_notifications, SMS_NAME, PARTNER_SMS_NAME)
		sms = frappe.get_doc("Notification", SMS_NAME)
		sms.message = "Order {{ doc.name }} booked for {{ doc.pickup_slot }}."
		sms.dlt_template_text = "Order {#var#} booked for {#var#}."  # as registered on DLT
		sms.save()
		partner_sms = frappe.get_doc("Notification", PARTNER_SMS_NAME)
		partner_sms.enabled = 0
		partner_sms.save()
		name = created_order()
		texts = {
			m.notification: m.message
			for m in frappe.get_all(
				"Manual Order Message", filters={"manual_order": name}, fields=["notification", "message"]
			)
		}
		assert texts[SMS_NAME] == f"Order {name} booked for 09:00 - 11:00."
		assert PARTNER_SMS_NAME not in texts

	def test_many_orders_share_one_sending_job_and_a_consent_code_goes_ahead_of_them(self):
		"""Issue 25: a created order costs at most one background job (RQ forks a process for
		each); orders committed while a sender is on duty add their messages to it. A consent
		code, read out on a live call, goes on a list the sender reads before every message, and
		the sender's job is at the front of "short", which a bench's worker takes before
		"default": the code reaches the gateway before the Order IDs queued first."""
		from manual_orders import api
		from manual_orders.tests.test_consent_evidence import draft_with_consent

		gateway = self.start_gateway()
		no_sender_waiting()
		names = []
		for i in range(3):
			names.append(created_order(mobile_no=f"99887755{i:02d}", whatsapp_no=""))
			frappe.db.commit()  # nosemgrep: each order its own request and commit
		[(queue, _)] = sending_jobs("send_pending")
		self.assertEqual(queue, "short")  # behind other short jobs: a code is not waiting for it
		draft = draft_with_consent(mobile_no="9988775599")
		with as_user(AGENT):
			api.send_consent_otp(draft.name)
		frappe.db.commit()  # nosemgrep
		[code_message] = frappe.get_all(
			"Manual Order Message",
			filters={"manual_order": draft.name, "notification": notifications.CONSENT_CODE_NAME},
			pluck="name",
		)
		self.assertEqual(
			outbox.decoded(frappe.cache.lrange(outbox.URGENT_NAMES, 0, -1)),  # the wrapper makes the key
			[code_message],
		)
		self.assertEqual(len(sending_jobs("send_pending")), 1)  # still the one: no job for the code
		self.assertFalse(
			[job for _, job in sending_jobs("send_messages") if code_message in job.kwargs["kwargs"]["names"]]
		)

		run_a_worker_once()
		frappe.db.rollback()  # a fresh snapshot: the worker committed
		code = frappe.get_all(
			"Manual Order Message",
			filters={"manual_order": draft.name, "notification": notifications.CONSENT_CODE_NAME},
			fields=["status", "sent_at"],
		)
		self.assertEqual([c.status for c in code], ["Sent"])
		order_ids = [m for name in names for m in messages_of(name)]
		self.assertEqual({m.status for m in order_ids}, {"Sent"})
		self.assertLess(code[0].sent_at, min(m.sent_at for m in order_ids))
		accepted = [r["query"].get("text") for r in gateway.accepted()]
		for message in order_ids:
			if message.channel == "SMS":
				self.assertEqual(accepted.count(message.message), 1)  # once
		self.assertEqual(sending_jobs("send_pending"), [])

	def test_a_sender_ends_when_nothing_waits_and_goes_off_duty(self):
		"""Called in the caller's own process (a console, a test), the sender sends what was
		pushed, ends at once when nothing more is, and says it is off duty."""
		self.start_gateway()
		no_sender_waiting()
		name = created_order(mobile_no="9988775601", whatsapp_no="")
		frappe.db.commit()  # nosemgrep: the commit pushes the names
		results = outbox.send_pending(idle_seconds=0)
		self.assertEqual({results[m.name] for m in messages_of(name)}, {"Sent"})
		self.assertIsNone(frappe.cache.get(frappe.cache.make_key(outbox.SENDER_ON_DUTY)))  # off duty
		no_sender_waiting()

	def test_a_sender_leaves_no_snapshot_open_and_never_sends_a_code_masked(self):
		"""A long sender must not keep a snapshot between messages: a code's text written after it
		by another request would be read as it was. After a message it finds already sent, the next
		code goes out with the text another connection wrote meanwhile. A code whose text is
		missing is recorded Failed, never sent as its masked text."""
		gateway = self.start_gateway()
		name = created_order(mobile_no="9988775603", whatsapp_no="")
		code = outbox.queue(name, "SMS", "+919988775603", message="Code ******", secret_message="Code 1111")
		frappe.db.commit()  # nosemgrep: the sender works on committed messages
		[sms] = [m for m in messages_of(name) if m.name != code][:1]
		self.assertEqual(outbox.send_one(sms.name), "Sent")
		self.assertEqual(outbox.send_one(sms.name), "Sent")  # already sent: nothing locked
		another_request_writes_the_code(code, "Code 2222")
		self.assertEqual(outbox.send_one(code), "Sent")
		texts = [r["query"].get("text") for r in gateway.accepted()]
		self.assertIn("Code 2222", texts)
		self.assertNotIn("Code 1111", texts)
		masked = outbox.queue(name, "SMS", "+919988775603", message="Your code is ******")
		frappe.db.set_value(DOCTYPE, masked, "carries_code", 1)  # its text never stored
		frappe.db.commit()  # nosemgrep
		self.assertEqual(outbox.send_one(masked), "Failed")
		self.assertIn("not sent masked", frappe.db.get_value(DOCTYPE, masked, "last_error"))
		self.assertNotIn("Your code is ******", [r["query"].get("text") for r in gateway.requests])

	def test_a_failing_hook_on_the_message_keeps_its_outcome(self):
		"""Another app's hook on the message that raises when its status changes: the message has
		reached the gateway, so its outcome is written (Sent, once) and the failure logged; with
		Frappe's own `db_set` it stayed Queued and was sent again every minute."""
		gateway = self.start_gateway()
		name = created_order(mobile_no="9988775604", whatsapp_no="")
		frappe.db.commit()  # nosemgrep: the sender works on committed messages
		[sms] = messages_of(name)[:1]
		hooks = copy.deepcopy(frappe.get_doc_hooks())  # Frappe's per-request copy of doc_events
		hooks.setdefault(DOCTYPE, {}).setdefault("on_change", []).append(
			"manual_orders.tests.test_messaging.a_hook_that_fails"
		)
		frappe.local.doc_events_hooks = hooks
		try:
			self.assertEqual(outbox.send_one(sms.name), "Sent")
		finally:
			del frappe.local.doc_events_hooks  # Frappe builds it again from the apps' hooks
		self.assertEqual(frappe.db.get_value(DOCTYPE, sms.name, "status"), "Sent")
		send_due_messages(later(120))  # the sweep: nothing left to send
		texts = [r["query"].get("text") for r in gateway.accepted()]
		self.assertEqual(texts.count(sms.message), 1)
		self.assertTrue(
			frappe.db.exists("Error Log", {"method": ("like", f"%{sms.name} failed; its outcome kept")})
		)

	def test_a_sender_on_duty_reads_a_changed_gateway_within_seconds(self):
		"""An admin points SMS Settings at another gateway while a sender is on duty: the sender's
		next batch after `SETTINGS_SECONDS` goes to the new one."""
		first = self.start_gateway()
		second = GatewayServer().start()
		self.addCleanup(second.stop)
		names = [created_order(mobile_no=f"99887756{i:02d}", whatsapp_no="") for i in range(2)]
		frappe.db.commit()  # nosemgrep: the sender works on committed messages
		one, two = (messages_of(name)[0].name for name in names)
		with channels.Connections() as connections:
			self.assertEqual(outbox.send_one(one, connections=connections), "Sent")
			configure(second.url)
			frappe.db.commit()  # nosemgrep: an admin's save, from another request
			connections.settings_read_at -= channels.Connections.SETTINGS_SECONDS  # seconds pass
			connections.read_settings_again_if_old()
			self.assertEqual(outbox.send_one(two, connections=connections), "Sent")
		texts = {name: messages_of(name)[0].message for name in names}
		self.assertEqual([r["query"]["text"] for r in first.accepted()].count(texts[names[0]]), 1)
		self.assertEqual([r["query"]["text"] for r in second.accepted()], [texts[names[1]]])

	def test_a_send_runs_an_admins_value_change_notification_on_the_message(self):
		"""The sender writes a send's outcome in one plain UPDATE (`shortcuts/db_set.py`) and keeps
		what Frappe's `db_set` runs around it: an admin's Notification on the message's status
		fires, with the status before and after; the modified stamp moves."""
		self.start_gateway()
		# Frappe makes a System Notification's log in a job unless in a test (its runner's flag;
		# pytest's run has it unset): here at once, under either runner
		self.addCleanup(setattr, frappe.flags, "in_test", frappe.flags.in_test)
		frappe.flags.in_test = True
		alert = frappe.get_doc(
			{
				"doctype": "Notification",
				"name": "Test Message Status Changed",
				"subject": "Message {{ doc.name }} is now {{ doc.status }}",
				"document_type": "Manual Order Message",
				"event": "Value Change",
				"value_changed": "status",
				"channel": "System Notification",
				"recipients": [{"cc": frappe.db.get_value("User", "Administrator", "email")}],
				"enabled": 1,
			}
		).insert(ignore_permissions=True, ignore_if_duplicate=True)
		self.addCleanup(
			lambda: (frappe.delete_doc("Notification", alert.name, force=True), frappe.db.commit())
		)
		name = created_order(mobile_no="9988775602", whatsapp_no="")
		frappe.db.commit()  # nosemgrep: the sender works on committed messages
		[message] = messages_of(name)[:1]
		before = frappe.db.get_value("Manual Order Message", message.name, "modified")
		self.assertEqual(outbox.send_one(message.name), "Sent")
		stored = frappe.db.get_value(
			"Manual Order Message", message.name, ["status", "modified"], as_dict=True
		)
		self.assertEqual(stored.status, "Sent")
		self.assertGreater(stored.modified, before)
		logs = frappe.get_all("Notification Log", filters={"document_name": message.name}, pluck="subject")
		self.assertEqual(logs, [f"Message {message.name} is now Sent"])

	def test_clearing_the_cache_keeps_the_names_to_send_and_the_refusal_counts(self):
		"""`frappe.clear_cache()` (every `bench migrate`, an admin's "Reload") deletes the site's
		Redis keys but the ones apps declare persistent: the outbox's lists and flag, and the
		refusal counts not yet flushed, are work, not a cache."""
		from manual_orders import accountability

		no_sender_waiting()
		cache = frappe.cache
		keys = [
			cache.make_key(key)
			for key in (
				outbox.PENDING_NAMES,
				outbox.URGENT_NAMES,
				outbox.SENDER_ON_DUTY,
				accountability.REFUSALS_KEY,
			)
		]
		field = "test|clear-cache|rule"  # one count of the hash, not the real ones a site holds
		self.addCleanup(lambda: cache.pipeline().delete(*keys[:3]).hdel(keys[3], field).execute())
		pipe = cache.pipeline()  # Redis's own commands (the wrapper's would make the keys twice)
		pipe.hdel(keys[3], field)
		pipe.rpush(keys[0], "a-name-to-send")
		pipe.rpush(keys[1], "a-code-to-send")
		pipe.set(keys[2], 1, ex=60)
		pipe.hincrby(keys[3], field, 1)
		pipe.execute()
		frappe.clear_cache()
		self.assertEqual(outbox.decoded(cache.lrange(outbox.PENDING_NAMES, 0, -1)), ["a-name-to-send"])
		self.assertEqual(outbox.decoded(cache.lrange(outbox.URGENT_NAMES, 0, -1)), ["a-code-to-send"])
		self.assertTrue(cache.exists(outbox.SENDER_ON_DUTY))  # the wrapper makes the key
		self.assertEqual(cache.pipeline().hget(keys[3], field).execute(), [b"1"])

	def test_a_code_with_no_sender_on_duty_calls_one_to_the_front_of_short(self):
		"""A consent code committed while no sender is on duty enqueues one at the front of
		"short", ahead of whatever else waits there."""
		from manual_orders import api
		from manual_orders.tests.test_consent_evidence import draft_with_consent

		self.start_gateway()
		no_sender_waiting()
		draft = draft_with_consent(mobile_no="9988775598")
		with as_user(AGENT):
			api.send_consent_otp(draft.name)
		frappe.db.commit()  # nosemgrep: the commit hands the code to a sender
		[(queue, sender)] = sending_jobs("send_pending")
		self.assertEqual(queue, "short")
		self.assertEqual(get_queue("short").get_job_ids()[0], sender.id)  # at the front
		no_sender_waiting()

	def test_messages_wait_for_a_stopped_worker_and_go_out_once_when_it_starts(self):
		"""No worker runs while the orders are created; a real RQ worker started afterwards sends each once."""
		gateway = self.start_gateway()
		no_sender_waiting()  # earlier runs' leftovers: their flag would keep this commit's sender away
		names = [created_order(mobile_no=f"99887766{i:02d}", whatsapp_no="") for i in range(3)]
		frappe.db.commit()  # nosemgrep: commit enqueues the sending jobs
		for name in names:
			assert {m.status for m in messages_of(name)} == {"Queued"}
		assert not [r for r in gateway.requests if any(n in r["query"].get("text", "") for n in names)]
		run_a_worker_once()
		frappe.db.rollback()  # a fresh snapshot: the worker committed
		accepted = gateway.accepted()
		for name in names:
			messages = messages_of(name)
			assert [(m.channel, m.status) for m in messages] == [("SMS", "Sent"), ("WhatsApp", "Sent")]
			sms_text = messages[0].message
			assert sum(r["query"].get("text") == sms_text for r in accepted) == 1  # the SMS, once
			template = notifications.WHATSAPP_TEMPLATE
			assert sum(name in r["body"] and template in r["body"] for r in accepted) == 1  # once

	def test_a_device_type_added_in_the_desk_takes_orders_end_to_end(self):
		"""An admin adds Smartwatch through the desk's API; an agent's order for it is created and messaged.

		Names of the test's own: a site with history may have its own Smartwatch already.
		"""
		gateway = self.start_gateway()
		manager, added = Api(MANAGER), []
		suffix = frappe.generate_hash(length=6)
		device_type, model = f"Smartwatch {suffix}", f"Galaxy Watch 6 {suffix}"

		def post(doctype, values):
			status, body = manager.post(f"/api/resource/{doctype}", values)
			assert status == 200, body
			added.append((doctype, body["data"]["name"]))
			return body["data"]

		pincode = "560001"
		status, body = manager.get(f"/api/resource/Serviceable Pincode/{pincode}")
		served = [row["device_type"] for row in body["data"]["device_types"]]
		try:
			post("Device Type", {"device_type_name": device_type, "enabled": 1})
			post(
				"Device Model",
				{
					"model_name": model,
					"brand": "Samsung",
					"device_type": device_type,
					"variants": [{"variant_name": "44 mm LTE", "base_price": 9000}],
				},
			)
			question = post(
				"Condition Question",
				{
					"question": "Strap and sensors working?",
					"device_type": device_type,
					"enabled": 1,
					"answers": [
						{"answer": "Yes", "deduction_percent": 0},
						{"answer": "No", "deduction_percent": 25},
					],
				},
			)
			status, body = manager.put(
				f"/api/resource/Serviceable Pincode/{pincode}",
				{"device_types": [{"device_type": t} for t in [*served, device_type]]},
			)
			assert status == 200, body
			order = with_consent(
				order_values(
					device_type=device_type,
					brand="Samsung",
					device_model=model,
					variant="44 mm LTE",
					conditions=[{"question": question["name"], "answer": "No"}],
					accessories=[],
				)
			)
			status, body = Api(AGENT).post("/api/resource/Manual Order", order)
			assert status == 200, body
			added.append(("Manual Order", body["data"]["name"]))
			assert body["data"]["estimated_price"] == 6750
			status, body = Api(AGENT).post("/api/method/frappe.client.submit", {"doc": body["data"]})
			assert status == 200, body
			frappe.db.rollback()
			send_due_messages()
			name = added[-1][1]
			assert [m.status for m in messages_of(name)] == ["Sent", "Sent"]
			assert any(name in r["query"].get("text", "") for r in gateway.requests)
		finally:
			frappe.db.rollback()
			manager.put(
				f"/api/resource/Serviceable Pincode/{pincode}",
				{"device_types": [{"device_type": t} for t in served]},
			)
			for doctype, name in reversed(added):
				if doctype == "Manual Order":
					delete_orders([name])
				else:
					frappe.delete_doc(doctype, name, force=True, ignore_permissions=True)
			frappe.db.commit()  # nosemgrep

	def test_the_next_steps_have_one_source(self):
		"""SOP §6: the desk, the SMS and the WhatsApp parameters say the next steps of sop/texts.py."""
		from frappe.desk.form.load import getdoc

		from manual_orders.setup.notifications import SMS_NAME, WHATSAPP_NAME
		from manual_orders.sop import texts

		steps = texts.next_steps()
		name = created_order()
		sms = frappe.get_doc("Notification", SMS_NAME)
		whatsapp = frappe.get_doc("Notification", WHATSAPP_NAME)
		order = frappe.get_doc("Manual Order", name)
		rendered_sms = frappe.render_template(sms.message, {"doc": order})
		parameters = frappe.render_template(whatsapp.message, {"doc": order}).splitlines()
		frappe.local.response = frappe._dict(docs=[])
		getdoc("Manual Order", name)
		desk = frappe.response.docs[0].get("__onload")["next_steps"]
		assert desk == steps
		assert parameters[-3:] == steps
		assert rendered_sms == texts.order_created_message(
			name, frappe.utils.formatdate(order.pickup_date), order.pickup_slot
		)
		for step in steps:
			assert step in rendered_sms
		stored = [m.message for m in messages_of(name) if m.channel == "SMS"]
		assert stored == [rendered_sms]
