import frappe
from frappe import _

from manual_orders.catalogue import CatalogueDocument
from manual_orders.sop.formats import is_valid_pincode, normalise_pincode
from manual_orders.sop.pincodes import pincode_matches_state, states_for_pincode


class ServiceablePincode(CatalogueDocument):
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
