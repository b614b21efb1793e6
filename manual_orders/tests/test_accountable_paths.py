"""SOP §9: the accountable record through inserts, REST, side doors, rename, delete, amend,
bulk edit, Data Import, the dispute history and the operations fields.

Companion of test_record_guard.py (the field x path x role matrix). Tests that go through
HTTP commit their data and remove it afterwards; the others run in the test's transaction.
"""

import json
import threading

import frappe
from frappe.api.v1 import create_doc

from manual_orders import catalogue_cache
from manual_orders.consent_evidence import record
from manual_orders.exceptions import RecordLocked
from manual_orders.permissions import fields as record_guard
from manual_orders.permissions.fields import AFTER_CREATION, AGREED
from manual_orders.sop import consent
from manual_orders.tests.test_record_guard import (
	ATTEMPTS,
	OPERATIONS_USER,
	PARTNER_USER,
	VALID_CHANGES,
	as_request,
	call,
	generic_value,
	save_attempt_counts,
)
from manual_orders.tests.utils import (
	AGENT,
	MANAGER,
	OTHER_AGENT,
	PLAIN_USER,
	Api,
	SiteTestCase,
	delete_orders,
	make_lead,
	make_user,
	order_values,
	with_consent,
)

DOCTYPE = "Manual Order"
RESOURCE = "/api/resource/Manual Order"
INSERT_ROLES = {
	"agent": AGENT,
	"manager": MANAGER,
	"operations": OPERATIONS_USER,
	"pickup partner": PARTNER_USER,
	"desk user": PLAIN_USER,
	"guest": "Guest",
}
MAY_CREATE = ("agent", "manager")


def created_order(agent: str = AGENT, **overrides):
	frappe.set_user(agent)
	try:
		order = frappe.get_doc(with_consent(order_values(**overrides))).insert()
		order.submit()
	finally:
		frappe.set_user("Administrator")
	return order


def cancelled_order(agent: str = AGENT):
	order = created_order(agent)
	frappe.set_user(agent)
	try:
		order.cancellation_reason = "Wrong details"
		order.save()
		order.cancel()
	finally:
		frappe.set_user("Administrator")
	return order


class CommittedOrders(SiteTestCase):
	"""Orders committed for HTTP requests (their own connections), removed after the class."""

	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		make_user(OPERATIONS_USER, "Manual Order Operations")
		cls.created = []

	@classmethod
	def commit_order(cls, order):
		cls.created.append(order.name)
		frappe.db.commit()  # nosemgrep: HTTP requests read committed rows
		return order

	@classmethod
	def tearDownClass(cls):
		frappe.db.rollback()
		delete_orders(cls.created)
		frappe.db.commit()  # nosemgrep
		super().tearDownClass()


class TestInsertPaths(SiteTestCase):
	"""Every field forged on a new order, through every insert path, as every role."""

	def test_every_field_forged_on_insert(self):
		from frappe.client import insert
		from frappe.desk.form.save import savedocs

		def rest_post(values):
			frappe.local.form_dict = frappe._dict(data=json.dumps(values, default=str))
			return create_doc(DOCTYPE)

		def client_insert(values):
			return call(insert, json.dumps(values, default=str))

		def desk_save(values):
			return call(
				savedocs, json.dumps({**values, "__islocal": 1, "name": "new-manual-order-1"}), "Save"
			)

		paths = {"REST POST": rest_post, "frappe.client.insert": client_insert, "savedocs Save": desk_save}
		make_user(OPERATIONS_USER, "Manual Order Operations")
		make_user(PARTNER_USER, "Pickup Partner")
		failures, attempts = [], 0
		for key, field_class in record_guard.field_classes().items():
			values, forged = forged_new_order(key)
			reference = insert_as("Administrator", lambda v: frappe.get_doc(v).insert(), values, key)
			for path_name, path in paths.items():
				for role, user in INSERT_ROLES.items():
					attempts += 1
					ATTEMPTS[(f"{path_name} (new order)", role)] += 1
					stored, error = insert_as(user, path, values, key)
					problem = judge_insert(role, field_class, forged, stored, error, reference)
					if problem:
						failures.append(f"{path_name} | {role} | {key} ({field_class}): {problem}")
		save_attempt_counts()
		self.assertGreater(attempts, 100)
		self.assertEqual(failures, [], "\n".join(failures[:40]))


