"""SOP §9, the accountable record: every field x every generic write path x every role x
draft / Created / Cancelled order, asserting what is stored afterwards.

The fields and their classes come from the DocType's meta (`record_guard.field_classes`),
so a field added to Manual Order or its child tables later is tried here without editing
this file. Each attempt runs in a savepoint that is rolled back, calling Frappe's own
whitelisted functions as the HTTP handler would (Guest is refused what is not open to
guests, as `frappe.is_whitelisted` does for a request).

What "allowed" means: the order's agent and managers may change agreed terms and
after-creation fields in a draft, and only after-creation fields (notes, cancellation) on
a Created order; nobody changes server-owned, operations-owned or workflow fields through
a generic path, and nobody changes a Cancelled order. An allowed attempt must store
exactly what the server's own save stores for the same change (so an SOP refusal of a
value is fine); a refused attempt must leave the stored row as it was.
"""

import json
import os
from collections import Counter
from contextlib import contextmanager

import frappe
from frappe.api.v1 import update_doc
from frappe.model import table_fields
from frappe.utils import add_days, nowdate

from manual_orders.permissions import fields as record_guard
from manual_orders.permissions.fields import AFTER_CREATION, AGREED, OPERATIONS, SERVER, WORKFLOW
from manual_orders.tests.utils import (
	AGENT,
	MANAGER,
	OTHER_AGENT,
	PLAIN_USER,
	SiteTestCase,
	delete_orders,
	make_lead,
	make_pickup_partner,
	make_user,
	order_values,
	remove_pickup_partners,
	with_consent,
)

DOCTYPE = "Manual Order"
OPERATIONS_USER = "operations@manual-orders.test"
# A user of the pickup partner the Created and Cancelled orders are assigned to: reads them, writes nothing
PARTNER_USER = "partner.matrix@manual-orders.test"
MATRIX_PARTNER = "Matrix Test Partner"
ROLES = {
	"owner": AGENT,
	"another agent": OTHER_AGENT,
	"manager": MANAGER,
	"operations": OPERATIONS_USER,
	"pickup partner": PARTNER_USER,
	"desk user": PLAIN_USER,
	"guest": "Guest",
}
MAY_EDIT = ("owner", "manager")
IGNORED_COLUMNS = {"modified", "modified_by", "_comments", "_assign", "_liked_by", "_seen", "_user_tags"}
CANCEL_REASON = "Customer changed mind"

# Where a generic value would break an SOP rule, a value the rules accept, so that only the
# record guard can refuse the change. Fields not listed get a value from their type.
VALID_CHANGES = {
	"customer_name": "Asha Rao",
	"mobile_no": "+919812345678",
	"whatsapp_no": "+919812345678",
	"creation_reason": "Customer faces technical issues",
	"variant": "256 GB",
	"address_line1": "22 Residency Road",
	"address_line2": "Second floor",
	"landmark": "Near the bus stop",
	"pincode": "560002",
	"upi_id": "asha.rao@okaxis",
	"consent_customer_words": "Yes, go ahead and place it",
	"outcome": "Customer Unsure",
	"cancellation_reason": CANCEL_REASON,
	"pickup_slot": "11:00 - 13:00",
	# the one consent method the server computes only after a verified code: a forged claim
	"consent_method": "Verbal + OTP",
}
INVALID_STATE = {"draft": "Created", "created": "Draft", "cancelled": "Draft"}

# Counts of attempts per path and role, for docs/SECURITY.md: written to the JSON file named
# by MANUAL_ORDERS_MATRIX_COUNTS when it is set.
ATTEMPTS: Counter = Counter()


def save_attempt_counts() -> None:
	path = os.environ.get("MANUAL_ORDERS_MATRIX_COUNTS")
	if not path:
		return
	counts = json.load(open(path)) if os.path.exists(path) else {}
	for (path_name, role), count in ATTEMPTS.items():
		counts.setdefault(path_name, {})[role] = count
	with open(path, "w") as f:
		json.dump(counts, f, indent=1, sort_keys=True)


