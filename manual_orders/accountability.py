"""SOP §7 and §9: wrong orders, refusals per rule, and restricting agents over the threshold."""

import frappe
import redis
from frappe import _
from frappe.utils import add_days, get_datetime, now_datetime, nowdate

from manual_orders.exceptions import AgentRestricted
from manual_orders.settings import get_settings

REFUSALS_KEY = "manual_orders:refusals"


# Refusals: counted per day, agent and rule in Redis (a refused save rolls back, so
# the count cannot live in its transaction); nothing of the customer is kept.
# frappe.cache's own hget/hgetall pickle values, so plain Redis calls are used here.


def _key() -> bytes:
	return frappe.cache.make_key(REFUSALS_KEY)


def record_refusals(agent: str, rules: list[str]) -> None:
	for rule in sorted(set(rules)):
		redis.Redis.hincrby(frappe.cache, _key(), f"{nowdate()}|{agent}|{rule}", 1)


def _parse(counts: dict) -> dict[tuple[str, str, str], int]:
	parsed = {}
	for field, count in (counts or {}).items():
		day, agent, rule = field.decode().split("|", 2)
		parsed[(day, agent, rule)] = int(count)
	return parsed


def pending_refusals() -> dict[tuple[str, str, str], int]:
	"""Counts not yet flushed into Manual Order Refusal Count (read-only)."""
	return _parse(redis.Redis.hgetall(frappe.cache, _key()))


def flush_refusals() -> int:
	"""Scheduler job: moves the Redis counts into Manual Order Refusal Count rows.

	The counts leave Redis only after the database has committed them; a flush that
	died half-way is finished by the next one before it takes new counts.
	"""
	flushing = _key() + b":flushing"
	if not redis.Redis.exists(frappe.cache, flushing):
		try:
			redis.Redis.rename(frappe.cache, _key(), flushing)
		except redis.ResponseError:
			return 0  # no counts since the last flush
	counts = _parse(redis.Redis.hgetall(frappe.cache, flushing))
	for (day, agent, rule), count in counts.items():
		add_refusals(day, agent, rule, count)
	frappe.db.commit()  # nosemgrep: scheduler job; commit before Redis forgets the counts
	redis.Redis.delete(frappe.cache, flushing)
	return len(counts)


def add_refusals(day: str, agent: str, rule: str, count: int) -> None:
	table = frappe.qb.DocType("Manual Order Refusal Count")
	name = frappe.db.get_value("Manual Order Refusal Count", {"date": day, "agent": agent, "rule": rule})
	if name:
		frappe.qb.update(table).set(table.refusals, table.refusals + count).where(table.name == name).run()
	else:
		frappe.get_doc(
			{
				"doctype": "Manual Order Refusal Count",
				"date": day,
				"agent": agent,
				"rule": rule,
				"refusals": count,
			}
		).insert(ignore_permissions=True)


# Restriction: N wrong orders within D days flags the agent until a manager clears it.


RESTRICTIONS_KEY = "manual_orders:restrictions"


def active_restriction(agent: str) -> dict | None:
	"""Cached per agent; any change to a restriction clears the cache."""
	return frappe.cache.hget(RESTRICTIONS_KEY, agent, generator=lambda: _load_restriction(agent)) or None


def _load_restriction(agent: str) -> dict:
	row = frappe.db.get_value(
		"Manual Order Agent Restriction",
		{"agent": agent, "status": "Restricted"},
		["name", "reason"],
		as_dict=True,
	)
	return dict(row) if row else {}


def clear_restriction_cache() -> None:
	frappe.cache.delete_value(RESTRICTIONS_KEY)


def check_agent_allowed(agent: str) -> None:
	restriction = active_restriction(agent)
	if restriction:
		restriction = frappe._dict(restriction)
		frappe.throw(
			_(
				"You are flagged for retraining ({0}) and cannot create manual orders until a manager clears the flag ({1})."
			).format(restriction.reason, restriction.name),
			exc=AgentRestricted,
			title=_("Manual Orders Restricted"),
		)


def evaluate_restriction(agent: str) -> str | None:
	"""Flags the agent when their wrong orders reach the threshold; returns the new flag's name."""
	settings = get_settings()
	threshold, window = settings["restriction_threshold"], settings["restriction_window_days"]
	if threshold <= 0 or active_restriction(agent):
		return None
	since = get_datetime(add_days(now_datetime(), -window))
	last_cleared = frappe.db.get_value(
		"Manual Order Agent Restriction", {"agent": agent, "status": "Cleared"}, "max(cleared_on)"
	)
	if last_cleared and get_datetime(last_cleared) > since:
		since = get_datetime(last_cleared)
	wrong = frappe.db.count("Manual Order Error", {"agent": agent, "docstatus": 1, "creation": (">=", since)})
	if wrong < threshold:
		return None
	restriction = frappe.get_doc(
		{
			"doctype": "Manual Order Agent Restriction",
			"agent": agent,
			"status": "Restricted",
			"flagged_on": now_datetime(),
			"flagged_by": frappe.session.user,
			"reason": _("{0} wrong orders within {1} days").format(wrong, window),
		}
	).insert(ignore_permissions=True)
	return restriction.name
