"""The draft whose consent is being gathered: open, the caller's to edit, consent recorded."""

import frappe
from frappe import _
from frappe.model.document import Document

from manual_orders.exceptions import ConsentRequired


def draft_in_progress(name: str) -> Document:
	"""The stored draft the caller may write: the only orders whose consent evidence is gathered."""
	if not frappe.db.exists("Manual Order", name) or not frappe.has_permission("Manual Order", "write", name):
		frappe.throw(_("Order {0} is not an order you may change.").format(name), frappe.PermissionError)
	# a locking read: the order as committed now, not as this request's snapshot saw it before it
	# waited (a resend, a read-back and a consent change of one order queue on this row)
	order = frappe.get_doc("Manual Order", name, for_update=True)
	if order.docstatus != 0 or order.outcome:
		frappe.throw(
			_("Order {0} is not a draft in progress; its consent is not gathered any more.").format(name)
		)
	return order


def draft_with_consent(name: str) -> Document:
	"""A draft in progress with consent recorded: the only orders a code is for."""
	order = draft_in_progress(name)
	if not order.consent_fingerprint:
		frappe.throw(
			_(
				"Consent: record the customer's words and both confirmations, and save, before sending a consent code."
			),
			exc=ConsentRequired,
		)
	return order
