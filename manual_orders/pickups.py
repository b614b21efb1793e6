"""After the Order ID (SOP §6-§7): slot capacity, partner assignment, the pickup and its SLA.

The decisions are in `sop/pickups.py`; this module reads what admins keep (Pickup Slot
capacities, Pickup Partners, failure reasons) and books places under row locks:

- a slot's places of one day in one city are a `Pickup Slot Load` row, a partner's pickups
  of one day a `Pickup Partner Load` row. A booking creates the row if missing and takes its
  write lock (`insert ... on duplicate key update`), then adds one only while there is room
  (`update ... where booked < capacity`, which reads the latest committed count). Concurrent
  bookings of the same slot, city and day queue on that one row until the first commits;
  bookings of other slots, cities or days touch other rows and do not wait.
- the counts change in the order's own transaction (submit, cancel, reassignment), so a
  refused or failed creation leaves them as they were.
"""

import frappe
from frappe import _
from frappe.utils import getdate, now_datetime

from manual_orders import catalogue
from manual_orders.exceptions import DuplicateImei, throw_violations
from manual_orders.sop import pickups
from manual_orders.sop.pickups import SlotLoad

# Slot capacity


def slot_load_name(pickup_date, slot: str, city: str) -> str:
	return f"{getdate(pickup_date).isoformat()} {slot} {city}"[:140]


def area_city(order) -> str:
	"""The city of the order's pincode as admins keep it: one spelling per city for the count."""
	area = catalogue.get_service_area(order.pincode)
	return area.city if area else (order.city or "")


def slot_capacity(slot_name: str, city: str) -> int:
	slot = catalogue.get_pickup_slot(slot_name)
	if not slot:
		return 0
	return pickups.slot_capacity(slot.capacity, dict(slot.city_capacities), city)


def book_slot(order) -> None:
	"""Takes one place of the order's slot that day in its city, or refuses with SlotFull."""
	city = area_city(order)
	name = slot_load_name(order.pickup_date, order.pickup_slot, city)
	capacity = slot_capacity(order.pickup_slot, city)
	frappe.db.sql(
		"""insert into `tabPickup Slot Load`
			(name, creation, modified, owner, modified_by, pickup_date, pickup_slot, city, booked, capacity)
		values (%(name)s, %(now)s, %(now)s, 'Administrator', 'Administrator', %(date)s, %(slot)s, %(city)s, 0, %(capacity)s)
		on duplicate key update capacity = %(capacity)s, modified = %(now)s""",
		{
			"name": name,
			"now": now_datetime(),
			"date": getdate(order.pickup_date),
			"slot": order.pickup_slot,
			"city": city,
			"capacity": capacity,
		},
	)
	frappe.db.sql(
		"""update `tabPickup Slot Load` set booked = booked + 1
		where name = %s and (capacity = 0 or booked < capacity)""",
		name,
	)
	if not frappe.db._cursor.rowcount:
		booked = frappe.db.sql("select booked from `tabPickup Slot Load` where name = %s", name)[0][0]
		load = SlotLoad(getdate(order.pickup_date), order.pickup_slot, capacity, booked)
		throw_violations(pickups.check_slot_room(load, city, later_slot_loads(order, city)))
	order.slot_booking = name


def release_slot(order) -> None:
	"""A cancelled order frees its place."""
	if order.slot_booking:
		frappe.db.sql(
			"update `tabPickup Slot Load` set booked = greatest(booked - 1, 0) where name = %s",
			order.slot_booking,
		)


def slot_violations(order) -> list:
	"""The live check: is the chosen slot full (without booking or locking anything)?"""
	if not (order.pickup_date and order.pickup_slot and catalogue.get_service_area(order.pincode)):
		return []
	city = area_city(order)
	capacity = slot_capacity(order.pickup_slot, city)
	if not capacity:
		return []
	booked = frappe.db.get_value(
		"Pickup Slot Load", slot_load_name(order.pickup_date, order.pickup_slot, city), "booked"
	)
	load = SlotLoad(getdate(order.pickup_date), order.pickup_slot, capacity, int(booked or 0))
	if load.has_room:
		return []
	return pickups.check_slot_room(load, city, later_slot_loads(order, city))


