"""The consent code (OTP): sent to the customer's phone, read back on the call, kept as an HMAC only."""

import frappe
from frappe import _
from frappe.model.document import Document
from frappe.utils import now_datetime
from frappe.utils.password import get_encryption_key

from manual_orders.consent_evidence.drafts import draft_with_consent
from manual_orders.exceptions import throw_violations
from manual_orders.settings import get_settings
from manual_orders.setup.notifications import CONSENT_CODE_METHOD, CONSENT_CODE_NAME
from manual_orders.shortcuts import notifications
from manual_orders.sop import evidence, otp

CODE_DOCTYPE = "Manual Order Consent Code"


# A code is for the order's consent (neither set), the offer of a `pickup_inspection`, or a
# corrected destination of a `payout`: each looks only at its own codes.
SCOPE = "ifnull(pickup_inspection, '') = %s and ifnull(payout, '') = %s"


def last_code(order: str, for_update: bool = False, inspection: str | None = None, payout: str | None = None):
	"""The last code sent for the order's consent, the offer of `inspection`, or `payout`."""
	rows = frappe.db.sql(
		f"""select name, code_hash, terms_fingerprint, expires_at, attempts, status, creation
		from `tab{CODE_DOCTYPE}` where manual_order = %s and {SCOPE}
		order by creation desc, name desc limit 1
		{"for update" if for_update else ""}""",
		(order, inspection or "", payout or ""),
		as_dict=True,
	)
	return rows[0] if rows else None


def replace_codes(
	order: str, inspection: str | None = None, payout: str | None = None, keep: str | None = None
) -> None:
	"""Codes still waiting for an answer stop working (new terms, or a new code: `keep`)."""
	frappe.db.sql(
		f"""update `tab{CODE_DOCTYPE}` set status = %s
		where manual_order = %s and {SCOPE} and status = %s and name != %s""",
		(otp.REPLACED, order, inspection or "", payout or "", otp.SENT, keep or ""),
	)


SAVEPOINT = "manual_orders_new_code"


def insert_code(
	order: str,
	fingerprint: str,
	code_hash: str,
	minutes: int,
	inspection: str | None = None,
	payout: str | None = None,
):
	"""A new code's record (only the HMAC of the code, with the terms it was sent for), then the
	code sent before it and the number sent since the rate window began, as committed now.

	Inserted first, read after. The reads are locking reads: a plain read sees the request's
	snapshot, taken at its first read, before it waited for the order's row, so a double click's
	second request did not see the first's code (two SMS) and parallel requests could pass the
	hourly limit. A locking scan of the `manual_order` index also locks the gap after the order's
	codes, where newer orders' codes are inserted; scanned before inserting, two agents asking for
	codes at once each held that gap and waited for the other's insert into it (a deadlock, seen
	with 20 agents). Inserted first, a scan at most waits for a newer order's insert to commit.
	The caller keeps the code (`keep_only`) or takes it back (`take_back`).
	"""
	frappe.db.savepoint(SAVEPOINT)
	record = frappe.get_doc(
		{
			"doctype": CODE_DOCTYPE,
			"manual_order": order,
			"pickup_inspection": inspection,
			"payout": payout,
			"status": otp.SENT,
			"attempts": 0,
			"sent_by": frappe.session.user,
			"expires_at": otp.expires_at(now_datetime(), minutes),
			"terms_fingerprint": fingerprint,
			"code_hash": code_hash,
		}
	).insert(ignore_permissions=True)
	earlier = frappe.db.sql(
		f"""select name, code_hash, terms_fingerprint, expires_at, attempts, status, creation
		from `tab{CODE_DOCTYPE}` where manual_order = %s and {SCOPE} and name != %s
		order by creation desc, name desc for update""",
		(order, inspection or "", payout or "", record.name),
		as_dict=True,
	)
	since = otp.rate_window_start(now_datetime())
	return record, (earlier[0] if earlier else None), sum(1 for row in earlier if row.creation >= since)


def keep_only(record) -> None:
	"""The new code is the one that works: those sent before it stop working."""
	replace_codes(record.manual_order, record.pickup_inspection, record.payout, keep=record.name)


