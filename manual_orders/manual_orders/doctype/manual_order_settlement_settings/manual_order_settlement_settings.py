from manual_orders.controllers import AppDocument


class ManualOrderSettlementSettings(AppDocument):
	"""Where a bought device lands in the books and how it is paid; admins set it in the desk."""

	pass
