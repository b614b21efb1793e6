"""Bad input, races, a permission matrix and injected faults, on the site and over REST."""

import threading
from concurrent.futures import ThreadPoolExecutor

import frappe

from manual_orders.tests.utils import (
	AGENT,
	MANAGER,
	OTHER_AGENT,
	PLAIN_USER,
	Api,
	SiteTestCase,
	as_user,
	committed,
	make_lead,
	make_order,
	make_user,
	order_values,
	server_messages,
	with_consent,
)

RESOURCE = "/api/resource/Manual Order"
SOP_EXCEPTIONS = set(
	__import__("manual_orders.exceptions", fromlist=["RULE_EXCEPTIONS"]).RULE_EXCEPTIONS.values()
)
SYSTEM_MANAGER = "sysmanager@manual-orders.test"


# Bad input over REST

WRONG_TYPES = [
	("conditions", "not a list"),
	("accessories", {"accessory": "Original Charger"}),
	("pickup_date", "not a date"),
	("pickup_date", 12345),
	("mobile_no", ["9876543210"]),
	("pincode", {"$gt": ""}),
	("device_model", None),
	("payment_method", 1),
]


# Permission matrix: role x action, every cell asserted

USERS = {
	"guest": "Guest",
	"desk user": PLAIN_USER,
	"agent (owner)": AGENT,
	"another agent": OTHER_AGENT,
	"manager": MANAGER,
	"system manager": SYSTEM_MANAGER,
}
ALLOWED = {
	"read": {"agent (owner)", "manager", "system manager"},
	"create": {"agent (owner)", "another agent", "manager", "system manager"},
	"edit": {"agent (owner)", "manager", "system manager"},
	"submit": {"agent (owner)", "manager", "system manager"},
	"cancel": {"agent (owner)", "manager", "system manager"},
	"delete": {"manager", "system manager"},
	"run reports": {"agent (owner)", "another agent", "manager", "system manager"},
	"map a lead": {"agent (owner)", "another agent", "manager", "system manager"},
	"check an order": {"agent (owner)", "another agent", "manager", "system manager"},
	"catalogue options": {"agent (owner)", "another agent", "manager", "system manager"},
	"resend a message": {"agent (owner)", "manager", "system manager"},
	"record a dispute": {"agent (owner)", "manager", "system manager"},
	"edit the catalogue": {"manager", "system manager"},
	"mark an order wrong": {"manager", "system manager"},
}


def fresh_case() -> None:
	"""Between the cases of one test, the rollback each test gets (SiteTestCase.tearDown/setUp)."""
	frappe.db.rollback()
	frappe.set_user("Administrator")
	frappe.local.message_log = []


@committed
def refuse_wrong_type(field, value):
	"""One case of test_wrong_types_are_refused_cleanly, on committed data."""
	before = frappe.db.count("Manual Order")
	status, body = Api(AGENT).post(RESOURCE, order_values(**{field: value}))
	assert status == 417, body
	assert body["exc_type"] in ("ValidationError", "LinkValidationError", "MandatoryError") or body[
		"exc_type"
	] in {cls.__name__ for cls in SOP_EXCEPTIONS}, body["exc_type"]
	frappe.db.rollback()
	assert frappe.db.count("Manual Order") == before


def make_matrix_docs():
	"""The documents the permission matrix acts on, committed once for the module's tests."""
	make_user(SYSTEM_MANAGER, "System Manager")
	with as_user(AGENT):
		draft = make_order()
		created = frappe.get_doc(with_consent(order_values())).insert()
		created.submit()
	lead = make_lead()
	message = frappe.db.get_value("Manual Order Message", {"manual_order": created.name})
	frappe.db.commit()  # nosemgrep: shared by the module's tests
	return frappe._dict(draft=draft.name, created=created.name, lead=lead.name, message=message)


