"""Frappe glue for the evidence behind consent (issue 15): the call, the consent code, the quote.

The plain rules are in `sop/evidence.py` and `sop/otp.py`; this module reads Call Logs and
settings, keeps consent codes in `Manual Order Consent Code` (an HMAC only, System Manager
reads them) and closes drafts whose quote lapsed.
"""

import frappe
from frappe import _
from frappe.model.document import Document
from frappe.utils import getdate, now_datetime, today
from frappe.utils.password import get_encryption_key

from manual_orders.catalogue import get_settings
from manual_orders.exceptions import ConsentRequired, throw_violations
from manual_orders.overrides import notification
from manual_orders.setup.notifications import CONSENT_CODE_METHOD, CONSENT_CODE_NAME
from manual_orders.setup.workflow import server_state
from manual_orders.sop import evidence, otp, rules

CODE_DOCTYPE = "Manual Order Consent Code"
CALL_FIELDS = ["name", "from", "to", "status", "start_time", "end_time", "employee_user_id"]
FOLLOW_UP = "Follow Up"

# What the agent records (the customer's words, both confirmations), and what the server records
# with it: who, when, the fingerprint of the terms, how consent was taken, until when the quote
# holds. A change of terms clears all of them (ManualOrder.reset_consent); the call stays the call.
GIVEN_CONSENT_FIELDS = ("consent_customer_words", "consent_price_accepted", "consent_summary_confirmed")
RECORDED_CONSENT_FIELDS = (
	"consent_recorded_by",
	"consent_recorded_at",
	"consent_fingerprint",
	"consent_method",
	"consent_otp_verified_at",
	"quote_valid_until",
)
CONSENT_FIELDS = GIVEN_CONSENT_FIELDS + RECORDED_CONSENT_FIELDS
CALL_DETAIL_FIELDS = ("call_log", "call_started_at", "call_duration", "call_recording_url")


# The call


def call_of(name: str | None) -> evidence.Call | None:
	row = name and frappe.db.get_value("Call Log", name, CALL_FIELDS, as_dict=True)
	return as_call(row) if row else None


def as_call(row) -> evidence.Call:
	return evidence.Call(
		name=row.name,
		from_no=row["from"] or "",
		to_no=row.to or "",
		status=row.status or "",
		start_time=row.start_time,
		end_time=row.end_time,
		agent=row.employee_user_id or "",
	)


def call_violations(order: Document, call_log: str | None, now, required: bool) -> list:
	settings = get_settings()
	return evidence.check_call(
		call_of(call_log), required, order.mobile_no, order.agent, now, settings["call_log_window_minutes"]
	)


def choose_call(name: str, call_log: str) -> dict:
	"""The call the customer said yes on, checked and kept on the draft (only this path sets it)."""
	order = draft_in_progress(name)
	throw_violations(call_violations(order, call_log, now_datetime(), required=True))
	order.call_log = call_log
	copy_call_details(order)
	order.consent_method = evidence.consent_method(
		bool(order.consent_fingerprint), bool(order.consent_otp_verified_at), order.call_log
	)
	order.db_set(
		{fieldname: order.get(fieldname) for fieldname in (*CALL_DETAIL_FIELDS, "consent_method")},
		update_modified=False,
	)
	link_call(order)
	return {"call_log": order.call_log, "consent_method": order.consent_method}


def copy_call_details(order: Document) -> None:
	"""The call's time, length and recording beside the consent words (SOP §8: check call notes)."""
	row = order.call_log and frappe.db.get_value(
		"Call Log", order.call_log, ["start_time", "duration", "recording_url"], as_dict=True
	)
	order.call_started_at = row.start_time if row else None
	order.call_duration = row.duration if row else None
	order.call_recording_url = row.recording_url if row else None


