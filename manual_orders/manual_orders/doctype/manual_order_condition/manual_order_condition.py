from manual_orders.controllers import OrderRowDocument


class ManualOrderCondition(OrderRowDocument):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		answer: DF.Autocomplete
		deduction: DF.Currency
		parent: DF.Data
		parentfield: DF.Data
		parenttype: DF.Data
		question: DF.Link
	# end: auto-generated types
	pass
