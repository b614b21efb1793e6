"""Following an order: Frappe's `follow_document` checks nothing, and the digest mails every change."""

import frappe
from frappe import _

from manual_orders.permissions.records import OPERATIONS_ROLE, PARTNER_ROLE, SEE_ALL_ROLES, reads_every_field


def check_follow(doc, method=None) -> None:
	"""`Document Follow.validate` (insert and every edit): Frappe's `follow_document` checks
	nothing, and the digest mails every change of the document. Following an order (or another
	record of this app) needs read permission on it and on every one of its fields."""
	if frappe.get_meta(doc.ref_doctype).module != "Manual Orders":
		return
	user = doc.user or frappe.session.user
	if not (
		frappe.has_permission(doc.ref_doctype, "read", doc.ref_docname, user=user)
		and reads_every_field(doc.ref_doctype, user)
	):
		frappe.throw(
			_("{0} {1} cannot be followed by {2}.").format(_(doc.ref_doctype), doc.ref_docname, user),
			frappe.PermissionError,
		)


def no_follow_digest_for_partners(doc, method=None) -> None:
	"""`User.validate`: a partner's user gets no followed-documents digest (it would mail the
	order's hidden fields); Frappe then follows nothing for them, so their own saves never
	try to follow an order they may read only in part."""
	if doc.document_follow_notify and PARTNER_ROLE in {row.role for row in doc.roles}:
		if not {*SEE_ALL_ROLES, OPERATIONS_ROLE} & {row.role for row in doc.roles}:
			doc.document_follow_notify = 0
