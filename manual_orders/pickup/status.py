"""The pickup itself: the assigned partner's users (or a manager) move it; IMEI and its evidence."""

import frappe
from frappe import _
from frappe.utils import now_datetime

from manual_orders import catalogue_cache
from manual_orders.exceptions import DuplicateImei, throw_violations
from manual_orders.permissions.records import partners_query, sees_all
from manual_orders.pickup.sla import late, mark_breached
from manual_orders.pickup.todos import close_todos
from manual_orders.settings import get_settings
from manual_orders.settlement import settle
from manual_orders.sop import offers, pickups


def partners_of(user: str | None = None) -> list[str]:
	"""The enabled partners the user acts for, read from the database, not the catalogue cache:
	a user taken off a partner loses its pickups with their next request."""
	return frappe.db.sql_list(partners_query(user or frappe.session.user))


def update_pickup(
	order,
	status: str,
	imei: str | None = None,
	failure_reason: str | None = None,
	imei_evidence: str | None = None,
) -> None:
	"""A partner's user (or a manager) moves the pickup; the checks run on the stored order."""
	needs_imei = order.device_type in catalogue_cache.get_imei_device_types()
	evidence = evidence_file(imei_evidence, order) if imei_evidence else None
	violations = pickups.check_move(
		order.pickup_status,
		status,
		needs_imei=needs_imei,
		imei=imei,
		evidence=evidence,
		failure_reason=failure_reason,
		failure_reasons=catalogue_cache.get_failure_reasons(),
	)
	if not violations and status == pickups.PICKED_UP:
		violations = offers.check_bought(
			frappe.db.get_value("Pickup Inspection", {"attempt_key": order.name}, "offer_status")
		)
	if not violations and status == pickups.PICKUP_FAILED and not order.flags.door_reason:
		violations = offers.check_door_reason(failure_reason, get_settings()["blocking_reasons"].values())
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
	if status == pickups.PICKED_UP:
		settle.after_pickup(order)  # SOP §6: paid at pickup, booked in ERPNext


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
	may_move = sees_all() or order.pickup_partner in partners_of()
	return {
		"moves": list(pickups.next_moves(order.pickup_status)) if may_move else [],
		"needs_imei": order.device_type in catalogue_cache.get_imei_device_types(),
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


def check_cancellable(order) -> None:
	"""A picked-up device is with the company: that order stands (a dispute or a return follows)."""
	if order.pickup_status == pickups.PICKED_UP:
		frappe.throw(
			_("Order {0} was picked up on {1}; a picked-up order cannot be cancelled.").format(
				order.name, frappe.utils.format_datetime(order.picked_up_at)
			),
			title=_("Not Allowed"),
		)
