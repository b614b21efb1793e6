"""Consent codes: HMAC only, single use, bound to the terms, expiring, locked after wrong attempts."""

from datetime import datetime, timedelta

import pytest

from manual_orders.sop import otp

KEY = "site-secret"
ORDER = "MO-2026-00042"
TERMS = "f" * 64
NOW = datetime(2026, 11, 26, 12, 0)
CODE = "123456"


def sent(**kw):
	values = dict(
		code_hash=otp.code_hash(KEY, ORDER, TERMS, CODE),
		terms_fingerprint=TERMS,
		expires_at=NOW + timedelta(minutes=10),
		sent_at=NOW,
	)
	values.update(kw)
	return otp.SentCode(**values)


def judge(stored, code=CODE, fingerprint=TERMS, now=NOW, max_attempts=5):
	return otp.judge(
		stored,
		code,
		fingerprint,
		lambda c: otp.code_hash(KEY, ORDER, fingerprint or "", c),
		now,
		max_attempts,
	)


def rules(verdict):
	return [v.rule for v in verdict.violations]


def test_new_codes_are_six_ascii_digits():
	codes = {otp.new_code() for _ in range(200)}
	assert all(len(c) == 6 and c.isdigit() and c.isascii() for c in codes)
	assert len(codes) > 150


@pytest.mark.parametrize("typed", ["123456", " 123 456 ", "123\t456"])
def test_the_right_code_verifies(typed):
	assert judge(sent(), typed).verified


def test_the_hash_depends_on_order_terms_and_key():
	base = otp.code_hash(KEY, ORDER, TERMS, CODE)
	assert base != otp.code_hash("other key", ORDER, TERMS, CODE)
	assert base != otp.code_hash(KEY, "MO-2026-00043", TERMS, CODE)
	assert base != otp.code_hash(KEY, ORDER, "e" * 64, CODE)
	assert CODE not in base


@pytest.mark.parametrize("typed", ["12345", "1234567", "١٢٣٤٥٦", "abcdef", None, ""])
def test_malformed_codes_are_wrong_codes(typed):
	verdict = judge(sent(), typed)
	assert not verdict.verified and verdict.counts_attempt


def test_five_wrong_codes_lock_the_code_even_for_the_right_one():
	stored = sent()
	for attempt in range(1, 6):
		verdict = judge(stored, "000000")
		assert rules(verdict) == ["OTP-WRONG"] and verdict.attempts_left == 5 - attempt
		stored = otp.SentCode(**{**stored.__dict__, "attempts": attempt})
	assert verdict.locked
	assert rules(judge(stored, CODE)) == ["OTP-LOCKED"]


def test_expired_used_replaced_and_other_terms_are_refused_before_the_code_is_compared():
	assert rules(judge(sent(), now=NOW + timedelta(minutes=10))) == ["OTP-EXPIRED"]
	assert rules(judge(sent(status=otp.VERIFIED))) == ["OTP-USED"]
	assert rules(judge(sent(status=otp.REPLACED))) == ["OTP-NONE"]
	assert rules(judge(None)) == ["OTP-NONE"]
	assert rules(judge(sent(), fingerprint="e" * 64)) == ["OTP-TERMS"]
	assert rules(judge(sent(), fingerprint=None)) == ["OTP-TERMS"]
	assert not judge(sent(), fingerprint="e" * 64).counts_attempt


def test_a_double_click_reuses_the_code_just_sent():
	assert otp.can_reuse(sent(), TERMS, NOW + timedelta(seconds=5))
	assert not otp.can_reuse(sent(), TERMS, NOW + timedelta(seconds=otp.RESEND_AFTER_SECONDS))
	assert not otp.can_reuse(sent(), "e" * 64, NOW)
	assert not otp.can_reuse(sent(status=otp.LOCKED), TERMS, NOW)
	assert not otp.can_reuse(None, TERMS, NOW)
