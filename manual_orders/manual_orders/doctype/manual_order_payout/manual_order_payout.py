import frappe
from frappe import _

from manual_orders.controllers import StoredRowDocument


class ManualOrderPayout(StoredRowDocument):
	"""One payout per bought device (issue 24).

	No role may write, create or delete it: the amount, the destination and the status change
	only through `manual_orders.settlement` (the server, the signed payout webhook, and a
	manager's recorded manual UTR), so Administrator's generic paths are refused here too.
	"""

	def validate(self):
		if not self.flags.server_write:
			frappe.throw(
				_("Manual Order Payout: changed only by the settlement of the order, never by hand."),
				frappe.PermissionError,
			)

	def on_trash(self):
		frappe.throw(
			_("Manual Order Payout {0} is part of the books; it cannot be deleted.").format(self.name),
			frappe.PermissionError,
		)
