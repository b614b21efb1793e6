"""SOP §6 "pickup inspection" on the site: the offer at the door, the customer's code, the record.

What is stored afterwards is asserted, not only what a call returned.
"""

import re
from concurrent.futures import ThreadPoolExecutor

import frappe
from frappe.utils.password import get_decrypted_password

from manual_orders import api
from manual_orders.exceptions import (
	InspectionRefused,
	OfferApprovalRefused,
	OfferNotAccepted,
)
from manual_orders.messaging import outbox
from manual_orders.pickup import inspection as pickup_inspection
from manual_orders.setup import notifications
from manual_orders.tests.test_pickups import (
	IMEI,
	OTHER_PARTNER_USER,
	PARTNER_USER,
	PickupTestCase,
	created,
	evidence_of,
	make_partner,
)
from manual_orders.tests.utils import (
	AGENT,
	MANAGER,
	Api,
	as_user,
	committed,
	found_as_agreed,
	inspect_as_agreed,
	make_user,
	new_agent,
)

PARTNER_MANAGER = "partner.manager@manual-orders.test"
SCREEN = "Screen condition"


def screen_question() -> str:
	return frappe.db.get_value("Condition Question", {"device_type": "Phone", "question": SCREEN}, "name")


def photo_of(user: str, label: str = "screen") -> str:
	"""A photo the partner took with the phone's camera (an upload not attached yet)."""
	with as_user(user):
		file = frappe.get_doc(
			{
				"doctype": "File",
				"file_name": f"{label}-{frappe.generate_hash(length=6)}.png",
				"content": b"\x89PNG photo " + frappe.generate_hash(length=12).encode(),
				"is_private": 1,
			}
		).insert()
	return file.file_url


def at_the_door(order, user: str = PARTNER_USER) -> None:
	with as_user(user):
		api.update_pickup(order.name, "Out for Pickup")


def cracked(order, user: str = PARTNER_USER, photo: bool = True) -> dict:
	"""The screen is cracked (35 % of the base price in the demo): above the approval limit."""
	found = found_as_agreed(order.name)
	found["answers"][screen_question()] = "Cracked"
	if photo:
		found["photos"] = {screen_question(): photo_of(user)}
	return found


def without_charger(order) -> dict:
	"""The charger is missing (₹500 of ₹30,500): a small drop the customer hears at once."""
	found = found_as_agreed(order.name)
	found["accessories"] = []
	return found


def record(found: dict, user: str = PARTNER_USER) -> dict:
	with as_user(user):
		return api.record_inspection(**found)


def code_sent(inspection: str) -> str:
	"""The code as the SMS sender reads it: the message's encrypted text."""
	order = frappe.db.get_value("Pickup Inspection", inspection, "manual_order")
	name = frappe.get_all(
		"Manual Order Message",
		filters={"manual_order": order, "notification": notifications.OFFER_CODE_SMS_NAME},
		order_by="creation desc",
		limit=1,
		pluck="name",
	)[0]
	text = get_decrypted_password("Manual Order Message", name, outbox.SECRET_FIELD)
	return re.search(r"\b(\d{6})\b", text.split("code", 1)[1]).group(1)


def stored(inspection: str, *fields):
	return frappe.db.get_value("Pickup Inspection", inspection, list(fields), as_dict=True)


def order_status(order: str):
	return frappe.db.get_value(
		"Manual Order",
		order,
		[
			"pickup_status",
			"pickup_failure_reason",
			"picked_up",
			"estimated_price",
			"upi_id",
			"payment_method",
		],
		as_dict=True,
	)


