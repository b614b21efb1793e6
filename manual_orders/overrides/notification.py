"""Adds a WhatsApp channel to Frappe's Notification and routes Manual Order messages to the outbox.

Frappe 15's Notification has no hook for channels, so the app replaces its class
(`override_doctype_class`). Only two cases change: SMS and WhatsApp Notifications
on Manual Order go to the durable outbox (recorded in the order's transaction,
sent after commit, retried), and a WhatsApp Notification on another DocType
sends nothing. Every other Notification runs Frappe's own `send` unchanged.
"""

import frappe
from frappe.email.doctype.notification.notification import Notification

from manual_orders.messaging import outbox
from manual_orders.sop.formats import normalise_mobile

OUTBOX_DOCTYPES = ("Manual Order",)
OUTBOX_CHANNELS = ("SMS", "WhatsApp")


class ManualOrdersNotification(Notification):
	def send(self, doc):
		if self.channel in OUTBOX_CHANNELS and doc.doctype in OUTBOX_DOCTYPES:
			return self.queue_in_outbox(doc)
		if self.channel == "WhatsApp":
			return None
		return super().send(doc)

	def queue_in_outbox(self, doc):
		"""No try/except here, unlike Frappe's `send`: a message that cannot be recorded
		fails the order's transaction instead of being lost."""
		context = {"doc": doc, "alert": self, "comments": None}
		if self.channel == "WhatsApp" and not frappe.db.get_single_value(
			"Manual Order WhatsApp Settings", "enabled"
		):
			return
		rendered = frappe.render_template(self.message or "", context)
		names = []
		for recipient in self.outbox_recipients(doc, context):
			if self.channel == "SMS":
				names.append(
					outbox.queue(doc.name, "SMS", recipient, message=rendered, notification=self.name)
				)
			else:
				names.append(
					outbox.queue(
						doc.name,
						"WhatsApp",
						recipient,
						message=rendered,
						template=frappe.render_template(self.subject or "", context).strip(),
						language=frappe.db.get_single_value(
							"Manual Order WhatsApp Settings", "default_language"
						)
						or "en",
						parameters=[line.strip() for line in rendered.splitlines() if line.strip()],
						notification=self.name,
					)
				)
		outbox.enqueue_sending(names)

	def outbox_recipients(self, doc, context) -> list[str]:
		"""Frappe's own receiver list, normalised to +91 numbers, each once."""
		numbers = []
		for number in self.get_receiver_list(doc, context):
			normalised = normalise_mobile(number)
			if normalised and normalised not in numbers:
				numbers.append(normalised)
		return numbers
