from manual_orders.controllers import CatalogueDocument
from manual_orders.leavers import handover


class PickupPartner(CatalogueDocument):
	"""A company that sends people to the customer's door; assignment reads it from the catalogue cache."""

	def on_update(self):
		super().on_update()
		handover.users_removed(self)