class InspectionTestCase(PickupTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		make_user(PARTNER_MANAGER, "Pickup Partner")
		if not frappe.db.exists("Has Role", {"parent": PARTNER_MANAGER, "role": "Manual Order Manager"}):
			frappe.get_doc("User", PARTNER_MANAGER).add_roles("Manual Order Manager")
		frappe.db.commit()  # nosemgrep: users shared with the HTTP threads

	def setUp(self):
		super().setUp()
		make_partner("Test Alpha", users=[PARTNER_USER, PARTNER_MANAGER])
		make_partner("Test Beta", pincodes=("400001",), users=[OTHER_PARTNER_USER])


class TestTheOffer(InspectionTestCase):
	def test_the_device_as_agreed_keeps_the_agreed_price_and_may_be_picked_up(self):
		order = created()
		before = order_status(order.name)
		result = inspect_as_agreed(order.name, PARTNER_USER)
		self.assertEqual(result["offer_status"], "As Agreed")
		self.assertEqual(result["final_paise"], int(order.estimated_price) * 100)
		self.assertEqual(result["differences"], [])
		self.assertFalse(frappe.db.exists("Manual Order Error", {"manual_order": order.name}))
		with as_user(PARTNER_USER):
			api.update_pickup(order.name, "Picked Up", imei=IMEI, imei_evidence=evidence_of(PARTNER_USER))
		after = order_status(order.name)
		self.assertEqual(after.pickup_status, "Picked Up")
		# the agreed terms and the payment details are as they were
		for field in ("estimated_price", "upi_id", "payment_method"):
			self.assertEqual(after[field], before[field], field)

	def test_picked_up_needs_an_inspection_and_the_customers_yes(self):
		order = created()
		at_the_door(order)
		with as_user(PARTNER_USER), self.assertRaises(OfferNotAccepted):
			api.update_pickup(order.name, "Picked Up", imei=IMEI, imei_evidence=evidence_of(PARTNER_USER))
		inspection = record(without_charger(order))["name"]
		with as_user(PARTNER_USER), self.assertRaises(OfferNotAccepted):
			api.update_pickup(order.name, "Picked Up", imei=IMEI, imei_evidence=evidence_of(PARTNER_USER))
		self.assertEqual(order_status(order.name).pickup_status, "Out for Pickup")
		self.assertEqual(stored(inspection, "offer_status").offer_status, "Ready to Send")

	def test_the_inspection_is_recorded_at_the_door_only(self):
		order = created()
		with as_user(PARTNER_USER), self.assertRaises(frappe.ValidationError):
			api.record_inspection(**found_as_agreed(order.name))
		self.assertFalse(frappe.db.exists("Pickup Inspection", {"manual_order": order.name}))

	def test_a_large_drop_lists_each_difference_and_waits_for_a_manager(self):
		order = created()
		at_the_door(order)
		result = record(cracked(order))
		self.assertEqual(result["offer_status"], "Awaiting Approval")
		self.assertEqual(
			[(d["kind"], d["label"], d["found"]) for d in result["differences"]],
			[("Condition", SCREEN, "Cracked")],
		)
		drop = result["agreed_paise"] - result["offer_paise"]
		self.assertEqual(drop, -result["differences"][0]["amount_paise"])
		self.assertEqual(drop, 30000 * 35)  # 35 % of ₹30,000, in paise
		with as_user(PARTNER_USER), self.assertRaises(OfferNotAccepted):
			api.send_offer_code(result["name"])  # the customer does not hear it yet
		with as_user(PARTNER_USER), self.assertRaises(frappe.PermissionError):
			api.approve_offer(result["name"])
		with as_user(MANAGER):
			approved = api.approve_offer(result["name"])
		self.assertEqual(approved["offer_status"], "Ready to Send")
		self.assertEqual(stored(result["name"], "approved_by").approved_by, MANAGER)

	def test_a_partner_who_is_also_a_manager_does_not_approve_their_own_offer(self):
		order = created()
		at_the_door(order, PARTNER_MANAGER)
		inspection = record(cracked(order, PARTNER_MANAGER), PARTNER_MANAGER)["name"]
		with as_user(PARTNER_MANAGER), self.assertRaises(OfferApprovalRefused):
			api.approve_offer(inspection)
		self.assertEqual(stored(inspection, "offer_status").offer_status, "Awaiting Approval")

	def test_each_answer_that_lowers_the_price_needs_a_photo_of_the_callers_own(self):
		order = created()
		at_the_door(order)
		with self.assertRaises(InspectionRefused) as refused:
			record(cracked(order, photo=False))
		self.assertIn(SCREEN, str(refused.exception))
		someone_elses = photo_of(OTHER_PARTNER_USER)
		found = cracked(order)
		found["photos"] = {screen_question(): someone_elses}
		with self.assertRaises(frappe.PermissionError):
			record(found)
		self.assertFalse(frappe.db.exists("Pickup Inspection", {"manual_order": order.name}))
		inspection = record(cracked(order))["name"]
		photo = frappe.db.get_value(
			"Pickup Inspection Condition", {"parent": inspection, "question": screen_question()}, "photo"
		)
		file = frappe.get_doc("File", {"file_url": photo, "attached_to_name": inspection})
		self.assertEqual((file.attached_to_doctype, file.is_private), ("Pickup Inspection", 1))

	def test_a_model_the_catalogue_does_not_price_is_refused_naming_the_field(self):
		order = created()
		at_the_door(order)
		for field, value in (("device_model", "Nokia 3310"), ("variant", "2 TB")):
			found = found_as_agreed(order.name)
			found[field] = value
			with self.subTest(field=field), self.assertRaises(InspectionRefused) as refused:
				record(found)
			self.assertIn(field.replace("_", " ").title(), str(refused.exception))

	def test_a_blocking_check_ends_the_pickup_with_the_admins_reason(self):
		for check, reason in (
			("powers_on", "Device does not power on"),
			("account_lock_removed", "Account lock not removed"),
			("imei_blocked", "IMEI invalid or blocked"),
		):
			with self.subTest(check=check):
				order = created()
				at_the_door(order)
				found = found_as_agreed(order.name)
				found[check] = 0 if check != "imei_blocked" else 1
				result = record(found)
				self.assertEqual((result["offer_status"], result["blocking_reason"]), ("Blocked", reason))
				status = order_status(order.name)
				self.assertEqual(
					(status.pickup_status, status.pickup_failure_reason), ("Pickup Failed", reason)
				)

	def test_differences_in_model_or_condition_draft_errors_against_the_agent(self):
		order = created()
		at_the_door(order)
		found = cracked(order)
		found["variant"] = "256 GB"
		inspection = record(found)["name"]
		errors = frappe.get_all(
			"Manual Order Error",
			filters={"pickup_inspection": inspection},
			fields=["name", "agent", "error_category", "docstatus", "differences"],
			order_by="error_category",
		)
		self.assertEqual(
			[(e.agent, e.error_category, e.docstatus) for e in errors],
			[
				(AGENT, "Incorrect condition selection", 0),
				(AGENT, "Wrong device model or variant", 0),
			],
		)
		self.assertIn("Cracked", errors[0].differences)
		self.assertIn("256 GB", errors[1].differences)
		# recorded again while still open: one inspection, its drafts replaced
		again = record(cracked(order))["name"]
		self.assertEqual(again, inspection)
		self.assertEqual(
			frappe.get_all(
				"Manual Order Error", filters={"pickup_inspection": inspection}, pluck="error_category"
			),
			["Incorrect condition selection"],
		)
		# a manager discards with a reason: kept, never confirmed, not counted
		error = frappe.get_all("Manual Order Error", filters={"pickup_inspection": inspection}, pluck="name")[
			0
		]
		with as_user(MANAGER), self.assertRaises(frappe.ValidationError):
			api.discard_order_error(error, " ")
		with as_user(MANAGER):
			api.discard_order_error(error, "The customer dropped the phone after the call")
		doc = frappe.get_doc("Manual Order Error", error)
		self.assertEqual((doc.discarded, doc.discarded_by), (1, MANAGER))
		with as_user(MANAGER), self.assertRaises(frappe.ValidationError):
			doc.submit()
		with as_user(PARTNER_USER), self.assertRaises(frappe.PermissionError):
			api.discard_order_error(error, "no")
		# a manager's edit of the draft cannot rewrite what the inspection found
		doc = frappe.get_doc("Manual Order Error", error)
		doc.differences, doc.discarded = "nothing", 0
		with as_user(MANAGER):
			doc.save()
		self.assertEqual(
			frappe.db.get_value(
				"Manual Order Error", error, ["discarded", "differences"], as_dict=True
			).discarded,
			1,
		)


class TestTheCustomersYes(InspectionTestCase):
	def ready_offer(self, order=None):
		order = order or created()
		at_the_door(order)
		return order, record(without_charger(order))["name"]

	def test_the_code_accepts_the_offer_once_and_is_never_readable(self):
		order, inspection = self.ready_offer()
		with as_user(PARTNER_USER):
			sent = api.send_offer_code(inspection)
		self.assertTrue(sent["sent"])
		code = code_sent(inspection)
		messages = frappe.get_all(
			"Manual Order Message",
			filters={"manual_order": order.name, "carries_code": 1},
			fields=["channel", "message"],
		)
		self.assertIn("SMS", [m.channel for m in messages])
		for message in messages:
			self.assertNotIn(code, message.message)
			self.assertIn("******", message.message)
		sms = next(m.message for m in messages if m.channel == "SMS")
		self.assertIn(order.name, sms)
		self.assertIn("₹30,000", sms)  # the new price
		self.assertIn("₹30,500", sms)  # the old one
		row = frappe.get_all(
			"Manual Order Consent Code",
			filters={"pickup_inspection": inspection},
			fields=["code_hash", "status"],
		)
		self.assertEqual(len(row), 1)
		self.assertNotIn(code, str(row))
		with as_user(PARTNER_USER):
			self.assertFalse(api.send_offer_code(inspection)["sent"])  # a double click sends one SMS
			wrong = "000000" if code != "000000" else "111111"
			answer = api.accept_offer(inspection, wrong)
			self.assertEqual((answer["accepted"], answer["attempts_left"]), (False, 4))
			self.assertNotIn(code, str(answer))
			accepted = api.accept_offer(inspection, code)
			again = api.accept_offer(inspection, code)  # a double click on accept
		self.assertEqual((accepted["offer_status"], accepted["final_paise"]), ("Accepted", 3000000))
		self.assertEqual(again, accepted)
		self.assertEqual(
			frappe.db.count(
				"Comment", {"reference_name": order.name, "content": ("like", "%accepted the offer%")}
			),
			1,
		)
		final = stored(inspection, "offer_status", "final_price", "decided_by")
		self.assertEqual(
			(final.offer_status, final.final_price, final.decided_by), ("Accepted", 30000, PARTNER_USER)
		)
		self.assertEqual(order_status(order.name).estimated_price, 30500)  # the agreed terms stand
		with as_user(PARTNER_USER):
			api.update_pickup(order.name, "Picked Up", imei=IMEI, imei_evidence=evidence_of(PARTNER_USER))

	def test_five_wrong_codes_lock_the_code(self):
		_order, inspection = self.ready_offer()
		with as_user(PARTNER_USER):
			api.send_offer_code(inspection)
			code = code_sent(inspection)
			wrong = "000000" if code != "000000" else "111111"
			for left in (4, 3, 2, 1, 0):
				self.assertEqual(api.accept_offer(inspection, wrong)["attempts_left"], left)
			with self.assertRaises(OfferNotAccepted) as refused:
				api.accept_offer(inspection, code)
		self.assertIn("locked", str(refused.exception))
		self.assertNotIn(code, str(refused.exception))
		self.assertEqual(stored(inspection, "offer_status").offer_status, "Code Sent")

	def test_a_code_for_the_old_offer_does_not_accept_a_new_one(self):
		order, inspection = self.ready_offer()
		with as_user(PARTNER_USER):
			api.send_offer_code(inspection)
		code = code_sent(inspection)
		found = without_charger(order)
		found["variant"] = "256 GB"  # recorded again: another offer
		record(found)
		with as_user(PARTNER_USER), self.assertRaises(OfferNotAccepted):
			api.accept_offer(inspection, code)  # the offer is Ready to Send: no code was sent for it
		with as_user(PARTNER_USER):
			api.send_offer_code(inspection)
		if code_sent(inspection) != code:  # one chance in a million that the new code is the same
			with as_user(PARTNER_USER):
				self.assertFalse(api.accept_offer(inspection, code)["accepted"])

	def test_declining_fails_the_pickup_and_keeps_the_places_booked(self):
		order, inspection = self.ready_offer()
		partner_place = {"pickup_partner": order.pickup_partner, "pickup_date": order.pickup_date}
		places = (
			frappe.db.get_value("Pickup Partner Load", partner_place, "assigned"),
			frappe.db.get_value("Pickup Slot Load", order.slot_booking, "booked"),
		)
		self.assertEqual(places[0] > 0 and places[1] > 0, True)
		with as_user(PARTNER_USER):
			api.send_offer_code(inspection)
			result = api.decline_offer(inspection)
			self.assertEqual(api.decline_offer(inspection), result)  # a double click
		self.assertEqual(result["offer_status"], "Declined")
		status = order_status(order.name)
		self.assertEqual(
			(status.pickup_status, status.pickup_failure_reason, status.picked_up),
			("Pickup Failed", "Customer Rejected Price", 0),
		)
		self.assertEqual(  # the partner's place and the slot are not given back for that day
			(
				frappe.db.get_value("Pickup Partner Load", partner_place, "assigned"),
				frappe.db.get_value("Pickup Slot Load", order.slot_booking, "booked"),
			),
			places,
		)
		with as_user(PARTNER_USER), self.assertRaises(OfferNotAccepted):
			api.accept_offer(inspection, code_sent(inspection))


class TestTrustAndRaces(InspectionTestCase):
	"""Over REST: who may do what, what a client's values change, two at once."""

	@committed
	def test_another_partner_agents_and_generic_write_paths_change_nothing(self):
		order = created()
		at_the_door(order)
		inspection = record(without_charger(order))["name"]
		frappe.db.commit()  # nosemgrep
		other, agent, manager = Api(OTHER_PARTNER_USER), Api(AGENT), Api(MANAGER)
		status, _body = other.post(
			"/api/method/manual_orders.api.record_inspection", found_as_agreed(order.name)
		)
		self.assertEqual(status, 403)
		for method in ("send_offer_code", "decline_offer"):
			status, _body = other.post(f"/api/method/manual_orders.api.{method}", {"inspection": inspection})
			self.assertEqual(status, 403, method)
		self.assertEqual(other.get(f"/api/resource/Pickup Inspection/{inspection}")[0], 403)
		self.assertEqual(agent.get(f"/api/resource/Pickup Inspection/{inspection}")[0], 403)
		status, body = other.get('/api/resource/Pickup Inspection?fields=["name"]')
		self.assertEqual(body.get("data", []), [])
		status, body = other.get(
			f'/api/resource/Pickup Inspection Difference?parent=Pickup Inspection&fields=["parent"]&filters=[["parent","=","{inspection}"]]'
		)
		self.assertEqual(body.get("data", []), [])
		writes = (
			(
				"put",
				f"/api/resource/Pickup Inspection/{inspection}",
				{"offer_price": 1, "offer_status": "Accepted"},
			),
			(
				"post",
				"/api/method/frappe.client.set_value",
				{
					"doctype": "Pickup Inspection",
					"name": inspection,
					"fieldname": "offer_status",
					"value": "Accepted",
				},
			),
			(
				"post",
				"/api/method/frappe.client.insert",
				{
					"doc": {
						"doctype": "Pickup Inspection",
						"manual_order": order.name,
						"offer_status": "Accepted",
					}
				},
			),
		)
		for user in (Api(PARTNER_USER), manager):
			for verb, path, payload in writes:
				status, _body = getattr(user, verb)(path, payload)
				self.assertIn(status, (403, 417), path)
		frappe.db.rollback()
		self.assertEqual(
			stored(inspection, "offer_status", "offer_price"),
			{"offer_status": "Ready to Send", "offer_price": 30000.0},
		)
		# a price a client sends with the inspection is not a parameter: the server prices it
		found = without_charger(order)
		status, body = Api(PARTNER_USER).post(
			"/api/method/manual_orders.api.record_inspection",
			{**found, "offer_price": 1, "final_price": 1, "answers": frappe.as_json(found["answers"])},
		)
		self.assertEqual(status, 200, body)
		self.assertEqual(body["message"]["offer_paise"], 3000000)
		frappe.db.rollback()
		self.assertEqual(frappe.db.count("Pickup Inspection", {"manual_order": order.name}), 1)
		for bad in ("not json", "[1, 2]", 42):  # malformed answers: a named 417, never a 500
			status, body = Api(PARTNER_USER).post(
				"/api/method/manual_orders.api.record_inspection", {**found, "answers": bad}
			)
			self.assertEqual(status, 417, (bad, body))

	def test_administrators_generic_save_is_refused_by_the_controller(self):
		order = created()
		at_the_door(order)
		inspection = record(without_charger(order))["name"]
		doc = frappe.get_doc("Pickup Inspection", inspection)
		doc.offer_price = 1
		with self.assertRaises(frappe.PermissionError):
			doc.save()
		with self.assertRaises(frappe.PermissionError):
			frappe.delete_doc("Pickup Inspection", inspection)
		self.assertEqual(stored(inspection, "offer_price").offer_price, 30000)

	@committed
	def test_two_users_of_the_partner_recording_at_once_give_one_inspection(self):
		make_user("partner.three@manual-orders.test", "Pickup Partner")
		partner = frappe.get_doc("Pickup Partner", "Test Alpha")
		partner.append("users", {"user": "partner.three@manual-orders.test"})
		partner.save()
		order = created()
		at_the_door(order)
		frappe.db.commit()  # nosemgrep
		found = without_charger(order)
		payload = {**found, "answers": frappe.as_json(found["answers"]), "accessories": "[]"}
		users = [Api(PARTNER_USER), Api("partner.three@manual-orders.test")] * 2
		with ThreadPoolExecutor(4) as pool:
			results = list(
				pool.map(
					lambda user: user.post("/api/method/manual_orders.api.record_inspection", payload), users
				)
			)
		self.assertEqual([status for status, _ in results], [200] * 4, results)
		frappe.db.rollback()
		self.assertEqual(frappe.db.count("Pickup Inspection", {"manual_order": order.name}), 1)
		self.assertEqual(len({body["message"]["name"] for _, body in results}), 1)

	@committed
	def test_a_double_click_on_accept_gives_one_acceptance(self):
		order = created()
		at_the_door(order)
		inspection = record(without_charger(order))["name"]
		with as_user(PARTNER_USER):
			api.send_offer_code(inspection)
		code = code_sent(inspection)
		frappe.db.commit()  # nosemgrep
		partner = Api(PARTNER_USER)
		with ThreadPoolExecutor(3) as pool:
			results = list(
				pool.map(
					lambda _: partner.post(
						"/api/method/manual_orders.api.accept_offer", {"inspection": inspection, "code": code}
					),
					range(3),
				)
			)
		self.assertEqual([status for status, _ in results], [200] * 3, results)
		self.assertTrue(all(body["message"]["accepted"] for _, body in results))
		frappe.db.rollback()
		self.assertEqual(
			frappe.db.count(
				"Manual Order Consent Code", {"pickup_inspection": inspection, "status": "Verified"}
			),
			1,
		)
		self.assertEqual(
			frappe.db.count(
				"Comment", {"reference_name": order.name, "content": ("like", "%accepted the offer%")}
			),
			1,
		)
		# refusals are HTTP 417 with a named exception type
		status, body = partner.post("/api/method/manual_orders.api.approve_offer", {"inspection": inspection})
		self.assertEqual(status, 403)
		status, body = Api(MANAGER).post(
			"/api/method/manual_orders.api.approve_offer", {"inspection": inspection}
		)
		self.assertEqual((status, body.get("exc_type")), (417, "OfferNotAccepted"))

	def test_inspection_summary_carries_no_code_and_no_hash(self):
		order = created()
		at_the_door(order)
		inspection = record(without_charger(order))["name"]
		with as_user(PARTNER_USER):
			result = api.send_offer_code(inspection)
		text = frappe.as_json(result)
		self.assertNotIn(code_sent(inspection), text.replace(inspection, ""))
		self.assertNotIn("code_hash", text)
		self.assertEqual(pickup_inspection.for_order(order.name), inspection)


class TestReports(InspectionTestCase):
	def test_reports_count_inspections(self):
		from manual_orders.manual_orders.report.manual_order_agent_accuracy import (
			manual_order_agent_accuracy as accuracy,
		)
		from manual_orders.manual_orders.report.offers_at_pickup import offers_at_pickup

		agent = new_agent()
		matching, wrong = created(agent), created(agent)
		inspect_as_agreed(matching.name, PARTNER_USER)
		at_the_door(wrong)
		inspection = record(without_charger(wrong) | {"variant": "256 GB"})["name"]
		with as_user(PARTNER_USER):
			api.decline_offer(inspection)
		row = accuracy.execute({"agent": agent})[1][0]
		self.assertEqual(
			(row["inspected"], row["matched_at_inspection"], row["matched_percent"]), (2, 1, 50.0)
		)
		with as_user(MANAGER):
			rows = offers_at_pickup.execute({"agent": agent, "group_by": "Agent"})[1]
		self.assertEqual(len(rows), 1)
		self.assertEqual(
			{k: rows[0][k] for k in ("group", "inspections", "as_agreed", "changed_offers", "declines")},
			{"group": agent, "inspections": 2, "as_agreed": 1, "changed_offers": 1, "declines": 1},
		)
		by_reason = offers_at_pickup.execute({"agent": agent, "group_by": "Reason"})[1]
		self.assertEqual(
			sorted(r["group"] for r in by_reason), sorted(["Accessory", "Variant", "No difference"])
		)


class TestTheReviewsFindings(InspectionTestCase):
	"""What an adversarial review of the door found, each held against what is stored."""

	@committed
	def test_the_partner_cannot_delete_detach_or_publish_a_photo_behind_a_price_cut(self):
		order = created()
		at_the_door(order)
		inspection = record(cracked(order))["name"]
		photo = frappe.get_all(
			"File",
			filters={"attached_to_doctype": "Pickup Inspection", "attached_to_name": inspection},
			pluck="name",
		)[0]
		frappe.db.commit()  # nosemgrep
		partner = Api(PARTNER_USER)
		for verb, path, payload in (
			("request", f"/api/resource/File/{photo}", None),
			("put", f"/api/resource/File/{photo}", {"attached_to_doctype": None, "attached_to_name": None}),
			("put", f"/api/resource/File/{photo}", {"is_private": 0}),
		):
			status = (
				partner.request("DELETE", path)[0]
				if verb == "request"
				else getattr(partner, verb)(path, payload)[0]
			)
			self.assertIn(status, (403, 417), (verb, payload))
		frappe.db.rollback()
		stored = frappe.db.get_value(
			"File", photo, ["attached_to_doctype", "attached_to_name", "is_private"], as_dict=True
		)
		self.assertEqual(tuple(stored.values()), ("Pickup Inspection", inspection, 1))
		status, body = Api(OTHER_PARTNER_USER).get(
			'/api/resource/File?filters=[["attached_to_doctype","=","Pickup Inspection"]]&fields=["name"]'
		)
		self.assertNotIn(photo, str(body))

	def test_a_public_upload_is_not_evidence_and_one_photo_may_show_two_answers(self):
		order = created()
		at_the_door(order)
		found = cracked(order)
		with as_user(PARTNER_USER):
			public = frappe.get_doc(
				{
					"doctype": "File",
					"file_name": "p.png",
					"content": b"\x89PNG public " + frappe.generate_hash().encode(),
					"is_private": 0,
				}
			).insert()
		found["photos"] = {screen_question(): public.file_url}
		with self.assertRaises(frappe.PermissionError):
			record(found)
		body = frappe.db.get_value(
			"Condition Question", {"device_type": "Phone", "question": "Body condition"}, "name"
		)
		found = cracked(order)
		found["answers"][body] = "Minor dents"
		found["photos"][body] = found["photos"][screen_question()]
		self.assertEqual(record(found)["offer_status"], "Awaiting Approval")

	def test_a_lower_variant_needs_a_photo_of_the_about_screen(self):
		order = created(variant="256 GB")
		at_the_door(order)
		found = found_as_agreed(order.name)
		found["variant"] = "128 GB"
		with self.assertRaises(InspectionRefused):
			record(found)
		found["photos"] = {"device": photo_of(PARTNER_USER, "about")}
		self.assertEqual(record(found)["differences"][0]["kind"], "Variant")

	def test_a_model_of_another_device_type_is_refused(self):
		order = created()
		at_the_door(order)
		found = found_as_agreed(order.name)
		found["device_model"] = frappe.db.get_value("Device Model", {"device_type": "Laptop"}, "name")
		with self.assertRaises(InspectionRefused):
			record(found)

	def test_customer_rejected_price_is_the_inspections_alone_and_only_for_an_offer_heard(self):
		order = created()
		at_the_door(order)
		with as_user(PARTNER_USER), self.assertRaises(frappe.ValidationError):
			api.update_pickup(order.name, "Pickup Failed", failure_reason="Customer Rejected Price")
		inspection = record(cracked(order))["name"]  # awaiting approval: the customer has not heard it
		with as_user(PARTNER_USER), self.assertRaises(OfferNotAccepted):
			api.decline_offer(inspection)
		self.assertEqual(order_status(order.name).pickup_status, "Out for Pickup")

	def test_a_manager_acting_for_the_partner_does_not_approve_its_offer(self):
		order = created()
		at_the_door(order)
		inspection = record(cracked(order))["name"]  # recorded by a colleague
		with as_user(PARTNER_MANAGER), self.assertRaises(OfferApprovalRefused):
			api.approve_offer(inspection)

	def test_a_reassigned_pickup_leaves_the_old_partner_out_and_a_bought_one_stays(self):
		make_partner("Test Gamma", users=[OTHER_PARTNER_USER])
		order = created()
		at_the_door(order)
		inspection = record(without_charger(order))["name"]
		with as_user(MANAGER):
			api.assign_pickup_partner(order.name, "Test Gamma")
		with as_user(PARTNER_USER), self.assertRaises(frappe.PermissionError):
			api.decline_offer(inspection)
		self.assertEqual(stored(inspection, "pickup_partner").pickup_partner, "Test Gamma")
		bought = created()
		inspect_as_agreed(
			bought.name, PARTNER_USER if bought.pickup_partner == "Test Alpha" else OTHER_PARTNER_USER
		)
		other = "Test Gamma" if bought.pickup_partner == "Test Alpha" else "Test Alpha"
		with as_user(MANAGER), self.assertRaises(frappe.ValidationError):
			api.assign_pickup_partner(bought.name, other)

	def test_a_judged_finding_is_not_drafted_again_nor_confirmed_while_the_offer_is_open(self):
		order = created()
		at_the_door(order)
		inspection = record(cracked(order))["name"]
		error = frappe.get_all("Manual Order Error", filters={"pickup_inspection": inspection}, pluck="name")[
			0
		]
		with as_user(MANAGER), self.assertRaises(frappe.ValidationError):
			frappe.get_doc("Manual Order Error", error).submit()  # the offer is still open
		with as_user(MANAGER), self.assertRaises(frappe.PermissionError):
			frappe.delete_doc("Manual Order Error", error)
		with as_user(MANAGER):
			api.discard_order_error(error, "The customer dropped it after the call")
		record(cracked(order))
		self.assertEqual(
			frappe.get_all(
				"Manual Order Error", filters={"pickup_inspection": inspection}, fields=["name", "discarded"]
			),
			[{"name": error, "discarded": 1}],
		)
		other = created()
		doc = frappe.get_doc("Manual Order Error", error)
		doc.manual_order = other.name
		with as_user(MANAGER):
			doc.save()
		self.assertEqual(frappe.db.get_value("Manual Order Error", error, "manual_order"), order.name)
