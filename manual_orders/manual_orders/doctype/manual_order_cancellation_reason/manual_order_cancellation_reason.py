from manual_orders.controllers import AppDocument


class ManualOrderCancellationReason(AppDocument):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		enabled: DF.Check
		reason: DF.Data
	# end: auto-generated types
	pass