def handler_function(cmd: str):
	"""The function Frappe's handler runs for `cmd`, with the apps' overrides applied."""
	overrides = frappe.get_hooks("override_whitelisted_methods", {}).get(cmd, [])
	return frappe.get_attr(overrides[-1] if overrides else cmd)


def forged_new_order(key: str) -> tuple[dict, object]:
	values = with_consent(order_values())
	if key == "workflow_state":
		forged = "Created"
	elif key == "agent":
		forged = PLAIN_USER
	elif key in VALID_CHANGES:
		forged = VALID_CHANGES[key]
	elif key == "amended_from":
		# The test's own Created order, not cancelled: no one may amend it. A cancelled order a
		# site happens to have, a manager may amend (the amend path, not a forgery); who may amend
		# a cancelled order is test_only_who_may_amend_an_order_amends_it's.
		forged = created_order(OTHER_AGENT).name
	else:
		table, _dot, fieldname = key.rpartition(".")
		doctype = frappe.get_meta(DOCTYPE).get_field(table).options if table else DOCTYPE
		df = frappe.get_meta(doctype).get_field(fieldname)
		current = values[table][0].get(fieldname) if table else values.get(fieldname)
		forged = generic_value(df, current)
	if "." in key:
		table, fieldname = key.split(".")
		values[table] = [dict(row) for row in values[table]]
		values[table][0][fieldname] = forged
	else:
		values[key] = forged
	return values, forged


def insert_as(user: str, path, values: dict, key: str) -> tuple[object, Exception | None]:
	"""Runs one insert in a savepoint; returns the stored value of `key` (None: nothing stored)."""
	before = set(frappe.get_all(DOCTYPE, pluck="name"))
	frappe.db.savepoint("mo_insert")
	error = None
	with as_request(user):
		try:
			path(json.loads(json.dumps(values, default=str)))
		except Exception as exc:
			error = exc
	new = set(frappe.get_all(DOCTYPE, pluck="name")) - before
	stored = None
	if new:
		doc = frappe.get_doc(DOCTYPE, new.pop())
		table, _dot, fieldname = key.rpartition(".")
		stored = doc.get(table)[0].get(fieldname) if table else doc.get(key)
		stored = ("stored", record_guard.comparable(stored))
	frappe.db.rollback(save_point="mo_insert")
	return stored, error


def judge_insert(role, field_class, forged, stored, error, reference) -> str | None:
	if role not in MAY_CREATE:
		return f"a {role} created an order" if stored else None
	if field_class not in (AGREED, AFTER_CREATION):
		if stored and stored[1] == record_guard.comparable(forged):
			return f"the forged value {forged!r} was stored"
		return None
	ref_stored, ref_error = reference
	if (stored is None) != (ref_stored is None):
		return f"stored {stored}, the server's own insert stores {ref_stored} ({error or ref_error})"
	if stored and stored != ref_stored:
		return f"stored {stored[1]!r}, the server's own insert stores {ref_stored[1]!r}"
	return None


