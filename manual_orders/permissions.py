"""Agents see and edit only their own orders (and what hangs off them); managers see all.

Used by `permission_query_conditions` (lists, reports, link searches) and
`has_permission` (single documents) in hooks.py.
"""

import frappe

SEE_ALL_ROLES = ("Manual Order Manager", "System Manager")


def sees_all(user: str | None = None) -> bool:
	user = user or frappe.session.user
	return user == "Administrator" or bool(set(SEE_ALL_ROLES) & set(frappe.get_roles(user)))


def _own(column: str, user: str | None) -> str:
	user = user or frappe.session.user
	if sees_all(user):
		return ""
	return f"{column} = {frappe.db.escape(user)}"


def manual_order_query(user: str | None = None) -> str:
	return _own("`tabManual Order`.`agent`", user)


def manual_order_error_query(user: str | None = None) -> str:
	return _own("`tabManual Order Error`.`agent`", user)


def refusal_count_query(user: str | None = None) -> str:
	return _own("`tabManual Order Refusal Count`.`agent`", user)


def restriction_query(user: str | None = None) -> str:
	return _own("`tabManual Order Agent Restriction`.`agent`", user)


def message_query(user: str | None = None) -> str:
	user = user or frappe.session.user
	if sees_all(user):
		return ""
	return (
		"`tabManual Order Message`.`manual_order` in "
		f"(select `name` from `tabManual Order` where `agent` = {frappe.db.escape(user)})"
	)


def _is_own(doc, user: str | None, field: str = "agent") -> bool:
	user = user or frappe.session.user
	if sees_all(user):
		return True
	if not isinstance(doc, str) and doc.is_new():
		return True  # the server sets the agent on insert
	value = doc.get(field) if not isinstance(doc, str) else None
	return not value or value == user


def has_manual_order_permission(doc, ptype=None, user=None) -> bool:
	return _is_own(doc, user)


def has_agent_record_permission(doc, ptype=None, user=None) -> bool:
	return _is_own(doc, user)


def has_message_permission(doc, ptype=None, user=None) -> bool:
	if sees_all(user):
		return True
	agent = (
		frappe.db.get_value("Manual Order", doc.manual_order, "agent") if doc.get("manual_order") else None
	)
	return agent == (user or frappe.session.user)
