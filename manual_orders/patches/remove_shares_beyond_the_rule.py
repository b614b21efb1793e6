"""Shares of the app's records that grant more than the app's rule are removed.

Frappe's *Assign To* shared an agent's order with any assignee who could not read it, and kept
the share after the assignment was removed; a share beat the app's `has_permission`. From now
on such a share is refused (`side_doors.check_share`); this removes the ones made before.
"""

import frappe

from manual_orders.permissions.side_doors import SHARE_RIGHTS, granted_without_shares


def execute():
	doctypes = frappe.get_all("DocType", filters={"module": "Manual Orders"}, pluck="name")
	shares = frappe.get_all(
		"DocShare",
		filters={"share_doctype": ("in", doctypes)},
		fields=["name", "share_doctype", "share_name", "user", "everyone", *SHARE_RIGHTS],
	)
	for share in shares:
		if not frappe.db.exists(share.share_doctype, share.share_name) or beyond_the_rule(share):
			frappe.db.delete("DocShare", share.name)


def beyond_the_rule(share) -> bool:
	if share.everyone or not share.user:
		return True
	record = frappe.get_doc(share.share_doctype, share.share_name)
	return any(
		share.get(right) and not granted_without_shares(record, share.user, right) for right in SHARE_RIGHTS
	)
