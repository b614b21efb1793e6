"""Agents see and edit only their own orders (and what hangs off them); managers see all.

Used by `permission_query_conditions` (lists, reports, link searches, child tables read
directly) and `has_permission` (single documents) in hooks.py. A single document is judged
on its row as stored, never on the values a client sent with it: a `PUT` that carries
another `agent` is judged by the agent the database holds.
"""

import frappe
from frappe import _

SEE_ALL_ROLES = ("Manual Order Manager", "System Manager")
# Operations watch every pickup: they read every order, the partners and the booked places, and change nothing.
OPERATIONS_ROLE = "Manual Order Operations"
READ_PTYPES = ("read", "print", "email", "export", "report", "select")
# Pickup partners' users read the orders assigned to their partner, and only what a pickup needs
# (fields at permission levels 0 and 1); they move the pickup through `manual_orders.api.update_pickup`.
PARTNER_ROLE = "Pickup Partner"
PARTNER_PTYPES = ("read", "select")


def sees_all(user: str | None = None) -> bool:
	user = user or frappe.session.user
	return user == "Administrator" or bool(set(SEE_ALL_ROLES) & set(frappe.get_roles(user)))


def reads_all(user: str | None = None) -> bool:
	user = user or frappe.session.user
	return sees_all(user) or OPERATIONS_ROLE in frappe.get_roles(user)


def _own(column: str, user: str | None, roles_see_all=sees_all) -> str:
	user = user or frappe.session.user
	if roles_see_all(user):
		return ""
	return f"{column} = {frappe.db.escape(user)}"


def partners_query(user: str) -> str:
	"""The enabled Pickup Partners the user acts for, as a subquery."""
	return (
		"select `tabPickup Partner User`.`parent` from `tabPickup Partner User`"
		" join `tabPickup Partner` on `tabPickup Partner`.`name` = `tabPickup Partner User`.`parent`"
		f" where `tabPickup Partner User`.`user` = {frappe.db.escape(user)}"
		" and `tabPickup Partner User`.`parenttype` = 'Pickup Partner' and `tabPickup Partner`.`enabled` = 1"
	)


def acts_for_partner(user: str) -> bool:
	return PARTNER_ROLE in frappe.get_roles(user)


def _own_orders(column: str, user: str | None, with_partner: bool = False) -> str:
	user = user or frappe.session.user
	if reads_all(user):
		return ""
	orders = f"select `name` from `tabManual Order` where `agent` = {frappe.db.escape(user)}"
	if with_partner and acts_for_partner(user):
		orders += f" or (`docstatus` = 1 and `pickup_partner` in ({partners_query(user)}))"
	return f"{column} in ({orders})"


def manual_order_query(user: str | None = None) -> str:
	user = user or frappe.session.user
	own = _own("`tabManual Order`.`agent`", user, reads_all)
	if not own or not acts_for_partner(user):
		return own
	return (
		f"({own} or (`tabManual Order`.`docstatus` = 1"
		f" and `tabManual Order`.`pickup_partner` in ({partners_query(user)})))"
	)


def order_row_query(user: str | None = None, doctype: str | None = None) -> str:
	"""Rows of an order's child tables read directly (`get_list` with `parent`)."""
	return _own_orders(f"`tab{doctype}`.`parent`", user, with_partner=True)


def manual_order_error_query(user: str | None = None) -> str:
	return _own("`tabManual Order Error`.`agent`", user)


def refusal_count_query(user: str | None = None) -> str:
	return _own("`tabManual Order Refusal Count`.`agent`", user)


def restriction_query(user: str | None = None) -> str:
	return _own("`tabManual Order Agent Restriction`.`agent`", user)


def price_dispute_query(user: str | None = None) -> str:
	return _own("`tabManual Order Price Dispute`.`agent`", user)


def message_query(user: str | None = None) -> str:
	return _own_orders("`tabManual Order Message`.`manual_order`", user)


def stored_row(doc, fieldname: str) -> frappe._dict | None:
	"""The document's row as the database holds it (None for a document not saved yet)."""
	if not doc.name:
		return None
	return frappe.db.get_value(doc.doctype, doc.name, ["name", fieldname], as_dict=True)