class TestTheAttacksOfTheIssue(CommittedOrders):
	"""The review's four attacks, over HTTP as a user with Manual Order Agent + Sales User."""

	def test_another_agent_cannot_take_over_and_cancel_an_order(self):
		order = self.commit_order(created_order(OTHER_AGENT))
		payload = {"agent": AGENT, "docstatus": 2, "cancellation_reason": "Customer changed mind"}
		status, _body = Api(AGENT).put(f"{RESOURCE}/{order.name}", payload)
		self.assertEqual(status, 403)
		frappe.db.rollback()
		stored = frappe.db.get_value(DOCTYPE, order.name, ["agent", "docstatus"], as_dict=True)
		self.assertEqual((stored.agent, stored.docstatus), (OTHER_AGENT, 1))
		status, _body = Api(AGENT).get(f"{RESOURCE}/{order.name}")
		self.assertEqual(status, 403)

	def test_the_owner_cannot_erase_a_dispute_or_mark_a_pickup(self):
		order = created_order(AGENT)
		frappe.set_user(AGENT)
		order.record_price_dispute("I didn't agree to this price")
		frappe.set_user("Administrator")
		self.commit_order(order)
		api = Api(AGENT)
		attempts = [
			(
				"/api/method/frappe.client.set_value",
				{"doctype": DOCTYPE, "name": order.name, "fieldname": "price_disputed", "value": 0},
			),
			(
				"/api/method/frappe.client.set_value",
				{"doctype": DOCTYPE, "name": order.name, "fieldname": json.dumps({"price_disputed": 0})},
			),
			(
				"/api/method/frappe.client.set_value",
				{"doctype": DOCTYPE, "name": order.name, "fieldname": "picked_up", "value": 1},
			),
		]
		for path, payload in attempts:
			status, _body = api.post(path, payload)
			self.assertIn(status, (403, 417), payload)
		status, _body = api.put(f"{RESOURCE}/{order.name}", {"price_disputed": 0, "picked_up": 1})
		self.assertIn(status, (403, 417))
		frappe.db.rollback()
		stored = frappe.db.get_value(DOCTYPE, order.name, ["price_disputed", "picked_up"], as_dict=True)
		self.assertEqual((stored.price_disputed, stored.picked_up), (1, 0))
		dispute = frappe.get_all("Manual Order Price Dispute", filters={"manual_order": order.name})
		self.assertEqual(len(dispute), 1)

	def test_side_doors_list_nothing_of_another_agent(self):
		secret = f"secret{frappe.generate_hash(length=8)}"
		theirs = self.commit_order(created_order(OTHER_AGENT, upi_id=f"{secret}@okicici"))
		mine = self.commit_order(created_order(AGENT))
		api = Api(AGENT)
		status, body = api.get(
			'/api/resource/Manual Order Condition?parent=Manual Order&fields=["parent"]&limit_page_length=0'
		)
		self.assertEqual(status, 200, body)
		parents = {row["parent"] for row in body["data"]}
		self.assertIn(mine.name, parents)
		self.assertNotIn(theirs.name, parents)
		for doctype in (DOCTYPE, "Manual Order Condition", "Manual Order Accessory"):
			filters = {"upi_id": ["like", f"{secret}%"]} if doctype == DOCTYPE else {"parent": theirs.name}
			status, body = api.post(
				"/api/method/frappe.client.get_count", {"doctype": doctype, "filters": json.dumps(filters)}
			)
			self.assertEqual((status, body.get("message")), (200, 0), (doctype, body))
		status, body = api.post(
			"/api/method/frappe.client.get_value",
			{"doctype": DOCTYPE, "fieldname": "upi_id", "filters": json.dumps({"name": theirs.name})},
		)
		self.assertNotIn(secret, json.dumps(body))
		checks = {
			"reportview": (
				"/api/method/frappe.desk.reportview.get",
				{"doctype": DOCTYPE, "fields": '["name"]'},
			),
			"reportview count": ("/api/method/frappe.desk.reportview.get_count", {"doctype": DOCTYPE}),
			"link search": (
				"/api/method/frappe.desk.search.search_link",
				{"doctype": DOCTYPE, "txt": theirs.name},
			),
			"group by": (
				"/api/method/frappe.desk.listview.get_group_by_count",
				{"doctype": DOCTYPE, "current_filters": "[]", "field": "owner"},
			),
			"child by name": (
				"/api/method/frappe.client.get",
				{"doctype": "Manual Order Condition", "name": theirs.conditions[0].name, "parent": DOCTYPE},
			),
		}
		for label, (path, payload) in checks.items():
			status, body = api.post(path, payload)
			self.assertNotIn(theirs.name, json.dumps(body), label)
			self.assertNotIn(secret, json.dumps(body), label)

	def test_a_name_in_an_update_neither_copies_nor_moves_an_order_or_a_dispute(self):
		"""Found in review: `{"name": null}` saved another agent's order (or dispute) as a new one."""
		theirs = created_order(OTHER_AGENT, upi_id="secret.payee@okicici", call_notes="SECRETNOTE")
		frappe.set_user(OTHER_AGENT)
		dispute = theirs.record_price_dispute("VICTIM WORDS", "victim notes")
		frappe.set_user("Administrator")
		mine = self.commit_order(created_order(AGENT))
		self.commit_order(theirs)
		api, orders_before = Api(AGENT), frappe.db.count(DOCTYPE)
		disputes_before = frappe.db.count("Manual Order Price Dispute")
		copy = {"name": None, "docstatus": 0, "workflow_state": "Draft", "lead": None}
		attempts = [
			("PUT", f"{RESOURCE}/{theirs.name}", copy),
			("PUT", f"/api/v2/document/Manual Order/{theirs.name}", copy),
			(
				"POST",
				"/api/method/frappe.client.set_value",
				{"doctype": DOCTYPE, "name": theirs.name, "fieldname": json.dumps(copy)},
			),
			("PUT", f"{RESOURCE}/{theirs.name}", {**copy, "name": mine.name, "modified": str(mine.modified)}),
			(
				"PUT",
				f"/api/resource/Manual Order Price Dispute/{dispute}",
				{"name": None, "manual_order": mine.name},
			),
		]
		for method, path, payload in attempts:
			status, body = api.request(method, path, payload)
			self.assertIn(status, (403, 404, 417), (path, payload, body))
			self.assertNotIn("SECRETNOTE", json.dumps(body))
			self.assertNotIn("VICTIM WORDS", json.dumps(body))
		frappe.db.rollback()
		self.assertEqual(frappe.db.count(DOCTYPE), orders_before)
		self.assertEqual(frappe.db.count("Manual Order Price Dispute"), disputes_before)
		self.assertEqual(len(frappe.get_all("Manual Order Condition", filters={"parent": theirs.name})), 5)
		self.assertEqual(frappe.db.get_value(DOCTYPE, theirs.name, ["agent", "docstatus"]), (OTHER_AGENT, 1))

	def test_assigned_to_counts_and_linked_documents_show_no_other_agents_order(self):
		lead = make_lead()
		theirs = self.commit_order(created_order(OTHER_AGENT, upi_id="secret.payee@okicici", lead=lead.name))
		for user in (AGENT, PLAIN_USER):
			frappe.get_doc(
				{
					"doctype": "ToDo",
					"allocated_to": user,
					"reference_type": DOCTYPE,
					"reference_name": theirs.name,
					"description": "probe",
				}
			).insert(ignore_permissions=True)
		frappe.db.commit()  # nosemgrep: the HTTP requests read it
		try:
			for user in (AGENT, PLAIN_USER):
				filters = [[DOCTYPE, "name", "=", theirs.name], [DOCTYPE, "upi_id", "like", "secret.p%"]]
				status, body = Api(user).post(
					"/api/method/frappe.desk.listview.get_group_by_count",
					{"doctype": DOCTYPE, "current_filters": json.dumps(filters), "field": "assigned_to"},
				)
				self.assertIn(status, (200, 403), body)
				self.assertFalse(body.get("message"), (user, body))
			status, body = Api(AGENT).post(
				"/api/method/frappe.desk.form.linked_with.get_submitted_linked_docs",
				{"doctype": "Lead", "name": lead.name},
			)
			self.assertNotIn(theirs.name, json.dumps(body))
		finally:
			frappe.db.delete("ToDo", {"reference_name": theirs.name})
			frappe.db.commit()  # nosemgrep

	def test_the_leads_connections_count_only_own_orders(self):
		get_open_count = handler_function("frappe.desk.notifications.get_open_count")
		lead = make_lead()
		created_order(OTHER_AGENT, lead=lead.name)
		frappe.set_user(AGENT)
		counts = get_open_count("Lead", lead.name)
		frappe.set_user("Administrator")
		orders = [c for c in counts["count"]["external_links_found"] if c["doctype"] == DOCTYPE]
		self.assertEqual([c["count"] for c in orders], [0] if orders else [])


