"""Whitelisted methods: Lead/Customer to order mappers and the live check the desk calls."""

import json

import frappe
from frappe import _
from frappe.model.document import Document
from frappe.model.mapper import get_mapped_doc
from werkzeug.wrappers import Response

from manual_orders import catalogue_cache
from manual_orders.consent_evidence import call_log as consent_call
from manual_orders.consent_evidence import code as consent_code
from manual_orders.exceptions import DltTemplateMismatch
from manual_orders.leavers import handover as handover_work
from manual_orders.manual_orders.doctype.manual_order import sop_input
from manual_orders.messaging import outbox, webhook
from manual_orders.permissions import records as permissions
from manual_orders.pickup import inspection as pickup_inspection
from manual_orders.pickup import places as pickup_places
from manual_orders.pickup import status as pickup_status
from manual_orders.settlement import books as settlement_books
from manual_orders.settlement import settle
from manual_orders.settlement import webhook as payout_signature
from manual_orders.sop import dlt, rules, texts

ADDRESS_FIELDS = ("address_line1", "address_line2", "city", "state", "pincode")


@frappe.whitelist()
def make_manual_order(source_name: str, target_doc: Document | str | None = None) -> Document:
	"""SOP step 2: a Lead becomes an unsaved Manual Order prefilled with what the Lead knows."""
	frappe.has_permission("Manual Order", "create", throw=True)

	def set_missing_values(source, target):
		target.customer_name = source.company_name or source.lead_name
		target.mobile_no = source.mobile_no or source.phone
		fill_address(target, "Lead", source.name)

	return get_mapped_doc(
		"Lead",
		source_name,
		{
			"Lead": {
				"doctype": "Manual Order",
				"field_map": {"name": "lead"},
				"field_no_map": ["naming_series", "status", "disabled"],
			}
		},
		target_doc,
		set_missing_values,
	)


@frappe.whitelist()
def make_manual_order_from_customer(source_name: str, target_doc: Document | str | None = None) -> Document:
	"""SOP step 1's fallback: an order for a Customer who has no Lead."""
	frappe.has_permission("Manual Order", "create", throw=True)

	def set_missing_values(source, target):
		target.customer = source.name
		target.customer_name = source.customer_name
		target.mobile_no = source.mobile_no
		fill_address(target, "Customer", source.name)

	return get_mapped_doc(
		"Customer",
		source_name,
		{"Customer": {"doctype": "Manual Order", "field_no_map": ["naming_series"]}},
		target_doc,
		set_missing_values,
	)


def fill_address(target: Document, link_doctype: str, link_name: str) -> None:
	"""Prefills the pickup address from the party's primary (else newest) Address."""
	address = frappe.qb.DocType("Address")
	link = frappe.qb.DocType("Dynamic Link")
	rows = (
		frappe.qb.from_(address)
		.join(link)
		.on(link.parent == address.name)
		.select(*[address[f] for f in ADDRESS_FIELDS])
		.where(
			(link.parenttype == "Address")
			& (link.link_doctype == link_doctype)
			& (link.link_name == link_name)
			& (address.disabled == 0)
		)
		.orderby(address.is_primary_address, order=frappe.qb.desc)
		.orderby(address.modified, order=frappe.qb.desc)
		.limit(1)
		.run(as_dict=True)
	)
	for fieldname, value in (rows[0] if rows else {}).items():
		if value and not target.get(fieldname):
			target.set(fieldname, value)


