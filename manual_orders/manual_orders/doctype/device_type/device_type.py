from manual_orders.catalogue import CatalogueDocument


class DeviceType(CatalogueDocument):
	pass
