"""Agents see and edit only their own orders (and what hangs off them); managers see all.

Used by `permission_query_conditions` (lists, reports, link searches, child tables read
directly) and `has_permission` (single documents) in hooks.py. A single document is judged
on its row as stored, never on the values a client sent with it: a `PUT` that carries
another `agent` is judged by the agent the database holds.
"""

import frappe

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


def inspection_query(user: str | None = None) -> str:
	"""A partner's users see their own partner's inspections; nobody else but managers and operations."""
	user = user or frappe.session.user
	if reads_all(user):
		return ""
	return f"`tabPickup Inspection`.`pickup_partner` in ({partners_query(user)})"


def inspection_row_query(user: str | None = None, doctype: str | None = None) -> str:
	"""Rows of an inspection's child tables read directly: only the inspections the user reads."""
	user = user or frappe.session.user
	if reads_all(user):
		return ""
	inspections = f"select `name` from `tabPickup Inspection` where {inspection_query(user)}"
	return f"`tab{doctype}`.`parent` in ({inspections})"


def has_inspection_permission(doc, ptype=None, user=None) -> bool:
	"""Judged on the stored row's partner. Nobody has write, create or delete on an inspection:
	it changes only through the server's own methods (pickup/inspection.py)."""
	user = user or frappe.session.user
	if became_another_row(doc):
		return False
	if reads_all(user):
		return ptype in READ_PTYPES or sees_all(user)
	if ptype not in PARTNER_PTYPES or not doc.name or not acts_for_partner(user):
		return False
	partner = frappe.db.get_value("Pickup Inspection", doc.name, "pickup_partner")
	return bool(
		partner and frappe.db.sql(f"select 1 from ({partners_query(user)}) p where p.parent = %s", partner)
	)


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


def app_doctypes() -> frozenset[str]:
	"""The DocTypes of the app's module, read once per request."""
	doctypes = getattr(frappe.local, "manual_orders_doctypes", None)
	if doctypes is None:
		doctypes = frozenset(frappe.get_all("DocType", filters={"module": "Manual Orders"}, pluck="name"))
		frappe.local.manual_orders_doctypes = doctypes
	return doctypes


def is_ours(doctype: str | None) -> bool:
	"""A DocType of the app's module."""
	return doctype in app_doctypes()
