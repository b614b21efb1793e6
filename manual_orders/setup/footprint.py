"""What the app leaves on a site, for checking install, migrate and uninstall.

    bench --site SITE execute manual_orders.setup.footprint.footprint
    bench --site SITE execute manual_orders.setup.footprint.leftovers

`footprint` lists the app's records with their `modified` stamps: equal before and
after a second `migrate` means migrate changed nothing. `leftovers` counts what an
uninstall should have removed: all zeros means it removed everything.
"""

import frappe

from manual_orders.setup.install import CUSTOM_COLUMNS, ROLES, has_column
from manual_orders.setup.workflow import ACTIONS, STATES

MODULE = "Manual Orders"


def footprint() -> dict:
	def stamps(doctype, filters):
		return {
			row.name: str(row.modified)
			for row in frappe.get_all(doctype, filters=filters, fields=["name", "modified"], order_by="name")
		}

	return {
		"DocType": stamps("DocType", {"module": MODULE}),
		"Custom Field": stamps("Custom Field", {"module": MODULE}),
		"Property Setter": stamps("Property Setter", {"module": MODULE}),
		"Report": stamps("Report", {"module": MODULE}),
		"Number Card": stamps("Number Card", {"module": MODULE}),
		"Dashboard Chart": stamps("Dashboard Chart", {"module": MODULE}),
		"Workspace": stamps("Workspace", {"module": MODULE}),
		"Notification": stamps("Notification", {"module": MODULE}),
		"Role": stamps("Role", {"name": ("in", ROLES)}),
		"Workflow": stamps("Workflow", {"document_type": "Manual Order"}),
		"Workflow State": stamps("Workflow State", {"name": ("in", list(STATES))}),
		"Workflow Action Master": stamps("Workflow Action Master", {"name": ("in", ACTIONS)}),
	}


def leftovers() -> dict:
	return {
		"DocType": frappe.db.count("DocType", {"module": MODULE}),
		"Custom Field": frappe.db.count("Custom Field", {"module": MODULE})
		+ sum(frappe.db.count("Custom Field", {"dt": dt, "fieldname": f}) for dt, f in CUSTOM_COLUMNS),
		"Property Setter": frappe.db.count("Property Setter", {"module": MODULE}),
		"Report": frappe.db.count("Report", {"module": MODULE}),
		"Number Card": frappe.db.count("Number Card", {"module": MODULE}),
		"Dashboard Chart": frappe.db.count("Dashboard Chart", {"module": MODULE}),
		"Workspace": frappe.db.count("Workspace", {"module": MODULE}),
		"Notification": frappe.db.count("Notification", {"document_type": "Manual Order"}),
		"Role": frappe.db.count("Role", {"name": ("in", ROLES)}),
		"Has Role": frappe.db.count("Has Role", {"role": ("in", ROLES)}),
		"Workflow": frappe.db.count("Workflow", {"document_type": "Manual Order"}),
		"Workflow State": frappe.db.count("Workflow State", {"name": ("in", list(STATES))}),
		"Workflow Action Master": frappe.db.count("Workflow Action Master", {"name": ("in", ACTIONS)}),
		"Module Def": frappe.db.count("Module Def", {"name": MODULE}),
		**{f"{dt} column {f}": int(has_column(dt, f)) for dt, f in CUSTOM_COLUMNS},
	}
