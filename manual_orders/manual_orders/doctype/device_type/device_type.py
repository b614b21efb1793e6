from manual_orders.controllers import CatalogueDocument


class DeviceType(CatalogueDocument):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		device_type_name: DF.Data
		enabled: DF.Check
	# end: auto-generated types
	pass
