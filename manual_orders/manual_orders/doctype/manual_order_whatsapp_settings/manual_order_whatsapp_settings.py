from manual_orders.controllers import AppDocument


class ManualOrderWhatsAppSettings(AppDocument):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		access_token: DF.Password | None
		api_base_url: DF.Data | None
		app_secret: DF.Password | None
		default_language: DF.Data | None
		enabled: DF.Check
		phone_number_id: DF.Data | None
		verify_token: DF.Password | None
	# end: auto-generated types
	pass
