"""Idempotent install, migrate and uninstall steps.

Everything here creates a record only when it is missing, so running
`migrate` again never overwrites what an admin changed in the desk.
"""

import frappe

from manual_orders.settings import clear_catalogue_cache
from manual_orders.setup.notifications import ensure_notifications
from manual_orders.setup.workflow import delete_workflow, ensure_workflow
from manual_orders.sop.offers import DEFAULT_REASONS

ROLES = ("Manual Order Agent", "Manual Order Manager", "Manual Order Operations", "Pickup Partner")
# What the app ships as records (created only when missing; admins change them in the desk).
DEVICE_TYPES = ("Phone", "Laptop", "Tablet", "Mac")  # SOP §5 step 3
IMEI_DEVICE_TYPES = ("Phone",)  # a phone's pickup records its IMEI (admins tick others)
# SOP §2: (reason, needs a high-end device)
CREATION_REASONS = (
	("Customer asked for help", 0),
	("Customer faces technical issues", 0),
	("Customer not comfortable using the app", 0),
	("High-end device needs assisted conversion", 1),
)
# SOP §7: where pickups fail (admins add their own)
PICKUP_FAILURE_REASONS = (
	"Customer not reachable",
	"Customer not at the address",
	"Customer changed mind at the door",
	"Device does not match the order",
	"IMEI invalid or blocked",
	"Price not accepted after inspection",
	*DEFAULT_REASONS.values(),  # the inspection's: no power, account lock, blocked IMEI, declined offer
)
CANCELLATION_REASONS = (
	"Price dispute",
	"Customer changed mind",
	"Duplicate order",
	"Wrong details",
	"Pickup not possible",
)


def before_install():
	make_roles()


def after_install():
	ensure_records()
	ensure_workflow()


def after_sync():
	"""After install, once fixtures are in: the WhatsApp channel exists for the Notification."""
	ensure_notifications()


def after_migrate():
	make_roles()
	ensure_records()
	ensure_workflow()
	ensure_notifications()
	clear_catalogue_cache()


def before_uninstall():
	clear_catalogue_cache()
	delete_workflow()
	delete_roles()


# The columns the app's Custom Fields add to ERPNext's tables.
CUSTOM_COLUMNS = (("Lead", "disposition"), ("Supplier", "seller_mobile_no"))


def after_uninstall():
	"""Frappe deletes the app's Custom Fields but keeps their columns; drop them too."""
	for doctype, column in CUSTOM_COLUMNS:
		custom_field = frappe.db.exists("Custom Field", {"dt": doctype, "fieldname": column})
		if not custom_field and has_column(doctype, column):
			frappe.db.sql_ddl(f"alter table `tab{doctype}` drop column `{column}`")
			frappe.clear_cache(doctype=doctype)


def has_column(doctype: str, column: str) -> bool:
	"""Asks MariaDB itself: frappe.db.has_column answers from a cache."""
	return bool(frappe.db.sql(f"show columns from `tab{doctype}` like %s", column))


def ensure_records():
	for device_type in DEVICE_TYPES:
		insert_if_missing(
			"Device Type",
			device_type,
			device_type_name=device_type,
			has_imei=int(device_type in IMEI_DEVICE_TYPES),
		)
	for reason in CANCELLATION_REASONS:
		insert_if_missing("Manual Order Cancellation Reason", reason, reason=reason)
	for reason in PICKUP_FAILURE_REASONS:
		insert_if_missing("Pickup Failure Reason", reason, reason=reason)
	fill_door_reasons()
	for reason, needs_high_end_device in CREATION_REASONS:
		insert_if_missing(
			"Manual Order Creation Reason", reason, reason=reason, needs_high_end_device=needs_high_end_device
		)


def fill_door_reasons() -> None:
	"""The settings' reason for each way a pickup ends at the door, where an admin left it empty.

	Not defaults in the DocType: Frappe creates the Single before `after_install` has made the
	reasons, and a default Link to a missing record refuses the install."""
	for check, reason in DEFAULT_REASONS.items():
		fieldname = f"{check}_reason"
		if not frappe.db.get_single_value("Manual Order Settings", fieldname):
			frappe.db.set_single_value("Manual Order Settings", fieldname, reason)


def make_roles():
	for role in ROLES:
		insert_if_missing("Role", role, role_name=role, desk_access=1)


def delete_roles():
	for role in ROLES:
		if frappe.db.exists("Role", role):
			frappe.db.delete("Has Role", {"role": role})
			frappe.db.delete("Custom DocPerm", {"role": role})
			frappe.delete_doc("Role", role, ignore_permissions=True, force=True)


def insert_if_missing(doctype: str, name: str, **values) -> None:
	if not frappe.db.exists(doctype, name):
		frappe.get_doc({"doctype": doctype, **values}).insert(ignore_permissions=True)