def link_call(order: Document) -> None:
	"""The order in the Call Log's links: it shows on the call, as the call shows on the order."""
	if not order.call_log or frappe.db.exists(
		"Dynamic Link",
		{
			"parenttype": "Call Log",
			"parent": order.call_log,
			"link_doctype": order.doctype,
			"link_name": order.name,
		},
	):
		return
	idx = frappe.db.count("Dynamic Link", {"parenttype": "Call Log", "parent": order.call_log})
	frappe.get_doc(
		{
			"doctype": "Dynamic Link",
			"parenttype": "Call Log",
			"parentfield": "links",
			"parent": order.call_log,
			"idx": idx + 1,
			"link_doctype": order.doctype,
			"link_name": order.name,
		}
	).db_insert()


def offered_calls(mobile: str, agent: str) -> list[dict]:
	"""The agent's calls with this number from the window, newest first, for the desk's picker."""
	window = get_settings()["call_log_window_minutes"]
	now = now_datetime()
	since = frappe.utils.add_to_date(now, minutes=-window)
	digits = "".join(ch for ch in str(mobile or "") if ch.isdigit())[-10:]
	if not digits:
		return []
	call_log = frappe.qb.DocType("Call Log")
	rows = (
		frappe.qb.from_(call_log)
		.select(*[call_log[f] for f in CALL_FIELDS], call_log.duration, call_log.type)
		.where((call_log.end_time >= since) | (call_log.end_time.isnull() & (call_log.start_time >= since)))
		.where(call_log["from"].like(f"%{digits}") | call_log.to.like(f"%{digits}"))
		.orderby(call_log.start_time, order=frappe.qb.desc)
		.limit(200)
		.run(as_dict=True)
	)
	by_name = {row.name: row for row in rows}
	calls = evidence.offered_calls([as_call(row) for row in rows], mobile, agent, now, window)
	return [
		{
			"name": call.name,
			"status": call.status,
			"type": by_name[call.name].type,
			"start_time": call.start_time,
			"duration": by_name[call.name].duration,
			"number": by_name[call.name]["from"] if by_name[call.name].type == "Incoming" else call.to_no,
		}
		for call in calls
	]


def consent_onload() -> dict:
	"""What the desk shows the agent: which evidence the settings require."""
	settings = get_settings()
	return {
		"require_otp": settings["require_otp_consent"],
		"require_call_log": settings["require_call_log_for_consent"],
	}


# The consent code


def draft_in_progress(name: str) -> Document:
	"""The stored draft the caller may write: the only orders whose consent evidence is gathered."""
	if not frappe.db.exists("Manual Order", name) or not frappe.has_permission("Manual Order", "write", name):
		frappe.throw(_("Order {0} is not an order you may change.").format(name), frappe.PermissionError)
	order = frappe.get_doc("Manual Order", name)
	if order.docstatus != 0 or order.outcome:
		frappe.throw(
			_("Order {0} is not a draft in progress; its consent is not gathered any more.").format(name)
		)
	return order


def draft_with_consent(name: str) -> Document:
	"""A draft in progress with consent recorded: the only orders a code is for."""
	order = draft_in_progress(name)
	if not order.consent_fingerprint:
		frappe.throw(
			_(
				"Consent: record the customer's words and both confirmations, and save, before sending a consent code."
			),
			exc=ConsentRequired,
		)
	return order


def last_code(order: str, for_update: bool = False):
	rows = frappe.db.sql(
		f"""select name, code_hash, terms_fingerprint, expires_at, attempts, status, creation
		from `tab{CODE_DOCTYPE}` where manual_order = %s order by creation desc, name desc limit 1
		{"for update" if for_update else ""}""",
		order,
		as_dict=True,
	)
	return rows[0] if rows else None