class TestRestCancel(CommittedOrders):
	def test_a_rest_client_cancels_with_the_reason_first_then_the_action(self):
		"""README: set `cancellation_reason`, then the Cancel Order action (it reloads the order)."""
		order = self.commit_order(created_order(AGENT))
		api = Api(AGENT)
		doc = {"doctype": DOCTYPE, "name": order.name}
		status, body = api.post(
			"/api/method/frappe.model.workflow.apply_workflow",
			{"doc": {**doc, "cancellation_reason": "Customer changed mind"}, "action": "Cancel Order"},
		)
		self.assertNotEqual(status, 200, body)  # the reason sent with the action is not seen
		status, body = api.put(f"{RESOURCE}/{order.name}", {"cancellation_reason": "Customer changed mind"})
		self.assertEqual(status, 200, body)
		status, body = api.post(
			"/api/method/frappe.model.workflow.apply_workflow", {"doc": doc, "action": "Cancel Order"}
		)
		self.assertEqual(status, 200, body)
		frappe.db.rollback()
		stored = frappe.db.get_value(
			DOCTYPE, order.name, ["docstatus", "workflow_state", "cancellation_reason"]
		)
		self.assertEqual(stored, (2, "Cancelled", "Customer changed mind"))


class TestOtherWritePaths(CommittedOrders):
	def test_nobody_renames_an_order(self):
		from frappe.client import rename_doc
		from frappe.handler import run_doc_method

		order = created_order(AGENT)
		for user in (AGENT, MANAGER):
			frappe.set_user(user)
			with self.assertRaises((frappe.PermissionError, frappe.ValidationError)):
				call(rename_doc, DOCTYPE, order.name, "MO-RENAMED")
			with self.assertRaises(frappe.PermissionError), as_request(user):
				call(
					run_doc_method,
					"rename",
					dt=DOCTYPE,
					dn=order.name,
					args={"name": "MO-X", "validate_rename": 0},
				)
			frappe.set_user("Administrator")
		self.assertTrue(frappe.db.exists(DOCTYPE, order.name))
		self.assertFalse(frappe.db.exists(DOCTYPE, "MO-RENAMED") or frappe.db.exists(DOCTYPE, "MO-X"))

	def test_created_and_cancelled_orders_are_never_deleted(self):
		from frappe.client import delete

		created, cancelled = created_order(AGENT), cancelled_order(AGENT)
		for user in (AGENT, MANAGER, "Administrator"):
			frappe.set_user(user)
			for order in (created, cancelled):
				with self.assertRaises((frappe.PermissionError, frappe.ValidationError)):
					call(delete, DOCTYPE, order.name)
			frappe.set_user("Administrator")
		self.assertTrue(frappe.db.exists(DOCTYPE, created.name) and frappe.db.exists(DOCTYPE, cancelled.name))
		frappe.set_user(AGENT)
		draft = frappe.get_doc(order_values()).insert()
		frappe.set_user(MANAGER)
		call(delete, DOCTYPE, draft.name)  # a draft is not yet part of the record
		frappe.set_user("Administrator")
		self.assertFalse(frappe.db.exists(DOCTYPE, draft.name))

	def test_only_who_may_amend_an_order_amends_it(self):
		theirs = cancelled_order(OTHER_AGENT)
		frappe.get_doc(
			{
				"doctype": "File",
				"file_name": "consent-note.txt",
				"content": b"call recording reference",
				"attached_to_doctype": DOCTYPE,
				"attached_to_name": theirs.name,
				"is_private": 1,
			}
		).insert(ignore_permissions=True)
		for user in (AGENT, OTHER_AGENT):
			frappe.set_user(user)
			with self.assertRaises(frappe.PermissionError):
				frappe.get_doc(order_values(amended_from=theirs.name)).insert()
			frappe.set_user("Administrator")
		self.assertFalse(frappe.db.exists(DOCTYPE, {"amended_from": theirs.name}))
		frappe.set_user(MANAGER)
		amended = frappe.get_doc(order_values(amended_from=theirs.name)).insert()
		frappe.set_user("Administrator")
		self.assertEqual(amended.amended_from, theirs.name)
		files = frappe.get_all(
			"File", filters={"attached_to_doctype": DOCTYPE, "attached_to_name": amended.name}
		)
		self.assertEqual(len(files), 1)

	def test_bulk_edit_changes_only_what_the_role_may(self):
		from frappe.desk.doctype.bulk_update.bulk_update import submit_cancel_or_update_docs

		edits = {
			"call_notes": ("bulk notes", {AGENT, MANAGER}),
			"agent": (PLAIN_USER, set()),
			"picked_up": (1, set()),
			"price_disputed": (1, set()),
			"pincode": ("560002", set()),
			"estimated_price": (1, set()),
			"name": (None, set()),  # a copy of the order as the caller's
		}
		for user in (AGENT, OTHER_AGENT, MANAGER, OPERATIONS_USER, PLAIN_USER):
			for fieldname, (value, may) in edits.items():
				order = self.commit_order(created_order(AGENT))
				frappe.set_user(user)
				try:
					data = (
						{"name": None, "docstatus": 0, "workflow_state": "Draft"}
						if fieldname == "name"
						else {fieldname: value}
					)
					call(submit_cancel_or_update_docs, DOCTYPE, json.dumps([order.name]), "update", data)
				except frappe.PermissionError:
					pass
				finally:
					frappe.set_user("Administrator")
				frappe.db.rollback()
				if fieldname == "name":
					copies = frappe.get_all(
						DOCTYPE, filters={"creation": (">", order.creation)}, pluck="name"
					)
					self.created.extend(copies)
					self.assertEqual(copies, [], user)
					continue
				stored = frappe.db.get_value(DOCTYPE, order.name, fieldname)
				changed = record_guard.comparable(stored) == record_guard.comparable(value)
				self.assertEqual(changed, user in may, (user, fieldname, stored))

	def test_data_import_cannot_write_orders(self):
		for user in (AGENT, MANAGER):
			frappe.set_user(user)
			with self.assertRaises((frappe.PermissionError, frappe.ValidationError)):
				frappe.get_doc(
					{
						"doctype": "Data Import",
						"reference_doctype": DOCTYPE,
						"import_type": "Update Existing Records",
					}
				).insert()
			frappe.set_user("Administrator")