def later_slot_loads(order, city: str) -> list[SlotLoad]:
	"""The enabled slots after the order's, that day and the following days the SOP allows."""
	settings = catalogue.get_settings()
	now = now_datetime()
	day = getdate(order.pickup_date)
	last_day = getdate(frappe.utils.add_days(now.date(), settings["max_days_ahead"]))
	booked = dict(
		frappe.db.sql(
			"select name, booked from `tabPickup Slot Load` where city = %s and pickup_date between %s and %s",
			(city, day, last_day),
		)
	)
	slots = [catalogue.get_pickup_slot(name) for name in catalogue.get_enabled_slots()]
	loads, chosen_start = [], catalogue.get_pickup_slot(order.pickup_slot)
	while day <= last_day:
		for slot in slots:
			starts = frappe.utils.get_datetime(f"{day} {slot.start}")
			if chosen_start and (day, slot.start) <= (getdate(order.pickup_date), chosen_start.start):
				continue
			if starts < frappe.utils.add_to_date(now, minutes=settings["min_lead_minutes"]):
				continue
			name = slot_load_name(day, slot.name, city)
			capacity = pickups.slot_capacity(slot.capacity, dict(slot.city_capacities), city)
			loads.append(SlotLoad(day, slot.name, capacity, int(booked.get(name) or 0)))
		day = frappe.utils.add_days(day, 1)
	return loads


# Assignment


def partner_load_name(pickup_date, partner: str) -> str:
	return f"{getdate(pickup_date).isoformat()} {partner}"[:140]


def partner_loads(pickup_date, partners: list[str]) -> dict[str, int]:
	"""Each partner's pickups that day as last committed (the booking itself re-checks under lock)."""
	if not partners:
		return {}
	rows = frappe.get_all(
		"Pickup Partner Load",
		filters={"pickup_date": getdate(pickup_date), "pickup_partner": ("in", partners)},
		fields=["pickup_partner", "assigned"],
	)
	return {row.pickup_partner: int(row.assigned or 0) for row in rows}


def take_partner_place(pickup_date, partner: pickups.Partner) -> bool:
	"""One of the partner's places that day, under the row lock; False when the partner is full."""
	name = partner_load_name(pickup_date, partner.name)
	frappe.db.sql(
		"""insert into `tabPickup Partner Load`
			(name, creation, modified, owner, modified_by, pickup_date, pickup_partner, assigned, capacity)
		values (%(name)s, %(now)s, %(now)s, 'Administrator', 'Administrator', %(date)s, %(partner)s, 0, %(capacity)s)
		on duplicate key update capacity = %(capacity)s, modified = %(now)s""",
		{
			"name": name,
			"now": now_datetime(),
			"date": getdate(pickup_date),
			"partner": partner.name,
			"capacity": partner.daily_capacity,
		},
	)
	frappe.db.sql(
		"""update `tabPickup Partner Load` set assigned = assigned + 1
		where name = %s and (capacity = 0 or assigned < capacity)""",
		name,
	)
	return bool(frappe.db._cursor.rowcount)


def free_partner_place(pickup_date, partner: str | None) -> None:
	if partner:
		frappe.db.sql(
			"update `tabPickup Partner Load` set assigned = greatest(assigned - 1, 0) where name = %s",
			partner_load_name(pickup_date, partner),
		)


def assign_partner(order) -> None:
	"""On creation: the least loaded partner covering the pincode with room that day, else none
	(the order waits in the managers' queue as Scheduled)."""
	candidates = [p for p in catalogue.get_pickup_partners() if p.covers(order.pincode)]
	loads = partner_loads(order.pickup_date, [p.name for p in candidates])
	while candidates:
		partner = pickups.choose_partner(candidates, order.pincode, loads)
		if partner is None:
			break
		if take_partner_place(order.pickup_date, partner):
			order.pickup_partner = partner.name
			order.pickup_status = pickups.PARTNER_ASSIGNED
			return
		candidates.remove(partner)  # full since the loads were read
	order.pickup_partner = None
	order.pickup_status = pickups.SCHEDULED


