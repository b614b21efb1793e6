from manual_orders.controllers import AppDocument


class DeviceVariant(AppDocument):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		base_price: DF.Currency
		enabled: DF.Check
		parent: DF.Data
		parentfield: DF.Data
		parenttype: DF.Data
		variant_name: DF.Data
	# end: auto-generated types
	pass
