"""SOP §6 "pickup inspection": what the partner finds at the door, the offer, the customer's yes.

The partner records the device as found; the server prices it with the order's own pricing
(`sop/offers.py`), never a price a client sent. A changed offer reaches the customer with
a code (the consent code's machinery: an HMAC only, bound to the offer, expiring, locked after
wrong attempts); the code read back accepts it, a "no" ends the pickup. Where the device
differs from the order in model, variant or condition, a Manual Order Error is drafted
against the order's agent (SOP §9). The order's agreed terms are never rewritten.
"""

from decimal import ROUND_HALF_UP, Decimal

import frappe
from frappe import _
from frappe.utils import now_datetime
from frappe.utils.password import get_encryption_key

from manual_orders import catalogue_cache
from manual_orders.consent_evidence import code as consent_code
from manual_orders.exceptions import OfferNotAccepted, throw_violations
from manual_orders.permissions.records import sees_all
from manual_orders.pickup import status as pickup_status
from manual_orders.settings import get_settings
from manual_orders.setup.notifications import OFFER_CODE_METHOD, OFFER_CODE_SMS_NAME
from manual_orders.shortcuts import notifications
from manual_orders.sop import formats, offers, otp, pickups, pricing
from manual_orders.sop.offers import Checks, Device

DOCTYPE = "Pickup Inspection"
ERROR_DOCTYPE = "Manual Order Error"


# Recording what was found


def record(order, found: dict) -> dict:
	"""One inspection per pickup attempt: two users of the partner recording at once queue on the
	order's row and the second records over the first while its offer is still open."""
	order = frappe.get_doc("Manual Order", order.name, for_update=True)  # the row as it is now
	check_at_the_door(order)
	doc = open_inspection(order)
	device = found_device(found)
	checks = Checks(
		powers_on=ticked(found.get("powers_on")),
		account_lock_removed=ticked(found.get("account_lock_removed")),
		imei_blocked=ticked(found.get("imei_blocked")),
	)
	fill_found(doc, order, device, checks, found)
	blocked = offers.blocking_check(checks)
	if blocked:
		return end_blocked(doc, order, blocked)
	catalogue = offer_catalogue(order.device_model, device.device_model)
	throw_violations(offers.check_found(device, catalogue, order.device_type))
	offer = offers.make_offer(
		agreed_device(order),
		int(order.estimated_price or 0),
		device,
		catalogue,
		quote_valid=quote_valid(order),
		approval_percent=get_settings()["offer_approval_percent"],
	)
	photos = photo_files(doc, found.get("photos") or {})
	throw_violations(offers.check_photos(offer.differences, {key: f.file_url for key, f in photos.items()}))
	fill_offer(doc, order, offer, catalogue, photos)
	save(doc)
	attach_photos(doc, photos)
	draft_errors(doc, order, offer)
	return summary(doc)


def ticked(value) -> bool:
	"""A check box as a form or JSON sends it: 1, true, "1", "true", "yes", "on"."""
	return value is True or formats.text(value).lower() in ("1", "true", "yes", "on")


def check_at_the_door(order) -> None:
	if order.pickup_status != pickups.OUT_FOR_PICKUP:
		frappe.throw(
			_(
				"Pickup Status: the inspection is recorded at the door, once the pickup is Out for Pickup (it is {0})."
			).format(_(order.pickup_status or "-")),
			title=_("Not at the Door"),
		)


def open_inspection(order):
	"""The order's inspection still open, else a new one; a decided one is not recorded again."""
	name = frappe.db.get_value(DOCTYPE, {"attempt_key": order.name}, "name", for_update=True)
	if not name:
		return frappe.new_doc(DOCTYPE)
	doc = frappe.get_doc(DOCTYPE, name, for_update=True)
	if doc.offer_status not in offers.OPEN:
		frappe.throw(
			_("Inspection {0}: its offer is {1}; it is not recorded again.").format(
				doc.name, _(doc.offer_status)
			),
			title=_("Already Decided"),
		)
	consent_code.replace_codes(order.name, doc.name)  # a code sent for the old offer stops working
	return doc


