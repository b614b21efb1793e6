"""The payout API client against a real HTTP server on 127.0.0.1: one payout, whatever happens."""

import threading

import pytest

from manual_orders.settlement import razorpayx
from manual_orders.settlement.tests.payout_server import KEY_ID, KEY_SECRET, PayoutServer


@pytest.fixture
def server():
	running = PayoutServer().start()
	yield running
	running.stop()


def client(server, timeout=2.0, secret=KEY_SECRET):
	return razorpayx.PayoutClient(server.url, KEY_ID, secret, "2323230041626905", timeout=timeout)


def pay(server, lookup_first=False, timeout=2.0, **overrides):
	values = dict(
		name="Ravi Kumar",
		contact="+919876543210",
		reference_id="MO-2026-00042-1-abc",
		idempotency_key="MO-2026-00042-1-abc",
		amount_paise=2150000,
		mode="UPI",
		narration="Buyback MO-2026-00042",
		upi_id="ravi.k@okhdfc",
	)
	values.update(overrides)
	return razorpayx.pay(client(server, timeout), lookup_first=lookup_first, **values)


def test_a_upi_payout_is_a_contact_a_vpa_fund_account_and_a_payout_in_paise(server):
	answer = pay(server)
	assert (answer.status, answer.amount_paise, answer.reference_id) == (
		"processing",
		2150000,
		"MO-2026-00042-1-abc",
	)
	paths = [(r["method"], r["path"]) for r in server.requests]
	assert paths == [("POST", "/v1/contacts"), ("POST", "/v1/fund_accounts"), ("POST", "/v1/payouts")]
	assert b'"account_type": "vpa"' in server.requests[1]["body"]
	assert server.requests[2]["headers"]["X-Payout-Idempotency"] == "MO-2026-00042-1-abc"
	assert b'"amount": 2150000' in server.requests[2]["body"]


def test_a_bank_payout_sends_the_account_and_ifsc(server):
	pay(server, upi_id=None, bank_account="001234567890", ifsc="HDFC0001234", mode="IMPS")
	body = server.requests[1]["body"]
	assert b'"account_type": "bank_account"' in body and b"HDFC0001234" in body and b"001234567890" in body


@pytest.mark.parametrize("amount", [21500.0, "2150000", True, 0, -5, None])
def test_an_amount_that_is_not_positive_integer_paise_is_refused_before_any_request(server, amount):
	with pytest.raises(ValueError):
		pay(server, amount_paise=amount)
	assert server.requests == []


def test_a_4xx_is_a_rejection_with_the_providers_words_and_never_the_secret(server):
	server.mode = "error400"
	with pytest.raises(razorpayx.PayoutRejected) as refused:
		pay(server)
	assert "Invalid VPA" in str(refused.value)
	assert KEY_SECRET not in str(refused.value)
	with pytest.raises(razorpayx.PayoutRejected) as unauthorised:
		razorpayx.pay(client(server, secret="wrong-secret-123"), **pay_values())
	assert "wrong-secret-123" not in str(unauthorised.value)


def pay_values():
	return dict(
		name="Ravi",
		contact="+919876543210",
		reference_id="r1",
		idempotency_key="r1",
		amount_paise=100,
		mode="UPI",
		narration="n",
		upi_id="a@b",
	)


def test_a_5xx_is_unknown_and_the_next_try_looks_up_first(server):
	server.mode = "error500"
	with pytest.raises(razorpayx.PayoutUnknown):
		pay(server)
	server.mode = "ok"
	server.requests.clear()
	answer = pay(server, lookup_first=True)
	assert server.requests[0]["path"] == "/v1/payouts"  # asked first, found none
	assert answer.status == "processing" and len(server.created()) == 1


def test_a_timeout_after_the_provider_accepted_gives_one_payout(server):
	server.mode, server.delay = "accept_then_timeout", 1.0
	with pytest.raises(razorpayx.PayoutUnknown) as unknown:
		pay(server, timeout=0.3)
	assert "timed out" in str(unknown.value)
	assert len(server.created()) == 1  # the provider made it
	server.mode = "ok"
	found = pay(server, lookup_first=True)
	assert found.id == server.created()[0]["id"]
	assert len(server.created()) == 1


def test_even_without_a_look_up_the_idempotency_key_gives_the_same_payout(server):
	first, second = pay(server), pay(server)
	assert first.id == second.id and len(server.created()) == 1


def test_two_workers_paying_at_once_make_one_payout(server):
	answers = []

	def worker():
		answers.append(pay(server))

	threads = [threading.Thread(target=worker) for _ in range(4)]
	for thread in threads:
		thread.start()
	for thread in threads:
		thread.join()
	assert len({a.id for a in answers}) == 1 and len(server.created()) == 1


def test_an_unreachable_provider_is_unknown(server):
	server.stop()
	with pytest.raises(razorpayx.PayoutUnknown):
		pay(server, timeout=0.5)
