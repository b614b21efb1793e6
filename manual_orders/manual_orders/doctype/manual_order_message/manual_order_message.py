import frappe

from manual_orders.controllers import StoredRowDocument


class ManualOrderMessage(StoredRowDocument):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		attempts: DF.Int
		carries_code: DF.Check
		channel: DF.Literal["SMS", "WhatsApp"]
		delivered_at: DF.Datetime | None
		dlt_entity_id: DF.Data | None
		dlt_sender: DF.Data | None
		dlt_template_id: DF.Data | None
		last_error: DF.SmallText | None
		manual_order: DF.Link
		message: DF.Text | None
		next_attempt_at: DF.Datetime | None
		notification: DF.Link | None
		provider_message_id: DF.Data | None
		recipient: DF.Data
		sent_at: DF.Datetime | None
		status: DF.Literal["Queued", "Sent", "Delivered", "Read", "Failed"]
		template_language: DF.Data | None
		template_name: DF.Data | None
		template_parameters: DF.Code | None
	# end: auto-generated types
	pass


def on_doctype_update():
	"""The sender's scan: queued messages whose next attempt is due."""
	frappe.db.add_index("Manual Order Message", ["status", "next_attempt_at"], "status_next_attempt_index")