class TestDisputeHistory(SiteTestCase):
	def test_a_dispute_is_kept_as_history_and_resolved_once(self):
		order = created_order(AGENT)
		frappe.set_user(AGENT)
		first = order.record_price_dispute("I didn't agree to this price", "Re-explained inspection")
		second = order.record_price_dispute("Still not happy with the range")
		dispute = frappe.get_doc("Manual Order Price Dispute", first)
		dispute.customer_words = "ok"
		with self.assertRaises(frappe.ValidationError):
			dispute.save()
		with self.assertRaises((frappe.PermissionError, RecordLocked)):
			frappe.delete_doc("Manual Order Price Dispute", first)
		dispute.reload()
		dispute.resolution = "Customer accepted after the inspection pricing was re-explained"
		dispute.save()
		self.assertEqual((dispute.status, dispute.resolved_by), ("Resolved", AGENT))
		dispute.resolution_notes = "rewritten later"
		with self.assertRaises(RecordLocked):
			dispute.save()
		frappe.set_user(OTHER_AGENT)
		with self.assertRaises(frappe.PermissionError):
			frappe.get_doc("Manual Order Price Dispute", second).check_permission("read")
		with self.assertRaises(frappe.PermissionError):
			frappe.get_doc(
				{"doctype": "Manual Order Price Dispute", "manual_order": order.name, "customer_words": "x"}
			).insert()
		frappe.set_user("Administrator")
		words = frappe.get_all(
			"Manual Order Price Dispute",
			filters={"manual_order": order.name},
			pluck="customer_words",
			order_by="creation asc",
		)
		self.assertEqual(words, ["I didn't agree to this price", "Still not happy with the range"])
		self.assertEqual(frappe.db.get_value(DOCTYPE, order.name, "price_disputed"), 1)

	def test_a_forged_agent_or_recorder_on_a_dispute_is_replaced(self):
		order = created_order(AGENT)
		frappe.set_user(MANAGER)
		dispute = frappe.get_doc(
			{
				"doctype": "Manual Order Price Dispute",
				"manual_order": order.name,
				"customer_words": "Too low",
				"agent": OTHER_AGENT,
				"recorded_by": OTHER_AGENT,
			}
		).insert()
		frappe.set_user("Administrator")
		self.assertEqual((dispute.agent, dispute.recorded_by), (AGENT, MANAGER))


