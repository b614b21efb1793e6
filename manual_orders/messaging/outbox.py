"""The durable outbox: every SMS and WhatsApp message is a Manual Order Message record.

A message is recorded in the order's own transaction and sent by a background
job that is enqueued only after that transaction commits, so a rolled-back order
sends nothing and a committed one always has its messages. A failing gateway
never touches the order: the message is retried with exponential backoff
(Manual Order Settings) and marked Failed after the last attempt; an agent can
resend it. The minutely scheduler job picks up every retry that is due.
"""

import copy
import functools
import json
import re
import time

import frappe
from frappe.utils import get_datetime, now_datetime
from frappe.utils.password import get_decrypted_password, set_encrypted_password
from rq.timeouts import BaseTimeoutException

from manual_orders.messaging import channels, gateways, retry, webhook
from manual_orders.settings import get_settings
from manual_orders.shortcuts.db_set import db_set

DOCTYPE = "Manual Order Message"
BATCH_SIZE = 200
# Where the text of a message that carries a consent code is kept, encrypted (Frappe's __Auth).
SECRET_FIELD = "secret_text"


def queue(
	order: str,
	channel: str,
	recipient: str,
	message: str | None = None,
	template: str | None = None,
	language: str | None = None,
	parameters: list | None = None,
	notification: str | None = None,
	secret_message: str | None = None,
	secret_parameters: list | None = None,
	dlt: dict | None = None,
	failure: str | None = None,
) -> str:
	"""Records one message for sending; the caller enqueues the sending after commit.

	`secret_message` / `secret_parameters`: the text as sent when the stored one is masked
	(a consent code), kept encrypted. `failure`: the message can never be delivered as it is
	(it does not fill its DLT template): recorded Failed with the reason, not sent.
	"""
	doc = frappe.get_doc(
		{
			"doctype": DOCTYPE,
			"manual_order": order,
			"channel": channel,
			"recipient": recipient,
			"message": message,
			"template_name": template,
			"template_language": language,
			"template_parameters": json.dumps(parameters or [], ensure_ascii=False),
			"notification": notification,
			"carries_code": int(bool(secret_message or secret_parameters)),
			**(dlt or {}),
			"status": "Failed" if failure else "Queued",
			"attempts": 0,
			"last_error": failure,
			"next_attempt_at": None if failure else now_datetime(),
		}
	)
	doc.flags.ignore_links = True  # the order is the one this transaction is saving
	doc.insert(ignore_permissions=True)
	if doc.carries_code:
		secret = secret_message if secret_message else json.dumps(secret_parameters, ensure_ascii=False)
		set_encrypted_password(DOCTYPE, doc.name, secret, SECRET_FIELD)
	return doc.name


# Sending after commit: one sender on duty for every order. A commit pushes its messages' names
# onto a list in Redis and enqueues a sender only when none is on duty; the one on duty takes
# every name pushed, waits a few seconds for more, and hands over to a new job after a shift.
# So a created order costs no job of its own while orders keep coming (RQ forks a process for
# every job, on the cores gunicorn serves from), and one sender keeps its connections to the
# gateways open. A consent code is read out on a live call: it goes on a list of its own that
# the sender reads before every message, and a sender it has to start goes to the front of
# "short", which a bench's worker takes before "default". (Sent by the request itself, after
# its commit, a gateway timing out held a web worker for every code: with 20 agents, creation's
# p95 went from 2.2 s to 11.6 s.)
PENDING_NAMES = "manual_orders:outbox:pending"
URGENT_NAMES = "manual_orders:outbox:urgent"
SENDER_ON_DUTY = "manual_orders:outbox:sender_on_duty"
# The flag lives this long unless the sender renews it (before every message): a sender lost
# (killed, its job deleted, the queue flushed) is replaced by the first commit after it expires;
# meanwhile the minute's sweep sends what waits.
SENDER_ON_DUTY_SECONDS = 60
SENDER_QUEUE = "short"
SENDER_SHIFT_SECONDS = 20.0  # then the sender hands over to a new job: a worker is not held for ever
SENDER_IDLE_SECONDS = 5.0  # with nothing to send for this long, the sender ends
SENDER_JOB_TIMEOUT = 300  # seconds: a shift, plus one batch with every gateway call timing out
SENDER_BATCH = 10  # names taken from the list at a time


def enqueue_sending(names: list[str], urgent: bool = False) -> None:
	"""Sends these messages in the background once the current transaction commits, `urgent`
	ones (a consent code) before any other.

	Whatever is lost on the way (Redis restarted, a worker killed, a gateway down) stays
	Queued in the database, where the minute's `send_due_messages` finds it.
	"""
	if names:
		frappe.db.after_commit.add(functools.partial(hand_to_sender, list(names), urgent))