def found_device(found: dict) -> Device:
	answers = found.get("answers") or {}
	if isinstance(answers, list):
		answers = {row.get("question"): row.get("answer") for row in answers if isinstance(row, dict)}
	accessories = found.get("accessories") or []
	return Device(
		device_model=formats.text(found.get("device_model")),
		variant=formats.text(found.get("variant")),
		answers={formats.text(q): formats.text(a) for q, a in answers.items()},
		accessories=tuple(sorted({formats.text(a) for a in accessories if formats.text(a)})),
	)


def agreed_device(order) -> Device:
	return Device(
		device_model=order.device_model,
		variant=order.variant,
		answers={row.question: row.answer for row in order.conditions},
		accessories=tuple(sorted(row.accessory for row in order.accessories)),
	)


def offer_catalogue(*model_names: str) -> offers.Catalogue:
	models = {name: catalogue_cache.get_device_model(name) for name in model_names if name}
	models = {name: model for name, model in models.items() if model}
	return offers.Catalogue(
		models=models,
		questions={
			model.device_type: catalogue_cache.get_condition_questions(model.device_type)
			for model in models.values()
		},
		accessories=catalogue_cache.get_accessories(),
	)


def quote_valid(order) -> bool:
	"""SOP §4C: the quote holds until `quote_valid_until` when admins set a validity."""
	if not order.quote_valid_until:
		return True
	return now_datetime().date() <= frappe.utils.getdate(order.quote_valid_until)


def fill_found(doc, order, device: Device, checks: Checks, found: dict) -> None:
	doc.update(
		{
			"manual_order": order.name,
			"attempt_key": order.name,
			"pickup_partner": order.pickup_partner,
			"agent": order.agent,
			"city": order.city,
			"inspected_by": frappe.session.user,
			"inspected_at": now_datetime(),
			"device_type": order.device_type,
			"device_model": device.device_model or None,
			"variant": device.variant,
			"serial_no": formats.text(found.get("serial_no"))[:140],
			"powers_on": int(checks.powers_on),
			"account_lock_removed": int(checks.account_lock_removed),
			"imei_blocked": int(checks.imei_blocked),
			"currency": "INR",
			"agreed_price": order.estimated_price,
		}
	)
	doc.set("conditions", [{"question": q, "answer": a} for q, a in device.answers.items() if q])
	doc.set("accessories", [{"accessory": a} for a in device.accessories])
	doc.set("differences", [])


def fill_offer(doc, order, offer: offers.Offer, catalogue, photos: dict) -> None:
	base = catalogue.models[doc.device_model].variant(doc.variant).base_price
	answers = {row.question: row.answer for row in doc.conditions}
	doc.set("conditions", [])
	for question in catalogue.questions_for(doc.device_model):  # the model's questions, in order
		share = question.answers.get(answers.get(question.name), 0)
		doc.append(
			"conditions",
			{
				"question": question.name,
				"answer": answers.get(question.name),
				"deduction": pricing.condition_deduction(base, share) if share else 0,
				"photo": photos[question.name].file_url if question.name in photos else None,
			},
		)
	doc.set(
		"differences",
		[
			{
				"kind": d.kind,
				"label": d.label,
				"agreed_value": d.agreed,
				"found_value": d.found,
				"amount": d.amount,
				"reference": d.key,
				"photo": photos[d.key].file_url if d.key in photos else None,
			}
			for d in offer.differences
		],
	)
	doc.update(
		{
			"offer_price": offer.price,
			"drop_percent": offer.drop_percent,
			"offer_status": offer.status,
			"blocking_reason": None,
			"approved_by": None,
			"approved_at": None,
		}
	)
	doc.flags.offer = offer
	if offer.status == offers.AS_AGREED:  # the customer's yes at creation covers it
		doc.update(
			{"final_price": offer.price, "decided_by": frappe.session.user, "decided_at": now_datetime()}
		)


def save(doc) -> None:
	doc.flags.server_write = True
	if doc.is_new():
		doc.insert(ignore_permissions=True)
	else:
		doc.save(ignore_permissions=True)
	if doc.flags.offer:
		fingerprint = offers.offer_fingerprint(doc.name, doc.flags.offer)
		doc.db_set("offer_fingerprint", fingerprint, update_modified=False)


