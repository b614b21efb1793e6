import frappe
from frappe import _

from manual_orders.controllers import AppDocument


class ManualOrderPayoutEvent(AppDocument):
	"""What the payout provider said (a webhook, an API answer) or a manager recorded, as received:
	written before anything acts on it, never changed afterwards."""

	def validate(self):
		if not self.flags.server_write:
			frappe.throw(
				_("Manual Order Payout Event: recorded only as the provider sent it."), frappe.PermissionError
			)

	def on_trash(self):
		frappe.throw(_("What the provider said is kept; it cannot be deleted."), frappe.PermissionError)
