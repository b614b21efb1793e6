"""The partner's users work from their usual Assigned To list: a ToDo each for a pickup."""

import frappe
from frappe import _
from frappe.utils import now_datetime

from manual_orders import catalogue_cache
from manual_orders.sop import pickups


def todos_after_creation(order: str, partner: str) -> None:
	"""The ToDos of a created order, unless it was cancelled, picked up or given to another
	partner meanwhile (the order's row locked, so none of those commits halfway through); a user
	who had a ToDo for it, even one closed since, gets none."""
	doc = frappe.get_doc("Manual Order", order, for_update=True)
	if doc.docstatus == 1 and doc.pickup_partner == partner and doc.pickup_status in pickups.PENDING:
		create_todos(doc, statuses=("Open", "Closed", "Cancelled"))


def ensure_todos() -> None:
	"""Scheduler, every minute: a new order's ToDos for its partner's users (their Assigned To
	list). Written here rather than in the order's transaction (about 10 statements
	and 11 ms off the agent's call) or by a job per order (a forked worker process each): the
	order's `pickup_partner` is the record and shows in the partner's list at once; the ToDos
	follow within a minute. A manager's (re)assignment writes them at once (`reassign`).
	An order is done when one of its partner's users has a ToDo for it: a ToDo of anybody else
	(or the order's `_assign`) does not count (a stray ToDo made the job skip it once)."""
	for name, partner in frappe.db.sql(
		"""select o.name, o.pickup_partner from `tabManual Order` o
		where o.docstatus = 1 and o.pickup_partner is not null and o.pickup_status in %(pending)s
		and o.creation >= %(since)s
		and exists (select 1 from `tabPickup Partner User` u where u.parent = o.pickup_partner)
		and not exists (select 1 from `tabToDo` t join `tabPickup Partner User` pu
			on pu.parent = o.pickup_partner and pu.parenttype = 'Pickup Partner' and pu.user = t.allocated_to
			where t.reference_type = 'Manual Order' and t.reference_name = o.name)
		order by o.creation
		limit 500""",
		{"pending": pickups.PENDING, "since": frappe.utils.add_days(now_datetime(), -2)},
	):
		todos_after_creation(name, partner)


def create_todos(order, statuses: tuple[str, ...] = ("Open",)) -> None:
	"""The partner's users work from their usual Assigned To list; a user with a ToDo for the
	order in one of `statuses` gets no second one."""
	partner = catalogue_cache.get_pickup_partner(order.pickup_partner)
	if not partner:
		return
	description = _("Pickup {0}: {1}, {2} on {3}").format(
		order.name, order.customer_name, order.pickup_slot, frappe.utils.formatdate(order.pickup_date)
	)
	assigned = set(
		frappe.get_all(
			"ToDo",
			filters={
				"reference_type": order.doctype,
				"reference_name": order.name,
				"status": ("in", statuses),
			},
			pluck="allocated_to",
		)
	)
	for user in partner.users:
		if user in assigned:
			continue
		frappe.get_doc(
			{
				"doctype": "ToDo",
				"allocated_to": user,
				"reference_type": order.doctype,
				"reference_name": order.name,
				"description": description,
				"date": order.pickup_date,
				"priority": "Medium",
			}
		).insert(ignore_permissions=True)


def close_todos(order, status: str = "Cancelled") -> None:
	for name in frappe.get_all(
		"ToDo",
		filters={"reference_type": order.doctype, "reference_name": order.name, "status": "Open"},
		pluck="name",
	):
		todo = frappe.get_doc("ToDo", name)
		todo.status = status
		todo.save(ignore_permissions=True)
