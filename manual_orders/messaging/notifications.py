"""Adds a WhatsApp channel to Frappe's Notification and routes Manual Order messages to the outbox.

Frappe 15's Notification has no hook for channels, so the app replaces its class
(`override_doctype_class`). Only two cases change: SMS and WhatsApp Notifications
on Manual Order go to the durable outbox (recorded in the order's transaction,
sent after commit, retried), and a WhatsApp Notification on another DocType
sends nothing. Every other Notification runs Frappe's own `send` unchanged.
"""

import functools

import frappe
from frappe import _
from frappe.email.doctype.notification.notification import Notification
from frappe.utils import add_days, nowdate
from frappe.utils.jinja import guess_is_path
from jinja2 import TemplateError

from manual_orders.exceptions import DltTemplateMismatch
from manual_orders.messaging import outbox
from manual_orders.sop import dlt
from manual_orders.sop.formats import normalise_mobile

OUTBOX_DOCTYPES = ("Manual Order",)
OUTBOX_CHANNELS = ("SMS", "WhatsApp")
MASK = "******"


class ManualOrdersNotification(Notification):
	def send(self, doc):
		if self.channel in OUTBOX_CHANNELS and doc.doctype in OUTBOX_DOCTYPES:
			return self.queue_in_outbox(doc)
		if self.channel == "WhatsApp":
			return None
		return super().send(doc)

	def validate(self):
		super().validate()
		self.check_dlt_template()

	def check_dlt_template(self):
		"""An SMS whose sample rendering would not fill its DLT template is refused now, not
		dropped by the operators on every send later."""
		if self.channel != "SMS" or self.document_type not in OUTBOX_DOCTYPES:
			return  # other DocTypes send through Frappe's own send_sms, which knows no DLT values
		if not (self.get("dlt_template_text") or self.get("dlt_template_id")):
			return
		if not self.get("dlt_template_text"):
			frappe.throw(
				_("DLT Template Text: paste the text registered on DLT for template {0}.").format(
					self.dlt_template_id
				),
				exc=DltTemplateMismatch,
			)
		try:
			sample = frappe.render_template(self.message or "", sample_context(self))
		except TemplateError as error:
			frappe.throw(
				_("Message: the text cannot be rendered for a sample order ({0}).").format(error),
				exc=DltTemplateMismatch,
			)
		violations = dlt.check_message(self.dlt_template_text, sample)
		if violations:
			frappe.throw(
				_("{0} (sample: {1})").format(violations[0].render(_), sample),
				exc=DltTemplateMismatch,
				title=_("Does Not Match the DLT Template"),
			)

	def queue_in_outbox(self, doc):
		"""No try/except here, unlike Frappe's `send`: a message that cannot be recorded
		fails the order's transaction instead of being lost.

		`doc.flags.message_context` adds values to the text (a payout's amount and UTR).
		A consent code (`doc.flags.consent_code`) is never stored readable: the message keeps
		****** in its place and the real text is encrypted for the sender alone.
		"""
		if self.channel == "WhatsApp" and not whatsapp_settings().enabled:
			return
		secret = doc.flags.consent_code or {}
		context = {"doc": doc, "alert": self, "comments": None, **(doc.flags.message_context or {}), **secret}
		rendered = render(self.message, context)
		stored, masked_context = rendered, context
		if secret:
			masked_context = {**context, "otp": MASK}
			stored = render(self.message, masked_context)
		names = []
		for recipient in self.outbox_recipients(doc, context):
			if self.channel == "SMS":
				names.append(self.queue_sms(doc, recipient, rendered, stored if secret else None))
			else:
				names.append(
					outbox.queue(
						doc.name,
						"WhatsApp",
						recipient,
						message=stored,
						template=render(self.subject, masked_context).strip(),
						language=whatsapp_settings().default_language or "en",
						parameters=lines(stored),
						notification=self.name,
						secret_parameters=lines(rendered) if secret else None,
					)
				)
		if doc.flags.outbox_messages is not None:
			doc.flags.outbox_messages.extend(names)
		outbox.enqueue_sending(names, urgent=bool(secret))

	def queue_sms(self, doc, recipient: str, text: str, masked: str | None) -> str:
		"""An SMS that does not fill its DLT template is recorded Failed with the reason (the
		operators would drop it); a consent code the agent asked for is refused instead."""
		violations = (
			dlt.check_message(self.get("dlt_template_text"), text) if self.get("dlt_template_text") else []
		)
		if violations and doc.flags.consent_code:
			frappe.throw(violations[0].render(_), exc=DltTemplateMismatch)
		return outbox.queue(
			doc.name,
			"SMS",
			recipient,
			message=masked or text,
			notification=self.name,
			secret_message=text if masked else None,
			dlt={
				"dlt_template_id": self.get("dlt_template_id"),
				"dlt_entity_id": self.get("dlt_entity_id"),
				"dlt_sender": self.get("dlt_sender"),
			},
			failure=violations[0].render() if violations else None,
		)

	def outbox_recipients(self, doc, context) -> list[str]:
		"""Frappe's own receiver list, normalised to +91 numbers, each once."""
		numbers = []
		for number in self.get_receiver_list(doc, context):
			normalised = normalise_mobile(number)
			if normalised and normalised not in numbers:
				numbers.append(normalised)
		return numbers


def render(template: str | None, context: dict) -> str:
	"""Frappe's `render_template` for a Notification's text, compiled once a text and process
	(Frappe compiles it on every call: ~2 ms an order). The request's own Jinja
	globals go in with the context, so a text compiled during one request renders with the next
	request's user and language; paths and texts Frappe refuses go to Frappe."""
	if not template or guess_is_path(template) or ".__" in template:
		return frappe.render_template(template or "", context)
	return compiled(template).render({**frappe.get_jenv().globals, **context})


@functools.lru_cache(maxsize=256)
def compiled(template: str):
	return frappe.get_jenv().from_string(template)


def whatsapp_settings():
	"""From Frappe's document cache, which a save of the settings clears."""
	return frappe.get_cached_doc("Manual Order WhatsApp Settings")


def lines(text: str) -> list[str]:
	"""A WhatsApp template's body parameters: one a line."""
	return [line.strip() for line in text.splitlines() if line.strip()]


def sample_context(alert) -> dict:
	"""What an admin's Notification is rendered with when saved: an order as the desk makes one."""
	doc = frappe.new_doc(alert.document_type or "Manual Order")
	doc.name = "MO-2026-00042"
	values = {
		"customer_name": "Asha Verma",
		"mobile_no": "+919876543210",
		"pickup_date": add_days(nowdate(), 1),
		"pickup_slot": frappe.db.get_value("Pickup Slot", {"enabled": 1}, "name") or "09:00 - 11:00",
		"pickup_partner": frappe.db.get_value("Pickup Partner", {"enabled": 1}, "name") or "QuickPick Mumbai",
		"estimated_price": 12500,
		"device_model": "iPhone 13",
	}
	for fieldname, value in values.items():
		if doc.meta.has_field(fieldname):
			doc.set(fieldname, value)
	return {
		"doc": doc,
		"alert": alert,
		"comments": None,
		"otp": "123456",
		"otp_minutes": 10,
		# an offer at the door (pickup/inspection.py)
		"agreed_price": "₹29,000",
		"offer_price": "₹21,500",
		"offer_reason": "Screen condition Cracked +1",
		"offer_reasons": "Screen condition: Minor scratches → Cracked (-₹7,500)",
		# a payout made (settlement/settle.py)
		"paid_amount": "₹21,500",
		"utr": "HDFCR52026120312",
		"new_destination": "••••7890",
	}