def end_blocked(doc, order, blocked: str) -> dict:
	"""A device that cannot be bought: no offer, the pickup fails with the admins' reason."""
	reason = get_settings()["blocking_reasons"][blocked]
	doc.set("differences", [])
	doc.update({"offer_status": offers.BLOCKED, "blocking_reason": reason, "offer_price": 0})
	doc.update({"decided_by": frappe.session.user, "decided_at": now_datetime()})
	save(doc)
	order.flags.door_reason = True
	pickup_status.update_pickup(order, pickups.PICKUP_FAILED, failure_reason=reason)
	return summary(doc)


# Photos: the caller's own uploads, made private attachments of the inspection


def photo_files(doc, photos: dict) -> dict:
	"""Each photo the caller names must be a file they uploaded (the CEIR evidence's rule)."""
	files, loaded = {}, {}
	if not isinstance(photos, dict):
		photos = {}
	attached_to = frappe._dict(doctype=DOCTYPE, name=doc.name or "")  # a new one: unattached files only
	for question, url in photos.items():
		if not formats.text(url):
			continue
		name = pickup_status.evidence_file(formats.text(url), attached_to)
		if name and not frappe.db.get_value("File", name, "is_private"):
			name = None  # a public upload is anybody's to read: evidence is private from the start
		if not name:
			frappe.throw(
				_("Photo: {0} is not a file you uploaded for this pickup; take the photo again.").format(
					formats.text(url)[:80]
				),
				frappe.PermissionError,
			)
		files[formats.text(question)] = loaded.setdefault(name, frappe.get_doc("File", name))
	return files


def attach_photos(doc, photos: dict) -> None:
	"""Each File once (one photo may show two answers); the photo's URL is on the inspection's rows."""
	for file in {file.name: file for file in photos.values()}.values():
		if (file.attached_to_doctype, file.attached_to_name) == (DOCTYPE, doc.name):
			continue
		file.update({"attached_to_doctype": DOCTYPE, "attached_to_name": doc.name, "attached_to_field": None})
		file.flags.ignore_permissions = True
		file.save(ignore_permissions=True)


# SOP §9: the inspection tells whether the agent's order was right


def draft_errors(doc, order, offer: offers.Offer) -> None:
	"""One draft Manual Order Error per §7 category found; a re-recorded inspection replaces its drafts."""
	for name in frappe.get_all(
		ERROR_DOCTYPE, filters={"pickup_inspection": doc.name, "docstatus": 0, "discarded": 0}, pluck="name"
	):
		frappe.db.delete(ERROR_DOCTYPE, {"name": name})  # an open draft: the new findings replace it
	findings = offers.error_findings(offer.differences)
	judged = set(  # a manager already discarded (or confirmed) this finding: it is not drafted again
		frappe.get_all(
			ERROR_DOCTYPE,
			filters={"pickup_inspection": doc.name, "docstatus": ("<", 2)},
			pluck="error_category",
		)
	)
	for category, found in findings.items():
		if category in judged:
			continue
		error = frappe.get_doc(
			{
				"doctype": ERROR_DOCTYPE,
				"manual_order": order.name,
				"error_category": category,
				"consequence": "Price dispute" if offer.price < offer.agreed_price else "None yet",
				"pickup_inspection": doc.name,
				"differences": "\n".join(d.describe() for d in found),
				"note": _("Drafted from inspection {0}: confirm it, or discard it with a reason.").format(
					doc.name
				),
			}
		)
		error.flags.drafted_by_server = True
		error.insert(ignore_permissions=True)
	doc.db_set("errors_drafted", len(findings), update_modified=False)


# The offer: a manager's approval, the code, the customer's answer


