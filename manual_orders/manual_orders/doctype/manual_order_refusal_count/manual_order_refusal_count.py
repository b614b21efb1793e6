import frappe

from manual_orders.permissions import StoredRowDocument


class ManualOrderRefusalCount(StoredRowDocument):
	pass


def on_doctype_update():
	frappe.db.add_index("Manual Order Refusal Count", ["date", "agent", "rule"], "date_agent_rule_index")
