from frappe.model.document import Document


class PickupPartnerPincode(Document):
	pass
