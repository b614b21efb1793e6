from manual_orders.catalogue import CatalogueDocument


class DeviceAccessory(CatalogueDocument):
	pass
