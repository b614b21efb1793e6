"""The WhatsApp Cloud API's delivery callbacks: signature check and status updates."""

import hashlib
import hmac
import json
from dataclasses import dataclass

# Only ever move forward: a late "sent" never undoes a "read".
STATUS_RANK = {"Queued": 0, "Sent": 1, "Delivered": 2, "Read": 3, "Failed": 4}
PROVIDER_STATUS = {"sent": "Sent", "delivered": "Delivered", "read": "Read", "failed": "Failed"}


def secrets_match(expected: str | None, given: str | None) -> bool:
	"""Constant-time comparison that never raises, whatever characters the caller sent.

	`hmac.compare_digest` raises on non-ASCII `str`; a traceback would carry the expected
	secret into the Error Log. Bytes compare safely.
	"""
	if not expected or not isinstance(given, str):
		return False
	return hmac.compare_digest(expected.encode("utf-8"), given.encode("utf-8", "surrogatepass"))


def signature_is_valid(app_secret: str, raw_body: bytes, header: str | None) -> bool:
	"""`X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the raw body with the app secret>`."""
	if not app_secret or not header or not header.startswith("sha256="):
		return False
	expected = hmac.new(app_secret.encode(), raw_body, hashlib.sha256).hexdigest()
	return secrets_match(expected, header.removeprefix("sha256="))


@dataclass(frozen=True)
class StatusUpdate:
	message_id: str
	status: str
	error: str = ""


def parse_statuses(raw_body: bytes) -> list[StatusUpdate]:
	"""Every status in a callback; malformed parts are skipped, never raised."""
	try:
		payload = json.loads(raw_body or b"{}")
	except ValueError:
		return []
	updates = []
	for entry in _list(payload, "entry"):
		for change in _list(entry, "changes"):
			value = change.get("value") if isinstance(change, dict) else None
			for status in _list(value, "statuses"):
				if not isinstance(status, dict):
					continue
				mapped = PROVIDER_STATUS.get(str(status.get("status", "")).lower())
				if not mapped or not status.get("id"):
					continue
				errors = status.get("errors") or []
				error = ""
				if errors and isinstance(errors[0], dict):
					error = str(
						errors[0].get("title") or errors[0].get("message") or errors[0].get("code") or ""
					)
				updates.append(StatusUpdate(str(status["id"]), mapped, error[:500]))
	return updates


def _list(container, key) -> list:
	value = container.get(key) if isinstance(container, dict) else None
	return value if isinstance(value, list) else []


def moves_forward(current: str, new: str) -> bool:
	return STATUS_RANK.get(new, -1) > STATUS_RANK.get(current, -1)
