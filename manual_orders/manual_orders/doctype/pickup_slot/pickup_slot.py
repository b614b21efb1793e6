import frappe
from frappe import _

from manual_orders.catalogue import CatalogueDocument, as_time


class PickupSlot(CatalogueDocument):
	def validate(self):
		if as_time(self.start_time) >= as_time(self.end_time):
			frappe.throw(_("Ends: the slot must end after it starts."), title=_("Invalid Slot"))
