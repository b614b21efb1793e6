import frappe
from frappe.model.document import Document


class ManualOrderRefusalCount(Document):
	pass


def on_doctype_update():
	frappe.db.add_index("Manual Order Refusal Count", ["date", "agent", "rule"], "date_agent_rule_index")
