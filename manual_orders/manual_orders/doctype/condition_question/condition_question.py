import frappe
from frappe import _

from manual_orders.controllers import CatalogueDocument


class ConditionQuestion(CatalogueDocument):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		from manual_orders.manual_orders.doctype.condition_answer.condition_answer import ConditionAnswer

		answers: DF.Table[ConditionAnswer]
		device_type: DF.Link
		enabled: DF.Check
		question: DF.Data
		sort_order: DF.Int

	# end: auto-generated types
	def validate(self):
		self.validate_answers()

	def validate_answers(self):
		seen = set()
		for row in self.answers:
			if not 0 <= (row.deduction_percent or 0) <= 100:
				frappe.throw(
					_("Row {0}: the deduction must be between 0 and 100 percent.").format(row.idx),
					title=_("Invalid Deduction"),
				)
			key = row.answer.strip().casefold()
			if key in seen:
				frappe.throw(
					_("Row {0}: answer {1} is listed twice.").format(row.idx, row.answer),
					title=_("Duplicate Answer"),
				)
			seen.add(key)
