from manual_orders.controllers import CatalogueDocument


class ManualOrderCreationReason(CatalogueDocument):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		description: DF.SmallText | None
		enabled: DF.Check
		needs_high_end_device: DF.Check
		reason: DF.Data
	# end: auto-generated types
	pass
