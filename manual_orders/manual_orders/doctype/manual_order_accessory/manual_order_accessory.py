from manual_orders.controllers import OrderRowDocument


class ManualOrderAccessory(OrderRowDocument):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		accessory: DF.Link
		parent: DF.Data
		parentfield: DF.Data
		parenttype: DF.Data
		price_adjustment: DF.Currency
	# end: auto-generated types
	pass
