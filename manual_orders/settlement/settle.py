"""SOP §6 "instant payment at pickup": a picked-up device is booked and its seller paid, once.

1. `book`: the Supplier, the Item, the Purchase Invoice (stock in under the serial number) and
   one **Manual Order Payout** (Queued), in the order's row lock: a second worker finds it.
2. `send`: the payout API is called under the payout's row lock (`SKIP LOCKED`: a second
   worker leaves it), with an idempotency key derived from the order and the attempt, the same
   on every retry. After a timeout or a 5xx the next try asks the provider first.
3. What the provider said (its answer, a webhook) is recorded as a **Manual Order Payout
   Event** and committed before anything acts on it; events are applied in order of rank, so a
   late or repeated one changes nothing (`payouts.next_status`).
4. `finish`: on *Processed*, ERPNext's Payment Entry (the UTR as its reference), the customer's
   "paid" message, and the destination masked on the order and its versions.
"""

import json
from contextlib import contextmanager

import frappe
from frappe import _
from frappe.utils import now_datetime
from frappe.utils.password import get_decrypted_password, get_encryption_key

from manual_orders.consent_evidence import code as codes
from manual_orders.exceptions import OfferNotAccepted, PayoutRefused, throw_violations
from manual_orders.settings import get_settings
from manual_orders.settlement import books, payouts
from manual_orders.settlement import razorpayx as provider
from manual_orders.settlement import webhook as provider_webhook
from manual_orders.setup.notifications import (
	DESTINATION_CODE_METHOD,
	DESTINATION_CODE_NAME,
	PAYOUT_PAID_METHOD,
)
from manual_orders.shortcuts import notifications
from manual_orders.sop import formats, offers, otp, rules

PAYOUT = "Manual Order Payout"
EVENT = "Manual Order Payout Event"
QUEUE = "default"


def after_pickup(order) -> None:
	"""Picked Up: settlement runs after the partner's request commits, in a job of its own."""
	frappe.enqueue(
		"manual_orders.settlement.settle.settle",
		queue=QUEUE,
		order=order.name,
		enqueue_after_commit=True,
		job_id=f"manual_orders:settle:{order.name}",
		deduplicate=True,
	)


def settle(order: str) -> str | None:
	"""The scheduler's and the job's entry: book what is missing, then pay through the API."""
	name = book(order)
	frappe.db.commit()  # nosemgrep: the books stand before any money moves
	if name and books.settings().payouts_enabled:
		send(name)
	return name


@contextmanager
def as_the_books():
	"""ERPNext's documents are made by the system, whoever triggered it (a partner's Picked Up,
	the signed webhook as Guest, a manager's UTR): ERPNext checks Account and Supplier read
	permissions those users need not have. Who did it is on the payout and its events."""
	user = frappe.session.user
	frappe.set_user("Administrator")
	try:
		yield
	finally:
		frappe.set_user(user)


# 1. The books


def book(order_name: str) -> str:
	"""The Purchase Invoice and the Queued payout, once per order, whoever runs it."""
	order = frappe.get_doc("Manual Order", order_name, for_update=True)
	existing = frappe.db.get_value(PAYOUT, {"manual_order": order.name}, "name", for_update=True)
	if existing:
		return existing
	check_bought(order)
	books.check_books_configured()
	final = accepted_price(order)
	serial = serial_no(order)
	with as_the_books():
		supplier = books.supplier_for(order)
		invoice = books.purchase_invoice(order, supplier, books.item_for(order.device_model), final, serial)
	payout = frappe.get_doc(
		{
			"doctype": PAYOUT,
			"manual_order": order.name,
			"status": payouts.QUEUED,
			"amount": final,
			"amount_paise": final * 100,
			"currency": "INR",
			"method": order.payment_method,
			"destination": destination_of(order),
			"destination_masked": payouts.mask_destination(destination_of(order)),
			"ifsc_code": order.ifsc_code if order.payment_method == "Bank Transfer" else None,
			"pickup_city": order.city,
			"pickup_partner": order.pickup_partner,
			"supplier": supplier,
			"purchase_invoice": invoice,
			"serial_no": serial,
			"attempt": 1,
			"idempotency_key": payouts.idempotency_key(order.name, 1),
		}
	)
	payout.flags.server_write = True
	payout.insert(ignore_permissions=True)
	return payout.name


