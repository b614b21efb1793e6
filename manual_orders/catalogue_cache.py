"""Reads the catalogue admins maintain into the plain values the SOP rules take.

Every look-up is cached in Redis under one hash, which any change to a
catalogue record clears (see `clear_catalogue_cache`), so a busy call centre
reads the catalogue from MariaDB once per change, not once per order.
"""

from datetime import time, timedelta

import frappe

from manual_orders.settings import cached
from manual_orders.sop.catalogue import (
	Accessory,
	ConditionQuestion,
	CreationReason,
	DeviceModel,
	PickupSlot,
	ServiceArea,
	Variant,
)
from manual_orders.sop.formats import normalise_pincode
from manual_orders.sop.pickups import Partner

CATALOGUE_DOCTYPES = (
	"Device Type",
	"Device Model",
	"Condition Question",
	"Device Accessory",
	"Serviceable Pincode",
	"Pickup Slot",
	"Manual Order Creation Reason",
	"Manual Order Settings",
	"Pickup Partner",
	"Pickup Failure Reason",
)


def get_device_model(name: str | None) -> DeviceModel | None:
	if not name:
		return None
	return cached(f"model:{name}", lambda: _load_device_model(name))


def _load_device_model(name: str) -> DeviceModel | None:
	row = frappe.db.get_value(
		"Device Model", name, ["name", "brand", "device_type", "supported", "high_end"], as_dict=True
	)
	if not row:
		return None
	variants = frappe.get_all(
		"Device Variant",
		filters={"parent": name, "parenttype": "Device Model"},
		fields=["variant_name", "base_price", "enabled"],
		order_by="idx asc",
	)
	return DeviceModel(
		name=row.name,
		brand=row.brand,
		device_type=row.device_type,
		supported=bool(row.supported),
		variants=tuple(Variant(v.variant_name, int(v.base_price or 0), bool(v.enabled)) for v in variants),
		high_end=bool(row.high_end),
	)


def get_device_types() -> tuple[str, ...]:
	"""The enabled Device Types, in the order admins see them."""
	return cached(
		"device_types",
		lambda: tuple(
			frappe.get_all("Device Type", filters={"enabled": 1}, pluck="name", order_by="name asc")
		),
	)


def get_creation_reasons() -> tuple[CreationReason, ...]:
	"""The enabled SOP §2 cases (Manual Order Creation Reason)."""
	return cached("creation_reasons", _load_creation_reasons)


def _load_creation_reasons() -> tuple[CreationReason, ...]:
	rows = frappe.get_all(
		"Manual Order Creation Reason",
		filters={"enabled": 1},
		fields=["name", "needs_high_end_device"],
		order_by="creation asc, name asc",
	)
	return tuple(CreationReason(row.name, bool(row.needs_high_end_device)) for row in rows)


def get_condition_questions(device_type: str | None) -> list[ConditionQuestion]:
	if not device_type:
		return []
	return cached(f"questions:{device_type}", lambda: _load_condition_questions(device_type))


def _load_condition_questions(device_type: str) -> list[ConditionQuestion]:
	questions = frappe.get_all(
		"Condition Question",
		filters={"device_type": device_type, "enabled": 1},
		fields=["name", "question"],
		order_by="sort_order asc, name asc",
	)
	answers = frappe.get_all(
		"Condition Answer",
		filters={"parenttype": "Condition Question", "parent": ("in", [q.name for q in questions] or [""])},
		fields=["parent", "answer", "deduction_percent"],
		order_by="idx asc",
	)
	by_question: dict[str, dict[str, float]] = {}
	for row in answers:
		by_question.setdefault(row.parent, {})[row.answer] = float(row.deduction_percent or 0)
	return [ConditionQuestion(q.name, q.question, by_question.get(q.name, {})) for q in questions]


def get_accessories() -> dict[str, Accessory]:
	return cached("accessories", _load_accessories)


def _load_accessories() -> dict[str, Accessory]:
	rows = frappe.get_all("Device Accessory", filters={"enabled": 1}, fields=["name", "price_adjustment"])
	types = frappe.get_all(
		"Manual Order Device Type",
		filters={"parenttype": "Device Accessory"},
		fields=["parent", "device_type"],
	)
	by_accessory: dict[str, list[str]] = {}
	for row in types:
		by_accessory.setdefault(row.parent, []).append(row.device_type)
	return {
		row.name: Accessory(row.name, int(row.price_adjustment or 0), tuple(by_accessory.get(row.name, ())))
		for row in rows
	}