class TestOperationsAndManagers(SiteTestCase):
	def test_operations_read_every_order_and_only_the_partner_or_a_manager_moves_a_pickup(self):
		from manual_orders.api import update_pickup

		make_user(OPERATIONS_USER, "Manual Order Operations")
		order = created_order(AGENT)
		self.assertEqual(order.pickup_status, "Partner Assigned")  # a demo partner covers 560001
		for user in (AGENT, OTHER_AGENT, PLAIN_USER, OPERATIONS_USER):
			frappe.set_user(user)
			with self.assertRaises(frappe.PermissionError):
				update_pickup(order.name, "Out for Pickup")
			frappe.set_user("Administrator")
		self.assertEqual(frappe.db.get_value(DOCTYPE, order.name, "pickup_status"), "Partner Assigned")
		frappe.set_user(OPERATIONS_USER)
		frappe.get_doc(DOCTYPE, order.name).check_permission("read")
		doc = frappe.get_doc(DOCTYPE, order.name)
		doc.call_notes = "operations wrote this"
		with self.assertRaises(frappe.PermissionError):
			doc.save()
		frappe.set_user(MANAGER)
		self.assertEqual(update_pickup(order.name, "Out for Pickup")["pickup_status"], "Out for Pickup")
		frappe.set_user("Administrator")
		self.assertEqual(frappe.db.get_value(DOCTYPE, order.name, "pickup_status"), "Out for Pickup")

	def test_managers_see_who_changed_what_after_creation(self):
		from frappe.desk.form.load import getdoc

		order = created_order(AGENT)
		frappe.set_user(AGENT)
		doc = frappe.get_doc(DOCTYPE, order.name)
		doc.call_notes = "Customer asked for an evening pickup"
		doc.save()
		with as_request(MANAGER):
			getdoc(DOCTYPE, order.name)
			changes = frappe.response.docs[0].get("__onload")["changes_after_creation"]
		with as_request(AGENT):
			getdoc(DOCTYPE, order.name)
			agent_view = frappe.response.docs[0].get("__onload") or {}
		self.assertEqual(changes[-1]["by"], AGENT)
		self.assertEqual(changes[-1]["changes"][0]["field"], "Call Notes")
		self.assertEqual(changes[-1]["changes"][0]["to"], "Customer asked for an evening pickup")
		self.assertNotIn("changes_after_creation", agent_view)