def check_bought(order) -> None:
	if order.docstatus != 1 or order.pickup_status != "Picked Up":
		frappe.throw(
			_("Order {0} is not picked up; only a picked-up device is paid for.").format(order.name),
			exc=PayoutRefused,
		)


def accepted_price(order) -> int:
	"""The final price the customer said yes to at the door (SOP §6), in whole rupees."""
	row = frappe.db.get_value(
		"Pickup Inspection", {"attempt_key": order.name}, ["offer_status", "final_price"], as_dict=True
	)
	if not row or row.offer_status not in offers.BOUGHT:
		frappe.throw(_("Order {0} has no accepted offer to pay.").format(order.name), exc=PayoutRefused)
	return int(row.final_price)


def serial_no(order) -> str:
	"""The IMEI recorded at pickup, else the serial number the inspection recorded."""
	number = order.imei or frappe.db.get_value("Pickup Inspection", {"attempt_key": order.name}, "serial_no")
	if not number:
		frappe.throw(
			_("Order {0}: neither an IMEI nor a serial number was recorded at the door.").format(order.name),
			exc=PayoutRefused,
		)
	return number


def destination_of(order) -> str:
	return order.upi_id if order.payment_method == "UPI" else order.bank_account_number


# 2. The payout API


def send(name: str) -> str:
	"""Calls the provider for a Queued payout, holding its row; another worker skips it."""
	row = frappe.db.sql(
		f"select name, status from `tab{PAYOUT}` where name = %s for update skip locked", name, as_dict=True
	)
	if not row or row[0].status != payouts.QUEUED:
		return row[0].status if row else "busy"
	payout = frappe.get_doc(PAYOUT, name)
	asked_before = bool(payout.calls)
	# In flight from here on: the call is on record before it is made, so a manager's manual UTR
	# is refused while it may be paying (the row's lock ends with this commit)
	frappe.db.set_value(PAYOUT, name, "calls", (payout.calls or 0) + 1, update_modified=False)
	frappe.db.commit()  # nosemgrep
	try:
		answer = provider.pay(client(), **payout_request(payout), lookup_first=asked_before)
	except provider.PayoutUnknown as unknown:  # a timeout or a 5xx: ask before any new try
		return note_call(payout, str(unknown))
	except provider.PayoutRejected as rejected:
		record_event(payout.name, "API", "payout.rejected", {"error": str(rejected)}, status="rejected")
		return apply(payout.name, "rejected", error=str(rejected))
	record_event(payout.name, "API", f"payout.{answer.status}", answer.raw, answer=answer)
	return apply(payout.name, answer.status, answer=answer)


def client() -> provider.PayoutClient:
	config = books.settings()
	return provider.PayoutClient(
		base_url=config.api_base_url,
		key_id=config.key_id,
		key_secret=config.get_password("key_secret", raise_exception=False) or "",
		account_number=config.account_number,
		timeout=float(config.timeout_seconds or 10),
	)


def payout_request(payout) -> dict:
	order = frappe.db.get_value(
		"Manual Order", payout.manual_order, ["customer_name", "mobile_no"], as_dict=True
	)
	destination = get_decrypted_password(PAYOUT, payout.name, "destination", raise_exception=False)
	is_upi = payout.method == "UPI"
	return {
		"name": order.customer_name,
		"contact": order.mobile_no,
		"reference_id": payout.idempotency_key,
		"idempotency_key": payout.idempotency_key,
		"amount_paise": int(payout.amount_paise),
		"upi_id": destination if is_upi else None,
		"bank_account": None if is_upi else destination,
		"ifsc": None if is_upi else payout.ifsc_code,
		"mode": "UPI" if is_upi else (books.settings().bank_mode or "IMPS"),
		"narration": f"Buyback {payout.manual_order}"[:30],
	}