def became_another_row(doc) -> bool:
	"""A document loaded from one row whose `name` a client changed (to another row, or to none:
	a copy) is never judged as the row it now names (see StoredRowDocument)."""
	loaded = doc.flags.get("loaded_name")
	return bool(loaded) and doc.name != loaded


def _is_own(doc, user: str | None, field: str = "agent") -> bool:
	user = user or frappe.session.user
	if became_another_row(doc):
		return False
	if sees_all(user):
		return True
	stored = stored_row(doc, field)
	if not stored:
		return doc.is_new()  # not saved yet: the server sets the agent on insert
	return stored.get(field) == user


def has_manual_order_permission(doc, ptype=None, user=None) -> bool:
	user = user or frappe.session.user
	if became_another_row(doc):
		return False
	if ptype in READ_PTYPES and reads_all(user):
		return True
	own = _is_own(doc, user)  # None for a document with neither a name nor __islocal: role permissions decide
	if own or ptype not in PARTNER_PTYPES:
		return own
	return is_partner_order(doc, user) or own


def is_partner_order(doc, user: str) -> bool:
	"""A created order assigned (as stored) to a partner the user acts for."""
	if not acts_for_partner(user) or not doc.name:
		return False
	stored = frappe.db.get_value(doc.doctype, doc.name, ["docstatus", "pickup_partner"], as_dict=True)
	if not stored or stored.docstatus != 1 or not stored.pickup_partner:
		return False
	return bool(
		frappe.db.sql(f"select 1 from ({partners_query(user)}) p where p.parent = %s", stored.pickup_partner)
	)


def pickup_partner_query(user: str | None = None) -> str:
	"""A partner's users see their own partner record, no other."""
	user = user or frappe.session.user
	if reads_all(user):
		return ""
	return f"`tabPickup Partner`.`name` in ({partners_query(user)})"


def pickup_partner_row_query(user: str | None = None, doctype: str | None = None) -> str:
	"""A partner's users and pincodes, read directly: only their own partner's."""
	user = user or frappe.session.user
	if reads_all(user):
		return ""
	return f"`tab{doctype}`.`parent` in ({partners_query(user)})"


def reads_every_field(doctype: str, user: str | None = None) -> bool:
	"""True unless field permission levels hide some of the DocType's fields from the user."""
	from frappe.model import get_permitted_fields, no_value_fields

	user = user or frappe.session.user
	if user == "Administrator":
		return True
	meta = frappe.get_meta(doctype)
	readable = set(get_permitted_fields(doctype, user=user))
	return all(df.fieldname in readable for df in meta.fields if df.fieldtype not in no_value_fields)


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


def has_pickup_partner_permission(doc, ptype=None, user=None) -> bool:
	user = user or frappe.session.user
	if reads_all(user):
		return True
	if not doc.name:
		return False
	return bool(frappe.db.sql(f"select 1 from ({partners_query(user)}) p where p.parent = %s", doc.name))


def has_agent_record_permission(doc, ptype=None, user=None) -> bool:
	return _is_own(doc, user)


def has_message_permission(doc, ptype=None, user=None) -> bool:
	user = user or frappe.session.user
	if became_another_row(doc):
		return False
	if reads_all(user) and (ptype in READ_PTYPES or sees_all(user)):
		return True
	stored = stored_row(doc, "manual_order")
	order = stored.manual_order if stored else None
	return bool(order) and frappe.db.get_value("Manual Order", order, "agent") == user


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
	guarded = ", ".join(frappe.db.escape(doctype) for doctype in ATTACHMENT_OWNERS)
	own = " or ".join(
		f"(`tabFile`.`attached_to_doctype` = {frappe.db.escape(doctype)} and `tabFile`.`attached_to_name` in ({query.format(user=escaped)}))"
		for doctype, query in ATTACHMENT_OWNERS.items()
	)
	return f"(ifnull(`tabFile`.`attached_to_doctype`, '') not in ({guarded}) or {own})"


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


def app_doctypes() -> frozenset[str]:
	"""The DocTypes of the app's module, read once per request."""
	doctypes = getattr(frappe.local, "manual_orders_doctypes", None)
	if doctypes is None:
		doctypes = frozenset(frappe.get_all("DocType", filters={"module": "Manual Orders"}, pluck="name"))
		frappe.local.manual_orders_doctypes = doctypes
	return doctypes
