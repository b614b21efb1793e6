from manual_orders.controllers import AppDocument


class PickupPartnerLoad(AppDocument):
	"""Booked places of one day, kept by manual_orders/pickup/places.py under a row lock; read-only in the desk."""
