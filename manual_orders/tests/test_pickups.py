"""SOP §6-§7 after the Order ID: slot capacity, partner assignment, the pickup, its SLA, on the site.

Tests that go through HTTP commit their data and remove it afterwards (`committed`);
the others run in the test's transaction and are rolled back.
"""

import json
import threading
from concurrent.futures import ThreadPoolExecutor

import frappe
from frappe.utils import add_to_date, now_datetime

from manual_orders import catalogue_cache
from manual_orders.api import assign_pickup_partner, check_order, update_pickup
from manual_orders.exceptions import (
	DuplicateImei,
	InvalidImei,
	OfferNotAccepted,
	PickupFailureReasonRequired,
	SlotFull,
)
from manual_orders.pickup import places as pickup_places
from manual_orders.pickup import sla as sla_job
from manual_orders.pickup import todos as pickup_todos
from manual_orders.settings import clear_catalogue_cache
from manual_orders.tests.utils import (
	AGENT,
	MANAGER,
	OTHER_AGENT,
	Api,
	SiteTestCase,
	answers_for,
	as_user,
	committed,
	inspect_as_agreed,
	make_pickup_partner,
	make_user,
	new_agent,
	order_values,
	remove_pickup_partners,
	tomorrow_but,
	with_consent,
)

IMEI = "490154203237518"
OTHER_IMEI = "356938035643809"
# A pincode of Bengaluru the demo partners do not cover: the tests' own partners do.
TEST_PINCODE = "560097"
PARTNER_USER = "partner.one@manual-orders.test"
OTHER_PARTNER_USER = "partner.two@manual-orders.test"
OPERATIONS_USER = "operations@manual-orders.test"
TEST_SLOT = "Pickup Test 07:00 - 08:00"


def make_area(pincode: str = TEST_PINCODE, city: str = "Bengaluru", state: str = "Karnataka") -> str:
	if not frappe.db.exists("Serviceable Pincode", pincode):
		frappe.get_doc(
			{
				"doctype": "Serviceable Pincode",
				"pincode": pincode,
				"city": city,
				"state": state,
				"device_types": [{"device_type": t} for t in ("Phone", "Laptop", "Tablet", "Mac")],
			}
		).insert()
	return pincode


def make_partner(name: str, pincodes=(TEST_PINCODE,), daily_capacity: int = 0, users=()) -> str:
	return make_pickup_partner(name, pincodes, daily_capacity, users)


def make_slot(capacity: int, city_capacities=(), label: str = TEST_SLOT) -> str:
	if frappe.db.exists("Pickup Slot", label):
		slot = frappe.get_doc("Pickup Slot", label)
		slot.capacity = capacity
		slot.set("city_capacities", [{"city": c, "capacity": n} for c, n in city_capacities])
		slot.save()
		return label
	frappe.get_doc(
		{
			"doctype": "Pickup Slot",
			"slot_label": label,
			"start_time": "07:00:00",
			"end_time": "08:00:00",
			"capacity": capacity,
			"city_capacities": [{"city": c, "capacity": n} for c, n in city_capacities],
		}
	).insert()
	return label


def pickup_order_values(**overrides) -> dict:
	values = {"pincode": TEST_PINCODE, "pickup_date": tomorrow_but(2)}
	values.update(overrides)
	return with_consent(order_values(**values))


def draft(agent: str = AGENT, **overrides):
	with as_user(agent):
		return frappe.get_doc(pickup_order_values(**overrides)).insert()


def created(agent: str = AGENT, **overrides):
	"""A created order, and what the minute's scheduler job then does for it: its partner's ToDos."""
	order = draft(agent, **overrides)
	with as_user(agent):
		order.submit()
	if order.pickup_partner:
		pickup_todos.todos_after_creation(order.name, order.pickup_partner)
	return order


def make_partner_users() -> None:
	make_user(PARTNER_USER, "Pickup Partner")
	make_user(OTHER_PARTNER_USER, "Pickup Partner")
	make_user(OPERATIONS_USER, "Manual Order Operations")


def evidence_of(user: str) -> str:
	"""A screenshot the partner uploaded (not attached yet), as the desk's Attach field leaves it."""
	with as_user(user):
		file = frappe.get_doc(
			{
				"doctype": "File",
				"file_name": f"ceir-{frappe.generate_hash(length=6)}.png",
				"content": b"\x89PNG ceir check " + frappe.generate_hash(length=12).encode(),
				"is_private": 1,
			}
		).insert()
	return file.file_url


def picked_up(order, user: str = PARTNER_USER, imei: str = IMEI):
	"""Out for Pickup, the device found as agreed at the door, then Picked Up with its IMEI."""
	if not frappe.db.exists("Pickup Inspection", {"manual_order": order.name}):
		inspect_as_agreed(order.name, user)
	with as_user(user):
		return update_pickup(order.name, "Picked Up", imei=imei, imei_evidence=evidence_of(user))