def take_back() -> None:
	"""The new code is not sent after all (the one before it is reused, or a limit refuses it)."""
	frappe.db.rollback(save_point=SAVEPOINT)


def refuse_over_the_limit(violations: list) -> None:
	"""The hourly limit: the new code taken back before the refusal, whoever catches it."""
	if violations:
		take_back()
		throw_violations(violations)


def count_attempt(row, verdict: otp.Verdict) -> None:
	frappe.db.set_value(
		CODE_DOCTYPE,
		row.name,
		{"attempts": (row.attempts or 0) + 1, "status": otp.LOCKED if verdict.locked else otp.SENT},
		update_modified=False,
	)


def mark_verified(row, now) -> None:
	frappe.db.set_value(CODE_DOCTYPE, row.name, {"status": otp.VERIFIED, "verified_at": now})


def delete_codes(order: str) -> None:
	"""A deleted draft's consent codes and the messages that carried them (encrypted text too)."""
	from frappe.utils.password import delete_all_passwords_for

	frappe.db.delete(CODE_DOCTYPE, {"manual_order": order})
	for name in frappe.get_all(
		"Manual Order Message", filters={"manual_order": order, "carries_code": 1}, pluck="name"
	):
		delete_all_passwords_for("Manual Order Message", name)
		frappe.db.delete("Manual Order Message", {"name": name})


def as_sent_code(row) -> otp.SentCode | None:
	if not row:
		return None
	return otp.SentCode(
		code_hash=row.code_hash,
		terms_fingerprint=row.terms_fingerprint,
		expires_at=row.expires_at,
		attempts=row.attempts or 0,
		status=row.status,
		sent_at=row.creation,
	)


def expected_hash(order: Document):
	key = get_encryption_key()
	return lambda code: otp.code_hash(key, order.name, order.consent_fingerprint or "", code)


def send_code(name: str) -> dict:
	"""Sends a new code to the order's mobile number through the outbox; a double click sends one."""
	order = draft_with_consent(name)  # its row locked: one sender at a time
	settings = get_settings()
	code = otp.new_code()
	record, last, sent = insert_code(
		order.name, order.consent_fingerprint, expected_hash(order)(code), settings["otp_expiry_minutes"]
	)
	if otp.can_reuse(as_sent_code(last), order.consent_fingerprint, now_datetime()):
		take_back()
		return {"sent": False, "expires_at": last.expires_at}
	refuse_over_the_limit(otp.check_send_rate(sent))
	keep_only(record)
	order.flags.consent_code = {"otp": code, "otp_minutes": settings["otp_expiry_minutes"]}
	order.flags.outbox_messages = []
	notifications.run_notifications(order, CONSENT_CODE_METHOD)
	if not order.flags.outbox_messages:
		frappe.throw(
			_(
				"No enabled SMS Notification sends the consent code (event Method, method {0}); ask an admin to enable {1}."
			).format(CONSENT_CODE_METHOD, CONSENT_CODE_NAME)
		)
	return {"sent": True, "expires_at": record.expires_at}


def verify_code(name: str, code: str) -> dict:
	"""The code the customer read back; a wrong one counts an attempt and is answered, not raised."""
	# the order's row first (locked by `draft_with_consent`), as `send_code` takes it: a resend and
	# a read-back at the same moment then queue on it instead of each holding what the other waits
	# for (a deadlock)
	order = draft_with_consent(name)
	row = last_code(order.name, for_update=True)
	verdict = otp.judge(
		as_sent_code(row),
		code,
		order.consent_fingerprint,
		expected_hash(order),
		now_datetime(),
		get_settings()["otp_max_attempts"],
	)
	if verdict.counts_attempt:
		count_attempt(row, verdict)
		return {
			"verified": False,
			"attempts_left": verdict.attempts_left,
			"message": verdict.violations[0].render(_),
		}
	throw_violations(list(verdict.violations))
	now = now_datetime()
	mark_verified(row, now)
	order.db_set(
		{"consent_otp_verified_at": now, "consent_method": evidence.VERBAL_OTP}, update_modified=False
	)
	order.add_comment(
		"Info", _("Consent confirmed: the customer read back the code sent to {0}.").format(order.mobile_no)
	)
	return {"verified": True, "consent_method": evidence.VERBAL_OTP}