def set_pickup_schedule(order) -> None:
	slot = catalogue.get_pickup_slot(order.pickup_slot)
	order.pickup_due_by = pickups.pickup_due_by(getdate(order.pickup_date), slot.end) if slot else None


def todos_after_creation(order: str, partner: str) -> None:
	"""The ToDos of a created order, unless it was cancelled, picked up or given to another
	partner meanwhile (the order's row locked, so none of those commits halfway through); a user
	who had a ToDo for it, even one closed since, gets none."""
	doc = frappe.get_doc("Manual Order", order, for_update=True)
	if doc.docstatus == 1 and doc.pickup_partner == partner and doc.pickup_status in pickups.PENDING:
		create_todos(doc, statuses=("Open", "Closed", "Cancelled"))


def ensure_todos() -> None:
	"""Scheduler, every minute: a new order's ToDos for its partner's users (their Assigned To
	list). Written here rather than in the order's transaction (issue #16: about 10 statements
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
	partner = catalogue.get_pickup_partner(order.pickup_partner)
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


# Who acts for which partner


def partners_of(user: str | None = None) -> list[str]:
	"""The enabled partners the user acts for, read from the database, not the catalogue cache:
	a user taken off a partner loses its pickups with their next request."""
	from manual_orders.permissions import partners_query

	return frappe.db.sql_list(partners_query(user or frappe.session.user))


# The pickup itself


def update_pickup(
	order,
	status: str,
	imei: str | None = None,
	failure_reason: str | None = None,
	imei_evidence: str | None = None,
) -> None:
	"""A partner's user (or a manager) moves the pickup; the checks run on the stored order."""
	needs_imei = order.device_type in catalogue.get_imei_device_types()
	evidence = evidence_file(imei_evidence, order) if imei_evidence else None
	violations = pickups.check_move(
		order.pickup_status,
		status,
		needs_imei=needs_imei,
		imei=imei,
		evidence=evidence,
		failure_reason=failure_reason,
		failure_reasons=catalogue.get_failure_reasons(),
	)
	throw_violations(violations)
	changes = ["pickup_status", "picked_up"]
	order.pickup_status = status
	if status == pickups.PICKED_UP:
		changes += ["picked_up_at"]
		order.picked_up_at = now_datetime()
		if needs_imei:
			changes += record_imei(order, imei)
			changes += attach_evidence(order, evidence)
		if late(order, order.picked_up_at) and not order.sla_breached:
			changes += mark_breached(order)
	if status == pickups.PICKUP_FAILED:
		changes += ["pickup_failure_reason"]
		order.pickup_failure_reason = failure_reason
	order.picked_up = int(status == pickups.PICKED_UP)
	order.flags.server_changes = tuple(changes)
	order.save(ignore_permissions=True)
	if status in (pickups.PICKED_UP, pickups.PICKUP_FAILED):
		close_todos(order, "Closed")


def record_imei(order, imei: str) -> list[str]:
	"""The IMEI, once per standing order: the unique `imei_lock` refuses a second order with it
	even when two partners enter it at the same moment."""
	number = pickups.normalise_imei(imei)
	other = frappe.db.get_value("Manual Order", {"imei_lock": number, "name": ("!=", order.name)}, "name")
	if other:
		throw_duplicate_imei(number)
	order.imei = order.imei_lock = number
	order.imei_checked_by = frappe.session.user
	order.imei_checked_at = now_datetime()
	return ["imei", "imei_lock", "imei_checked_by", "imei_checked_at"]