def note_call(payout, error: str) -> str:
	"""The provider may or may not have the payout: the next try asks it first."""
	frappe.db.set_value(PAYOUT, payout.name, "last_error", error[:500], update_modified=False)
	frappe.db.commit()  # nosemgrep: the call is on record whatever happens next
	return payouts.QUEUED


# 3. What the provider said


def record_event(payout: str | None, source: str, event: str, body, answer=None, status=None, event_id=None):
	"""Kept as received, committed before it is acted on; a repeated event id records nothing."""
	doc = frappe.get_doc(
		{
			"doctype": EVENT,
			"payout": payout,
			"source": source,
			"event_id": event_id or f"{source}:{frappe.generate_hash(length=20)}",
			"event": event,
			"provider_status": status or (answer.status if answer else None),
			"provider_payout_id": answer.id if answer else None,
			"utr": answer.utr if answer else None,
			"amount_paise": answer.amount_paise if answer else None,
			"body": body if isinstance(body, str) else json.dumps(body, default=str)[:100000],
		}
	)
	doc.flags.server_write = True
	frappe.db.savepoint("payout_event")
	try:
		doc.insert(ignore_permissions=True)
	except (frappe.DuplicateEntryError, frappe.UniqueValidationError):
		frappe.db.rollback(save_point="payout_event")
		stored = frappe.db.get_value(EVENT, {"event_id": doc.event_id}, ["name", "result"], as_dict=True)
		return None if not stored or stored.result else stored.name  # not applied yet: again
	frappe.db.commit()  # nosemgrep: what the provider said is on record before anything acts on it
	return doc.name


def mark_applied(event: str | None, result: str) -> None:
	if event:
		frappe.db.set_value(EVENT, event, "result", result[:140], update_modified=False)


def apply(name: str, provider_status: str, answer=None, error: str | None = None) -> str:
	"""Moves the payout as the provider says, never backwards; Processed finishes the settlement."""
	payout = frappe.get_doc(PAYOUT, name, for_update=True)
	new = payouts.next_status(payout.status, provider_status)
	changes = {}
	if answer:
		changes.update(
			provider_payout_id=answer.id or payout.provider_payout_id, utr=answer.utr or payout.utr
		)
		if answer.amount_paise is not None:
			changes["provider_amount_paise"] = int(answer.amount_paise)
		if answer.amount_paise is not None and int(answer.amount_paise) != int(payout.amount_paise):
			changes["last_error"] = _("The provider paid {0} paise; the payout is {1} paise.").format(
				answer.amount_paise, payout.amount_paise
			)
	if error:
		changes["last_error"] = error[:500]
	if new:
		changes["status"] = new
	payout.update(changes)
	payout.flags.server_write = True
	payout.save(ignore_permissions=True)
	if new == payouts.PROCESSED and amount_agrees(payout):
		finish(payout)
	elif new == payouts.REVERSED:
		reverse(payout)
	frappe.db.commit()  # nosemgrep: a webhook or a job: its own transaction
	return payout.status


def amount_agrees(payout) -> bool:
	"""A payout the provider made for another amount is not booked as paid: it waits for a person
	(`last_error`; report Buy-back Settlement lists it)."""
	return payout.provider_amount_paise in (None, 0) or int(payout.provider_amount_paise) == int(
		payout.amount_paise
	)


# 4. Paid


def finish(payout) -> None:
	"""ERPNext's Payment Entry with the UTR, the customer's message, the destination masked."""
	if not payout.payment_entry:
		with as_the_books():
			entry = books.payment_entry(payout.purchase_invoice, payout.utr)
		payout.db_set({"payment_entry": entry, "processed_at": now_datetime()}, update_modified=False)
	order = frappe.get_doc("Manual Order", payout.manual_order)
	order.flags.message_context = {"paid_amount": formats.format_inr(payout.amount), "utr": payout.utr}
	notifications.run_notifications(order, PAYOUT_PAID_METHOD)
	mask_order(order, payout)


