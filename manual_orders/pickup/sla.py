"""SOP §7 pickup SLA: a pickup still pending after the end of its slot is marked breached, once."""

import frappe
from frappe import _
from frappe.utils import now_datetime

from manual_orders.sop import pickups


def late(order, now) -> bool:
	due_by = frappe.utils.get_datetime(order.pickup_due_by) if order.pickup_due_by else None
	return bool(due_by) and now > due_by


def mark_breached(order) -> list[str]:
	order.sla_breached = 1
	order.sla_breached_at = now_datetime()
	order.sla_breach_partner = order.pickup_partner
	return ["sla_breached", "sla_breached_at", "sla_breach_partner"]


def mark_sla_breaches() -> int:
	"""Scheduler: every pickup still pending after the end of its slot is marked breached, once."""
	names = frappe.get_all(
		"Manual Order",
		filters={
			"docstatus": 1,
			"sla_breached": 0,
			"pickup_status": ("!=", pickups.PICKED_UP),
			"pickup_due_by": ("<", now_datetime()),
		},
		pluck="name",
	)
	for name in names:
		order = frappe.get_doc("Manual Order", name)
		if order.sla_breached or not pickups.sla_breached(
			frappe.utils.get_datetime(order.pickup_due_by), now_datetime(), order.pickup_status
		):
			continue  # picked up since the list was read
		order.flags.server_changes = tuple(mark_breached(order))
		order.save(ignore_permissions=True)
		order.add_comment(
			"Info",
			_("Pickup SLA breached: not picked up by {0} (partner: {1}).").format(
				frappe.utils.format_datetime(order.pickup_due_by), order.pickup_partner or _("none assigned")
			),
		)
	return len(names)
