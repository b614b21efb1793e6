from manual_orders.catalogue import CatalogueDocument


class ManualOrderCreationReason(CatalogueDocument):
	pass