def call(fn, *args, **kwargs):
	"""What Frappe's handler (`execute_cmd`) checks before calling a function for a request.

	`run_doc_method` is the one exception it makes: that function checks the document's
	permission and the method's whitelisting itself.
	"""
	from frappe.handler import run_doc_method

	if fn is not run_doc_method:
		frappe.is_whitelisted(fn)
	return fn(*args, **kwargs)


def as_doc_dict(name: str) -> dict:
	return frappe.get_doc(DOCTYPE, name).as_dict(convert_dates_to_str=True)


def apply(values: dict, key: str, value) -> dict:
	"""The change as a client sends it: a parent field, or the first row of a child table."""
	if "." not in key:
		return {**values, key: value}
	table, fieldname = key.split(".")
	rows = [dict(row) for row in values[table]]
	rows[0][fieldname] = value
	return {**values, table: rows}


def change_of(name: str, key: str, value) -> dict:
	"""Just the fields that change (a child table is sent whole)."""
	if "." not in key:
		return {key: value}
	table = key.split(".")[0]
	return {table: apply(as_doc_dict(name), key, value)[table]}


# The generic write paths, each as Frappe runs it for a request


def rest_put(name, key, value, extra=None):
	frappe.local.form_dict = frappe._dict(data=json.dumps({**change_of(name, key, value), **(extra or {})}))
	return update_doc(DOCTYPE, name)


def set_value(name, key, value):
	from frappe.client import set_value as client_set_value

	if "." in key:
		table, fieldname = key.split(".")
		row = frappe.get_doc(DOCTYPE, name).get(table)[0]
		return call(client_set_value, row.doctype, row.name, fieldname, value)
	return call(client_set_value, DOCTYPE, name, key, value)


def set_value_json(name, key, value):
	from frappe.client import set_value as client_set_value

	return call(client_set_value, DOCTYPE, name, json.dumps(change_of(name, key, value), default=str))


def client_save(name, key, value):
	from frappe.client import save

	return call(save, json.dumps(apply(as_doc_dict(name), key, value), default=str))


def savedocs(name, key, value):
	from frappe.desk.form.save import savedocs as desk_savedocs

	values = apply(as_doc_dict(name), key, value)
	action = "Save" if values["docstatus"] == 0 else "Update"
	return call(desk_savedocs, json.dumps(values, default=str), action)


def rest_put_cancel(name, key, value):
	return rest_put(name, key, value, {"docstatus": 2})


def run_doc_method_cancel(name, key, value):
	from frappe.handler import run_doc_method

	values = apply(as_doc_dict(name), key, value)
	return call(run_doc_method, "cancel", docs=json.dumps(values, default=str))


def desk_cancel_setting_a_field(name, key, value):
	"""`frappe.desk.form.save.cancel` sets any field the client names before cancelling."""
	from frappe.desk.form.save import cancel

	if "." in key:
		return rest_put_cancel(name, key, value)
	# sent as form data: a string, so a 0 is still sent
	return call(cancel, DOCTYPE, name, workflow_state_fieldname=key, workflow_state=str(value))


EDIT_PATHS = {
	"REST PUT": rest_put,
	"frappe.client.set_value": set_value,
	"frappe.client.set_value (JSON)": set_value_json,
	"frappe.client.save": client_save,
	"savedocs": savedocs,
}
CANCEL_PATHS = {
	"REST PUT with docstatus 2": rest_put_cancel,
	"run_doc_method cancel": run_doc_method_cancel,
	"frappe.desk.form.save.cancel": desk_cancel_setting_a_field,
}


def may_change(role: str, state: str, field_class: str) -> bool:
	if role not in MAY_EDIT:
		return False
	if state == "draft":
		return field_class in (AGREED, AFTER_CREATION)
	if state == "created":
		return field_class == AFTER_CREATION
	return False


def snapshot(name: str) -> dict:
	row = frappe.db.sql(f"select * from `tab{DOCTYPE}` where name = %s", name, as_dict=True)[0]
	values = {k: v for k, v in row.items() if k not in IGNORED_COLUMNS}
	for table in frappe.get_meta(DOCTYPE).get_table_fields():
		rows = frappe.db.sql(
			f"select * from `tab{table.options}` where parent = %s and parenttype = %s order by idx",
			(name, DOCTYPE),
			as_dict=True,
		)
		values[table.fieldname] = [{k: v for k, v in r.items() if k not in IGNORED_COLUMNS} for r in rows]
	return values