def locked(name: str):
	"""The inspection, its row locked: a double click or two users queue here."""
	order = frappe.db.get_value(DOCTYPE, name, "manual_order")
	if not order:
		frappe.throw(_("Inspection {0} does not exist.").format(name), frappe.DoesNotExistError)
	frappe.db.get_value("Manual Order", order, "name", for_update=True)  # the order first, as `record` does
	frappe.db.get_value(DOCTYPE, name, "name", for_update=True)
	return frappe.get_doc(DOCTYPE, name, for_update=True)  # a locking read: the row as it is now


def approve(name: str) -> dict:
	doc = locked(name)
	acts_for_partner = doc.pickup_partner in pickup_status.partners_of(frappe.session.user)
	throw_violations(
		offers.check_can_approve(doc.offer_status, doc.inspected_by, frappe.session.user, acts_for_partner)
	)
	doc.update(
		{"offer_status": offers.READY, "approved_by": frappe.session.user, "approved_at": now_datetime()}
	)
	save_decision(doc, _("Offer of {0} approved by {1}."))
	return summary(doc)


def send_code(name: str) -> dict:
	"""The changed offer and a code reach the customer; a double click sends one."""
	doc = locked(name)
	throw_violations(offers.check_can_send(doc.offer_status))
	order = frappe.get_doc("Manual Order", doc.manual_order)
	settings = get_settings()
	code = otp.new_code()
	record, last, sent = consent_code.insert_code(
		order.name, doc.offer_fingerprint, expected_hash(doc)(code), settings["otp_expiry_minutes"], doc.name
	)
	if otp.can_reuse(consent_code.as_sent_code(last), doc.offer_fingerprint, now_datetime()):
		consent_code.take_back()
		return {**summary(doc), "sent": False, "expires_at": last.expires_at}
	consent_code.refuse_over_the_limit([offers.code_violation(v) for v in otp.check_send_rate(sent)])
	consent_code.keep_only(record)
	order.flags.consent_code = offer_context(doc, code, settings["otp_expiry_minutes"])
	order.flags.outbox_messages = []
	notifications.run_notifications(order, OFFER_CODE_METHOD)
	if not order.flags.outbox_messages:
		frappe.throw(
			_(
				"No enabled SMS or WhatsApp Notification sends the offer code (event Method, method {0}); ask an admin to enable {1}."
			).format(OFFER_CODE_METHOD, OFFER_CODE_SMS_NAME)
		)
	doc.offer_status = offers.CODE_SENT
	save_decision(doc, None)
	return {**summary(doc), "sent": True, "expires_at": record.expires_at}


def offer_context(doc, code: str, minutes: int) -> dict:
	differences = differences_of(doc)
	return {
		"otp": code,
		"otp_minutes": minutes,
		"agreed_price": formats.format_inr(doc.agreed_price),
		"offer_price": formats.format_inr(doc.offer_price),
		"offer_reason": offers.short_reason(differences),
		"offer_reasons": offers.reasons_text(differences),
	}


def differences_of(doc) -> tuple[offers.Difference, ...]:
	return tuple(
		offers.Difference(
			row.kind,
			row.label,
			row.agreed_value or "",
			row.found_value or "",
			int(row.amount or 0),
			row.reference or "",
		)
		for row in doc.differences
	)


def expected_hash(doc):
	key = get_encryption_key()
	return lambda code: otp.code_hash(key, doc.name, doc.offer_fingerprint or "", code)


def accept(name: str, code: str) -> dict:
	"""The code the customer read to the partner; a wrong one counts an attempt and is answered."""
	doc = locked(name)
	if doc.offer_status == offers.ACCEPTED:
		return {**summary(doc), "accepted": True}  # a double click: one acceptance
	throw_violations(offers.check_can_decide(doc.offer_status))
	row = consent_code.last_code(doc.manual_order, for_update=True, inspection=doc.name)
	verdict = otp.judge(
		consent_code.as_sent_code(row),
		code,
		doc.offer_fingerprint,
		expected_hash(doc),
		now_datetime(),
		get_settings()["otp_max_attempts"],
	)
	violations = [offers.code_violation(v) for v in verdict.violations]
	if verdict.counts_attempt:
		consent_code.count_attempt(row, verdict)
		return {"accepted": False, "attempts_left": verdict.attempts_left, "message": violations[0].render(_)}
	if violations:
		frappe.throw(violations[0].render(_), exc=OfferNotAccepted, title=_("Offer Not Accepted"))
	now = now_datetime()
	consent_code.mark_verified(row, now)
	doc.update(
		{
			"offer_status": offers.ACCEPTED,
			"final_price": doc.offer_price,
			"decided_by": frappe.session.user,
			"decided_at": now,
		}
	)
	save_decision(doc, _("The customer accepted the offer of {0} at the door (code read back)."))
	return {**summary(doc), "accepted": True}


