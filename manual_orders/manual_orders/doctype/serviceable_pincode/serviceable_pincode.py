import frappe
from frappe import _

from manual_orders.controllers import CatalogueDocument
from manual_orders.sop.formats import is_valid_pincode, normalise_pincode
from manual_orders.sop.pincodes import pincode_matches_state, states_for_pincode


class ServiceablePincode(CatalogueDocument):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		from manual_orders.manual_orders.doctype.manual_order_device_type.manual_order_device_type import (
			ManualOrderDeviceType,
		)

		city: DF.Data
		device_types: DF.TableMultiSelect[ManualOrderDeviceType]
		enabled: DF.Check
		pincode: DF.Data
		state: DF.Data

	# end: auto-generated types
	def before_insert(self):
		self.pincode = normalise_pincode(self.pincode)

	def validate(self):
		self.pincode = normalise_pincode(self.pincode)
		if not is_valid_pincode(self.pincode):
			frappe.throw(_("Pincode: {0} is not a six-digit Indian pincode.").format(self.pincode))
		if not pincode_matches_state(self.pincode, self.state):
			frappe.throw(
				_("State: pincode {0} belongs to {1}, not {2}.").format(
					self.pincode, ", ".join(states_for_pincode(self.pincode)) or "-", self.state
				)
			)
