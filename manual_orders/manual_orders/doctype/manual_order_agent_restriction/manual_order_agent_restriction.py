import frappe
from frappe import _
from frappe.utils import now_datetime

from manual_orders.accountability import clear_restriction_cache
from manual_orders.controllers import StoredRowDocument
from manual_orders.permissions.records import sees_all
from manual_orders.settings import clear_when_transaction_ends


class ManualOrderAgentRestriction(StoredRowDocument):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		agent: DF.Link
		clear_reason: DF.SmallText | None
		cleared_by: DF.Link | None
		cleared_on: DF.Datetime | None
		flagged_by: DF.Link | None
		flagged_on: DF.Datetime | None
		reason: DF.SmallText | None
		status: DF.Literal["Restricted", "Cleared"]

	# end: auto-generated types
	def on_update(self):
		clear_when_transaction_ends(clear_restriction_cache)

	def on_trash(self):
		clear_when_transaction_ends(clear_restriction_cache)

	@frappe.whitelist()
	def clear(self, reason: str):
		"""A manager clears the flag after retraining; who and why are kept."""
		if not sees_all():
			frappe.throw(_("Only a Manual Order Manager can clear a restriction."), frappe.PermissionError)
		self.load_from_db()  # judged and saved as stored, whatever the client sent with the call
		if self.status != "Restricted":
			frappe.throw(_("This restriction is already cleared."))
		if not (reason or "").strip():
			frappe.throw(
				_("Why Cleared: write why the agent may create orders again (e.g. retraining done).")
			)
		self.status = "Cleared"
		self.cleared_on = now_datetime()
		self.cleared_by = frappe.session.user
		self.clear_reason = reason
		self.save(ignore_permissions=True)