class TestSmallerHoles(CommittedOrders):
	def test_html_is_sanitised_before_the_consent_fingerprint(self):
		frappe.set_user(AGENT)
		order = frappe.get_doc(
			with_consent(order_values(landmark="<b>Opposite</b> <img src=x onerror=alert(1)> Metro"))
		).insert()
		frappe.set_user("Administrator")
		stored = frappe.get_doc(DOCTYPE, order.name)
		self.assertTrue(consent.covers(stored.consent_fingerprint, record.agreed_terms(stored)))
		self.assertNotIn("onerror", stored.landmark)
		frappe.set_user(AGENT)
		stored.submit()
		frappe.set_user("Administrator")
		self.assertEqual(frappe.db.get_value(DOCTYPE, order.name, "docstatus"), 1)

	def test_resend_refuses_a_cancelled_order_and_forgets_the_old_provider_id(self):
		from manual_orders.api import resend_message

		order = created_order(AGENT)
		message = frappe.get_all("Manual Order Message", filters={"manual_order": order.name}, pluck="name")[
			0
		]
		frappe.db.set_value(
			"Manual Order Message", message, {"status": "Failed", "provider_message_id": "wamid.OLD"}
		)
		frappe.set_user(AGENT)
		resend_message(message)
		frappe.set_user("Administrator")
		self.assertIsNone(frappe.db.get_value("Manual Order Message", message, "provider_message_id"))
		frappe.set_user(AGENT)
		order.reload()
		order.cancellation_reason = "Wrong details"
		order.save()
		order.cancel()
		frappe.db.set_value("Manual Order Message", message, "status", "Failed")
		with self.assertRaises(frappe.ValidationError):
			resend_message(message)
		frappe.set_user("Administrator")
		self.assertEqual(frappe.db.get_value("Manual Order Message", message, "status"), "Failed")

	def test_a_non_ascii_verify_token_is_refused_without_an_error_log(self):
		before = frappe.db.count("Error Log")
		status, _body = Api(None).request(
			"GET",
			"/api/method/manual_orders.api.whatsapp_webhook?hub.mode=subscribe&hub.verify_token=%C3%BC&hub.challenge=1",
		)
		signature = {"X-Hub-Signature-256": "sha256=\u00fc\u00fc"}
		status_post, _body = Api(None).request(
			"POST", "/api/method/manual_orders.api.whatsapp_webhook", data=b"{}", headers=signature
		)
		frappe.db.rollback()
		self.assertEqual((status, status_post), (403, 403))
		self.assertEqual(frappe.db.count("Error Log"), before)

	def test_a_reader_between_change_and_commit_cannot_keep_the_old_catalogue(self):
		slot = "Disabled Slot"
		self.assertFalse(catalogue_cache.get_pickup_slot(slot).enabled)
		doc = frappe.get_doc("Pickup Slot", slot)
		doc.enabled = 1
		doc.save()  # clears the cache; not committed yet
		site, sites_path = frappe.local.site, frappe.local.sites_path

		def concurrent_reader():
			frappe.init(site=site, sites_path=sites_path)
			frappe.connect()
			try:
				catalogue_cache.get_pickup_slot(slot)  # reads the committed row: disabled, and caches it
			finally:
				frappe.destroy()

		reader = threading.Thread(target=concurrent_reader)
		reader.start()
		reader.join()
		frappe.db.commit()  # nosemgrep: the clear after commit is what is tested
		try:
			self.assertTrue(catalogue_cache.get_pickup_slot(slot).enabled)
		finally:
			doc.enabled = 0
			doc.save()
			frappe.db.commit()  # nosemgrep


