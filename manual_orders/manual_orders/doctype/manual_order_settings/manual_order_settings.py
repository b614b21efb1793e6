from manual_orders.catalogue import CatalogueDocument


class ManualOrderSettings(CatalogueDocument):
	pass
