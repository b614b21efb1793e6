from frappe.model.document import Document


class ManualOrderCondition(Document):
	pass
