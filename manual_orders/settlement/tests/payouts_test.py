"""A payout's statuses, its idempotency key and its masked destination."""

from hypothesis import given
from hypothesis import strategies as st

from manual_orders.settlement import payouts
from manual_orders.settlement.payouts import FAILED, PROCESSED, PROCESSING, QUEUED, REVERSED


def test_provider_statuses_move_a_payout_forward_only():
	assert payouts.next_status(QUEUED, "processing") == PROCESSING
	assert payouts.next_status(QUEUED, "queued") == PROCESSING  # the provider has it
	assert payouts.next_status(PROCESSING, "processed") == PROCESSED
	assert payouts.next_status(PROCESSED, "processing") is None  # a late event
	assert payouts.next_status(PROCESSED, "processed") is None  # a repeated one
	assert payouts.next_status(PROCESSED, "failed") is None  # processed is final but for a reversal
	assert payouts.next_status(PROCESSED, "reversed") == REVERSED
	assert payouts.next_status(REVERSED, "processed") is None  # reversed is final
	assert payouts.next_status(PROCESSING, "rejected") == FAILED
	assert payouts.next_status(PROCESSING, "cancelled") == FAILED
	assert payouts.next_status(FAILED, "processed") == PROCESSED  # the money left: kept, never paid twice
	assert payouts.next_status(FAILED, "processing") is None
	assert payouts.next_status(QUEUED, "no-such-status") is None
	assert payouts.next_status(QUEUED, None) is None


@given(st.lists(st.sampled_from(list(payouts.PROVIDER_STATUS)), max_size=12))
def test_any_order_of_events_ends_in_a_final_status_once_one_is_reached(events):
	status = QUEUED
	seen_final = None
	for event in events:
		new = payouts.next_status(status, event)
		if new:
			assert new in payouts.MOVES[status]
			status = new
		if status in (PROCESSED, REVERSED, FAILED) and seen_final is None:
			seen_final = status
	if seen_final == REVERSED:
		assert status == REVERSED
	if seen_final == FAILED:
		assert status in (FAILED, PROCESSED, REVERSED)
	if seen_final == PROCESSED:
		assert status in (PROCESSED, REVERSED)


def test_the_idempotency_key_is_the_same_on_every_retry_and_new_for_a_new_attempt():
	first = payouts.idempotency_key("MO-2026-00042", 1)
	assert first == payouts.idempotency_key("MO-2026-00042", 1)
	assert first != payouts.idempotency_key("MO-2026-00042", 2)
	assert first != payouts.idempotency_key("MO-2026-00043", 1)
	assert len(first) <= 40 and first.startswith("MO-2026-00042-1-")


def test_only_the_last_four_characters_stay_visible():
	assert payouts.mask_destination("ravi.k@okhdfc") == "••••hdfc"
	assert payouts.mask_destination("0012 3456 7890") == "••••7890"
	assert payouts.mask_destination("") == ""
	assert payouts.mask_destination(None) == ""
