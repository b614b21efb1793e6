from frappe.model.document import Document


class ManualOrderWhatsAppSettings(Document):
	pass
