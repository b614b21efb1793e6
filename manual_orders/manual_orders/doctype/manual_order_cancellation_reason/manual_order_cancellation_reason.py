from frappe.model.document import Document


class ManualOrderCancellationReason(Document):
	pass