def stored_value(snap: dict, key: str):
	if "." not in key:
		return record_guard.comparable(snap.get(key))
	table, fieldname = key.split(".")
	rows = snap[table]
	return record_guard.comparable(rows[0].get(fieldname)) if rows else None


@contextmanager
def as_request(user: str):
	"""The block runs as one POST request of `user` would: a fresh request, form and response.

	Callbacks left for a commit are dropped at the end: the caller rolls the attempt back.
	"""
	from werkzeug.test import EnvironBuilder
	from werkzeug.wrappers import Request

	frappe.local.request = Request(EnvironBuilder(method="POST").get_environ())
	frappe.local.form_dict = frappe._dict()
	frappe.local.response = frappe._dict(docs=[])
	frappe.local.message_log = []
	frappe.set_user(user)
	try:
		yield
	finally:
		frappe.set_user("Administrator")
		del frappe.local.request
		frappe.local.form_dict = frappe._dict()
		frappe.local.message_log = []
		frappe.flags.enqueue_after_commit = []
		frappe.db.after_commit.reset()


def assign_to_matrix_partner(order) -> None:
	from manual_orders.api import assign_pickup_partner

	previous = frappe.session.user
	frappe.set_user(MANAGER)
	try:
		if order.pickup_partner != MATRIX_PARTNER:
			assign_pickup_partner(order.name, MATRIX_PARTNER)
	finally:
		frappe.set_user(previous)
	order.reload()