def evidence_file(file_url: str, order) -> str | None:
	"""The CEIR check's evidence: a file the caller uploaded for this pickup. Every File with
	its URL must be the caller's and unattached or on this order (Frappe keeps identical uploads
	under one URL), so neither someone else's file nor another order's evidence passes."""
	files = frappe.get_all(
		"File",
		filters={"file_url": file_url, "is_folder": 0},
		fields=["name", "owner", "attached_to_doctype", "attached_to_name"],
		order_by="creation desc",
	)
	for file in files:
		if file.owner != frappe.session.user:
			return None
		if file.attached_to_name and (file.attached_to_doctype, file.attached_to_name) != (
			order.doctype,
			order.name,
		):
			return None
	return files[0].name if files else None


def attach_evidence(order, file_name: str) -> list[str]:
	"""The evidence becomes a private attachment of the order, read by whoever may read the order."""
	file = frappe.get_doc("File", file_name)
	file.update(
		{
			"attached_to_doctype": order.doctype,
			"attached_to_name": order.name,
			"attached_to_field": "imei_evidence",
			"is_private": 1,
		}
	)
	file.save(ignore_permissions=True)
	order.imei_evidence = file.file_url
	return ["imei_evidence"]


def pickup_onload(order) -> dict:
	"""What the desk offers this user on a created order: the pickup's next moves, assignment."""
	if order.docstatus != 1:
		return {}
	from manual_orders.permissions import sees_all

	may_move = sees_all() or order.pickup_partner in partners_of()
	return {
		"moves": list(pickups.next_moves(order.pickup_status)) if may_move else [],
		"needs_imei": order.device_type in catalogue.get_imei_device_types(),
		"can_assign": sees_all() and order.pickup_status in pickups.PENDING,
		"is_partner": order.pickup_partner in partners_of() and not sees_all(),
	}


def throw_duplicate_imei(number: str) -> None:
	frappe.throw(
		_(
			"IMEI: {0} is already on another order that stands; do not buy the device, report it to operations."
		).format(number),
		exc=DuplicateImei,
		title=_("IMEI Already Recorded"),
	)


def late(order, now) -> bool:
	due_by = frappe.utils.get_datetime(order.pickup_due_by) if order.pickup_due_by else None
	return bool(due_by) and now > due_by


def mark_breached(order) -> list[str]:
	order.sla_breached = 1
	order.sla_breached_at = now_datetime()
	order.sla_breach_partner = order.pickup_partner
	return ["sla_breached", "sla_breached_at", "sla_breach_partner"]


def reassign(order, partner_name: str) -> None:
	"""A manager gives the pickup to another partner (or to one, from the unassigned queue)."""
	partner = catalogue.get_pickup_partner(partner_name)
	load = partner_loads(order.pickup_date, [partner_name]).get(partner_name, 0)
	throw_violations(pickups.check_partner(partner, order.pincode, load))
	if order.pickup_status not in pickups.PENDING:
		frappe.throw(
			_("Pickup Partner: the pickup is {0}; it is no longer assigned to a partner.").format(
				_(order.pickup_status)
			),
			title=_("Not Allowed"),
		)
	if partner_name == order.pickup_partner:
		return
	if not take_partner_place(order.pickup_date, partner):
		throw_violations(pickups.check_partner(partner, order.pincode, partner.daily_capacity))
	free_partner_place(order.pickup_date, order.pickup_partner)
	order.pickup_partner = partner.name
	order.pickup_status = pickups.PARTNER_ASSIGNED
	order.flags.server_changes = ("pickup_partner", "pickup_status")
	order.save(ignore_permissions=True)
	close_todos(order)
	create_todos(order)


def check_cancellable(order) -> None:
	"""A picked-up device is with the company: that order stands (a dispute or a return follows)."""
	if order.pickup_status == pickups.PICKED_UP:
		frappe.throw(
			_("Order {0} was picked up on {1}; a picked-up order cannot be cancelled.").format(
				order.name, frappe.utils.format_datetime(order.picked_up_at)
			),
			title=_("Not Allowed"),
		)


# SLA


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
