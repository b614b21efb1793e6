from frappe.model.document import Document


class PickupSlotCityCapacity(Document):
	pass
