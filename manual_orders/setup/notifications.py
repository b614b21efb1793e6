"""The Order ID messages of SOP §6, as Notification records admins edit in the desk.

Created at install only when missing (never overwritten by migrate). The SMS text
is the Notification's message; for WhatsApp the subject is the approved template's
name and each line of the message is one body parameter of that template.
"""

import frappe

from manual_orders.sop import dlt, texts

SMS_NAME = "Manual Order Created - SMS"
WHATSAPP_NAME = "Manual Order Created - WhatsApp"
PARTNER_SMS_NAME = "Pickup Partner Assigned - SMS"
PARTNER_WHATSAPP_NAME = "Pickup Partner Assigned - WhatsApp"
CONSENT_CODE_NAME = "Manual Order Consent Code - SMS"
OFFER_CODE_SMS_NAME = "Pickup Offer Code - SMS"
OFFER_CODE_WHATSAPP_NAME = "Pickup Offer Code - WhatsApp"
PAYOUT_PAID_SMS_NAME = "Manual Order Paid - SMS"
PAYOUT_PAID_WHATSAPP_NAME = "Manual Order Paid - WhatsApp"
DESTINATION_CODE_NAME = "Manual Order Payout Destination Code - SMS"

ORDER_ID = "{{ doc.name }}"
PICKUP_DATE = "{{ frappe.utils.formatdate(doc.pickup_date) }}"
PICKUP_SLOT = "{{ doc.pickup_slot }}"
# The default texts are built from sop/texts.py, the one definition of SOP §6's next steps.
SMS_MESSAGE = texts.order_created_message(ORDER_ID, PICKUP_DATE, PICKUP_SLOT)
WHATSAPP_TEMPLATE = "manual_order_created"
# One line per body parameter of the approved template: {{1}} name, {{2}} Order ID,
# {{3}} date, {{4}} slot, {{5}}-{{7}} the next steps.
WHATSAPP_PARAMETERS = "\n".join(
	["{{ doc.customer_name }}", ORDER_ID, PICKUP_DATE, PICKUP_SLOT, *texts.next_steps()]
)


PARTNER = "{{ doc.pickup_partner }}"
PARTNER_SMS_MESSAGE = texts.partner_assigned_message(ORDER_ID, PARTNER, PICKUP_DATE, PICKUP_SLOT)
PARTNER_WHATSAPP_TEMPLATE = "manual_order_partner_assigned"
# {{1}} name, {{2}} Order ID, {{3}} partner, {{4}} date, {{5}} slot
PARTNER_WHATSAPP_PARAMETERS = "\n".join(
	["{{ doc.customer_name }}", ORDER_ID, PARTNER, PICKUP_DATE, PICKUP_SLOT]
)


# Sent when the agent asks (manual_orders.api.send_consent_otp), never on a save: event Method.
CONSENT_CODE_METHOD = "send_consent_otp"
CONSENT_CODE_MESSAGE = texts.consent_code_message(
	"{{ otp }}",
	ORDER_ID,
	"{{ doc.device_model }}",
	"{{ frappe.utils.fmt_money(doc.estimated_price, currency='INR') }}",
	"{{ otp_minutes }}",
)


# Sent when the partner asks (manual_orders.api.send_offer_code) for a changed offer at the door.
OFFER_CODE_METHOD = "send_offer_code"
OLD_PRICE = "{{ agreed_price }}"
NEW_PRICE = "{{ offer_price }}"
OFFER_CODE_SMS_MESSAGE = texts.offer_code_message(
	ORDER_ID, NEW_PRICE, OLD_PRICE, "{{ offer_reason }}", "{{ otp }}", "{{ otp_minutes }}"
)
OFFER_CODE_WHATSAPP_TEMPLATE = "pickup_offer_code"
# {{1}} name, {{2}} Order ID, {{3}} new price, {{4}} old price, {{5}} every reason, {{6}} code, {{7}} minutes
OFFER_CODE_WHATSAPP_PARAMETERS = "\n".join(
	[
		"{{ doc.customer_name }}",
		ORDER_ID,
		NEW_PRICE,
		OLD_PRICE,
		"{{ offer_reasons }}",
		"{{ otp }}",
		"{{ otp_minutes }}",
	]
)


# Sent when a payout is processed (manual_orders.settlement.settle.finish).
PAYOUT_PAID_METHOD = "payout_processed"
PAYOUT_PAID_SMS_MESSAGE = texts.payout_paid_message(ORDER_ID, "{{ paid_amount }}", "{{ utr }}")
PAYOUT_PAID_WHATSAPP_TEMPLATE = "manual_order_paid"
# {{1}} name, {{2}} Order ID, {{3}} amount, {{4}} UTR
PAYOUT_PAID_WHATSAPP_PARAMETERS = "\n".join(
	["{{ doc.customer_name }}", ORDER_ID, "{{ paid_amount }}", "{{ utr }}"]
)


# Sent when a manager asks (manual_orders.api.send_payout_destination_code) after a reversal.
DESTINATION_CODE_METHOD = "send_payout_destination_code"
DESTINATION_CODE_MESSAGE = texts.destination_code_message(
	ORDER_ID, "{{ new_destination }}", "{{ otp }}", "{{ otp_minutes }}"
)