@frappe.whitelist()
def check_order(doc: str | dict) -> dict:
	"""Runs every SOP check and the price on an unsaved order, saving nothing.

	The desk calls it as the agent types, so the reason a pincode or device is
	refused shows before any save, and the call script carries the live price.
	"""
	values = json.loads(doc) if isinstance(doc, str) else dict(doc)
	values["doctype"] = "Manual Order"
	order = frappe.get_doc(values)
	frappe.has_permission("Manual Order", "create", throw=True)  # the agent's tool, not a reader's
	order.check_permission("read" if not order.is_new() else "create")
	order.normalise_inputs()
	sop_input.set_price(order)
	violations = rules.check_order(
		sop_input.order_input(order), sop_input.catalogue_for(order), frappe.utils.now_datetime()
	)
	if not any(v.field in ("pickup_date", "pickup_slot", "pincode") for v in violations):
		violations += pickup_places.slot_violations(order)
	return {
		"base_price": order.base_price,
		"estimated_price": order.estimated_price,
		"price_low": order.price_low,
		"price_high": order.price_high,
		"conditions": [{"question": row.question, "deduction": row.deduction} for row in order.conditions],
		"call_script": texts.call_script(order.estimated_price, _),
		"summary": order_summary(order),
		"next_steps": texts.next_steps(_),
		"violations": [{"field": v.field, "rule": v.rule, "message": v.render(_)} for v in violations],
	}


@frappe.whitelist()
def get_catalogue_options(device_type: str | None = None, device_model: str | None = None) -> dict:
	"""What the form offers: the model's variants and the device type's questions with answers."""
	frappe.has_permission("Manual Order", "read", throw=True)
	model = catalogue_cache.get_device_model(device_model)
	questions = catalogue_cache.get_condition_questions(device_type or (model.device_type if model else None))
	return {
		"brand": model.brand if model else None,
		"device_type": model.device_type if model else device_type,
		"variants": [v.name for v in model.variants if v.enabled] if model else [],
		"questions": [
			{"name": q.name, "question": q.question, "answers": list(q.answers)} for q in questions
		],
	}


def order_summary(order: Document) -> list[list[str]]:
	"""SOP §5 step 6: the recap read back to the customer before creating the order."""
	device = " ".join(filter(None, [order.brand, order.device_model, order.variant]))
	location = ", ".join(filter(None, [order.address_line1, order.landmark, order.city, order.pincode]))
	payment = order.payment_method or ""
	if order.payment_method == "UPI" and order.upi_id:
		payment = f"UPI ({order.upi_id})"
	elif order.payment_method == "Bank Transfer" and order.bank_account_number:
		payment = _("Bank Transfer (account ending {0})").format(order.bank_account_number[-4:])
	rows = texts.order_summary(device, order.price_low, order.price_high, location, payment, _)
	return [list(row) for row in rows]


@frappe.whitelist(allow_guest=True, methods=["GET", "POST"])
def whatsapp_webhook():
	"""WhatsApp Cloud API webhook: GET is the subscription handshake, POST carries delivery statuses."""
	settings = frappe.get_single("Manual Order WhatsApp Settings")
	if frappe.request.method == "GET":
		args = frappe.request.args
		expected = settings.get_password("verify_token", raise_exception=False) or ""
		if args.get("hub.mode") == "subscribe" and webhook.secrets_match(
			expected, args.get("hub.verify_token")
		):
			return Response(args.get("hub.challenge") or "", mimetype="text/plain")
		return Response("forbidden", status=403, mimetype="text/plain")

	raw_body = frappe.request.get_data(cache=True)
	secret = settings.get_password("app_secret", raise_exception=False) or ""
	if not webhook.signature_is_valid(secret, raw_body, frappe.get_request_header("X-Hub-Signature-256")):
		return Response("invalid signature", status=403, mimetype="text/plain")
	return outbox.apply_status_updates(webhook.parse_statuses(raw_body))


@frappe.whitelist(methods=["POST"])
def resend_message(name: str) -> str:
	"""An agent resends a message of a Created order they may edit."""
	order = frappe.db.get_value("Manual Order Message", name, "manual_order")
	if not order:
		frappe.throw(_("Message {0} not found").format(name), frappe.DoesNotExistError)
	order = frappe.get_doc("Manual Order", order)
	order.check_permission("write")
	if order.docstatus != 1:
		frappe.throw(
			_("Order {0} is not a created order; its messages are not sent again.").format(order.name),
			title=_("Not Created"),
		)
	refuse_undeliverable(name)
	outbox.resend(name)
	return "Queued"