def hand_to_sender(names: list[str], urgent: bool = False) -> None:
	"""After commit: the names onto their list, and a sender enqueued if none is on duty.

	Nothing it raises reaches the agent, whose request has committed (an error here would answer
	500 for a saved order and invite a second one): the flag goes, so the next commit enqueues a
	sender, and the minute's sweep sends these meanwhile.
	"""
	cache = frappe.cache
	try:
		pipe = cache.pipeline()  # Redis's own commands: the keys are made here
		pipe.rpush(cache.make_key(URGENT_NAMES if urgent else PENDING_NAMES), *names)
		pipe.set(cache.make_key(SENDER_ON_DUTY), 1, nx=True, ex=SENDER_ON_DUTY_SECONDS)
		_, must_enqueue = pipe.execute()
		if must_enqueue:
			enqueue_a_sender(at_front=urgent)
	except Exception:
		try:
			cache.delete(cache.make_key(SENDER_ON_DUTY))
		except Exception:
			pass  # Redis itself is down: the flag went with it
		frappe.log_error(title="Manual Orders: handing messages to the sender")


def enqueue_a_sender(at_front: bool) -> None:
	"""At the front of "short" when a consent code waits for it, else at the back: with a worker
	that takes only "short" (the Helm chart's), the sender's successors never starve other jobs."""
	frappe.enqueue(
		"manual_orders.messaging.outbox.send_pending",
		queue=SENDER_QUEUE,
		at_front=at_front,
		timeout=SENDER_JOB_TIMEOUT,
	)


def send_pending(
	shift_seconds: float = SENDER_SHIFT_SECONDS, idle_seconds: float = SENDER_IDLE_SECONDS
) -> dict:
	"""Background job, the sender on duty: sends every name pushed, consent codes first, until
	nothing came for `idle_seconds` or its shift is over.

	Before it ends it says it is off duty, so a commit after that enqueues the next sender, and
	hands what is still on the lists to a new one: nothing pushed is left behind.
	"""
	cache = frappe.cache
	on_duty = cache.make_key(SENDER_ON_DUTY)
	end_of_shift = time.monotonic() + shift_seconds
	results, names = {}, []
	try:
		with channels.Connections() as connections:
			while time.monotonic() < end_of_shift and (names := next_names(idle_seconds)):
				connections.read_settings_again_if_old()
				while names and time.monotonic() < end_of_shift:
					for code in renew_duty_and_take_urgent(on_duty):
						results[code] = send_one_of_many(code, connections)
					name = names.pop(0)
					results[name] = send_one_of_many(name, connections)
	finally:
		hand_over(on_duty, unsent=names)
	return results


def hand_over(on_duty: str, unsent: list[str]) -> None:
	"""Off duty, so the next commit enqueues a sender: the names taken and not sent (the shift
	ended mid-batch, or an error) go back to the front of the pending list, and a sender is enqueued
	now if names are waiting, unless a commit just did. Whatever this fails to do, the minute's
	sweep finds in MariaDB."""
	cache = frappe.cache
	pipe = cache.pipeline()
	if unsent:
		pipe.lpush(cache.make_key(PENDING_NAMES), *reversed(unsent))
	pipe.delete(on_duty)
	pipe.llen(cache.make_key(URGENT_NAMES))
	pipe.llen(cache.make_key(PENDING_NAMES))
	*_, urgent, pending = pipe.execute()
	if (urgent or pending) and cache.set(on_duty, 1, nx=True, ex=SENDER_ON_DUTY_SECONDS):
		enqueue_a_sender(at_front=bool(urgent))


def next_names(wait_seconds: float) -> list[str]:
	"""The next names to send, consent codes first, waiting up to `wait_seconds` for one."""
	cache = frappe.cache
	lists = [cache.make_key(URGENT_NAMES), cache.make_key(PENDING_NAMES)]
	pipe = cache.pipeline()
	for key in lists:
		pipe.lpop(key, SENDER_BATCH)
	urgent, pending = pipe.execute()
	if names := (urgent or []) + (pending or []):
		return decoded(names)
	if wait_seconds > 0 and (popped := cache.blpop(lists, timeout=wait_seconds)):
		return decoded([popped[1]])
	return []


def renew_duty_and_take_urgent(on_duty: str) -> list[str]:
	"""Before each message, in one round trip: the flag renewed, and any consent code pushed."""
	cache = frappe.cache
	pipe = cache.pipeline()
	pipe.set(on_duty, 1, ex=SENDER_ON_DUTY_SECONDS)
	pipe.lpop(cache.make_key(URGENT_NAMES), SENDER_BATCH)
	_, codes = pipe.execute()
	return decoded(codes or [])


def decoded(names: list) -> list[str]:
	return [n.decode() if isinstance(n, bytes) else n for n in names]


def send_one_of_many(name: str, connections=None) -> str:
	"""One message of a batch: what fails it (an admin's hook on the message, a lock timeout)
	leaves it Queued for the sweep and the batch goes on."""
	try:
		return send_one(name, connections=connections)
	except BaseTimeoutException:
		raise  # RQ's job timeout: the job ends (its `finally` hands the names over)
	except Exception:
		frappe.db.rollback()
		frappe.log_error(title=f"Manual Orders: sending message {name}")
		frappe.db.commit()  # nosemgrep: the log, and no snapshot left open for the next message
		return "Error"


