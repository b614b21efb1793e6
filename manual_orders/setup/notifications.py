"""The Order ID messages of SOP §6, as Notification records admins edit in the desk.

Created at install only when missing (never overwritten by migrate). The SMS text
is the Notification's message; for WhatsApp the subject is the approved template's
name and each line of the message is one body parameter of that template.
"""

import frappe

SMS_NAME = "Manual Order Created - SMS"
WHATSAPP_NAME = "Manual Order Created - WhatsApp"

SMS_MESSAGE = (
	"Your order {{ doc.name }} is placed. Pickup: {{ frappe.utils.formatdate(doc.pickup_date) }}, "
	"{{ doc.pickup_slot }}. Next: a pickup partner (vendor) will be assigned; the device is inspected "
	"at pickup and the final price depends on that inspection; you are paid instantly at pickup by UPI "
	"or bank transfer."
)
WHATSAPP_TEMPLATE = "manual_order_created"
WHATSAPP_PARAMETERS = "\n".join(
	[
		"{{ doc.customer_name }}",
		"{{ doc.name }}",
		"{{ frappe.utils.formatdate(doc.pickup_date) }}",
		"{{ doc.pickup_slot }}",
	]
)


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
	]


def ensure_notifications() -> None:
	for values in notification_docs():
		if not frappe.db.exists("Notification", values["name"]):
			doc = frappe.get_doc(values)
			doc.insert(ignore_permissions=True, set_name=values["name"])
