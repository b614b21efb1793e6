from manual_orders.controllers import InspectionRowDocument


class PickupInspectionAccessory(InspectionRowDocument):
	"""An accessory the partner found with the device."""

	pass
