import frappe
from frappe import _

from manual_orders.controllers import StoredRowDocument


class PickupInspection(StoredRowDocument):
	"""What the partner found at the door, the offer and the customer's answer (SOP §6, §9).

	No role has write, create or delete on it; the server writes it through
	`manual_orders.pickup.inspection` alone, so even Administrator's generic paths
	(`PUT`, `set_value`, `savedocs`, Data Import) are refused here.
	"""

	def validate(self):
		if not self.flags.server_write:
			frappe.throw(
				_("Pickup Inspection: recorded only at the door, through Record Inspection."),
				frappe.PermissionError,
			)

	def on_trash(self):
		frappe.throw(
			_("Pickup Inspection {0} is part of the accountable record; it cannot be deleted.").format(
				self.name
			),
			frappe.PermissionError,
		)
