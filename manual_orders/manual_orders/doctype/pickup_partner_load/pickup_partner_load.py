from manual_orders.controllers import AppDocument


class PickupPartnerLoad(AppDocument):
	"""Booked places of one day, kept by manual_orders/pickups.py under a row lock; read-only in the desk."""
