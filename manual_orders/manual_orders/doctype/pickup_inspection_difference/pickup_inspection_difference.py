from manual_orders.controllers import InspectionRowDocument


class PickupInspectionDifference(InspectionRowDocument):
	"""One way the device differs from what was agreed, and what it changes in the price."""

	pass