def refuse_undeliverable(name: str) -> None:
	"""An SMS whose text does not fill its Notification's DLT template would be dropped again by
	the operators: fix the Notification (or its template text) first."""
	message = frappe.db.get_value(
		"Manual Order Message", name, ["channel", "message", "notification"], as_dict=True
	)
	template = message.channel == "SMS" and frappe.db.get_value(
		"Notification", message.notification, "dlt_template_text"
	)
	violations = dlt.check_message(template, message.message or "") if template else []
	if violations:
		frappe.throw(violations[0].render(_), exc=DltTemplateMismatch)


@frappe.whitelist(methods=["POST"])
def update_pickup(
	order: str,
	status: str,
	imei: str | None = None,
	failure_reason: str | None = None,
	imei_evidence: str | None = None,
) -> dict:
	"""The assigned partner's users (and managers) move the pickup: Out for Pickup, Picked Up, Pickup Failed.

	The only way the pickup fields change; judged on the stored order.
	"""
	doc = created_order_for_pickup(order)
	if not (permissions.sees_all() or doc.pickup_partner in pickup_status.partners_of()):
		frappe.throw(
			_("Only the assigned pickup partner and managers move this pickup."), frappe.PermissionError
		)
	pickup_status.update_pickup(
		doc, status, imei=imei, failure_reason=failure_reason, imei_evidence=imei_evidence
	)
	return {"pickup_status": doc.pickup_status, "picked_up": doc.picked_up, "imei": doc.imei}


@frappe.whitelist(methods=["POST"])
def assign_pickup_partner(order: str, partner: str) -> str:
	"""Managers give a pending pickup to a partner: from the unassigned queue, or to another partner."""
	if not permissions.sees_all():
		frappe.throw(_("Only managers assign pickup partners."), frappe.PermissionError)
	doc = created_order_for_pickup(order)
	pickup_inspection.check_reassignable(doc)
	pickup_places.reassign(doc, partner)
	pickup_inspection.follow_partner(doc)
	return doc.pickup_partner


def created_order_for_pickup(name: str) -> Document:
	"""The stored order, the same refusal whether it is missing or not the caller's to see."""
	stored = frappe.db.get_value("Manual Order", name, ["name", "docstatus"], as_dict=True)
	if not stored or not frappe.has_permission("Manual Order", "read", stored.name):
		frappe.throw(_("Order {0} is not an order you may see.").format(name), frappe.PermissionError)
	doc = frappe.get_doc("Manual Order", stored.name)
	if doc.docstatus != 1:
		frappe.throw(_("Order {0} is not a created order.").format(doc.name), title=_("Not Created"))
	return doc


@frappe.whitelist()
def consent_calls(order: str) -> list[dict]:
	"""The order's agent's calls with its customer from the last minutes, newest first (Choose Call)."""
	stored = frappe.db.get_value("Manual Order", order, ["name", "mobile_no", "agent"], as_dict=True)
	if not stored or not frappe.has_permission("Manual Order", "write", stored.name):
		frappe.throw(_("Order {0} is not an order you may change.").format(order), frappe.PermissionError)
	return consent_call.offered_calls(stored.mobile_no, stored.agent)


@frappe.whitelist(methods=["POST"])
def set_consent_call(order: str, call_log: str) -> dict:
	"""Keeps the call the customer said yes on (completed, their number, recent, the agent's) on the draft."""
	return consent_call.choose_call(order, call_log)


@frappe.whitelist(methods=["POST"])
def send_consent_otp(order: str) -> dict:
	"""Sends a 6-digit consent code to the order's mobile number (SMS, through the outbox)."""
	return consent_code.send_code(order)


@frappe.whitelist(methods=["POST"])
def verify_consent_otp(order: str, code: str) -> dict:
	"""The code the customer read back: right once → consent method Verbal + OTP."""
	return consent_code.verify_code(order, code)


