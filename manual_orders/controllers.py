"""The base classes of the app's DocType controllers: what every record of the app shares.

- `AppDocument`: what Frappe lets any reader call on a document, closed.
- `StoredRowDocument`: remembers the stored row it was loaded from (the permission hooks judge that row).
- `OrderRowDocument`: a child row of an order, readable exactly when its order is.
- `InspectionRowDocument`: a child row of a pickup inspection, readable exactly when its inspection is.
- `CatalogueDocument`: catalogue records clear the catalogue cache whenever they change.
"""

import frappe
from frappe import _
from frappe.model.document import Document

from manual_orders.settings import clear_catalogue_cache, clear_when_transaction_ends
from manual_orders.sop.pricing import CURRENCY


class AppDocument(Document):
	"""Base of the app's controllers: what Frappe lets any reader call on a document, closed.

	Frappe 15 whitelists `Document.rename` and `Document.add_comment`, and `run_doc_method`
	needs only read permission to call them: `rename` with `validate_rename: 0` skips every
	check (an agent could rename a catalogue record, a dispute or the next Order Error's
	name and block its series), `add_comment` writes timeline entries in anyone's name.
	Here neither is callable by a client; the desk's Rename and comment box use other,
	checked paths, and the server's own `add_comment` calls work as before.
	"""

	def rename(self, *args, **kwargs):
		frappe.throw(
			_("{0} {1} cannot be renamed this way.").format(_(self.doctype), self.name),
			frappe.PermissionError,
		)

	def add_comment(self, *args, **kwargs):
		return super().add_comment(*args, **kwargs)


class StoredRowDocument(AppDocument):
	"""Remembers the stored row it was loaded from.

	Frappe's update paths (`PUT /api/resource`, `frappe.client.set_value` with a JSON field
	name, bulk edit) load the row named in the URL, then apply the client's values, `name`
	included: `{"name": null}` would save another agent's order as a new one of the caller's,
	another name would write it over a row the caller owns. `flags` cannot be set by a
	client, so the loaded name kept there decides (`became_another_row`).
	"""

	def load_from_db(self):
		super().load_from_db()
		self.flags.loaded_name = self.name


class OrderRowDocument(AppDocument):
	"""A row of an order's child table, read on its own (`frappe.client.get` with a row name).

	Frappe 15 checks only the parent DocType for a child row read by name, not the parent
	document; a row is readable exactly when its stored parent order is.
	"""

	parent_doctype = "Manual Order"

	def has_permission(self, permtype="read", *, debug=False, user=None) -> bool:
		if self.flags.ignore_permissions:
			return True
		parent = frappe.db.get_value(self.doctype, self.name, "parent") if self.name else self.parent
		if not parent:
			return False
		return frappe.has_permission(self.parent_doctype, permtype, doc=parent, user=user, debug=debug)


class InspectionRowDocument(OrderRowDocument):
	"""A row of a pickup inspection's child tables: readable exactly when its inspection is."""

	parent_doctype = "Pickup Inspection"


class CatalogueDocument(AppDocument):
	"""Catalogue records clear the catalogue cache whenever they change; their prices are in rupees."""

	def before_validate(self):
		if self.meta.has_field("currency"):
			self.currency = CURRENCY

	def on_update(self):
		clear_when_transaction_ends(clear_catalogue_cache)

	def on_trash(self):
		clear_when_transaction_ends(clear_catalogue_cache)

	def after_rename(self, old, new, merge=False):
		clear_when_transaction_ends(clear_catalogue_cache)