class TestSecondReview(SiteTestCase):
	"""Found by the second adversarial review: rename, add_comment and File attachments."""

	def run_method(self, user, dt, dn, method, args):
		from frappe.handler import run_doc_method

		with as_request(user):
			call(run_doc_method, method, dt=dt, dn=dn, args=json.dumps(args))

	def test_no_record_of_the_app_is_renamed_or_commented_through_run_doc_method(self):
		order = created_order(AGENT)
		frappe.set_user(AGENT)
		dispute = order.record_price_dispute("Too low")
		frappe.set_user("Administrator")
		targets = [
			("Manual Order Price Dispute", dispute),
			("Manual Order Condition", order.conditions[0].name),
			("Device Model", "iPhone 13"),
			("Manual Order", order.name),
		]
		for doctype, name in targets:
			with self.subTest(doctype=doctype), self.assertRaises(frappe.PermissionError):
				self.run_method(AGENT, doctype, name, "rename", {"name": f"{name}-X", "validate_rename": 0})
			self.assertTrue(frappe.db.exists(doctype, name))
		comments = frappe.db.count("Comment", {"reference_name": order.name})
		for user in (AGENT, OPERATIONS_USER):
			with self.subTest(user=user), self.assertRaises(frappe.PermissionError):
				args = {
					"comment_type": "Info",
					"text": "Price dispute resolved by manager",
					"comment_email": MANAGER,
				}
				self.run_method(user, DOCTYPE, order.name, "add_comment", args)
		self.assertEqual(frappe.db.count("Comment", {"reference_name": order.name}), comments)

	def test_an_orders_files_stay_with_who_may_read_the_order(self):
		order = created_order(AGENT)
		frappe.set_user(AGENT)
		mine = frappe.get_doc(
			{
				"doctype": "File",
				"file_name": f"consent-{frappe.generate_hash(length=6)}.txt",
				"content": b"SECRET customer document",
				"attached_to_doctype": DOCTYPE,
				"attached_to_name": order.name,
				"is_private": 1,
			}
		).insert()
		frappe.set_user(OTHER_AGENT)
		listed = frappe.get_list("File", filters={"attached_to_doctype": DOCTYPE}, pluck="name")
		self.assertNotIn(mine.name, listed)
		with self.assertRaises(frappe.PermissionError):
			frappe.get_doc(
				{"doctype": "File", "file_name": "copy.txt", "file_url": mine.file_url, "is_private": 1}
			).insert()
		with self.assertRaises(frappe.PermissionError):
			frappe.get_doc(
				{
					"doctype": "File",
					"file_name": "planted.txt",
					"content": b"hi",
					"attached_to_doctype": DOCTYPE,
					"attached_to_name": order.name,
					"is_private": 1,
				}
			).insert()
		frappe.set_user(AGENT)
		mine.reload()
		mine.is_private = 0
		with self.assertRaises(frappe.ValidationError):
			mine.save()
		frappe.set_user("Administrator")
		self.assertEqual(
			frappe.get_all("File", filters={"file_url": mine.file_url}, pluck="name"), [mine.name]
		)
		self.assertEqual(frappe.db.get_value("File", mine.name, "is_private"), 1)