@frappe.whitelist(methods=["POST"])
def take_handover(handover: str) -> dict:
	"""Managers take work someone left (Manual Order Handover): it is assigned to them, once."""
	if not permissions.sees_all():
		frappe.throw(_("Only managers take over the work of people who left."), frappe.PermissionError)
	if not frappe.db.exists("Manual Order Handover", handover):
		frappe.throw(_("Handover {0} does not exist.").format(handover), frappe.DoesNotExistError)
	return handover_work.take(handover, frappe.session.user)


# SOP §6 "pickup inspection": the partner at the door (pickup/inspection.py). Refusals are
# HTTP 417 with a named exc_type; another partner's order or inspection answers 403.


@frappe.whitelist(methods=["POST"])
def record_inspection(
	order: str,
	device_model: str | None = None,
	variant: str | None = None,
	answers: dict | str | None = None,
	accessories: list | str | None = None,
	powers_on: int | str | None = None,
	account_lock_removed: int | str | None = None,
	imei_blocked: int | str | None = None,
	serial_no: str | None = None,
	photos: dict | str | None = None,
) -> dict:
	"""What the assigned partner finds at the door; the server prices it (a price sent is ignored).

	`answers` maps each Condition Question to its answer, `photos` a question to the URL of the
	caller's own upload (needed for each answer that lowers the price), `accessories` lists those present.
	"""
	doc = created_order_for_pickup(order)
	if not (permissions.sees_all() or doc.pickup_partner in pickup_status.partners_of()):
		frappe.throw(
			_("Only the assigned pickup partner and managers inspect this pickup."), frappe.PermissionError
		)
	found = {
		"device_model": device_model,
		"variant": variant,
		"answers": json_arg(answers, dict, "answers"),
		"accessories": json_arg(accessories, list, "accessories"),
		"powers_on": powers_on,
		"account_lock_removed": account_lock_removed,
		"imei_blocked": imei_blocked,
		"serial_no": serial_no,
		"photos": json_arg(photos, dict, "photos"),
	}
	return pickup_inspection.record(doc, found)


def json_arg(value, kind: type, name: str):
	"""A JSON object or list sent as such or as text; anything else is a named 417, never a 500."""
	if value in (None, ""):
		return kind()
	try:
		parsed = json.loads(value) if isinstance(value, str) else value
	except ValueError:
		parsed = None
	if not isinstance(parsed, kind):
		frappe.throw(
			_("{0}: send a JSON {1}.").format(name, _("object") if kind is dict else _("list")),
			frappe.ValidationError,
		)
	return parsed


@frappe.whitelist(methods=["POST"])
def approve_offer(inspection: str) -> dict:
	"""Managers let a large drop reach the customer; never the user who recorded the inspection."""
	if not permissions.sees_all():
		frappe.throw(_("Only managers approve an offer at the door."), frappe.PermissionError)
	return pickup_inspection.approve(inspection_for_partner(inspection))


@frappe.whitelist(methods=["POST"])
def send_offer_code(inspection: str) -> dict:
	"""The changed offer, its reasons and a code, to the customer by SMS and WhatsApp."""
	return pickup_inspection.send_code(inspection_for_partner(inspection))


@frappe.whitelist(methods=["POST"])
def accept_offer(inspection: str, code: str) -> dict:
	"""The code the customer read to the partner: the offer becomes the final price."""
	return pickup_inspection.accept(inspection_for_partner(inspection), code)


@frappe.whitelist(methods=["POST"])
def decline_offer(inspection: str) -> dict:
	"""The customer keeps the device: the pickup fails (Customer Rejected Price)."""
	return pickup_inspection.decline(inspection_for_partner(inspection))


def inspection_for_partner(name: str) -> str:
	"""The stored inspection, if the caller is its partner's user or a manager; 403 otherwise."""
	stored = frappe.db.get_value(
		"Pickup Inspection", name, ["name", "pickup_partner", "manual_order"], as_dict=True
	)
	if (
		not stored
		or not frappe.has_permission("Pickup Inspection", "read", stored.name)
		or not pickup_inspection.may_act(stored)
	):
		frappe.throw(_("Inspection {0} is not one you may act on.").format(name), frappe.PermissionError)
	return stored.name


