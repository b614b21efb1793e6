from manual_orders.controllers import InspectionRowDocument


class PickupInspectionCondition(InspectionRowDocument):
	"""A condition question as the partner found it at the door, with its photo."""

	pass
