from manual_orders.permissions import OrderRowDocument


class ManualOrderAccessory(OrderRowDocument):
	pass
