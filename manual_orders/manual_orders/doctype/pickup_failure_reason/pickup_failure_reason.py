from manual_orders.controllers import CatalogueDocument


class PickupFailureReason(CatalogueDocument):
	"""Why a pickup failed, from the list admins keep (SOP §7: where orders fail)."""