def reverse(payout) -> None:
	"""The bank sent the money back: the invoice is unpaid again and the payout waits for a manager."""
	if payout.payment_entry:
		with as_the_books():
			books.cancel_payment_entry(payout.payment_entry)
	payout.db_set({"reversed_at": now_datetime(), "payment_entry": None}, update_modified=False)
	frappe.get_doc("Manual Order", payout.manual_order).add_comment(
		"Info", _("Payout {0} was reversed by the bank; a manager retries it.").format(payout.name)
	)


def mask_order(order, payout) -> None:
	"""After the payout only the last 4 characters stay on the order and in its versions: the
	destination agreed at consent, and a corrected one the payout went to."""
	paid_to = get_decrypted_password(PAYOUT, payout.name, "destination", raise_exception=False) or ""
	values = {value for value in (order.upi_id, order.bank_account_number, paid_to) if value}
	values = {value for value in values if not value.startswith(payouts.MASK)}
	for field in ("upi_id", "bank_account_number"):
		if order.get(field) in values:
			masked = payouts.mask_destination(order.get(field))
			frappe.db.set_value("Manual Order", order.name, field, masked, update_modified=False)
	for version in frappe.get_all(
		"Version", filters={"ref_doctype": "Manual Order", "docname": order.name}, fields=["name", "data"]
	):
		data = version.data or ""
		for value in values:
			data = data.replace(value, payouts.mask_destination(value))
		if data != version.data:
			frappe.db.set_value("Version", version.name, "data", data)


# The managers' paths


def retry(order: str) -> str:
	"""A reversed or failed payout, again to the same destination, under a new idempotency key."""
	name = frappe.db.get_value(PAYOUT, {"manual_order": order}, "name", for_update=True)
	if not name:
		frappe.throw(_("Order {0} has no payout to retry.").format(order), exc=PayoutRefused)
	payout = frappe.get_doc(PAYOUT, name, for_update=True)
	if payout.status not in (payouts.FAILED, payouts.REVERSED):
		frappe.throw(
			_("Payout {0} is {1}; only a failed or reversed payout is retried.").format(
				payout.name, _(payout.status)
			),
			exc=PayoutRefused,
		)
	attempt = (payout.attempt or 1) + 1
	earlier = " ".join(filter(None, [payout.previous_payout_ids, payout.provider_payout_id]))
	payout.update(
		{
			"previous_payout_ids": earlier or None,
			"status": payouts.QUEUED,
			"attempt": attempt,
			"idempotency_key": payouts.idempotency_key(order, attempt),
			"provider_payout_id": None,
			"utr": None,
			"calls": 0,
			"last_error": None,
		}
	)
	payout.flags.server_write = True
	payout.save(ignore_permissions=True)
	return payout.name


# A corrected destination: the customer's own yes, by a code to their mobile number


def destination_fingerprint(payout: str, method: str, destination: str, ifsc: str | None) -> str:
	import hashlib

	return hashlib.sha256(f"{payout}\n{method}\n{destination}\n{ifsc or ''}".encode()).hexdigest()


def corrected_destination(
	method: str, upi_id=None, bank_account=None, ifsc=None
) -> tuple[str, str, str | None]:
	"""The new destination, normalised and checked as at consent (SOP §4E)."""
	throw_violations(rules.check_payment(method, upi_id, bank_account, ifsc))
	if method == "UPI":
		return method, formats.normalise_upi_id(upi_id), None
	return method, formats.normalise_bank_account(bank_account), formats.normalise_ifsc(ifsc)


def retryable_payout(order: str):
	name = frappe.db.get_value(PAYOUT, {"manual_order": order}, "name", for_update=True)
	payout = frappe.get_doc(PAYOUT, name, for_update=True) if name else None
	if not payout or payout.status not in (payouts.FAILED, payouts.REVERSED):
		frappe.throw(
			_("Order {0}: only a failed or reversed payout goes to a corrected destination.").format(order),
			exc=PayoutRefused,
		)
	return payout


