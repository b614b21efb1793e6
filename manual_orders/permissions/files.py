"""An order's files: who may read, download, attach or copy them, judged on the order.

Frappe checks neither the order on attach, nor who else's file a new File record points at
(a private file is served to the owner of any File with its URL); its download path asks only
its own File rule (`ManualOrdersFile.is_downloadable`, through `override_doctype_class`).
"""

import frappe
from frappe import _
from frappe.core.doctype.file.file import File

from manual_orders.permissions.records import acts_for_partner, app_doctypes, inspection_query, reads_all

# Files attached to an order: Frappe checks neither the order on attach, nor who else's file
# a new File record points at (a private file is served to the owner of any File with its URL).
ATTACHMENT_OWNERS = {
	"Manual Order": "select `name` from `tabManual Order` where `agent` = {user}",
	"Manual Order Price Dispute": "select `name` from `tabManual Order Price Dispute` where `agent` = {user}",
}


def file_query(user: str | None = None) -> str:
	"""Files attached to another agent's order or dispute are not listed."""
	user = user or frappe.session.user
	if reads_all(user):
		return ""
	escaped = frappe.db.escape(user)
	owners = {
		**{doctype: query.format(user=escaped) for doctype, query in ATTACHMENT_OWNERS.items()},
		INSPECTION: f"select `name` from `tabPickup Inspection` where {inspection_query(user)}",
	}
	guarded = ", ".join(frappe.db.escape(doctype) for doctype in owners)
	own = " or ".join(
		f"(`tabFile`.`attached_to_doctype` = {frappe.db.escape(doctype)} and `tabFile`.`attached_to_name` in ({query}))"
		for doctype, query in owners.items()
	)
	return f"(ifnull(`tabFile`.`attached_to_doctype`, '') not in ({guarded}) or {own})"


INSPECTION = "Pickup Inspection"
# Evidence: the photos behind an offer at the door, and the CEIR look-up of a pickup. Once kept,
# nobody moves, publishes, replaces or deletes them through a client path (the owner included).
EVIDENCE_FIELDS = ("attached_to_doctype", "attached_to_name", "attached_to_field", "is_private", "file_url")


def is_evidence(doctype: str | None, field: str | None) -> bool:
	return doctype == INSPECTION or (doctype == "Manual Order" and field == "imei_evidence")


def check_evidence_kept(doc, method=None) -> None:
	"""`File.before_validate` and `on_trash`: evidence stays as the server kept it, checked before
	Frappe moves (privacy changed) or deletes (trash) the file on disk."""
	if doc.flags.ignore_permissions or frappe.flags.in_install or frappe.flags.in_uninstall:
		return
	stored = frappe.db.get_value("File", doc.name, EVIDENCE_FIELDS, as_dict=True) if doc.name else None
	if not stored or not is_evidence(stored.attached_to_doctype, stored.attached_to_field):
		return
	if method == "on_trash" or any(doc.get(field) != stored.get(field) for field in EVIDENCE_FIELDS):
		frappe.throw(
			_("{0} is evidence of {1} {2}; it is kept as it is.").format(
				doc.file_name or doc.name, _(stored.attached_to_doctype), stored.attached_to_name
			),
			frappe.PermissionError,
		)


def has_file_permission(doc, ptype=None, user=None) -> bool | None:
	"""A partner's user reads an order's files only if they uploaded them or they are the
	IMEI evidence: the agent's attachments (bank or identity papers) are not what a pickup
	needs. None leaves the answer to Frappe's own File rule (the first hook with an answer
	decides, so this one never answers True)."""
	user = user or frappe.session.user
	if doc.attached_to_doctype != "Manual Order" or not doc.attached_to_name or doc.owner == user:
		return None
	if reads_all(user) or not acts_for_partner(user) or doc.attached_to_field == "imei_evidence":
		return None
	if frappe.db.get_value("Manual Order", doc.attached_to_name, "agent") == user:
		return None
	return False


def shares_unreadable_order_file(doc) -> bool:
	"""Another File with this URL belongs to an order or dispute whose file the user may not read."""
	others = frappe.get_all(
		"File",
		filters={
			"file_url": doc.file_url,
			"name": ("!=", doc.name or ""),
			"attached_to_doctype": ("in", list(ATTACHMENT_OWNERS)),
		},
		pluck="name",
	)
	return any(not frappe.has_permission("File", "read", doc=frappe.get_doc("File", name)) for name in others)


def check_attachment(doc, method=None) -> None:
	"""`File.before_validate` (before Frappe moves a file whose privacy changed): attaching to an order needs write permission on it; an order's files stay
	private; a File may not point at the file of an order the user cannot read.

	The last rule holds on the server's paths too (`ignore_permissions`) whenever a File is
	made or pointed at a URL: Frappe copies a File that way when it mails it
	(`communication.email.make` with `attachments`), attaches it to a Communication, or amends
	a document. A copy of an order's (or dispute's) file needs read permission on that file."""
	if frappe.session.user == "Administrator":
		return
	if doc.flags.ignore_permissions:
		if is_a_copy(doc):
			refuse_unreadable_url(doc)
		return
	if doc.attached_to_doctype in ATTACHMENT_OWNERS and doc.attached_to_name:
		if not frappe.has_permission(doc.attached_to_doctype, "write", doc.attached_to_name):
			frappe.throw(_("You may attach files only to an order you may edit."), frappe.PermissionError)
		if not doc.is_new() and doc.has_value_changed("is_private") and not doc.is_private:
			frappe.throw(_("A file of an order stays private: it may hold the customer's details."))
	refuse_unreadable_url(doc)


def is_a_copy(doc) -> bool:
	"""A File made (or re-pointed) with the URL of a file that already exists."""
	return bool(doc.file_url) and (doc.is_new() or doc.has_value_changed("file_url"))


def refuse_unreadable_url(doc) -> None:
	"""Another File with this URL belongs to one of the app's records the user may not read."""
	if not doc.file_url:
		return
	from urllib.parse import unquote

	others = frappe.get_all(
		"File",
		filters={
			"file_url": ("in", list({doc.file_url, unquote(doc.file_url)})),
			"name": ("!=", doc.name or ""),
			"attached_to_doctype": ("in", attachment_owner_doctypes()),
		},
		fields=["name", "attached_to_doctype", "attached_to_name"],
	)
	for other in others:
		if not frappe.has_permission("File", "read", doc=frappe.get_doc("File", other.name)):
			frappe.throw(_("That file belongs to an order you may not read."), frappe.PermissionError)


def attachment_owner_doctypes() -> list[str]:
	"""The order, its dispute, and every other DocType of the app a file can be attached to."""
	return sorted({*ATTACHMENT_OWNERS, *app_doctypes()})


class ManualOrdersFile(File):
	"""Frappe 15 serves `/private/files/...` after `File.is_downloadable`, which asks only Frappe's
	own File rule, not the `has_permission` hooks: the app's rule is asked here as well, and a File
	that points at an order's file the user may not read is not downloadable whoever owns it."""

	def validate(self):
		super().validate()
		check_attachment(self)  # again, on the URL as Frappe decoded it (`%2D` and the like)

	def on_trash(self):
		check_evidence_kept(self, "on_trash")  # before Frappe's own on_trash deletes it on disk
		super().on_trash()

	def is_downloadable(self) -> bool:
		return (
			super().is_downloadable()
			and has_file_permission(self) is not False
			and not shares_unreadable_order_file(self)
		)