@frappe.whitelist(methods=["POST"])
def discard_order_error(error: str, reason: str) -> str:
	"""Managers discard an error the inspection drafted, with the reason; it is kept, not counted."""
	if not permissions.sees_all():
		frappe.throw(_("Only managers discard a Manual Order Error."), frappe.PermissionError)
	if not frappe.db.exists("Manual Order Error", error):
		frappe.throw(_("Manual Order Error {0} does not exist.").format(error), frappe.DoesNotExistError)
	doc = frappe.get_doc("Manual Order Error", error)
	doc.discard(reason)
	return doc.name


@frappe.whitelist(methods=["GET"])
def door_pickup(order: str) -> dict:
	"""One pickup on the partner's phone (/pickups): the order, the inspection form's choices
	(models, questions and answers, accessories) and the current offer, money in integer paise."""
	from manual_orders.pickup import door as pickup_door

	doc = created_order_for_pickup(order)
	if not (permissions.sees_all() or doc.pickup_partner in pickup_status.partners_of()):
		frappe.throw(
			_("Only the assigned pickup partner and managers see this pickup."), frappe.PermissionError
		)
	return pickup_door.pickup(doc)


# SOP §6 "instant payment at pickup": the books, the payout and its webhook (settlement/).
FINANCE_ROLES = ("Accounts Manager", "Accounts User")


def check_finance() -> None:
	if not (permissions.sees_all() or set(FINANCE_ROLES) & set(frappe.get_roles())):
		frappe.throw(_("Only managers and finance users settle a payout."), frappe.PermissionError)


@frappe.whitelist(methods=["POST"])
def record_manual_payout(order: str, utr: str) -> str:
	"""No payout API (or a transfer made by hand): the bank's UTR settles the payout, and the
	same Payment Entry follows. Managers and finance users."""
	check_finance()
	return settle.record_manual_utr(created_order_for_pickup(order).name, utr)


@frappe.whitelist(methods=["POST"])
def send_payout_destination_code(
	order: str,
	payment_method: str,
	upi_id: str | None = None,
	bank_account_number: str | None = None,
	ifsc_code: str | None = None,
) -> dict:
	"""A corrected destination for a failed or reversed payout needs the customer's yes: a code to
	their mobile number, bound to that destination (managers and finance)."""
	check_finance()
	return settle.send_destination_code(
		created_order_for_pickup(order).name, payment_method, upi_id, bank_account_number, ifsc_code
	)


@frappe.whitelist(methods=["POST"])
def retry_payout(
	order: str,
	code: str | None = None,
	payment_method: str | None = None,
	upi_id: str | None = None,
	bank_account_number: str | None = None,
	ifsc_code: str | None = None,
) -> str:
	"""A failed or reversed payout, again, under a new idempotency key (managers and finance):
	to the same destination, or with `payment_method` and the customer's `code`, to a corrected one."""
	check_finance()
	name = created_order_for_pickup(order).name
	if payment_method:
		name = settle.retry_to_corrected_destination(
			name, code, payment_method, upi_id, bank_account_number, ifsc_code
		)
	else:
		name = settle.retry(name)
	frappe.db.commit()  # nosemgrep: the retry stands before the provider is called
	if settlement_books.settings().payouts_enabled:
		settle.send(name)
	return frappe.db.get_value("Manual Order Payout", name, "status")


@frappe.whitelist(allow_guest=True, methods=["POST"])
def payout_webhook():
	"""RazorpayX payout webhooks (`payout.processed`, `payout.reversed`, `payout.failed`),
	signed with the webhook secret; a wrong or missing signature changes nothing (403)."""
	raw_body = frappe.request.get_data(cache=True)
	secret = settlement_books.settings().get_password("webhook_secret", raise_exception=False) or ""
	if not payout_signature.signature_is_valid(
		secret, raw_body, frappe.get_request_header("X-Razorpay-Signature")
	):
		return Response("invalid signature", status=403, mimetype="text/plain")
	return settle.apply_webhook(raw_body, frappe.get_request_header("X-Razorpay-Event-Id"))