def payout_paid_docs(common: dict, recipients: list[dict]) -> list[dict]:
	paid = {**common, "event": "Method", "method": PAYOUT_PAID_METHOD}
	return [
		{
			**paid,
			"name": PAYOUT_PAID_SMS_NAME,
			"channel": "SMS",
			"message": PAYOUT_PAID_SMS_MESSAGE,
			"dlt_template_text": dlt.template_from_message(PAYOUT_PAID_SMS_MESSAGE),
			"recipients": [{"receiver_by_document_field": "mobile_no"}],
		},
		{
			**paid,
			"name": PAYOUT_PAID_WHATSAPP_NAME,
			"channel": "WhatsApp",
			"subject": PAYOUT_PAID_WHATSAPP_TEMPLATE,
			"message": PAYOUT_PAID_WHATSAPP_PARAMETERS,
			"recipients": recipients,
		},
	]


def offer_code_docs(common: dict) -> list[dict]:
	offer = {**common, "event": "Method", "method": OFFER_CODE_METHOD}
	return [
		{
			**offer,
			"name": OFFER_CODE_SMS_NAME,
			"channel": "SMS",
			"message": OFFER_CODE_SMS_MESSAGE,
			"dlt_template_text": dlt.template_from_message(OFFER_CODE_SMS_MESSAGE),
			"recipients": [{"receiver_by_document_field": "mobile_no"}],
		},
		{
			**offer,
			"name": OFFER_CODE_WHATSAPP_NAME,
			"channel": "WhatsApp",
			"subject": OFFER_CODE_WHATSAPP_TEMPLATE,
			"message": OFFER_CODE_WHATSAPP_PARAMETERS,
			"recipients": [
				{"receiver_by_document_field": "whatsapp_no", "condition": "doc.whatsapp_no"},
				{"receiver_by_document_field": "mobile_no", "condition": "not doc.whatsapp_no"},
			],
		},
	]


def notification_docs() -> list[dict]:
	recipients = [
		{"receiver_by_document_field": "whatsapp_no", "condition": "doc.whatsapp_no"},
		{"receiver_by_document_field": "mobile_no", "condition": "not doc.whatsapp_no"},
	]
	common = {
		"doctype": "Notification",
		"document_type": "Manual Order",
		"event": "Submit",
		"enabled": 1,
		"module": "Manual Orders",
		"is_standard": 0,
	}
	return [
		{
			**common,
			"name": SMS_NAME,
			"channel": "SMS",
			"message": SMS_MESSAGE,
			"dlt_template_text": dlt.template_from_message(SMS_MESSAGE),
			"recipients": [{"receiver_by_document_field": "mobile_no"}],
		},
		{
			**common,
			"name": WHATSAPP_NAME,
			"channel": "WhatsApp",
			"subject": WHATSAPP_TEMPLATE,
			"message": WHATSAPP_PARAMETERS,
			"recipients": recipients,
		},
		*partner_assigned_docs(common, recipients),
		{
			**common,
			"name": CONSENT_CODE_NAME,
			"event": "Method",
			"method": CONSENT_CODE_METHOD,
			"channel": "SMS",
			"message": CONSENT_CODE_MESSAGE,
			"dlt_template_text": dlt.template_from_message(CONSENT_CODE_MESSAGE),
			"recipients": [{"receiver_by_document_field": "mobile_no"}],
		},
		*offer_code_docs(common),
		*payout_paid_docs(common, recipients),
		{
			**common,
			"name": DESTINATION_CODE_NAME,
			"event": "Method",
			"method": DESTINATION_CODE_METHOD,
			"channel": "SMS",
			"message": DESTINATION_CODE_MESSAGE,
			"dlt_template_text": dlt.template_from_message(DESTINATION_CODE_MESSAGE),
			"recipients": [{"receiver_by_document_field": "mobile_no"}],
		},
	]


def partner_assigned_docs(common: dict, recipients: list[dict]) -> list[dict]:
	"""When a partner is assigned (on creation or by a manager), the customer is told who comes."""
	on_assignment = {
		**common,
		"event": "Value Change",
		"value_changed": "pickup_partner",
		"condition": "doc.docstatus == 1 and doc.pickup_partner",
	}
	return [
		{
			**on_assignment,
			"name": PARTNER_SMS_NAME,
			"channel": "SMS",
			"message": PARTNER_SMS_MESSAGE,
			"dlt_template_text": dlt.template_from_message(PARTNER_SMS_MESSAGE),
			"recipients": [{"receiver_by_document_field": "mobile_no"}],
		},
		{
			**on_assignment,
			"name": PARTNER_WHATSAPP_NAME,
			"channel": "WhatsApp",
			"subject": PARTNER_WHATSAPP_TEMPLATE,
			"message": PARTNER_WHATSAPP_PARAMETERS,
			"recipients": recipients,
		},
	]


def ensure_notifications() -> None:
	for values in notification_docs():
		if not frappe.db.exists("Notification", values["name"]):
			doc = frappe.get_doc(values)
			doc.insert(ignore_permissions=True, set_name=values["name"])


def fill_dlt_templates() -> None:
	"""Once (a patch), for sites installed before DLT: the shipped SMS texts get their template
	text where the admins left the message as shipped."""
	for values in notification_docs():
		text = values.get("dlt_template_text")
		stored = frappe.db.get_value(
			"Notification", values["name"], ["message", "dlt_template_text"], as_dict=True
		)
		if text and stored and not stored.dlt_template_text and stored.message == values["message"]:
			frappe.db.set_value("Notification", values["name"], "dlt_template_text", text)
