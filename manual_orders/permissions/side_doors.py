"""Frappe 15's generic paths into the app's records, closed.

- **Shares.** Frappe grants a shared document even when the app's `has_permission` says no
  (`frappe.permissions.has_permission` asks the shares after the controller), and a manager's
  standard *Assign To* shares the document with an assignee who may not read it. A DocShare
  on one of the app's DocTypes may grant nobody more than the app's own rule already does
  (`check_share`, `DocShare.validate`): so no share lets one agent read or write another
  agent's order, and *Assign To* of an order to a user who may not read it is refused. One
  agent's order reaches another agent only through a manager (who reads every order); no
  handover path exists yet.
- **Assignments.** `POST /api/resource/ToDo` with any `reference_name` stored "assigned"
  comments on the order and rewrote its `_assign`. A ToDo on one of the app's records needs
  read permission on it, for the user who makes it and for the user it is allocated to
  (`check_assignment`, `ToDo.validate`); the server's own ToDos (`ignore_permissions`) are
  its own business.
- **Likes and comments.** `frappe.desk.like.toggle_like` checks nothing, and
  `frappe.desk.form.utils.add_comment` stores the `comment_email` and `comment_by` the client
  sends: for the app's DocTypes a like needs read permission and a comment is signed by the
  session user.
"""

import frappe
from frappe import _
from frappe.desk import like
from frappe.desk.form import utils as form_utils

from manual_orders.exceptions import SideDoorRefused
from manual_orders.permissions.records import is_ours

SHARE_RIGHTS = ("read", "write", "submit", "share")
SHARE_REFUSED_MESSAGE = "{0} may not {1} {2} {3}, and a share cannot change that. Only users who may already read it can be given or assigned an agent's record; a manager reads every order."


def granted_without_shares(doc, user: str, right: str) -> bool:
	"""The app's rule and the role permissions, without any share (Frappe's `get_doc_permissions`)."""
	from frappe.permissions import get_doc_permissions

	return bool(get_doc_permissions(doc, user=user, ptype=right).get(right))


def check_share(doc, method=None) -> None:
	"""`DocShare.validate`: a share of one of the app's records grants nothing the rule does not."""
	if not is_ours(doc.share_doctype):
		return
	if doc.everyone:
		frappe.throw(
			_("{0} {1} cannot be shared with everyone.").format(_(doc.share_doctype), doc.share_name),
			SideDoorRefused,
		)
	record = frappe.get_doc(doc.share_doctype, doc.share_name)
	for right in SHARE_RIGHTS:
		if doc.get(right) and not granted_without_shares(record, doc.user, right):
			frappe.throw(
				_(SHARE_REFUSED_MESSAGE).format(doc.user, _(right), _(doc.share_doctype), doc.share_name),
				SideDoorRefused,
				title=_("Not Shared"),
			)


def check_assignment(doc, method=None) -> None:
	"""`ToDo.validate`: a ToDo on one of the app's records, made through a client's path, needs
	read permission on the record for its maker and for the user it is allocated to."""
	if doc.flags.ignore_permissions or not (doc.reference_type and doc.reference_name):
		return
	if not is_ours(doc.reference_type) or frappe.session.user == "Administrator":
		return
	if not (
		doc.is_new()
		or doc.has_value_changed("reference_name")
		or doc.has_value_changed("allocated_to")
		or doc.has_value_changed("reference_type")
	):
		return
	if not frappe.db.exists(doc.reference_type, doc.reference_name):
		frappe.throw(
			_("{0} {1} does not exist.").format(_(doc.reference_type), doc.reference_name), SideDoorRefused
		)
	record = frappe.get_doc(doc.reference_type, doc.reference_name)
	for user in {frappe.session.user, doc.allocated_to or frappe.session.user}:
		if not granted_without_shares(record, user, "read"):
			frappe.throw(
				_("{0} may not read {1} {2}, so it cannot be assigned to them or by them.").format(
					user, _(doc.reference_type), doc.reference_name
				),
				SideDoorRefused,
				title=_("Not Assigned"),
			)


@frappe.whitelist()
def toggle_like(doctype: str, name: str, add: str | bool = False) -> None:
	"""Frappe's like, after a read permission check for the app's DocTypes."""
	if is_ours(doctype) and not frappe.has_permission(doctype, "read", name):
		frappe.throw(_("You may not like {0} {1}.").format(_(doctype), name), SideDoorRefused)
	return like.toggle_like(doctype, name, add)


@frappe.whitelist(methods=["POST", "PUT"])
def add_comment(
	reference_doctype: str, reference_name: str, content: str, comment_email: str, comment_by: str
):
	"""Frappe's comment box; on the app's records the comment is signed by who writes it."""
	if is_ours(reference_doctype):
		comment_email = frappe.session.user
		comment_by = frappe.utils.get_fullname(frappe.session.user)
	return form_utils.add_comment(reference_doctype, reference_name, content, comment_email, comment_by)
