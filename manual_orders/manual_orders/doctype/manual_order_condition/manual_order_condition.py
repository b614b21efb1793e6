from manual_orders.permissions import OrderRowDocument


class ManualOrderCondition(OrderRowDocument):
	pass