def send_messages(names: list[str] | None = None, now=None) -> dict:
	"""Sends the named messages that are due, over one set of gateway connections."""
	results = {}
	with channels.Connections() as connections:
		for name in names or []:
			results[name] = send_one(name, now, connections)
	return results


def send_due_messages(now=None) -> dict:
	"""Scheduler job (every minute): sends every queued message whose next attempt is due."""
	now = get_datetime(now) if now else now_datetime()
	names = frappe.get_all(
		DOCTYPE,
		filters={"status": "Queued", "next_attempt_at": ("<=", now)},
		order_by="next_attempt_at asc",
		limit=BATCH_SIZE,
		pluck="name",
	)
	return send_messages(names, now)


def send_one(name: str, now=None, connections=None) -> str:
	"""Sends one queued, due message at most once at a time; returns its status afterwards.

	The message row stays locked while the gateway is called, so two workers never
	send it twice; each message commits on its own, so one failure touches no other.
	"""
	now = get_datetime(now) if now else now_datetime()
	row = frappe.db.sql(
		f"select * from `tab{DOCTYPE}` where name = %s and status = 'Queued' and next_attempt_at <= %s "
		"for update skip locked",
		(name, now),
		as_dict=True,
	)
	if not row:
		frappe.db.rollback()
		status = frappe.db.get_value(DOCTYPE, name, "status") or "Missing"
		# no snapshot left open: a long sender's next message would read its code (`__Auth`)
		# as it was at this moment, and find none
		frappe.db.rollback()
		return status
	# the locked row is the message: no second read (`db_set` runs its hooks on this document)
	message = frappe.get_doc({"doctype": DOCTYPE, **row[0]})
	# what it was before this send, for the hooks `db_set` runs: a copy, not a second read
	message._doc_before_save = copy.copy(message)
	secret = secret_text(message)
	try:
		if message.carries_code and not secret:
			raise gateways.GatewayError("the code's text is missing: not sent masked", retryable=False)
		provider_id = channels.deliver(message, secret, connections)
	except gateways.GatewayError as error:
		record_failure(message, error, now, code_secrets(secret))
	else:
		record_success(message, provider_id, now)
	frappe.db.commit()  # nosemgrep: each message is its own unit of work in this background job
	return message.status


def secret_text(message) -> str | None:
	return (
		get_decrypted_password(DOCTYPE, message.name, SECRET_FIELD, False) if message.carries_code else None
	)


def code_secrets(secret: str | None) -> list[str]:
	"""What a gateway's error must not carry into `last_error` (which agents read): the text as
	sent and every number in it, the code among them."""
	return [secret, *re.findall(r"\d{4,}", secret)] if secret else []


def record_success(message, provider_id: str, now) -> None:
	db_set(
		message,
		{
			"status": "Sent",
			"attempts": (message.attempts or 0) + 1,
			"provider_message_id": provider_id or None,
			"sent_at": now,
			"last_error": None,
			"next_attempt_at": None,
		},
	)


def record_failure(message, error: gateways.GatewayError, now, secrets: list[str] | None = None) -> None:
	settings = get_settings()
	attempts = (message.attempts or 0) + 1
	failed = not error.retryable or retry.gives_up(attempts, settings["message_max_attempts"])
	db_set(
		message,
		{
			"status": "Failed" if failed else "Queued",
			"attempts": attempts,
			"last_error": gateways.redact(str(error), sorted(secrets or [], key=len, reverse=True))[:1000],
			"next_attempt_at": None
			if failed
			else retry.next_attempt_at(now, attempts, settings["message_retry_seconds"]),
		},
	)


def resend(name: str) -> None:
	"""An agent's resend: the message goes back to the queue with a fresh count of attempts.

	The earlier send's provider id is forgotten, so a late status for it cannot mark
	the new send delivered.
	"""
	frappe.db.set_value(
		DOCTYPE,
		name,
		{
			"status": "Queued",
			"attempts": 0,
			"next_attempt_at": now_datetime(),
			"last_error": None,
			"provider_message_id": None,
			"sent_at": None,
			"delivered_at": None,
		},
	)
	enqueue_sending([name])


def apply_status_updates(updates: list[webhook.StatusUpdate]) -> dict:
	"""Delivery callbacks: unknown ids and repeats are skipped, never raised."""
	counts = {"updated": 0, "ignored": 0}
	for update in updates:
		row = frappe.db.get_value(
			DOCTYPE, {"provider_message_id": update.message_id}, ["name", "status"], as_dict=True
		)
		if not row or not webhook.moves_forward(row.status, update.status):
			counts["ignored"] += 1
			continue
		values = {"status": update.status}
		if update.status in ("Delivered", "Read"):
			values["delivered_at"] = now_datetime()
		if update.status == "Failed":
			values["last_error"] = update.error or "failed (reported by WhatsApp)"
		frappe.db.set_value(DOCTYPE, row.name, values)
		counts["updated"] += 1
	return counts
