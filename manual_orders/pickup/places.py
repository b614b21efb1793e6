"""Places in a slot and with a partner, booked under row locks in the order's transaction.

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

from manual_orders import catalogue_cache
from manual_orders.exceptions import throw_violations
from manual_orders.pickup.todos import close_todos, create_todos
from manual_orders.settings import get_settings
from manual_orders.sop import pickups
from manual_orders.sop.pickups import SlotLoad


def slot_load_name(pickup_date, slot: str, city: str) -> str:
	return f"{getdate(pickup_date).isoformat()} {slot} {city}"[:140]


def area_city(order) -> str:
	"""The city of the order's pincode as admins keep it: one spelling per city for the count."""
	area = catalogue_cache.get_service_area(order.pincode)
	return area.city if area else (order.city or "")


def slot_capacity(slot_name: str, city: str) -> int:
	slot = catalogue_cache.get_pickup_slot(slot_name)
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
	if not (order.pickup_date and order.pickup_slot and catalogue_cache.get_service_area(order.pincode)):
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
	settings = get_settings()
	now = now_datetime()
	day = getdate(order.pickup_date)
	last_day = getdate(frappe.utils.add_days(now.date(), settings["max_days_ahead"]))
	booked = dict(
		frappe.db.sql(
			"select name, booked from `tabPickup Slot Load` where city = %s and pickup_date between %s and %s",
			(city, day, last_day),
		)
	)
	slots = [catalogue_cache.get_pickup_slot(name) for name in catalogue_cache.get_enabled_slots()]
	loads, chosen_start = [], catalogue_cache.get_pickup_slot(order.pickup_slot)
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
	candidates = [p for p in catalogue_cache.get_pickup_partners() if p.covers(order.pincode)]
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
	slot = catalogue_cache.get_pickup_slot(order.pickup_slot)
	order.pickup_due_by = pickups.pickup_due_by(getdate(order.pickup_date), slot.end) if slot else None


def reassign(order, partner_name: str) -> None:
	"""A manager gives the pickup to another partner (or to one, from the unassigned queue)."""
	partner = catalogue_cache.get_pickup_partner(partner_name)
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