def attempt(action: str, docs) -> None:
	from manual_orders import api

	if action == "read":
		frappe.get_doc("Manual Order", docs.draft).check_permission("read")
	elif action == "create":
		frappe.get_doc(order_values()).insert()
	elif action == "edit":
		doc = frappe.get_doc("Manual Order", docs.draft)
		doc.call_notes = "edited"
		doc.save()
	elif action == "submit":
		frappe.get_doc("Manual Order", docs.draft).check_permission("submit")
	elif action == "cancel":
		frappe.get_doc("Manual Order", docs.created).check_permission("cancel")
	elif action == "delete":
		frappe.get_doc("Manual Order", docs.draft).check_permission("delete")
	elif action == "run reports":
		from frappe.desk.query_report import run

		run("Manual Order Funnel", filters={})
	elif action == "map a lead":
		api.make_manual_order(docs.lead)
	elif action == "check an order":
		api.check_order(order_values())
	elif action == "catalogue options":
		api.get_catalogue_options(device_model="iPhone 13")
	elif action == "resend a message":
		api.resend_message(docs.message)
	elif action == "record a dispute":
		frappe.get_doc("Manual Order", docs.created).check_permission("write")
	elif action == "edit the catalogue":
		doc = frappe.get_doc("Pickup Slot", "09:00 - 11:00")
		doc.check_permission("write")
	elif action == "mark an order wrong":
		frappe.get_doc(
			{
				"doctype": "Manual Order Error",
				"manual_order": docs.created,
				"error_category": "Wrong pincode",
				"consequence": "None yet",
				"note": "matrix",
			}
		).insert()


CELLS = [(role, action) for role in USERS for action in ALLOWED]


