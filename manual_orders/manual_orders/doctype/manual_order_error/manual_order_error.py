import frappe
from frappe import _

from manual_orders.accountability import evaluate_restriction
from manual_orders.controllers import StoredRowDocument


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
		if self.is_new() or not self.reported_by:
			self.reported_by = frappe.session.user

	def on_submit(self):
		restriction = evaluate_restriction(self.agent)
		if restriction:
			frappe.msgprint(
				_("{0} is now flagged for retraining and cannot create manual orders ({1}).").format(
					self.agent, restriction
				),
				alert=True,
			)
