import frappe
from frappe import _

from manual_orders.catalogue_cache import as_time
from manual_orders.controllers import CatalogueDocument


class PickupSlot(CatalogueDocument):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		enabled: DF.Check
		end_time: DF.Time
		slot_label: DF.Data
		start_time: DF.Time

	# end: auto-generated types
	def validate(self):
		if as_time(self.start_time) >= as_time(self.end_time):
			frappe.throw(_("Ends: the slot must end after it starts."), title=_("Invalid Slot"))
