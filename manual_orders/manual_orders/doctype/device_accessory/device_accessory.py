from manual_orders.controllers import CatalogueDocument


class DeviceAccessory(CatalogueDocument):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		from manual_orders.manual_orders.doctype.manual_order_device_type.manual_order_device_type import (
			ManualOrderDeviceType,
		)

		accessory_name: DF.Data
		currency: DF.Link | None
		device_types: DF.TableMultiSelect[ManualOrderDeviceType]
		enabled: DF.Check
		price_adjustment: DF.Currency
	# end: auto-generated types
	pass
