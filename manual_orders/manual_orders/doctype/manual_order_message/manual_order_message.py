from frappe.model.document import Document


class ManualOrderMessage(Document):
	pass
