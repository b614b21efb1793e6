"""Payout webhooks: signed with the webhook secret, parsed without ever raising."""

import json

from hypothesis import given
from hypothesis import strategies as st

from manual_orders.settlement import webhook
from manual_orders.settlement.tests.payout_server import WEBHOOK_SECRET, PayoutServer


def processed_body(**entity):
	values = {
		"id": "pout_1",
		"status": "processed",
		"amount": 2150000,
		"utr": "HDFCR52026120312",
		"reference_id": "MO-1-1-x",
	}
	values.update(entity)
	return json.dumps({"event": "payout.processed", "payload": {"payout": {"entity": values}}}).encode()


def test_the_signature_is_the_hmac_of_the_raw_body():
	raw = processed_body()
	assert webhook.signature_is_valid(WEBHOOK_SECRET, raw, webhook.sign(WEBHOOK_SECRET, raw))
	assert not webhook.signature_is_valid(WEBHOOK_SECRET, raw + b" ", webhook.sign(WEBHOOK_SECRET, raw))
	assert not webhook.signature_is_valid(WEBHOOK_SECRET, raw, webhook.sign("other", raw))
	assert not webhook.signature_is_valid(WEBHOOK_SECRET, raw, None)
	assert not webhook.signature_is_valid("", raw, webhook.sign("", raw))
	assert not webhook.signature_is_valid(WEBHOOK_SECRET, raw, "é" * 64)  # non-ASCII: False, no exception


@given(st.text())
def test_any_header_answers_without_raising(header):
	assert webhook.signature_is_valid(WEBHOOK_SECRET, b"{}", header) in (True, False)


def test_an_event_is_parsed_into_what_the_app_acts_on():
	event = webhook.parse_event(processed_body())
	assert (event.event, event.payout_id, event.status, event.amount_paise, event.utr) == (
		"payout.processed",
		"pout_1",
		"processed",
		2150000,
		"HDFCR52026120312",
	)
	assert event.reference_id == "MO-1-1-x" and len(event.event_id) == 64
	assert webhook.parse_event(processed_body(amount=21500.0)).amount_paise is None  # never a float


@given(st.binary(max_size=200))
def test_a_malformed_body_is_none_never_an_exception(raw):
	assert webhook.parse_event(raw) is None or isinstance(webhook.parse_event(raw), webhook.PayoutEvent)


def test_other_events_and_bodies_are_ignored():
	assert webhook.parse_event(b'{"event": "payment.captured", "payload": {}}') is None
	assert (
		webhook.parse_event(b'{"event": "payout.processed", "payload": {"payout": {"entity": {}}}}') is None
	)
	assert webhook.parse_event(b"[]") is None


def test_the_test_server_signs_its_webhooks_as_the_provider_does():
	server = PayoutServer().start()
	try:
		server.payouts["pout_9"] = {
			"id": "pout_9",
			"status": "processing",
			"amount": 100,
			"reference_id": "r",
		}
		raw, signature = server.webhook("pout_9", "payout.reversed")
		assert webhook.signature_is_valid(WEBHOOK_SECRET, raw, signature)
		assert webhook.parse_event(raw).status == "reversed"
	finally:
		server.stop()