def send_destination_code(order: str, method: str, upi_id=None, bank_account=None, ifsc=None) -> dict:
	"""A code to the customer's mobile number, bound to the corrected destination it confirms."""
	payout = retryable_payout(order)
	method, destination, ifsc = corrected_destination(method, upi_id, bank_account, ifsc)
	fingerprint = destination_fingerprint(payout.name, method, destination, ifsc)
	code = otp.new_code()
	minutes = get_settings()["otp_expiry_minutes"]
	key = get_encryption_key()
	record, _last, sent = codes.insert_code(
		order, fingerprint, otp.code_hash(key, payout.name, fingerprint, code), minutes, payout=payout.name
	)
	codes.refuse_over_the_limit(otp.check_send_rate(sent))
	codes.keep_only(record)
	doc = frappe.get_doc("Manual Order", order)
	doc.flags.consent_code = {
		"otp": code,
		"otp_minutes": minutes,
		"new_destination": payouts.mask_destination(destination),
	}
	doc.flags.outbox_messages = []
	notifications.run_notifications(doc, DESTINATION_CODE_METHOD)
	if not doc.flags.outbox_messages:  # no code reached the outbox: the working one stays working
		frappe.throw(
			_(
				"No enabled SMS Notification sends the payout destination code (event Method, method {0}); ask an admin to enable {1}."
			).format(DESTINATION_CODE_METHOD, DESTINATION_CODE_NAME)
		)
	return {"sent": True, "expires_at": record.expires_at}


def retry_to_corrected_destination(
	order: str, code: str, method: str, upi_id=None, bank_account=None, ifsc=None
) -> str:
	"""The customer read back the code for this destination: the next attempt goes there."""
	payout = retryable_payout(order)
	method, destination, ifsc = corrected_destination(method, upi_id, bank_account, ifsc)
	fingerprint = destination_fingerprint(payout.name, method, destination, ifsc)
	row = codes.last_code(order, for_update=True, payout=payout.name)
	key = get_encryption_key()
	verdict = otp.judge(
		codes.as_sent_code(row),
		code,
		fingerprint,
		lambda entered: otp.code_hash(key, payout.name, fingerprint, entered),
		now_datetime(),
		get_settings()["otp_max_attempts"],
	)
	if verdict.counts_attempt:
		codes.count_attempt(row, verdict)
		frappe.db.commit()  # nosemgrep: a wrong attempt counts whatever the answer
	if not verdict.verified:
		frappe.throw(offers.code_violation(verdict.violations[0]).render(_), exc=OfferNotAccepted)
	codes.mark_verified(row, now_datetime())
	payout.update(
		{
			"method": method,
			"destination": destination,
			"destination_masked": payouts.mask_destination(destination),
			"ifsc_code": ifsc,
		}
	)
	payout.flags.server_write = True
	payout.save(ignore_permissions=True)
	return retry(order)


def record_manual_utr(order: str, utr: str) -> str:
	"""No gateway (or a transfer made by hand): a manager's recorded UTR settles the payout."""
	utr = formats.text(utr).upper()
	if not utr or not utr.isalnum() or not (12 <= len(utr) <= 22) or not utr.isascii():
		frappe.throw(
			_("UTR: enter the bank's 12 to 22 letter-and-digit reference of the transfer."),
			exc=PayoutRefused,
		)
	name = book(order)
	payout = frappe.get_doc(PAYOUT, name, for_update=True)
	if payout.status not in (payouts.QUEUED, payouts.FAILED, payouts.REVERSED) or (
		payout.status == payouts.QUEUED and payout.calls
	):
		frappe.throw(
			_("Payout {0} is {1} with the payout API; it cannot be recorded as a manual transfer.").format(
				payout.name, _(payout.status)
			),
			exc=PayoutRefused,
		)
	if frappe.db.get_value("Purchase Invoice", payout.purchase_invoice, "docstatus") != 1:
		frappe.throw(
			_(
				"Payout {0}: its Purchase Invoice {1} is not submitted; finance books the device first."
			).format(payout.name, payout.purchase_invoice),
			exc=PayoutRefused,
		)
	record_event(payout.name, "Manual", "manual.transfer", {"utr": utr, "by": frappe.session.user})
	payout = frappe.get_doc(PAYOUT, name, for_update=True)
	payout.update({"status": payouts.PROCESSED, "utr": utr, "recorded_by": frappe.session.user})
	payout.flags.server_write = True
	payout.save(ignore_permissions=True)
	finish(payout)
	return payout.name


