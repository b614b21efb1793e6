import hashlib
import hmac
import json
from datetime import datetime

from manual_orders.messaging.retry import gives_up, next_attempt_at
from manual_orders.messaging.webhook import moves_forward, parse_statuses, secrets_match, signature_is_valid

SECRET = "app-secret"


def sign(body: bytes, secret=SECRET) -> str:
	return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def callback(*statuses) -> bytes:
	return json.dumps(
		{
			"object": "whatsapp_business_account",
			"entry": [{"changes": [{"value": {"statuses": list(statuses)}}]}],
		}
	).encode()


def test_signature():
	body = callback({"id": "wamid.1", "status": "delivered"})
	assert signature_is_valid(SECRET, body, sign(body))
	assert not signature_is_valid(SECRET, body, sign(body, "other"))
	assert not signature_is_valid(SECRET, body + b" ", sign(body))
	assert not signature_is_valid(SECRET, body, None)


def test_non_ascii_tokens_and_signatures_are_refused_without_raising():
	body = callback({"id": "wamid.1", "status": "delivered"})
	assert not signature_is_valid(SECRET, body, "sha256=\u00fc\u00fc")
	assert not signature_is_valid(SECRET, body, "sha256=\ud800")
	assert not secrets_match("verify-me", "v\u00e9rify-me")
	assert not secrets_match("verify-me", None)
	assert not secrets_match("", "")
	assert secrets_match("v\u00e9rify", "v\u00e9rify")
	assert not signature_is_valid("", body, sign(body, ""))
	assert not signature_is_valid(SECRET, body, "md5=abc")


def test_parse_statuses_skips_malformed_parts():
	body = callback(
		{"id": "wamid.1", "status": "delivered"},
		{"id": "wamid.2", "status": "read"},
		{"id": "wamid.3", "status": "failed", "errors": [{"code": 131026, "title": "Message undeliverable"}]},
		{"status": "sent"},
		{"id": "wamid.4", "status": "deleted"},
		"garbage",
	)
	updates = parse_statuses(body)
	assert [(u.message_id, u.status) for u in updates] == [
		("wamid.1", "Delivered"),
		("wamid.2", "Read"),
		("wamid.3", "Failed"),
	]
	assert updates[2].error == "Message undeliverable"
	assert parse_statuses(b"not json") == []
	assert parse_statuses(b'{"entry": "x"}') == []


def test_status_only_moves_forward():
	assert moves_forward("Sent", "Delivered")
	assert moves_forward("Delivered", "Read")
	assert not moves_forward("Read", "Delivered")
	assert not moves_forward("Delivered", "Delivered")


def test_backoff_doubles_and_caps():
	now = datetime(2026, 11, 26, 10, 0)
	delays = [(next_attempt_at(now, n, 60) - now).total_seconds() for n in range(1, 8)]
	assert delays == [60, 120, 240, 480, 960, 1920, 3600]
	assert gives_up(5, 5) and not gives_up(4, 5)