def codes_sent_since(order: str, since) -> int:
	return frappe.db.count(CODE_DOCTYPE, {"manual_order": order, "creation": (">=", since)})


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
	order = draft_with_consent(name)
	frappe.db.get_value("Manual Order", order.name, "name", for_update=True)  # one sender at a time
	now = now_datetime()
	settings = get_settings()
	last = last_code(order.name)
	if otp.can_reuse(as_sent_code(last), order.consent_fingerprint, now):
		return {"sent": False, "expires_at": last.expires_at}
	throw_violations(otp.check_send_rate(codes_sent_since(order.name, otp.rate_window_start(now))))
	frappe.db.sql(
		f"update `tab{CODE_DOCTYPE}` set status = %s where manual_order = %s and status = %s",
		(otp.REPLACED, order.name, otp.SENT),
	)
	code = otp.new_code()
	record = frappe.get_doc(
		{
			"doctype": CODE_DOCTYPE,
			"manual_order": order.name,
			"status": otp.SENT,
			"attempts": 0,
			"sent_by": frappe.session.user,
			"expires_at": otp.expires_at(now, settings["otp_expiry_minutes"]),
			"terms_fingerprint": order.consent_fingerprint,
			"code_hash": expected_hash(order)(code),
		}
	).insert(ignore_permissions=True)
	order.flags.consent_code = {"otp": code, "otp_minutes": settings["otp_expiry_minutes"]}
	order.flags.outbox_messages = []
	notification.run_notifications(order, CONSENT_CODE_METHOD)
	if not order.flags.outbox_messages:
		frappe.throw(
			_(
				"No enabled SMS Notification sends the consent code (event Method, method {0}); ask an admin to enable {1}."
			).format(CONSENT_CODE_METHOD, CONSENT_CODE_NAME)
		)
	return {"sent": True, "expires_at": record.expires_at}


def verify_code(name: str, code: str) -> dict:
	"""The code the customer read back; a wrong one counts an attempt and is answered, not raised."""
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
		frappe.db.set_value(
			CODE_DOCTYPE,
			row.name,
			{"attempts": (row.attempts or 0) + 1, "status": otp.LOCKED if verdict.locked else otp.SENT},
			update_modified=False,
		)
		return {
			"verified": False,
			"attempts_left": verdict.attempts_left,
			"message": verdict.violations[0].render(_),
		}
	throw_violations(list(verdict.violations))
	now = now_datetime()
	frappe.db.set_value(CODE_DOCTYPE, row.name, {"status": otp.VERIFIED, "verified_at": now})
	order.db_set(
		{"consent_otp_verified_at": now, "consent_method": evidence.VERBAL_OTP}, update_modified=False
	)
	order.add_comment(
		"Info", _("Consent confirmed: the customer read back the code sent to {0}.").format(order.mobile_no)
	)
	return {"verified": True, "consent_method": evidence.VERBAL_OTP}


# The quote (SOP §4C)


def close_expired_quotes(on=None) -> list[str]:
	"""Daily job: drafts whose quoted price lapsed end their attempt; the Lead goes back to follow-up."""
	on = getdate(on or today())
	names = frappe.get_all(
		"Manual Order",
		filters={"docstatus": 0, "outcome": ("is", "not set"), "quote_valid_until": ("<", on)},
		pluck="name",
	)
	return [name for name in names if close_expired_quote(name, on)]


def close_expired_quote(name: str, on) -> bool:
	row = frappe.db.sql(
		"""select name, lead, quote_valid_until from `tabManual Order`
		where name = %s and docstatus = 0 and ifnull(outcome, '') = '' and quote_valid_until < %s
		for update""",
		(name, on),
		as_dict=True,
	)
	if not row:
		return False
	values = {
		"outcome": rules.QUOTE_EXPIRED,
		"lead_lock": None,
		**{fieldname: None for fieldname in CONSENT_FIELDS},
		"consent_price_accepted": 0,
		"consent_summary_confirmed": 0,
	}
	state = server_state(rules.QUOTE_EXPIRED)
	if state:
		values["workflow_state"] = state
	frappe.db.set_value("Manual Order", name, values)
	if row[0].lead:
		frappe.db.set_value("Lead", row[0].lead, "disposition", FOLLOW_UP)
	frappe.get_doc("Manual Order", name).add_comment(
		"Info",
		_(
			"Closed: the price quoted to the customer held until {0}. Call the customer back with a fresh quote."
		).format(frappe.utils.formatdate(row[0].quote_valid_until)),
	)
	return True