def retry_unsettled() -> None:
	"""Every 5 minutes: picked-up orders not booked yet, and payouts whose last call had no answer."""
	if not frappe.db.get_single_value(books.SETTINGS, "company"):
		return
	for order in frappe.db.sql_list(
		f"""select o.name from `tabManual Order` o
		join `tabPickup Inspection` i on i.attempt_key = o.name and i.offer_status in %s
		left join `tab{PAYOUT}` p on p.manual_order = o.name
		where o.docstatus = 1 and o.pickup_status = 'Picked Up' and p.name is null limit 100""",
		(offers.BOUGHT,),
	):  # bought at the door (orders picked up before the inspection existed are not paid here)
		try_settle(order)
	if books.settings().payouts_enabled:
		for name in frappe.get_all(PAYOUT, filters={"status": payouts.QUEUED}, pluck="name", limit=100):
			send(name)
	apply_recorded_events()


def try_settle(order: str) -> None:
	try:
		settle(order)
	except Exception:
		frappe.db.rollback()
		frappe.log_error(title=_("Settlement of {0}").format(order))


def apply_webhook(raw_body: bytes, event_id: str | None) -> dict:
	"""A signed webhook: recorded as received, then applied once; repeats and late ones change nothing."""
	event = provider_webhook.parse_event(raw_body)
	if event is None:
		return {"status": "ignored"}
	payout = frappe.db.get_value(PAYOUT, {"provider_payout_id": event.payout_id}, "name") or (
		frappe.db.get_value(PAYOUT, {"idempotency_key": event.reference_id}, "name")
		if event.reference_id
		else None
	)
	earlier = None if payout else earlier_attempt(event.payout_id)
	answer = frappe._dict(
		id=event.payout_id, status=event.status, utr=event.utr, amount_paise=event.amount_paise
	)
	recorded = record_event(
		payout or earlier,
		"Webhook",
		event.event,
		raw_body.decode("utf-8", "replace"),
		answer=answer,
		event_id=event_id or event.event_id,
	)
	if not recorded:
		return {"status": "duplicate"}
	if earlier:
		return {"status": flag_earlier_attempt(earlier, recorded, event)}
	if not payout:
		mark_applied(recorded, "unknown payout")
		return {"status": "unknown payout"}
	status = apply(payout, event.status, answer=answer, error=event.failure_reason or None)
	mark_applied(recorded, f"applied: {status}")
	frappe.db.commit()  # nosemgrep
	return {"status": status}


def earlier_attempt(provider_payout_id: str) -> str | None:
	"""The payout whose earlier attempt (failed or reversed, then retried) the provider names."""
	if not provider_payout_id:
		return None
	rows = frappe.db.sql(
		f"select name from `tab{PAYOUT}` where concat(' ', previous_payout_ids, ' ') like %s limit 1",
		(f"% {provider_payout_id} %",),
	)
	return rows[0][0] if rows else None


def flag_earlier_attempt(payout: str, event_name: str, event) -> str:
	"""An earlier attempt moving after a retry (a "processed" after "failed": the money left) is for
	a person to look at before anything else is paid; it changes no status."""
	if event.status == "processed":
		frappe.db.set_value(
			PAYOUT,
			payout,
			"last_error",
			_(
				"The provider processed the earlier attempt {0} (UTR {1}) after it was retried: check before paying again."
			).format(event.payout_id, event.utr or "-"),
			update_modified=False,
		)
	mark_applied(event_name, "earlier attempt")
	frappe.db.commit()  # nosemgrep
	return "earlier attempt"


def apply_recorded_events() -> None:
	"""Webhook events recorded but not applied (the apply failed: a lock, an error), applied again."""
	for event in frappe.get_all(
		EVENT,
		filters={"source": "Webhook", "result": ("is", "not set"), "payout": ("is", "set")},
		fields=["name", "body", "event_id"],
		limit=100,
	):
		try:
			apply_webhook((event.body or "").encode(), event.event_id)
		except Exception:
			frappe.db.rollback()
			frappe.log_error(title=_("Payout event {0}").format(event.name))
