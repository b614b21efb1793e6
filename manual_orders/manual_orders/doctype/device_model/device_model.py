import frappe
from frappe import _

from manual_orders.catalogue import CatalogueDocument


class DeviceModel(CatalogueDocument):
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
