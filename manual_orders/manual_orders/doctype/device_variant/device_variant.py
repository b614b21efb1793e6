from frappe.model.document import Document


class DeviceVariant(Document):
	pass
