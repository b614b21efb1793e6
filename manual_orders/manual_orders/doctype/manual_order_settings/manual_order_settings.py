from manual_orders.controllers import CatalogueDocument


class ManualOrderSettings(CatalogueDocument):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		call_log_window_minutes: DF.Int
		dlt_entity_id_parameter: DF.Data | None
		dlt_sender_parameter: DF.Data | None
		dlt_template_id_parameter: DF.Data | None
		gateway_timeout_seconds: DF.Int
		max_days_ahead: DF.Int
		message_max_attempts: DF.Int
		message_retry_seconds: DF.Int
		min_lead_minutes: DF.Int
		otp_expiry_minutes: DF.Int
		otp_max_attempts: DF.Int
		price_variance_percent: DF.Percent
		quote_validity_days: DF.Int
		require_call_log_for_consent: DF.Check
		require_otp_consent: DF.Check
		restriction_threshold: DF.Int
		restriction_window_days: DF.Int
	# end: auto-generated types
	pass