class PickupTestCase(SiteTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		make_partner_users()
		frappe.db.commit()  # nosemgrep: users shared with the HTTP threads

	def setUp(self):
		super().setUp()
		make_area()
		clear_catalogue_cache()

	def tearDown(self):
		super().tearDown()
		remove_test_partners()


def remove_test_partners() -> None:
	"""Partners a committed test left behind (the other tests' partners are rolled back)."""
	names = frappe.get_all("Pickup Partner", filters={"name": ("like", "Test %")}, pluck="name")
	if names:
		remove_pickup_partners(names)
		frappe.db.commit()  # nosemgrep: undoing a committed test's set-up


class TestSlotCapacity(PickupTestCase):
	def test_full_slot_is_refused_naming_slots_with_room_and_a_cancellation_frees_it(self):
		make_slot(capacity=1)
		first = created(pickup_slot=TEST_SLOT)
		second = draft(OTHER_AGENT, pickup_slot=TEST_SLOT)
		with as_user(OTHER_AGENT), self.assertRaises(SlotFull) as refused:
			second.submit()
		message = str(refused.exception)
		self.assertIn(TEST_SLOT, message)
		self.assertIn(f"{tomorrow_but(2)} 09:00 - 11:00", message)  # the next slot that day with room
		self.assertEqual(frappe.db.get_value("Manual Order", second.name, "docstatus"), 0)

		with as_user(AGENT):
			first.reload()
			first.cancellation_reason = "Customer changed mind"
			first.cancel()
		second.reload()
		with as_user(OTHER_AGENT):
			second.submit()
		self.assertEqual(second.docstatus, 1)
		self.assertEqual(frappe.db.get_value("Pickup Slot Load", second.slot_booking, "booked"), 1)

	def test_the_live_check_shows_a_full_slot_before_saving(self):
		make_slot(capacity=1)
		created(pickup_slot=TEST_SLOT)
		with as_user(OTHER_AGENT):
			result = check_order({**pickup_order_values(pickup_slot=TEST_SLOT), "__islocal": 1})
		rules = [v["rule"] for v in result["violations"]]
		self.assertEqual(rules, ["SOP-6-SLOT-FULL"])
		with as_user(OTHER_AGENT):
			other_day = check_order(
				{**pickup_order_values(pickup_slot=TEST_SLOT, pickup_date=tomorrow_but(3)), "__islocal": 1}
			)
		self.assertEqual(other_day["violations"], [])

	def test_a_city_has_its_own_capacity_and_other_cities_their_default(self):
		make_slot(capacity=1, city_capacities=[("Bengaluru", 2)])
		created(pickup_slot=TEST_SLOT)
		created(pickup_slot=TEST_SLOT)  # Bengaluru takes two
		with self.assertRaises(SlotFull):
			created(pickup_slot=TEST_SLOT)
		created(pickup_slot=TEST_SLOT, pincode="400001", city="Mumbai", state="Maharashtra")
		with self.assertRaises(SlotFull):
			created(pickup_slot=TEST_SLOT, pincode="400050", city="Mumbai", state="Maharashtra")

	@committed
	def test_twenty_agents_booking_the_last_three_places_make_exactly_three_orders(self):
		make_slot(capacity=5)
		day = tomorrow_but(5)
		for _ in range(2):  # two places already booked
			created(pickup_slot=TEST_SLOT, pickup_date=day)
		agents = [f"capacity.agent.{i}@manual-orders.test" for i in range(20)]
		for agent in agents:
			make_user(agent, "Manual Order Agent")
		drafts = [draft(agent, pickup_slot=TEST_SLOT, pickup_date=day) for agent in agents]
		frappe.db.commit()  # nosemgrep: the HTTP threads must see the drafts
		barrier = threading.Barrier(20)
		requests = [
			(Api(agent), frappe.get_doc("Manual Order", order.name).as_dict(convert_dates_to_str=True))
			for agent, order in zip(agents, drafts, strict=True)
		]

		def submit(request):
			api, doc = request
			barrier.wait()
			return api.post("/api/method/frappe.client.submit", {"doc": doc})

		with ThreadPoolExecutor(max_workers=20) as pool:
			results = list(pool.map(submit, requests))
		frappe.db.rollback()  # a fresh snapshot: the requests committed
		statuses = [status for status, _ in results]
		self.assertEqual(statuses.count(200), 3, statuses)
		refused = [body.get("exc_type") for status, body in results if status != 200]
		self.assertEqual(refused, ["SlotFull"] * 17)
		created_names = frappe.get_all(
			"Manual Order",
			filters={"pickup_slot": TEST_SLOT, "pickup_date": day, "docstatus": 1},
			pluck="name",
		)
		self.assertEqual(len(created_names), 5)
		load = pickup_places.slot_load_name(day, TEST_SLOT, "Bengaluru")
		self.assertEqual(frappe.db.get_value("Pickup Slot Load", load, "booked"), 5)

	@committed
	def test_a_booking_does_not_hold_up_other_slots_or_cities(self):
		"""While one booking holds its slot's row (not committed), others go through at once:
		had they waited for it, they would have failed after MariaDB's lock wait timeout."""
		make_slot(capacity=5)
		day = tomorrow_but(4)
		in_other_slot = draft(pickup_date=day, pickup_slot="11:00 - 13:00")
		in_other_city = draft(
			OTHER_AGENT,
			pickup_date=day,
			pickup_slot=TEST_SLOT,
			pincode="400001",
			city="Mumbai",
			state="Maharashtra",
		)
		holding = draft(pickup_date=day, pickup_slot=TEST_SLOT)
		frappe.db.commit()  # nosemgrep
		pickup_places.book_slot(holding)  # this connection now holds the Bengaluru row of the test slot
		for agent, order in ((AGENT, in_other_slot), (OTHER_AGENT, in_other_city)):
			doc = frappe.get_doc("Manual Order", order.name).as_dict(convert_dates_to_str=True)
			with self.subTest(order=order.pickup_slot + order.city):
				status, body = Api(agent).post("/api/method/frappe.client.submit", {"doc": doc})
				self.assertEqual(status, 200, body)
		frappe.db.rollback()


class TestAssignment(PickupTestCase):
	def test_least_loaded_covering_partner_gets_the_order_as_an_assignment(self):
		make_partner("Test Alpha", daily_capacity=5, users=[PARTNER_USER])
		make_partner("Test Beta", daily_capacity=5, users=[OTHER_PARTNER_USER])
		make_partner("Test Aardvark Elsewhere", pincodes=("400001",), daily_capacity=5)
		first, second, third = (created() for _ in range(3))
		self.assertEqual(
			[first.pickup_partner, second.pickup_partner, third.pickup_partner],
			["Test Alpha", "Test Beta", "Test Alpha"],
		)
		self.assertEqual(first.pickup_status, "Partner Assigned")
		self.assertTrue(first.pickup_due_by)
		todo = frappe.get_all(
			"ToDo",
			filters={"reference_type": "Manual Order", "reference_name": first.name, "status": "Open"},
			pluck="allocated_to",
		)
		self.assertEqual(todo, [PARTNER_USER])
		self.assertIn(PARTNER_USER, frappe.db.get_value("Manual Order", first.name, "_assign"))
		messages = frappe.get_all(
			"Manual Order Message", filters={"manual_order": first.name}, pluck="notification"
		)
		self.assertIn("Pickup Partner Assigned - SMS", messages)
		sms = frappe.db.get_value(
			"Manual Order Message",
			{"manual_order": first.name, "notification": "Pickup Partner Assigned - SMS"},
			"message",
		)
		self.assertIn("Test Alpha", sms)

	def test_a_full_partner_is_passed_over(self):
		make_partner("Test Alpha", daily_capacity=1)
		make_partner("Test Beta", daily_capacity=0)
		orders = [created() for _ in range(3)]
		self.assertEqual([o.pickup_partner for o in orders], ["Test Alpha", "Test Beta", "Test Beta"])

	def test_no_partner_with_room_leaves_the_order_in_the_managers_queue(self):
		make_partner("Test Alpha", daily_capacity=1)
		created()
		waiting = created()
		self.assertEqual((waiting.pickup_partner, waiting.pickup_status), (None, "Scheduled"))
		queue = frappe.get_all(
			"Manual Order", filters={"docstatus": 1, "pickup_status": "Scheduled"}, pluck="name"
		)
		self.assertIn(waiting.name, queue)
		card = frappe.get_doc("Number Card", "Pickups Without a Partner")
		filters = frappe.parse_json(card.filters_json)
		self.assertIn(["Manual Order", "pickup_status", "=", "Scheduled"], filters)

		make_partner("Test Beta", daily_capacity=1, users=[OTHER_PARTNER_USER])
		with as_user(MANAGER):
			self.assertEqual(assign_pickup_partner(waiting.name, "Test Beta"), "Test Beta")
		waiting.reload()
		self.assertEqual(waiting.pickup_status, "Partner Assigned")
		self.assertEqual(
			frappe.db.get_value("ToDo", {"reference_name": waiting.name, "status": "Open"}, "allocated_to"),
			OTHER_PARTNER_USER,
		)
		with as_user(AGENT), self.assertRaises(frappe.PermissionError):
			assign_pickup_partner(waiting.name, "Test Alpha")

	def test_the_job_after_creation_gives_each_user_one_todo_and_none_to_a_changed_order(self):
		make_partner("Test Alpha", daily_capacity=5, users=[PARTNER_USER])
		make_partner("Test Beta", daily_capacity=5, users=[OTHER_PARTNER_USER])

		def open_todos(order):
			return frappe.get_all(
				"ToDo", filters={"reference_name": order, "status": "Open"}, pluck="allocated_to"
			)

		order = created()  # the job has run once
		pickup_todos.todos_after_creation(order.name, order.pickup_partner)  # a retried job
		self.assertEqual(open_todos(order.name), [PARTNER_USER])
		frappe.db.set_value("ToDo", {"reference_name": order.name}, "status", "Closed")
		pickup_todos.todos_after_creation(order.name, order.pickup_partner)  # once more, after the close
		self.assertEqual(open_todos(order.name), [])

		waiting = draft(AGENT)
		with as_user(AGENT):
			waiting.submit()
		self.assertEqual(open_todos(waiting.name), [])  # not in the agent's transaction
		pickup_todos.ensure_todos()  # the minute's scheduler job
		self.assertEqual(len(open_todos(waiting.name)), 1)

		cancelled = draft(AGENT)
		with as_user(AGENT):
			cancelled.submit()
			cancelled.cancellation_reason = "Customer changed mind"
			cancelled.cancel()
		pickup_todos.todos_after_creation(cancelled.name, cancelled.pickup_partner)  # ran late
		self.assertEqual(open_todos(cancelled.name), [])

		moved = draft(AGENT)
		with as_user(AGENT):
			moved.submit()
		first_partner = moved.pickup_partner
		with as_user(MANAGER):
			assign_pickup_partner(moved.name, "Test Beta" if first_partner == "Test Alpha" else "Test Alpha")
		pickup_todos.todos_after_creation(moved.name, first_partner)  # ran after the manager's change
		moved.reload()
		partner_user = {"Test Alpha": PARTNER_USER, "Test Beta": OTHER_PARTNER_USER}[moved.pickup_partner]
		self.assertEqual(open_todos(moved.name), [partner_user])

	def test_a_manager_reassigns_within_coverage_and_capacity(self):
		make_partner("Test Alpha", daily_capacity=5, users=[PARTNER_USER])
		make_partner("Test Beta", daily_capacity=1, users=[OTHER_PARTNER_USER])
		make_partner("Test Elsewhere", pincodes=("400001",))
		order = created()
		other = created()
		self.assertEqual((order.pickup_partner, other.pickup_partner), ("Test Alpha", "Test Beta"))
		with as_user(MANAGER):
			with self.assertRaises(frappe.ValidationError):
				assign_pickup_partner(order.name, "Test Elsewhere")  # does not cover the pincode
			with self.assertRaises(frappe.ValidationError):
				assign_pickup_partner(order.name, "Test Beta")  # full that day
			assign_pickup_partner(other.name, "Test Alpha")
			assign_pickup_partner(order.name, "Test Beta")  # its place was freed
		todos = frappe.get_all(
			"ToDo",
			filters={"reference_name": order.name},
			fields=["allocated_to", "status"],
			order_by="creation",
		)
		self.assertEqual(
			[(t.allocated_to, t.status) for t in todos],
			[(PARTNER_USER, "Cancelled"), (OTHER_PARTNER_USER, "Open")],
		)


class TestThePickup(PickupTestCase):
	def setUp(self):
		super().setUp()
		make_partner("Test Alpha", users=[PARTNER_USER])
		make_partner("Test Beta", pincodes=("400001",), users=[OTHER_PARTNER_USER])

	def test_the_partner_picks_up_a_phone_with_a_valid_imei_and_evidence(self):
		order = created()
		with as_user(PARTNER_USER):
			update_pickup(order.name, "Out for Pickup")
			with self.assertRaises(OfferNotAccepted):  # the device is inspected at the door first
				update_pickup(order.name, "Picked Up", imei=IMEI, imei_evidence=evidence_of(PARTNER_USER))
		inspect_as_agreed(order.name, PARTNER_USER)
		with as_user(PARTNER_USER):
			with self.assertRaises(InvalidImei):
				update_pickup(order.name, "Picked Up")
			with self.assertRaises(InvalidImei):
				update_pickup(
					order.name, "Picked Up", imei="490154203237517", imei_evidence=evidence_of(PARTNER_USER)
				)
			with self.assertRaises(InvalidImei):  # valid IMEI, no evidence of the register check
				update_pickup(order.name, "Picked Up", imei=IMEI)
		stored = frappe.db.get_value(
			"Manual Order", order.name, ["pickup_status", "picked_up", "imei"], as_dict=True
		)
		self.assertEqual((stored.pickup_status, stored.picked_up, stored.imei), ("Out for Pickup", 0, None))

		with as_user(PARTNER_USER):
			result = update_pickup(
				order.name, "Picked Up", imei="49 015420 323751 8", imei_evidence=evidence_of(PARTNER_USER)
			)
		self.assertEqual(result, {"pickup_status": "Picked Up", "picked_up": 1, "imei": IMEI})
		stored = frappe.get_doc("Manual Order", order.name)
		self.assertEqual(stored.imei_checked_by, PARTNER_USER)
		self.assertTrue(stored.imei_checked_at and stored.picked_up_at)
		evidence = frappe.get_doc("File", {"file_url": stored.imei_evidence})
		self.assertEqual(
			(evidence.attached_to_doctype, evidence.attached_to_name, evidence.is_private),
			("Manual Order", order.name, 1),
		)
		self.assertEqual(
			frappe.db.get_value(
				"ToDo", {"reference_name": order.name, "allocated_to": PARTNER_USER}, "status"
			),
			"Closed",
		)
		with as_user(AGENT), self.assertRaises(frappe.ValidationError):
			stored.cancellation_reason = "Customer changed mind"
			stored.cancel()  # the device is with the company

	def test_the_same_imei_on_another_standing_order_is_refused(self):
		first, second = created(), created()
		picked_up(first)
		with self.assertRaises(DuplicateImei):
			picked_up(second)
		self.assertIsNone(frappe.db.get_value("Manual Order", second.name, "imei"))
		picked_up(second, imei=OTHER_IMEI)

	def test_a_laptop_needs_no_imei_and_a_failure_needs_a_reason_from_the_list(self):
		laptop = created(
			device_type="Laptop",
			brand="Dell",
			device_model="XPS 13 9310",
			variant="i5/8 GB/256 GB",
			conditions=answers_for("Laptop"),
			accessories=[],
		)
		inspect_as_agreed(laptop.name, PARTNER_USER)
		with as_user(PARTNER_USER):
			update_pickup(laptop.name, "Picked Up")
		self.assertEqual(frappe.db.get_value("Manual Order", laptop.name, "picked_up"), 1)
		failing = created()
		with as_user(PARTNER_USER):
			with self.assertRaises(PickupFailureReasonRequired):
				update_pickup(failing.name, "Pickup Failed", failure_reason="Weather")
			update_pickup(failing.name, "Pickup Failed", failure_reason="Customer not reachable")
		stored = frappe.db.get_value(
			"Manual Order",
			failing.name,
			["pickup_status", "pickup_failure_reason", "picked_up"],
			as_dict=True,
		)
		self.assertEqual(
			(stored.pickup_status, stored.pickup_failure_reason, stored.picked_up),
			("Pickup Failed", "Customer not reachable", 0),
		)

	def test_only_the_assigned_partner_and_managers_move_a_pickup(self):
		order = created()
		for user in (OTHER_PARTNER_USER, AGENT, OPERATIONS_USER, OTHER_AGENT):
			with self.subTest(user=user), as_user(user), self.assertRaises(frappe.PermissionError):
				update_pickup(order.name, "Out for Pickup")
		self.assertEqual(frappe.db.get_value("Manual Order", order.name, "pickup_status"), "Partner Assigned")
		with as_user(MANAGER):
			update_pickup(order.name, "Out for Pickup")
		self.assertEqual(frappe.db.get_value("Manual Order", order.name, "pickup_status"), "Out for Pickup")

	def test_the_sla_job_marks_a_late_pickup_once(self):
		late, on_time, done = created(), created(), created()
		picked_up(done)
		past = add_to_date(now_datetime(), hours=-1)
		for order in (late, done):
			frappe.db.set_value("Manual Order", order.name, "pickup_due_by", past)
		self.assertGreaterEqual(sla_job.mark_sla_breaches(), 1)
		self.assertEqual(sla_job.mark_sla_breaches(), 0)  # once
		stored = frappe.db.get_value(
			"Manual Order", late.name, ["sla_breached", "sla_breached_at", "sla_breach_partner"], as_dict=True
		)
		self.assertEqual((stored.sla_breached, stored.sla_breach_partner), (1, "Test Alpha"))
		self.assertTrue(stored.sla_breached_at)
		self.assertEqual(frappe.db.get_value("Manual Order", on_time.name, "sla_breached"), 0)
		self.assertEqual(frappe.db.get_value("Manual Order", done.name, "sla_breached"), 0)
		comments = frappe.get_all(
			"Comment",
			filters={"reference_name": late.name, "content": ("like", "%SLA%")},
			pluck="name",
		)
		self.assertEqual(len(comments), 1)

	def test_the_three_reports_count_the_same_orders(self):
		from manual_orders.manual_orders.report.manual_order_agent_accuracy import manual_order_agent_accuracy
		from manual_orders.manual_orders.report.manual_order_funnel import manual_order_funnel
		from manual_orders.manual_orders.report.pickup_sla import pickup_sla

		agent = new_agent()
		orders = [created(agent) for _ in range(4)]
		picked_up(orders[0])
		with as_user(PARTNER_USER):
			update_pickup(orders[1].name, "Pickup Failed", failure_reason="Customer not reachable")
		frappe.db.set_value(
			"Manual Order", orders[2].name, "pickup_due_by", add_to_date(now_datetime(), hours=-1)
		)
		sla_job.mark_sla_breaches()
		filters = {"agent": agent}
		funnel = {row["stage"]: row["count"] for row in manual_order_funnel.execute(filters)[1]}
		accuracy = manual_order_agent_accuracy.execute(filters)[1]
		sla = pickup_sla.execute(filters)[1]
		self.assertEqual(sum(row["orders"] for row in sla), funnel["Created"] - funnel["Cancelled"])
		self.assertEqual(sum(row["orders"] for row in sla), 4)
		self.assertEqual(sum(row["picked_up"] for row in sla), funnel["Picked up"])
		self.assertEqual(funnel["Picked up"], 1)
		self.assertEqual(sum(row["orders_created"] for row in accuracy), funnel["Created"])
		self.assertEqual(sum(row["breaches"] for row in sla), 1)
		self.assertEqual(sum(row["failures"] for row in sla), 1)
		self.assertIn("Customer not reachable: 1", " ".join(row["failure_reasons"] for row in sla))


class TestPartnersFiles(PickupTestCase):
	def setUp(self):
		super().setUp()
		make_partner("Test Alpha", users=[PARTNER_USER])
		self.order = created()
		picked_up(self.order)
		with as_user(AGENT):
			self.papers = frappe.get_doc(
				{
					"doctype": "File",
					"file_name": "bank-proof.png",
					"content": b"bank papers " + frappe.generate_hash(length=12).encode(),
					"is_private": 1,
					"attached_to_doctype": "Manual Order",
					"attached_to_name": self.order.name,
				}
			).insert()
			self.private_note = frappe.get_doc(
				{
					"doctype": "File",
					"file_name": "mine.txt",
					"content": b"agent only " + frappe.generate_hash(length=12).encode(),
					"is_private": 1,
				}
			).insert()
		self.evidence = frappe.get_doc(
			"File", {"attached_to_name": self.order.name, "attached_to_field": "imei_evidence"}
		)

	def test_a_partner_reads_and_downloads_the_evidence_not_the_agents_attachments(self):
		for user, file, readable in (
			(PARTNER_USER, self.evidence, True),
			(PARTNER_USER, self.papers, False),
			(OTHER_PARTNER_USER, self.evidence, False),
			(AGENT, self.papers, True),
			(AGENT, self.evidence, True),
			(MANAGER, self.papers, True),
			(PARTNER_USER, self.private_note, False),  # the hook never opens a file Frappe keeps closed
			(OTHER_AGENT, self.private_note, False),
		):
			with self.subTest(user=user, file=file.file_name), as_user(user):
				self.assertEqual(frappe.has_permission("File", "read", file, user=user), readable)
				# what /private/files/... asks before sending the file
				self.assertEqual(frappe.get_doc("File", file.name).is_downloadable(), readable)

	def test_the_form_lists_only_the_attachments_a_partner_may_open(self):
		from manual_orders.permissions.read_paths import getdoc

		with as_user(PARTNER_USER):
			frappe.local.response = frappe._dict(docs=[])
			getdoc("Manual Order", self.order.name)
			docinfo = frappe.response.docinfo
		self.assertEqual([a.name for a in docinfo.attachments], [self.evidence.name])
		self.assertEqual((docinfo.info_logs, docinfo.attachment_logs), ([], []))

	def test_another_files_url_is_neither_a_new_file_nor_evidence(self):
		with as_user(PARTNER_USER), self.assertRaises(frappe.PermissionError):
			frappe.get_doc({"doctype": "File", "file_url": self.papers.file_url, "is_private": 1}).insert()
		second = created()
		with as_user(PARTNER_USER):
			update_pickup(second.name, "Out for Pickup")
			for url in (self.evidence.file_url, self.papers.file_url):  # reused, or not the caller's
				with self.subTest(url=url), self.assertRaises(InvalidImei):
					update_pickup(second.name, "Picked Up", imei=OTHER_IMEI, imei_evidence=url)

	def test_an_encoded_url_is_checked_as_frappe_decodes_it(self):
		with as_user(OTHER_AGENT):
			mine = frappe.get_doc(
				{"doctype": "File", "file_name": "x.txt", "content": b"x" + frappe.generate_hash().encode()}
			).insert()
			mine.file_url = self.papers.file_url.replace("-", "%2D").replace("bank", "ban%6B")
			with self.assertRaises(frappe.PermissionError):
				mine.save()
		self.assertNotEqual(frappe.db.get_value("File", mine.name, "file_url"), self.papers.file_url)
		# and a File that points at an order's file is downloadable only by who may read that file
		frappe.db.set_value("File", mine.name, "file_url", self.papers.file_url)
		with as_user(OTHER_AGENT):
			self.assertFalse(frappe.get_doc("File", mine.name).is_downloadable())

	def test_the_same_screenshot_uploaded_again_is_still_the_evidence(self):
		second = created()
		content = b"\x89PNG same screenshot " + frappe.generate_hash(length=12).encode()
		inspect_as_agreed(second.name, PARTNER_USER)
		with as_user(PARTNER_USER):
			urls = []
			for _ in range(2):  # uploaded, the move refused, uploaded again
				urls.append(
					frappe.get_doc(
						{"doctype": "File", "file_name": "ceir.png", "content": content, "is_private": 1}
					)
					.insert()
					.file_url
				)
			self.assertEqual(urls[0], urls[1])  # Frappe keeps identical content under one URL
			update_pickup(second.name, "Picked Up", imei=OTHER_IMEI, imei_evidence=urls[1])
		self.assertEqual(frappe.db.get_value("Manual Order", second.name, "imei_evidence"), urls[1])

	def test_a_partner_gets_no_follow_digest_and_their_saves_follow_nothing(self):
		user = frappe.get_doc("User", PARTNER_USER)
		user.update(
			{"document_follow_notify": 1, "follow_created_documents": 1, "follow_commented_documents": 1}
		)
		user.save(ignore_permissions=True)
		self.assertEqual(frappe.db.get_value("User", PARTNER_USER, "document_follow_notify"), 0)
		second = created()
		with as_user(PARTNER_USER):
			update_pickup(second.name, "Out for Pickup")
		self.assertFalse(frappe.get_all("Document Follow", filters={"user": PARTNER_USER}))

	def test_an_order_is_followed_only_by_who_reads_all_of_it(self):
		from frappe.desk.form.document_follow import follow_document

		for user in (PARTNER_USER, OTHER_PARTNER_USER, AGENT):
			frappe.db.set_value("User", user, "document_follow_notify", 1)
		frappe.db.value_cache.clear()  # Frappe reads that setting with cache=True
		for user in (PARTNER_USER, OTHER_PARTNER_USER, AGENT):
			with self.subTest(user=user), as_user(user):
				try:
					follow_document("Manual Order", self.order.name, user)
				except frappe.PermissionError:
					self.assertNotEqual(user, AGENT)
		followers = frappe.get_all("Document Follow", filters={"ref_docname": self.order.name}, pluck="user")
		self.assertEqual(followers, [AGENT])
		# nor is a follow of something else turned into one of the order
		note = frappe.get_doc({"doctype": "Note", "title": "x", "public": 1}).insert()
		follow = frappe.get_doc(
			{
				"doctype": "Document Follow",
				"ref_doctype": "Note",
				"ref_docname": note.name,
				"user": PARTNER_USER,
			}
		).insert(ignore_permissions=True)
		follow.update({"ref_doctype": "Manual Order", "ref_docname": self.order.name})
		with self.assertRaises(frappe.PermissionError):
			follow.save(ignore_permissions=True)


class TestPartnersSeeOnlyTheirPickups(PickupTestCase):
	"""Over REST, as the partner's users: their orders, only what a pickup needs."""

	HIDDEN = (
		"upi_id",
		"consent_customer_words",
		"agent",
		"call_notes",
		"estimated_price",
		"lead",
		"whatsapp_no",
	)
	SHOWN = (
		"customer_name",
		"mobile_no",
		"address_line1",
		"landmark",
		"pickup_slot",
		"device_model",
		"price_low",
	)

	@committed
	def test_a_partner_reads_and_moves_only_its_own_orders(self):
		make_area("560098")
		make_partner("Test Alpha", users=[PARTNER_USER])
		make_partner("Test Beta", users=[OTHER_PARTNER_USER], pincodes=("560098",))
		mine = created(call_notes="Customer prefers a call before arrival")
		theirs = created(pincode="560098")
		frappe.db.commit()  # nosemgrep
		self.assertEqual((mine.pickup_partner, theirs.pickup_partner), ("Test Alpha", "Test Beta"))
		partner = Api(PARTNER_USER)

		status, body = partner.get(f"/api/resource/Manual Order/{mine.name}")
		self.assertEqual(status, 200, body)
		data = body["data"]
		for fieldname in self.SHOWN:
			self.assertTrue(data.get(fieldname), fieldname)
		for fieldname in self.HIDDEN:  # removed, or a number shown as 0
			self.assertFalse(data.get(fieldname), fieldname)
		self.assertTrue(data["conditions"])
		self.assertEqual(partner.get(f"/api/resource/Manual Order/{theirs.name}")[0], 403)

		status, body = partner.get(
			'/api/resource/Manual Order?fields=["name","upi_id","customer_name"]&limit_page_length=0'
		)
		self.assertEqual(status, 200, body)
		self.assertEqual([row["name"] for row in body["data"]], [mine.name])
		self.assertNotIn("upi_id", body["data"][0])
		status, body = partner.post(
			"/api/method/frappe.desk.reportview.get",
			{"doctype": "Manual Order", "fields": ["`tabManual Order`.`name`"], "page_length": 500},
		)
		self.assertEqual(status, 200, body)
		names = [row[0] for row in body["message"]["values"]] if body["message"] else []
		self.assertEqual(names, [mine.name])

		status, body = partner.post(
			"/api/method/manual_orders.api.update_pickup", {"order": theirs.name, "status": "Out for Pickup"}
		)
		self.assertEqual(status, 403, body)
		status, body = partner.put(f"/api/resource/Manual Order/{mine.name}", {"pickup_status": "Picked Up"})
		self.assertIn(status, (403, 417), body)
		frappe.db.rollback()
		self.assertEqual(
			frappe.db.get_value("Manual Order", theirs.name, "pickup_status"), "Partner Assigned"
		)
		self.assertEqual(frappe.db.get_value("Manual Order", mine.name, "pickup_status"), "Partner Assigned")

		status, body = partner.post(
			"/api/method/manual_orders.api.update_pickup", {"order": mine.name, "status": "Out for Pickup"}
		)
		self.assertEqual(status, 200, body)
		frappe.db.rollback()
		self.assertEqual(frappe.db.get_value("Manual Order", mine.name, "pickup_status"), "Out for Pickup")
		self.assertEqual(partner.get("/api/resource/Pickup Partner/Test Beta")[0], 403)
		status, body = partner.get("/api/resource/Pickup Partner")
		self.assertEqual([row["name"] for row in body["data"]], ["Test Alpha"])
		for table in ("Pickup Partner User", "Pickup Partner Pincode"):
			status, body = partner.get(f'/api/resource/{table}?parent=Pickup Partner&fields=["parent"]')
			self.assertEqual({row["parent"] for row in body["data"]}, {"Test Alpha"}, table)

		# a hidden field is no filter, sort or group either: it would be read out one answer at a time
		oracles = [
			("GET", '/api/resource/Manual Order?filters=[["upi_id","like","r%"]]', None),
			("GET", '/api/resource/Manual Order?filters={"agent":"agent.one@manual-orders.test"}', None),
			("GET", "/api/resource/Manual Order?order_by=upi_id asc", None),
			(
				"POST",
				"/api/method/frappe.client.get_count",
				{
					"doctype": "Manual Order",
					"filters": [["Manual Order", "consent_customer_words", "like", "%"]],
				},
			),
			(
				"POST",
				"/api/method/frappe.desk.reportview.get",
				{"doctype": "Manual Order", "fields": ["name"], "filters": [["estimated_price", ">", 1]]},
			),
			(
				"POST",
				"/api/method/frappe.desk.listview.get_group_by_count",
				{"doctype": "Manual Order", "current_filters": [], "field": "creation_reason"},
			),
			(
				"POST",
				"/api/method/frappe.desk.search.search_link",
				{"doctype": "Manual Order", "txt": "r", "searchfield": "upi_id"},
			),
			("GET", '/api/v1/resource/Manual Order?filters=[["upi_id","like","r%"]]', None),
			("GET", '/api/v2/doctype/Manual Order/count?filters=[["upi_id","like","r%"]]', None),
			(
				"POST",
				"/api/method/frappe.desk.search.search_link",
				{
					"doctype": "Manual Order",
					"txt": "",
					"filters": json.dumps('[["upi\\u005fid","like","r%"]]'),
				},
			),
			(
				"POST",
				"/api/method/frappe.desk.reportview.get_stats",
				{"doctype": "Manual Order", "stats": ["agent"], "filters": []},
			),
			(
				"POST",
				"/api/method/frappe.desk.form.utils.get_next",
				{"doctype": "Manual Order", "value": {"upi_id": ["like", "r%"]}, "prev": 1},
			),
			(
				"POST",
				"/api/method/frappe.desk.form.utils.get_next",
				{"doctype": "Manual Order", "value": mine.name, "prev": 1, "sort_field": "upi_id"},
			),
		]
		for method, path, payload in oracles:
			with self.subTest(path=path, payload=payload):
				status, body = partner.request(method, path, payload)
				self.assertEqual(status, 403, body)
		status, body = partner.get('/api/resource/Manual Order?filters=[["pincode","=","560097"]]')
		self.assertEqual((status, [row["name"] for row in body["data"]]), (200, [mine.name]))

		# Link search with ignore_user_permissions lists nobody else's orders, to anyone
		for user in (PARTNER_USER, OTHER_AGENT):
			with self.subTest(search_as=user):
				status, body = Api(user).post(
					"/api/method/frappe.desk.search.search_link",
					{"doctype": "Manual Order", "txt": "", "ignore_user_permissions": 1, "page_length": 500},
				)
				self.assertEqual(status, 200, body)
				found = {row["value"] for row in body["message"]}
				self.assertEqual(
					found & {mine.name, theirs.name}, {mine.name} if user == PARTNER_USER else set()
				)
		status, body = Api(OTHER_AGENT).post(
			"/api/method/frappe.desk.form.utils.get_next",
			{"doctype": "Manual Order", "value": {"customer_name": ["like", "R%"]}, "prev": 1},
		)
		self.assertEqual(status, 403, body)
