"""The call the customer said yes on (Call Log), checked and kept on the order."""

import frappe
from frappe.model.document import Document
from frappe.utils import now_datetime

from manual_orders.consent_evidence.drafts import draft_in_progress
from manual_orders.consent_evidence.fields import CALL_DETAIL_FIELDS
from manual_orders.exceptions import throw_violations
from manual_orders.settings import get_settings
from manual_orders.sop import evidence

CALL_FIELDS = ["name", "from", "to", "status", "start_time", "end_time", "employee_user_id"]


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
