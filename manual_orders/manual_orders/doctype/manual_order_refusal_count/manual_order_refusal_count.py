import frappe

from manual_orders.controllers import StoredRowDocument


class ManualOrderRefusalCount(StoredRowDocument):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		agent: DF.Link
		date: DF.Date
		refusals: DF.Int
		rule: DF.Data
	# end: auto-generated types
	pass


def on_doctype_update():
	frappe.db.add_index("Manual Order Refusal Count", ["date", "agent", "rule"], "date_agent_rule_index")
