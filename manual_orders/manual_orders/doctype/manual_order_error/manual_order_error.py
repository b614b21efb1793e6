import frappe
from frappe import _

from manual_orders.accountability import evaluate_restriction
from manual_orders.controllers import StoredRowDocument
from manual_orders.sop.offers import OPEN as OPEN_OFFERS


class ManualOrderError(StoredRowDocument):
	"""A manager's finding that a created order was wrong (SOP §7), kept for accountability (§9)."""

	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		agent: DF.Link | None
		amended_from: DF.Link | None
		consequence: DF.Literal[
			"", "Pickup failure", "Price dispute", "SLA violation", "Vendor complaint", "None yet"
		]
		error_category: DF.Literal[
			"",
			"Wrong device model or variant",
			"Incorrect condition selection",
			"Wrong pincode",
			"Created without consent",
			"Over-promised final price",
			"Missing address details",
		]
		manual_order: DF.Link
		note: DF.SmallText
		order_date: DF.Date | None
		reported_by: DF.Link | None
	# end: auto-generated types

	def validate(self):
		order = frappe.db.get_value(
			"Manual Order", self.manual_order, ["docstatus", "agent", "creation"], as_dict=True
		)
		if not order or order.docstatus == 0:
			frappe.throw(
				_("Manual Order: only a created order can be marked wrong; {0} is not created.").format(
					self.manual_order
				),
				title=_("Not Created"),
			)
		self.agent = order.agent
		self.order_date = order.creation.date()
		self.keep_server_fields()
		if self.is_new() or not self.reported_by:
			self.reported_by = frappe.session.user

	# SOP §9: what the inspection found and a manager's discard are the server's to write.
	def keep_server_fields(self):
		if self.flags.drafted_by_server or self.flags.discarding:
			return
		stored = self.get_doc_before_save()
		for fieldname in ("pickup_inspection", "differences", "discarded", "discard_reason", "discarded_by"):
			self.set(fieldname, stored.get(fieldname) if stored else None)
		if stored and stored.pickup_inspection:  # drafted from an inspection: about that order
			self.manual_order = stored.manual_order
		self.discarded = int(bool(self.discarded))

	def before_submit(self):
		self.check_offer_decided()
		if self.discarded:
			frappe.throw(
				_("Manual Order Error {0} was discarded ({1}); it is not confirmed.").format(
					self.name, self.discard_reason
				),
				title=_("Discarded"),
			)

	def check_offer_decided(self):
		"""A finding of an inspection whose offer is still open may yet be recorded again."""
		status = self.pickup_inspection and frappe.db.get_value(
			"Pickup Inspection", self.pickup_inspection, "offer_status"
		)
		if status in OPEN_OFFERS:
			frappe.throw(
				_(
					"Manual Order Error {0}: the offer of inspection {1} is still {2}; confirm it once the customer has answered."
				).format(self.name, self.pickup_inspection, _(status)),
				title=_("Offer Still Open"),
			)

	def on_trash(self):
		if self.pickup_inspection:
			frappe.throw(
				_(
					"Manual Order Error {0} was drafted from inspection {1}; discard it with a reason instead."
				).format(self.name, self.pickup_inspection),
				frappe.PermissionError,
			)

	def discard(self, reason: str) -> None:
		"""A manager finds the inspection's difference was not the agent's error: kept, not counted."""
		if self.docstatus != 0 or self.discarded:
			frappe.throw(_("Only a draft that is not discarded can be discarded."), title=_("Not Allowed"))
		if not (reason or "").strip():
			frappe.throw(
				_("Why Discarded: say why this is not the agent's error."), title=_("Reason Required")
			)
		self.update({"discarded": 1, "discard_reason": reason.strip(), "discarded_by": frappe.session.user})
		self.flags.discarding = True
		self.save(ignore_permissions=True)

	def on_submit(self):
		restriction = evaluate_restriction(self.agent)
		if restriction:
			frappe.msgprint(
				_("{0} is now flagged for retraining and cannot create manual orders ({1}).").format(
					self.agent, restriction
				),
				alert=True,
			)
