import frappe
from frappe import _

from manual_orders.accountability import evaluate_restriction
from manual_orders.permissions import StoredRowDocument


class ManualOrderError(StoredRowDocument):
	"""A manager's finding that a created order was wrong (SOP §7), kept for accountability (§9)."""

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
