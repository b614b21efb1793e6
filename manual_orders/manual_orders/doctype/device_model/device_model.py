import frappe
from frappe import _

from manual_orders.controllers import CatalogueDocument


class DeviceModel(CatalogueDocument):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		from manual_orders.manual_orders.doctype.device_variant.device_variant import DeviceVariant

		brand: DF.Link
		currency: DF.Link | None
		device_type: DF.Link
		high_end: DF.Check
		model_name: DF.Data
		supported: DF.Check
		variants: DF.Table[DeviceVariant]

	# end: auto-generated types
	def validate(self):
		self.validate_unique_variants()

	def validate_unique_variants(self):
		seen = set()
		for row in self.variants:
			key = row.variant_name.strip().casefold()
			if key in seen:
				frappe.throw(
					_("Row {0}: variant {1} is listed twice; keep one row per variant.").format(
						row.idx, row.variant_name
					),
					title=_("Duplicate Variant"),
				)
			seen.add(key)
