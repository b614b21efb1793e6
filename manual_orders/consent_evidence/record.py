"""SOP golden rule: the consent recorded on the order covers exactly what the customer agreed to.

The order's controller calls these on every save (`update_consent`) and on submit
(`check_consent`); `order.refuse` counts a refusal for the agent, then raises it.
"""

import frappe
from frappe import _
from frappe.model.workflow import get_workflow_name
from frappe.utils import getdate, now_datetime

from manual_orders.consent_evidence.call_log import call_violations
from manual_orders.consent_evidence.fields import CALL_DETAIL_FIELDS, CONSENT_FIELDS, RECORDED_CONSENT_FIELDS
from manual_orders.settings import get_settings
from manual_orders.sop import consent, formats, rules
from manual_orders.sop.evidence import VERBAL_OTP, check_otp, check_quote, consent_method, quote_valid_until


def answers(order) -> dict[str, str]:
	return {row.question: formats.text(row.answer) for row in order.conditions}


def agreed_terms(order) -> dict:
	values = {fieldname: order.get(fieldname) for fieldname in consent.AGREED_FIELDS}
	return consent.agreed_terms(values, answers(order), [row.accessory for row in order.accessories])


def consent_given(order) -> bool:
	return consent.is_given(
		order.consent_customer_words, order.consent_price_accepted, order.consent_summary_confirmed
	)


def update_consent(order) -> None:
	"""Records consent when it is given; withdraws it when the terms or the answers change.

	Who recorded it, when and the fingerprint are the server's alone: values a client
	sends for them are replaced by what is stored.
	"""
	before = order.get_doc_before_save()
	for fieldname in RECORDED_CONSENT_FIELDS:
		order.set(fieldname, before.get(fieldname) if before else None)
	if before and before.mobile_no != order.mobile_no:
		forget_call(order)  # it was with another number
	fingerprint = consent.fingerprint(agreed_terms(order))
	if order.consent_fingerprint and (order.consent_fingerprint != fingerprint or not consent_given(order)):
		reset_consent(order)
	if not order.consent_fingerprint and consent_given(order):
		record_consent(order, fingerprint)
	order.consent_method = consent_method(
		bool(order.consent_fingerprint), bool(order.consent_otp_verified_at), order.call_log
	)


def forget_call(order) -> None:
	for fieldname in CALL_DETAIL_FIELDS:
		order.set(fieldname, None)


def record_consent(order, fingerprint: str) -> None:
	"""With the call it was given on (when chosen or required) and the day the quote holds to."""
	now = now_datetime()
	settings = get_settings()
	order.refuse(call_violations(order, order.call_log, now, settings["require_call_log_for_consent"]))
	valid_until = quote_valid_until(getdate(now), settings["quote_validity_days"])
	order.refuse(check_quote(pickup_day(order), valid_until, getdate(now)))
	order.consent_fingerprint = fingerprint
	order.consent_recorded_by = frappe.session.user
	order.consent_recorded_at = now
	order.quote_valid_until = valid_until


def pickup_day(order):
	return getdate(order.pickup_date) if order.pickup_date else None


def reset_consent(order) -> None:
	before = order.get_doc_before_save()
	changed = consent.changed_terms(agreed_terms(before), agreed_terms(order)) if before else []
	for fieldname in CONSENT_FIELDS:
		order.set(fieldname, None)
	return_to_first_workflow_state(order)
	order.add_comment(
		"Info",
		_("Consent withdrawn: the customer agreed to other terms ({0}). Ask for consent again.").format(
			", ".join(changed) or _("terms changed")
		),
	)


def return_to_first_workflow_state(order) -> None:
	"""Terms changed after consent: the order goes back to the workflow's first state."""
	workflow_name = get_workflow_name(order.doctype)
	if not workflow_name:
		return
	first_state = frappe.get_cached_doc("Workflow", workflow_name).states[0].state
	order.set(frappe.get_cached_value("Workflow", workflow_name, "workflow_state_field"), first_state)


def check_consent(order) -> None:
	"""On submit: consent given to these exact terms, the quote still valid, the code read back if required."""
	covers = consent.covers(order.consent_fingerprint, agreed_terms(order))
	order.refuse(rules.check_consent(consent_given(order), covers))
	code_read_back = order.consent_method == VERBAL_OTP and bool(order.consent_otp_verified_at)
	order.refuse(
		check_quote(
			pickup_day(order), order.quote_valid_until and getdate(order.quote_valid_until), getdate()
		)
		+ check_otp(get_settings()["require_otp_consent"], code_read_back)
	)


def end_attempt(order) -> None:
	"""An attempt that ended: the Lead is free for a later call; no consent stands."""
	order.lead_lock = None
	for fieldname in CONSENT_FIELDS:
		order.set(fieldname, None)
