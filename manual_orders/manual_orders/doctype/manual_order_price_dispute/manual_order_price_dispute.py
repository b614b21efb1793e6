import frappe
from frappe import _
from frappe.utils import now_datetime

from manual_orders.controllers import StoredRowDocument
from manual_orders.exceptions import RecordLocked
from manual_orders.sop import formats

RESOLVED = "Resolved"


class ManualOrderPriceDispute(StoredRowDocument):
	"""SOP §8: a customer's objection to the price, kept as history (append-only).

	The customer's words, who recorded them and when are written once; a resolution is
	recorded once; nothing is deleted. The order's `price_disputed` flag (managers'
	reports) follows these records and is never set by hand.
	"""

	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		agent: DF.Link | None
		customer_words: DF.SmallText
		manual_order: DF.Link
		notes: DF.SmallText | None
		recorded_at: DF.Datetime | None
		recorded_by: DF.Link | None
		resolution: DF.Literal[
			"",
			"Customer accepted after the inspection pricing was re-explained",
			"Order cancelled at the customer's request",
			"Customer will decide at the inspection",
		]
		resolution_notes: DF.SmallText | None
		resolved_at: DF.Datetime | None
		resolved_by: DF.Link | None
		status: DF.Literal["Open", "Resolved"]
	# end: auto-generated types

	def validate(self):
		before = self.get_doc_before_save()
		if before and before.status == RESOLVED:
			frappe.throw(
				_(
					"Price dispute {0} is resolved and part of the record; record a new dispute instead."
				).format(self.name),
				exc=RecordLocked,
				title=_("Dispute Resolved"),
			)
		if before:
			self.keep_recorded(before)
		else:
			self.record_dispute()
		self.record_resolution(before)

	def keep_recorded(self, before):
		"""Who recorded the dispute, for whose order, stays as stored (the words are set-only-once)."""
		for fieldname in ("agent", "recorded_by", "recorded_at"):
			self.set(fieldname, before.get(fieldname))

	def record_dispute(self):
		order = frappe.db.get_value(
			"Manual Order", self.manual_order, ["name", "docstatus", "agent"], as_dict=True
		)
		if not order or order.docstatus != 1:
			frappe.throw(
				_("Manual Order: only a created order can have a price dispute; {0} is not created.").format(
					self.manual_order
				),
				title=_("Not Created"),
			)
		if not frappe.has_permission("Manual Order", "write", order.name):
			frappe.throw(
				_("Manual Order: you may record a dispute only on an order you may edit."),
				frappe.PermissionError,
			)
		if not formats.text(self.customer_words):
			frappe.throw(_("What the Customer Said: write the customer's words about the price."))
		self.agent = order.agent
		self.recorded_by = frappe.session.user
		self.recorded_at = now_datetime()
		self.status = "Open"

	def record_resolution(self, before):
		self.resolved_by = before.resolved_by if before else None
		self.resolved_at = before.resolved_at if before else None
		if not self.resolution:
			self.status = "Open"
			return
		self.status = RESOLVED
		self.resolved_by = frappe.session.user
		self.resolved_at = now_datetime()

	def after_insert(self):
		frappe.db.set_value("Manual Order", self.manual_order, "price_disputed", 1, update_modified=False)
		frappe.get_doc("Manual Order", self.manual_order).add_comment(
			"Info",
			_("Price dispute {0} recorded: {1}").format(
				self.name, frappe.utils.escape_html(self.customer_words)
			),
		)

	def on_trash(self):
		frappe.throw(_("A price dispute is part of the order's record and cannot be deleted."), RecordLocked)
