from manual_orders.catalogue import CatalogueDocument


class ManualOrderSettings(CatalogueDocument):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		gateway_timeout_seconds: DF.Int
		max_days_ahead: DF.Int
		message_max_attempts: DF.Int
		message_retry_seconds: DF.Int
		min_lead_minutes: DF.Int
		price_variance_percent: DF.Percent
		restriction_threshold: DF.Int
		restriction_window_days: DF.Int
	# end: auto-generated types
	pass
