from manual_orders.controllers import StoredRowDocument


class ManualOrderHandover(StoredRowDocument):
	"""Work of someone who left, in the managers' queue until a manager takes it.

	Written only by the server (`manual_orders.leavers.handover`); a manager takes it with
	`manual_orders.api.take_handover`, which assigns the work to them.
	"""

	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		description: DF.SmallText | None
		left_user: DF.Link
		reference_name: DF.DynamicLink
		reference_type: DF.Link
		source_todo: DF.Link | None
		status: DF.Literal["Waiting", "Taken"]
		taken_at: DF.Datetime | None
		taken_by: DF.Link | None
		why: DF.Literal["", "User Disabled", "Employee Left", "Removed from Pickup Partner"]
		work: DF.Literal["", "Open Draft", "Price Dispute", "ToDo", "Pickup"]
	# end: auto-generated types
