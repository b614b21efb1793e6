"""A one-time code the customer reads back, as a second proof of the golden rule's "yes".

The code is never stored: only an HMAC of it, keyed with the site's secret and bound to
the order and to the consent fingerprint of the terms it was sent for. A code works once,
until it expires, and only while fewer than the allowed wrong attempts were made.
"""

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from manual_orders.sop.violations import Violation, _

DIGITS = 6
SENT = "Sent"
VERIFIED = "Verified"
LOCKED = "Locked"
REPLACED = "Replaced"
STATUSES = (SENT, VERIFIED, LOCKED, REPLACED)
# A second request within this time gets the code already sent (a double click sends one SMS).
RESEND_AFTER_SECONDS = 30


# At most this many codes for one order in an hour: SMS under the company's sender id are
# not a tool to flood a number an agent typed.
MAX_CODES_PER_HOUR = 5


def rate_window_start(now: datetime) -> datetime:
	return now - timedelta(hours=1)


def check_send_rate(sent_in_the_last_hour: int) -> list[Violation]:
	if sent_in_the_last_hour < MAX_CODES_PER_HOUR:
		return []
	return [
		Violation(
			"consent_otp",
			"OTP-RATE",
			_(
				"Consent code: {0} codes were sent for this order in the last hour; wait before sending another."
			),
			(MAX_CODES_PER_HOUR,),
		)
	]


def new_code() -> str:
	return f"{secrets.randbelow(10**DIGITS):0{DIGITS}d}"


def normalise_code(code) -> str:
	"""ASCII digits only; spaces the agent typed between groups are dropped."""
	text = "".join(str(code or "").split())
	return text if len(text) == DIGITS and text.isascii() and text.isdigit() else ""


def code_hash(key: str, order: str, terms_fingerprint: str, code: str) -> str:
	message = f"{order}\n{terms_fingerprint}\n{code}".encode()
	return hmac.new(str(key).encode(), message, hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class SentCode:
	"""One code as stored: its HMAC, the terms it was sent for, when it expires, the wrong attempts."""

	code_hash: str
	terms_fingerprint: str
	expires_at: datetime
	attempts: int = 0
	status: str = SENT
	sent_at: datetime | None = None


def expires_at(now: datetime, minutes: int) -> datetime:
	return now + timedelta(minutes=max(int(minutes or 0), 1))


def can_reuse(sent: SentCode | None, terms_fingerprint: str, now: datetime) -> bool:
	"""A request right after the last one (a double click) gets no second SMS."""
	return bool(
		sent
		and sent.status == SENT
		and sent.terms_fingerprint == terms_fingerprint
		and sent.sent_at
		and now - sent.sent_at < timedelta(seconds=RESEND_AFTER_SECONDS)
		and now < sent.expires_at
	)


@dataclass(frozen=True)
class Verdict:
	"""What a code entered against the order's last sent code comes to."""

	verified: bool = False
	counts_attempt: bool = False  # a wrong code: one attempt more on the stored row
	locked: bool = False  # this attempt was the last one allowed
	attempts_left: int = 0
	violations: tuple[Violation, ...] = ()


def _refuse(rule: str, message: str, *params) -> Verdict:
	return Verdict(violations=(Violation("consent_otp", rule, message, params),))


def judge(
	sent: SentCode | None,
	code,
	current_fingerprint: str | None,
	expected_hash,
	now: datetime,
	max_attempts: int,
) -> Verdict:
	"""The verdict on `code`; `expected_hash(code)` is the HMAC for the order's current terms."""
	if sent is None or sent.status == REPLACED:
		return _refuse("OTP-NONE", _("Consent code: no code was sent for this order; send one first."))
	if sent.status == VERIFIED:
		return _refuse(
			"OTP-USED", _("Consent code: this code was already used; send a new code to confirm again.")
		)
	if sent.status == LOCKED or sent.attempts >= max_attempts:
		return _refuse(
			"OTP-LOCKED",
			_("Consent code: {0} wrong codes were entered; this code is locked. Send a new code."),
			max_attempts,
		)
	if now >= sent.expires_at:
		return _refuse("OTP-EXPIRED", _("Consent code: the code has expired; send a new code."))
	if not current_fingerprint or sent.terms_fingerprint != current_fingerprint:
		return _refuse(
			"OTP-TERMS",
			_(
				"Consent code: the code was sent for other terms; the order changed since. Record consent to the new terms and send a new code."
			),
		)
	entered = normalise_code(code)
	if entered and hmac.compare_digest(expected_hash(entered), sent.code_hash):
		return Verdict(verified=True)
	attempts = sent.attempts + 1
	left = max(max_attempts - attempts, 0)
	message = (
		_("Consent code: wrong code; this code is now locked. Send a new code.")
		if not left
		else _("Consent code: wrong code; {0} attempts left. Ask the customer to read the code again.")
	)
	return Verdict(
		counts_attempt=True,
		locked=not left,
		attempts_left=left,
		violations=(Violation("consent_otp", "OTP-WRONG", message, (left,) if left else ()),),
	)
