"""RazorpayX payout webhooks: the signature, and the events the app acts on.

`X-Razorpay-Signature` is the hex HMAC-SHA256 of the raw body with the webhook secret. Events
may come late, out of order and more than once; `payouts.next_status` decides what each one
still changes. A malformed body is None, never an exception. Plain Python, no Frappe.
"""

import hashlib
import hmac
import json
from dataclasses import dataclass

from manual_orders.messaging.webhook import secrets_match

EVENTS = ("payout.processed", "payout.reversed", "payout.failed", "payout.rejected", "payout.updated")


def signature_is_valid(secret: str, raw_body: bytes, header: str | None) -> bool:
	"""Constant time; a header with any characters at all answers False, never raises."""
	if not secret or not header:
		return False
	expected = hmac.new(secret.encode(), raw_body, hashlib.sha256).hexdigest()
	return secrets_match(expected, header)


def sign(secret: str, raw_body: bytes) -> str:
	return hmac.new(secret.encode(), raw_body, hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class PayoutEvent:
	event_id: str
	event: str
	payout_id: str
	reference_id: str | None
	status: str
	amount_paise: int | None
	utr: str | None
	failure_reason: str | None


def parse_event(raw_body: bytes) -> PayoutEvent | None:
	try:
		body = json.loads(raw_body)
		event = body["event"]
		entity = body["payload"]["payout"]["entity"]
	except (ValueError, KeyError, TypeError):
		return None
	if event not in EVENTS or not isinstance(entity, dict) or not entity.get("id"):
		return None
	amount = entity.get("amount")
	status = entity.get("status") or event.removeprefix("payout.")
	failure = (
		(entity.get("status_details") or {}).get("description")
		if isinstance(entity.get("status_details"), dict)
		else None
	)
	return PayoutEvent(
		event_id=hashlib.sha256(raw_body).hexdigest(),
		event=event,
		payout_id=str(entity["id"]),
		reference_id=entity.get("reference_id"),
		status=str(status),
		amount_paise=amount if isinstance(amount, int) and not isinstance(amount, bool) else None,
		utr=entity.get("utr") or None,
		failure_reason=failure or entity.get("failure_reason") or None,
	)
