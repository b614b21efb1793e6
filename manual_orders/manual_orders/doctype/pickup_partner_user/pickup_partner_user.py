from frappe.model.document import Document


class PickupPartnerUser(Document):
	pass
