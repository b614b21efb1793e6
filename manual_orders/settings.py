"""Manual Order Settings, read once per change, and the one Redis cache the catalogue shares.

Every look-up of the catalogue and the settings is cached in Redis under one hash, which
any change to a catalogue record or to the settings clears (`clear_catalogue_cache`), so a
busy call centre reads them from MariaDB once per change, not once per order.
"""

import frappe

from manual_orders.sop.offers import DEFAULT_REASONS

CACHE_KEY = "manual_orders:catalogue"


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


def cached(key: str, generator):
	return frappe.cache.hget(CACHE_KEY, key, generator=generator)


def get_settings() -> dict:
	return cached("settings", _load_settings)


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
		"offer_approval_percent": float(
			settings.offer_approval_percent if settings.offer_approval_percent is not None else 20
		),
		"blocking_reasons": {
			check: settings.get(f"{check}_reason") or reason for check, reason in DEFAULT_REASONS.items()
		},
		"dlt_parameters": {
			"dlt_template_id": settings.dlt_template_id_parameter,
			"dlt_entity_id": settings.dlt_entity_id_parameter,
			"dlt_sender": settings.dlt_sender_parameter,
		},
	}
