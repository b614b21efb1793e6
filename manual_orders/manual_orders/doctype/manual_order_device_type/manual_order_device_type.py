from frappe.model.document import Document


class ManualOrderDeviceType(Document):
	pass