def decline(name: str) -> dict:
	"""The customer says no: the device stays with them, the pickup fails, the places stay booked."""
	doc = locked(name)
	if doc.offer_status == offers.DECLINED:
		return summary(doc)
	if doc.offer_status not in (offers.READY, offers.CODE_SENT):  # the customer has heard it
		frappe.throw(
			_("Offer: an offer that is {0} cannot be declined.").format(_(doc.offer_status or "-")),
			exc=OfferNotAccepted,
			title=_("Not Allowed"),
		)
	consent_code.replace_codes(doc.manual_order, doc.name)
	doc.update(
		{"offer_status": offers.DECLINED, "decided_by": frappe.session.user, "decided_at": now_datetime()}
	)
	save_decision(doc, _("The customer declined the offer of {0} at the door."))
	order = frappe.get_doc("Manual Order", doc.manual_order)
	reason = get_settings()["blocking_reasons"][offers.DECLINED_OFFER]
	order.flags.door_reason = True
	pickup_status.update_pickup(order, pickups.PICKUP_FAILED, failure_reason=reason)
	return summary(doc)


def save_decision(doc, comment: str | None) -> None:
	save(doc)
	if comment:
		frappe.get_doc("Manual Order", doc.manual_order).add_comment(
			"Info", comment.format(formats.format_inr(doc.offer_price), frappe.session.user)
		)


def for_order(order_name: str) -> str | None:
	return frappe.db.get_value(DOCTYPE, {"attempt_key": order_name}, "name")


def may_act(doc) -> bool:
	"""The users of the partner the order is assigned to now (not the one that inspected it, if a
	manager reassigned it since), and managers."""
	partner = frappe.db.get_value("Manual Order", doc.manual_order, "pickup_partner")
	return sees_all() or (partner == doc.pickup_partner and partner in pickup_status.partners_of())


def check_reassignable(order) -> None:
	"""A device bought at the door (as agreed, or an accepted offer) stays with that partner."""
	status = frappe.db.get_value(DOCTYPE, {"attempt_key": order.name}, "offer_status")
	if status in offers.BOUGHT:
		frappe.throw(
			_(
				"Pickup Partner: the device was bought at the door (offer {0}); the pickup is not reassigned."
			).format(_(status)),
			title=_("Not Allowed"),
		)


def follow_partner(order) -> None:
	"""An open inspection goes to the new partner, who records it again; codes sent stop working."""
	name = for_order(order.name)
	if name:
		frappe.db.set_value(DOCTYPE, name, "pickup_partner", order.pickup_partner, update_modified=False)
		consent_code.replace_codes(order.name, name)


def summary(doc) -> dict:
	"""What the partner's screen shows: never a code, never a hash; money in integer paise."""
	return {
		"name": doc.name,
		"manual_order": doc.manual_order,
		"offer_status": doc.offer_status,
		"agreed_paise": paise(doc.agreed_price),
		"offer_paise": paise(doc.offer_price),
		"final_paise": paise(doc.final_price) if doc.offer_status in offers.BOUGHT else None,
		"drop_percent": doc.drop_percent,
		"blocking_reason": doc.blocking_reason,
		"differences": [
			{
				"kind": row.kind,
				"label": row.label,
				"agreed": row.agreed_value,
				"found": row.found_value,
				"amount_paise": paise(row.amount),
			}
			for row in doc.differences
		],
	}


def paise(rupees) -> int:
	"""The catalogue's prices are whole rupees; the wire carries integer paise."""
	return int((Decimal(str(rupees or 0)) * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))