class TestAccountableRecord(SiteTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		frappe.set_user("Administrator")
		make_user(OPERATIONS_USER, "Manual Order Operations")
		make_user(PARTNER_USER, "Pickup Partner")
		make_pickup_partner(MATRIX_PARTNER, users=[PARTNER_USER])
		cls.lead = make_lead().name
		cls.customer = make_customer()
		frappe.set_user(AGENT)
		draft = frappe.get_doc(with_consent(order_values())).insert()
		created = frappe.get_doc(with_consent(order_values())).insert()
		created.submit()
		assign_to_matrix_partner(created)
		created.cancellation_reason = "Wrong details"  # so every cancel path has its reason
		created.save()
		cancelled = frappe.get_doc(with_consent(order_values())).insert()
		cancelled.submit()
		assign_to_matrix_partner(cancelled)
		cancelled.cancellation_reason = "Wrong details"
		cancelled.save()
		cancelled.cancel()
		frappe.set_user("Administrator")
		cls.orders = {"draft": draft.name, "created": created.name, "cancelled": cancelled.name}
		cls.classes = record_guard.field_classes()
		cls.snapshots = {}
		frappe.db.commit()  # nosemgrep: the orders stay for every test of the class

	@classmethod
	def tearDownClass(cls):
		save_attempt_counts()
		frappe.db.rollback()
		delete_orders(cls.orders.values())
		remove_pickup_partners([MATRIX_PARTNER])
		frappe.db.commit()  # nosemgrep
		super().tearDownClass()

	def stored(self, state: str) -> dict:
		"""The state's order as stored; every attempt is rolled back, so it never changes."""
		if state not in self.snapshots:
			self.snapshots[state] = snapshot(self.orders[state])
		return self.snapshots[state]

	def forged_value(self, state: str, key: str):
		"""A value different from the stored one, valid for the SOP where a value can be."""
		current = stored_value(self.stored(state), key)
		if key == "workflow_state":
			return INVALID_STATE[state]
		if key in VALID_CHANGES:
			return VALID_CHANGES[key]
		fieldname = key.split(".")[-1]
		doctype = frappe.get_meta(DOCTYPE).get_field(key.split(".")[0]).options if "." in key else DOCTYPE
		df = frappe.get_meta(doctype).get_field(fieldname)
		if key == "conditions.answer":
			question = self.stored(state)["conditions"][0]["question"]
			answers = frappe.get_all("Condition Answer", filters={"parent": question}, pluck="answer")
			return next(a for a in answers if a != current)
		if key == "lead":
			return self.lead
		if key == "customer":
			return self.customer
		return generic_value(df, current)

	def attempt(self, path, state: str, user: str, key: str, value) -> tuple[dict, dict, Exception | None]:
		name = self.orders[state]
		before = self.stored(state)
		frappe.db.savepoint("mo_attempt")
		error = None
		with as_request(user):
			try:
				path(name, key, value)
			except Exception as exc:
				error = exc
		after = snapshot(name)
		frappe.db.rollback(save_point="mo_attempt")
		return before, after, error

	def reference(self, state: str, key: str, value, cancel: bool = False) -> tuple[object, type | None]:
		"""What the server's own save stores for the change (the Administrator, no generic path)."""

		def server_save(name, key, value):
			doc = frappe.get_doc(DOCTYPE, name)
			doc.update(apply(doc.as_dict(), key, value) if "." in key else {key: value})
			if cancel:
				doc.cancel()
			else:
				doc.save()

		_before, after, error = self.attempt(server_save, state, "Administrator", key, value)
		return stored_value(after, key), type(error) if error else None

	def check_matrix(self, paths: dict, states: tuple[str, ...], cancel: bool = False) -> None:
		failures = []
		for state in states:
			for key, field_class in self.classes.items():
				value = self.forged_value(state, key)
				expected_value, expected_error = self.reference(state, key, value, cancel)
				for path_name, path in paths.items():
					for role in ROLES:
						before, after, error = self.attempt(path, state, ROLES[role], key, value)
						ATTEMPTS[(path_name, role)] += 1
						allowed = may_change(role, state, field_class)
						problem = judge(
							allowed, before, after, error, key, expected_value, expected_error, cancel
						)
						if problem:
							failures.append(
								f"{state} | {path_name} | {role} | {key} ({field_class}): {problem}"
							)
		self.assertEqual(failures, [], "\n".join(failures[:40]) + f"\n({len(failures)} failures)")

	def test_drafts_through_every_edit_path(self):
		self.check_matrix(EDIT_PATHS, ("draft",))

	def test_created_orders_through_every_edit_path(self):
		self.check_matrix(EDIT_PATHS, ("created",))

	def test_cancelled_orders_through_every_edit_path(self):
		self.check_matrix(EDIT_PATHS, ("cancelled",))

	def test_created_orders_through_every_cancel_path(self):
		self.check_matrix(CANCEL_PATHS, ("created",), cancel=True)

	def test_no_path_turns_an_order_into_another_or_a_copy(self):
		"""A client's `name` in an update: `null` would copy the order as the caller's, another
		name would write it over that row (the caller's own draft here, with its `modified`).

		Paths that send a whole document (`frappe.client.save`, `savedocs`) with no name are an
		insert of what the client sent, tried by the insert matrix; here they get another name.
		Bulk edit commits as it goes: `test_accountable_paths` tries it with a `name`.
		"""
		from frappe.client import set_value as client_set_value

		def as_draft(target):
			return {"name": target, "docstatus": 0, "workflow_state": "Draft", "lead": None}

		paths = {
			"REST PUT": lambda name, target: rest_put(name, "name", target, as_draft(target)),
			"frappe.client.set_value (JSON)": lambda name, target: call(
				client_set_value, DOCTYPE, name, json.dumps(as_draft(target))
			),
			"frappe.client.save": lambda name, target: client_save(name, "name", target),
			"savedocs": lambda name, target: savedocs(name, "name", target),
			"run_doc_method cancel": lambda name, target: run_doc_method_cancel(name, "name", target),
			"frappe.desk.form.save.cancel": lambda name, target: desk_cancel_setting_a_field(
				name, "name", target
			),
		}
		whole_document = ("frappe.client.save", "savedocs", "run_doc_method cancel")
		frappe.set_user(OTHER_AGENT)
		theirs = frappe.get_doc(with_consent(order_values())).insert().name
		frappe.set_user("Administrator")
		orders = {**self.orders, "another agent's draft": theirs}
		stored = {label: snapshot(name) for label, name in orders.items()}
		failures = []
		for source in self.orders.values():
			for target in (None, *[name for name in orders.values() if name != source]):
				for path_name, path in paths.items():
					if target is None and path_name in whole_document:
						continue
					for role in ROLES:
						failures += self.try_identity(
							path, source, target, stored, orders, f"{path_name} | {role}", role
						)
		self.assertEqual(failures, [], "\n".join(failures[:40]))

	def try_identity(self, path, source, target, stored, orders, label, role) -> list[str]:
		count = frappe.db.count(DOCTYPE)
		frappe.db.savepoint("mo_identity")
		if target:  # as if the client also sent the target's `modified`, so Frappe's own check passes
			modified = frappe.db.get_value(DOCTYPE, source, "modified")
			frappe.db.set_value(DOCTYPE, target, "modified", modified, update_modified=False)
		with as_request(ROLES[role]):
			try:
				path(source, target)
			except Exception:
				pass
		grew = frappe.db.count(DOCTYPE) - count
		changed = [other for other, name in orders.items() if snapshot(name) != stored[other]]
		frappe.db.rollback(save_point="mo_identity")
		ATTEMPTS[(label.split(" | ")[0] + " (name)", role)] += 1
		return [f"{source} -> {target} | {label}: new {grew}, changed {changed}"] if grew or changed else []

	def test_every_field_is_classed(self):
		classes = record_guard.field_classes()
		self.assertEqual(classes["agent"], SERVER)
		self.assertEqual(classes["estimated_price"], SERVER)
		self.assertEqual(classes["price_disputed"], SERVER)
		self.assertEqual(classes["picked_up"], OPERATIONS)
		self.assertEqual(classes["workflow_state"], WORKFLOW)
		self.assertEqual(classes["call_notes"], AFTER_CREATION)
		self.assertEqual(classes["pincode"], AGREED)
		self.assertEqual(classes["conditions.deduction"], SERVER)
		self.assertEqual(classes["conditions.answer"], AGREED)
		meta = frappe.get_meta(DOCTYPE)
		for df in meta.fields:
			if df.fieldtype in table_fields:
				for child in record_guard.data_fields(df.options):
					self.assertIn(f"{df.fieldname}.{child.fieldname}", classes)
			elif df.fieldtype not in frappe.model.display_fieldtypes:
				self.assertIn(df.fieldname, classes)


def judge(allowed, before, after, error, key, expected_value, expected_error, cancel) -> str | None:
	"""None when the stored row is what the policy says; else what went wrong."""
	stored = stored_value(after, key)
	if not allowed:
		changed = [k for k in before if before[k] != after[k]]
		if changed:
			return f"refused change stored: {changed} (error {type(error).__name__ if error else None})"
		return None
	if (error is None) != (expected_error is None):
		return f"allowed change: got {type(error).__name__ if error else 'success'}, the server's own save gives {expected_error.__name__ if expected_error else 'success'} ({error})"
	if stored != expected_value:
		return f"allowed change stored {stored!r}, the server's own save stores {expected_value!r}"
	if cancel and expected_error is None and after["docstatus"] != 2:
		return "allowed cancel did not cancel"
	return None


def generic_value(df, current):
	fieldtype = df.fieldtype
	if fieldtype == "Check":
		return 0 if current else 1
	if fieldtype in ("Int", "Float", "Currency", "Percent"):
		return (current or 0) + 7
	if fieldtype == "Date":
		return add_days(nowdate(), 3)
	if fieldtype == "Datetime":
		return "2020-01-01 10:00:00"
	if fieldtype == "Select":
		options = [o for o in (df.options or "").split("\n") if o and o != current]
		return options[0] if options else "not an option"
	if fieldtype == "Link":
		if df.options == "User":
			return PLAIN_USER if current != PLAIN_USER else OTHER_AGENT
		names = frappe.get_all(df.options, pluck="name", limit=5, order_by="creation desc")
		return next((n for n in names if n != current), "does-not-exist")
	return f"changed {df.fieldname}"


def make_customer() -> str:
	name = "Manual Orders Test Customer"
	if not frappe.db.exists("Customer", name):
		frappe.get_doc({"doctype": "Customer", "customer_name": name, "customer_type": "Individual"}).insert(
			ignore_permissions=True
		)
	return name
