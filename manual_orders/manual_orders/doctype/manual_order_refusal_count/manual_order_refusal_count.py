from frappe.model.document import Document


class ManualOrderRefusalCount(Document):
	pass
