from manual_orders.controllers import AppDocument


class ManualOrderConsentCode(AppDocument):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		attempts: DF.Int
		code_hash: DF.Data | None
		expires_at: DF.Datetime | None
		manual_order: DF.Link | None
		sent_by: DF.Link | None
		status: DF.Literal["Sent", "Verified", "Locked", "Replaced"]
		terms_fingerprint: DF.Data | None
		verified_at: DF.Datetime | None
	# end: auto-generated types
	pass
