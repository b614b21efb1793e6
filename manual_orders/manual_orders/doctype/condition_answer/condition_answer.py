from frappe.model.document import Document


class ConditionAnswer(Document):
	pass