class TestSecurity(SiteTestCase):
	# Bad input over REST

	def test_wrong_types_are_refused_cleanly(self):
		for field, value in WRONG_TYPES:
			with self.subTest(case=f"{field}={value!r}"):
				fresh_case()
				refuse_wrong_type(field, value)

	@committed
	def test_over_long_strings_are_refused_with_the_field_named(self):
		status, body = Api(AGENT).post(RESOURCE, order_values(landmark="L" * 500))
		assert status == 417
		assert "Landmark" in server_messages(body) or "landmark" in server_messages(body)

	@committed
	def test_html_and_script_are_stored_harmlessly(self):
		payload = order_values(
			customer_name="<script>alert('x')</script>Ravi",
			landmark="<img src=x onerror=alert(1)> Near Metro",
			call_notes="<b>VIP</b><script>steal()</script>",
		)
		status, body = Api(AGENT).post(RESOURCE, payload)
		assert status == 200, body
		frappe.db.rollback()  # a fresh snapshot: the request committed
		stored = frappe.get_doc("Manual Order", body["data"]["name"])
		for value in (stored.customer_name, stored.landmark, stored.call_notes):
			assert "<script" not in value and "onerror=alert" not in value.replace(" ", "")

	@committed
	def test_sql_looking_input_is_just_text(self):
		name = "Robert'); DROP TABLE `tabLead`;--"
		status, body = Api(AGENT).post(RESOURCE, order_values(customer_name=name, call_notes="1' OR '1'='1"))
		assert status == 200, body
		frappe.db.rollback()
		assert frappe.db.get_value("Manual Order", body["data"]["name"], "customer_name") == name
		assert frappe.db.table_exists("Lead")

	@committed
	def test_server_owned_fields_sent_by_a_client_are_ignored(self):
		forged = order_values(
			estimated_price=1,
			base_price=1,
			price_low=1,
			agent=OTHER_AGENT,
			consent_fingerprint="0" * 64,
			consent_recorded_by=MANAGER,
			consent_recorded_at="2020-01-01 00:00:00",
			lead_lock="CRM-LEAD-FAKE",
		)
		status, body = Api(AGENT).post(RESOURCE, forged)
		assert status == 200, body
		data = body["data"]
		assert (data["estimated_price"], data["agent"], data["docstatus"]) == (30500, AGENT, 0)
		assert not data.get("consent_fingerprint") and not data.get("consent_recorded_by")
		assert not data.get("lead_lock")

	@committed
	def test_a_client_cannot_create_a_submitted_order_without_consent(self):
		status, body = Api(AGENT).post(RESOURCE, order_values(docstatus=1))
		assert status == 417 and body["exc_type"] == "ConsentRequired", body

	# Races

	@committed
	def test_twenty_concurrent_submits_give_one_created_order_and_one_set_of_messages(self):
		with as_user(AGENT):
			order = frappe.get_doc(with_consent(order_values(whatsapp_no=""))).insert()
		frappe.db.commit()  # nosemgrep
		api = Api(AGENT)
		doc = order.as_dict(convert_dates_to_str=True)
		barrier = threading.Barrier(20)

		def submit(_):
			barrier.wait()
			return api.post("/api/method/frappe.client.submit", {"doc": doc})

		with ThreadPoolExecutor(max_workers=20) as pool:
			results = list(pool.map(submit, range(20)))
		frappe.db.rollback()
		assert [status for status, _ in results].count(200) == 1, [s for s, _ in results]
		assert frappe.db.get_value("Manual Order", order.name, "docstatus") == 1
		messages = frappe.get_all(
			"Manual Order Message", filters={"manual_order": order.name}, fields=["notification", "channel"]
		)
		sent = [(m.notification, m.channel) for m in messages]
		assert sent and len(sent) == len(set(sent))  # one message per Notification and channel, never two

	# Faults

	@committed
	def test_the_app_recovers_when_mariadb_drops_every_connection(self):
		"""What clients of a restarted MariaDB see: every connection of the site's user cut."""
		api = Api(AGENT)
		assert api.post(RESOURCE, order_values())[0] == 200
		user = frappe.conf.db_name
		ids = [
			row[0]
			for row in frappe.db.sql("select id from information_schema.processlist where user = %s", user)
		]
		own = frappe.db.sql("select connection_id()")[0][0]
		for connection in ids:
			if connection != own:
				frappe.db.sql(f"kill connection {int(connection)}")
		assert api.post(RESOURCE, order_values())[0] == 200
		with self.assertRaises(Exception):
			frappe.db.sql(f"kill connection {int(own)}")
		frappe.db.connect()  # the test's own connection, as a new request would
		assert frappe.db.sql("select 1")[0][0] == 1


class TestPermissionMatrix(SiteTestCase):
	"""Permission matrix: role x action, every cell asserted."""

	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		frappe.set_user("Administrator")
		cls.matrix_docs = make_matrix_docs()

	def test_permission_matrix(self):
		for role, action in CELLS:
			with self.subTest(case=f"{role} | {action}"):
				fresh_case()
				allowed = role in ALLOWED[action]
				with as_user(USERS[role]):
					if allowed:
						attempt(action, self.matrix_docs)
					else:
						with self.assertRaises((frappe.PermissionError, frappe.ValidationError)) as raised:
							attempt(action, self.matrix_docs)
						assert (
							isinstance(raised.exception, frappe.PermissionError)
							or "permission" in str(raised.exception).lower()
							or "not allowed" in str(raised.exception).lower()
						)

	def test_guest_gets_nothing_over_rest_but_the_webhook(self):
		guest = Api(None)
		assert guest.get(f"{RESOURCE}/{self.matrix_docs.draft}")[0] == 403
		assert guest.post(RESOURCE, order_values())[0] == 403
		for method in ("make_manual_order", "check_order", "get_catalogue_options", "resend_message"):
			assert guest.post(f"/api/method/manual_orders.api.{method}", {})[0] == 403
		status, _ = guest.request("POST", "/api/method/manual_orders.api.whatsapp_webhook", data=b"{}")
		assert status == 403  # reachable, but refused without a valid signature
