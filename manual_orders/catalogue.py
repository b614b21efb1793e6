"""Reads the catalogue admins maintain into the plain values the SOP rules take.

Every look-up is cached in Redis under one hash, which any change to a
catalogue record clears (see `clear_catalogue_cache`), so a busy call centre
reads the catalogue from MariaDB once per change, not once per order.
"""

from datetime import time, timedelta

import frappe

from manual_orders.permissions import AppDocument
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
from manual_orders.sop.pricing import CURRENCY

CACHE_KEY = "manual_orders:catalogue"
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


def clear_catalogue_cache(doc=None, method=None) -> None:
	frappe.cache.delete_value(CACHE_KEY)


def clear_when_transaction_ends(clear) -> None:
	"""Clears a cache now and again when the transaction commits or rolls back.

	A request that reads between the first clear and the commit caches the old rows;
	the second clear removes them, so no reader keeps the old state after the commit.
	"""
	clear()
	frappe.db.after_commit.add(clear)
	frappe.db.after_rollback.add(clear)


def _cached(key: str, generator):
	return frappe.cache.hget(CACHE_KEY, key, generator=generator)


def get_device_model(name: str | None) -> DeviceModel | None:
	if not name:
		return None
	return _cached(f"model:{name}", lambda: _load_device_model(name))


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
	return _cached(
		"device_types",
		lambda: tuple(
			frappe.get_all("Device Type", filters={"enabled": 1}, pluck="name", order_by="name asc")
		),
	)


def get_creation_reasons() -> tuple[CreationReason, ...]:
	"""The enabled SOP §2 cases (Manual Order Creation Reason)."""
	return _cached("creation_reasons", _load_creation_reasons)


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
	return _cached(f"questions:{device_type}", lambda: _load_condition_questions(device_type))


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
	return _cached("accessories", _load_accessories)


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
	return _cached(f"pincode:{pincode}", lambda: _load_service_area(pincode))


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
	return _cached(f"slot:{name}", lambda: _load_pickup_slot(name))


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
	return _cached(
		"enabled_slots",
		lambda: tuple(
			frappe.get_all(
				"Pickup Slot", filters={"enabled": 1}, pluck="name", order_by="start_time asc, name asc"
			)
		),
	)


def get_pickup_partners() -> tuple[Partner, ...]:
	"""Every enabled Pickup Partner with the pincodes it covers and the users who act for it."""
	return _cached("pickup_partners", _load_pickup_partners)


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
	return _cached(
		"failure_reasons",
		lambda: tuple(
			frappe.get_all("Pickup Failure Reason", filters={"enabled": 1}, pluck="name", order_by="name asc")
		),
	)


def get_imei_device_types() -> tuple[str, ...]:
	"""Device Types whose pickups record an IMEI (phones, in the demo)."""
	return _cached(
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


def get_settings() -> dict:
	return _cached("settings", _load_settings)


def _load_settings() -> dict:
	settings = frappe.get_single("Manual Order Settings")
	return {
		"min_lead_minutes": int(settings.min_lead_minutes or 0),
		"max_days_ahead": int(settings.max_days_ahead or 14),
		"price_variance_percent": float(settings.price_variance_percent or 0),
		"message_max_attempts": int(settings.message_max_attempts or 5),
		"message_retry_seconds": int(settings.message_retry_seconds or 60),
		"gateway_timeout_seconds": int(settings.gateway_timeout_seconds or 10),
		"restriction_threshold": int(settings.restriction_threshold or 0),
		"restriction_window_days": int(settings.restriction_window_days or 30),
		"require_call_log_for_consent": bool(settings.require_call_log_for_consent),
		"call_log_window_minutes": int(settings.call_log_window_minutes or 60),
		"quote_validity_days": int(settings.quote_validity_days or 0),
		"require_otp_consent": bool(settings.require_otp_consent),
		"otp_expiry_minutes": int(settings.otp_expiry_minutes or 10),
		"otp_max_attempts": int(settings.otp_max_attempts or 5),
		"dlt_parameters": {
			"dlt_template_id": settings.dlt_template_id_parameter,
			"dlt_entity_id": settings.dlt_entity_id_parameter,
			"dlt_sender": settings.dlt_sender_parameter,
		},
	}


class CatalogueDocument(AppDocument):
	"""Catalogue records clear the catalogue cache whenever they change; their prices are in rupees."""

	def before_validate(self):
		if self.meta.has_field("currency"):
			self.currency = CURRENCY

	def on_update(self):
		clear_when_transaction_ends(clear_catalogue_cache)

	def on_trash(self):
		clear_when_transaction_ends(clear_catalogue_cache)

	def after_rename(self, old, new, merge=False):
		clear_when_transaction_ends(clear_catalogue_cache)
