from frappe.model.document import Document


class ManualOrderAccessory(Document):
	pass
