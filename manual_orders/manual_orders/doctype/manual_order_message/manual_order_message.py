import frappe

from manual_orders.permissions import StoredRowDocument


class ManualOrderMessage(StoredRowDocument):
	pass


def on_doctype_update():
	"""The sender's scan: queued messages whose next attempt is due."""
	frappe.db.add_index("Manual Order Message", ["status", "next_attempt_at"], "status_next_attempt_index")