def get_service_area(pincode: str | None) -> ServiceArea | None:
	pincode = normalise_pincode(pincode)
	if not pincode:
		return None
	return cached(f"pincode:{pincode}", lambda: _load_service_area(pincode))


def _load_service_area(pincode: str) -> ServiceArea | None:
	row = frappe.db.get_value(
		"Serviceable Pincode", pincode, ["name", "city", "state", "enabled"], as_dict=True
	)
	if not row:
		return None
	device_types = frappe.get_all(
		"Manual Order Device Type",
		filters={"parenttype": "Serviceable Pincode", "parent": row.name},
		pluck="device_type",
	)
	return ServiceArea(row.name, row.city, row.state, bool(row.enabled), tuple(device_types))


def get_pickup_slot(name: str | None) -> PickupSlot | None:
	if not name:
		return None
	return cached(f"slot:{name}", lambda: _load_pickup_slot(name))


def _load_pickup_slot(name: str) -> PickupSlot | None:
	row = frappe.db.get_value(
		"Pickup Slot", name, ["name", "start_time", "end_time", "enabled", "capacity"], as_dict=True
	)
	if not row:
		return None
	cities = frappe.get_all(
		"Pickup Slot City Capacity",
		filters={"parenttype": "Pickup Slot", "parent": name},
		fields=["city", "capacity"],
		order_by="idx asc",
	)
	return PickupSlot(
		row.name,
		as_time(row.start_time),
		as_time(row.end_time),
		bool(row.enabled),
		int(row.capacity or 0),
		tuple((city.city, int(city.capacity or 0)) for city in cities),
	)


def get_enabled_slots() -> tuple[str, ...]:
	"""The enabled Pickup Slots in the order of the day."""
	return cached(
		"enabled_slots",
		lambda: tuple(
			frappe.get_all(
				"Pickup Slot", filters={"enabled": 1}, pluck="name", order_by="start_time asc, name asc"
			)
		),
	)


def get_pickup_partners() -> tuple[Partner, ...]:
	"""Every enabled Pickup Partner with the pincodes it covers and the users who act for it."""
	return cached("pickup_partners", _load_pickup_partners)


def _load_pickup_partners() -> tuple[Partner, ...]:
	rows = frappe.get_all(
		"Pickup Partner", filters={"enabled": 1}, fields=["name", "daily_capacity"], order_by="name asc"
	)
	names = [row.name for row in rows] or [""]
	children: dict[str, dict[str, list[str]]] = {}
	for doctype, fieldname in (("Pickup Partner Pincode", "pincode"), ("Pickup Partner User", "user")):
		for child in frappe.get_all(
			doctype,
			filters={"parenttype": "Pickup Partner", "parent": ("in", names)},
			fields=["parent", fieldname],
			order_by="idx asc",
		):
			children.setdefault(child.parent, {}).setdefault(fieldname, []).append(child[fieldname])
	return tuple(
		Partner(
			name=row.name,
			pincodes=tuple(children.get(row.name, {}).get("pincode", ())),
			daily_capacity=int(row.daily_capacity or 0),
			users=tuple(children.get(row.name, {}).get("user", ())),
		)
		for row in rows
	)


def get_pickup_partner(name: str | None) -> Partner | None:
	return next((partner for partner in get_pickup_partners() if partner.name == name), None)


def get_failure_reasons() -> tuple[str, ...]:
	return cached(
		"failure_reasons",
		lambda: tuple(
			frappe.get_all("Pickup Failure Reason", filters={"enabled": 1}, pluck="name", order_by="name asc")
		),
	)


def get_imei_device_types() -> tuple[str, ...]:
	"""Device Types whose pickups record an IMEI (phones, in the demo)."""
	return cached(
		"imei_device_types",
		lambda: tuple(frappe.get_all("Device Type", filters={"has_imei": 1}, pluck="name")),
	)


def as_time(value) -> time:
	"""MariaDB TIME comes back as a timedelta; the rules want a time of day."""
	if isinstance(value, time):
		return value
	if isinstance(value, timedelta):
		seconds = int(value.total_seconds()) % 86400
		return time(seconds // 3600, seconds % 3600 // 60, seconds % 60)
	if isinstance(value, str) and value:
		parts = [int(float(part)) for part in value.split(":")]
		return time(*[*parts, 0, 0][:3])
	return time(0)
