from manual_orders.catalogue import CatalogueDocument


class PickupPartner(CatalogueDocument):
	"""A company that sends people to the customer's door; assignment reads it from the catalogue cache."""
