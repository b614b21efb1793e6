"""Issue 26: the side doors an adversarial review found, over HTTP, as another agent, another
partner's user, operations, a plain desk user and a Website User. Each test asserts what came
back and what the database holds afterwards.

HTTP here is Frappe's own WSGI application with API-key auth (`Api`), and for the review's
two worst attacks the site served by `frappe serve` (`TestOverServedHttp`).
"""

import json
from urllib.parse import quote

import frappe
from frappe.installer import update_site_config

from manual_orders.patches import remove_shares_beyond_the_rule
from manual_orders.permissions.query_fields.guard import SWITCH_OFF_KEY
from manual_orders.pickup import todos as pickup_todos
from manual_orders.tests import utils
from manual_orders.tests.test_pickups import (
	OPERATIONS_USER,
	OTHER_PARTNER_USER,
	PARTNER_USER,
	PickupTestCase,
	created,
	make_partner,
)
from manual_orders.tests.test_record_guard import ATTEMPTS, save_attempt_counts
from manual_orders.tests.utils import (
	AGENT,
	MANAGER,
	OTHER_AGENT,
	PLAIN_USER,
	as_user,
	delete_orders,
	make_user,
	server_messages,
)

DOCTYPE = "Manual Order"
WEBSITE_USER = "website.user@manual-orders.test"
SYSTEM_MANAGER = "system.manager@manual-orders.test"
FIELD_REFUSED = "FieldExpressionRefused"

# The review's expressions and their family: nested functions, subqueries in any argument,
# string and hex literals, `||`, variables, comments.
EXPRESSIONS = [
	"replace(name, name, (select sid from `tabSessions` limit 1))",
	"replace(name, (select upi_id from `tabManual Order` limit 1), name)",
	"concat_ws(name, upi_id, agent, consent_customer_words, call_notes, lead)",
	"max((select api_key from `tabUser` where api_key is not null limit 1))",
	"count(distinct (select upi_id from `tabManual Order` limit 1))",
	"lower(upper(name))",
	"'literal' as name",
	"0x61646d696e as name",
	"name || 'x'",
	"@@version",
	"name /* comment */",
	"name -- comment",
]
LIST_DOCTYPES = ("Manual Order", "ToDo", "User", "Lead", "Comment", "File")


# Who each test user is to the orders of these tests (AGENT owns them), for the counts of
# requests per path and role in docs/SECURITY.md (MANUAL_ORDERS_MATRIX_COUNTS).
ROLES = {
	AGENT: "owner",
	OTHER_AGENT: "another agent",
	PARTNER_USER: "pickup partner",
	OTHER_PARTNER_USER: "another partner",
	OPERATIONS_USER: "operations",
	PLAIN_USER: "desk user",
	WEBSITE_USER: "website user",
	MANAGER: "manager",
	SYSTEM_MANAGER: "system manager",
}


def endpoint(path: str) -> str:
	"""The path a request took, as the counts name it."""
	path = path.split("?")[0]
	if path.startswith("/api/method/"):
		return path[len("/api/method/") :]
	for prefix in ("/api/resource/", "/api/v2/document/"):
		if path.startswith(prefix):
			kind = "document" if "/" in path[len(prefix) :] else "list"
			return f"{prefix.rstrip('/')} ({kind})"
	return path


def count_attempt(path: str, user: str) -> None:
	ATTEMPTS[(f"issue 26: {endpoint(path)}", ROLES.get(user, user))] += 1


class Api(utils.Api):
	"""`utils.Api`, counting each request by path and role."""

	def __init__(self, user: str | None):
		super().__init__(user)
		self.user = user

	def request(self, method: str, path: str, payload=None, data: bytes | None = None, headers=None):
		count_attempt(path, self.user)
		return super().request(method, path, payload, data, headers)


def make_website_user(email: str = WEBSITE_USER) -> str:
	if not frappe.db.exists("User", email):
		key = email.split("@")[0]
		frappe.get_doc(
			{
				"doctype": "User",
				"email": email,
				"first_name": "Website",
				"send_welcome_email": 0,
				"user_type": "Website User",
				"api_key": key.replace(".", "-"),
				"api_secret": "secret-" + key,
			}
		).insert(ignore_permissions=True)
	return email


def list_paths(doctype: str, field: str) -> list[tuple[str, str, dict | None]]:
	"""Every list and value path of Frappe 15, asking for `field`."""
	fields = json.dumps(["name", field])
	return [
		("GET", f"/api/resource/{quote(doctype)}?fields={quote(fields)}", None),
		("GET", f"/api/v2/document/{quote(doctype)}?fields={quote(fields)}", None),
		("POST", "/api/method/frappe.client.get_list", {"doctype": doctype, "fields": fields}),
		("POST", "/api/method/frappe.client.get_value", {"doctype": doctype, "fieldname": field}),
		("POST", "/api/method/frappe.desk.reportview.get", {"doctype": doctype, "fields": fields}),
	]


def error_logs() -> int:
	return frappe.db.count("Error Log")


class SideDoorCase(PickupTestCase):
	"""Orders committed for the HTTP requests, removed after each test with what hangs off them."""

	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		make_website_user()
		make_user(SYSTEM_MANAGER, "System Manager")
		frappe.db.commit()  # nosemgrep: users shared with the HTTP threads

	def setUp(self):
		super().setUp()
		self.orders = []

	def tearDown(self):
		frappe.db.rollback()
		for name in self.orders:
			frappe.db.delete("DocShare", {"share_doctype": DOCTYPE, "share_name": name})
			frappe.db.delete("Communication", {"reference_doctype": DOCTYPE, "reference_name": name})
		delete_orders(self.orders)
		frappe.db.commit()  # nosemgrep
		super().tearDown()

	@classmethod
	def tearDownClass(cls):
		save_attempt_counts()
		super().tearDownClass()

	def order(self, agent: str = AGENT, **values):
		secret = f"sec{frappe.generate_hash(length=8)}"
		order = created(agent, upi_id=f"{secret}@okhdfc", call_notes=f"NOTE{secret}", **values)
		self.orders.append(order.name)
		frappe.db.commit()  # nosemgrep: the HTTP requests read committed rows
		return order, secret


class TestFieldsAreColumns(SideDoorCase):
	def test_every_expression_is_refused_on_every_list_path_for_every_doctype(self):
		theirs, secret = self.order(AGENT)
		logs, failures, attempts = error_logs(), [], 0
		for user in (OTHER_AGENT, PLAIN_USER):
			api = Api(user)
			for doctype in LIST_DOCTYPES:
				for expression in EXPRESSIONS:
					for method, path, payload in list_paths(doctype, expression):
						attempts += 1
						status, body = api.request(method, path, payload)
						if (
							status != 417
							or FIELD_REFUSED not in json.dumps(body)
							or secret in json.dumps(body)
						):
							failures.append(
								f"{user} {doctype} {path} {expression}: {status} {str(body)[:200]}"
							)
		self.assertEqual(failures, [], "\n".join(failures[:20]))
		self.assertEqual(attempts, 2 * len(LIST_DOCTYPES) * len(EXPRESSIONS) * 5)
		frappe.db.rollback()
		self.assertEqual(error_logs(), logs)  # refused before any query ran, nothing crashed
		self.assertEqual(frappe.db.get_value(DOCTYPE, theirs.name, "upi_id"), f"{secret}@okhdfc")

	def test_a_website_user_listing_their_todos_runs_no_subquery(self):
		theirs, secret = self.order(OTHER_AGENT)
		subquery = f"replace(name, name, (select upi_id from `tabManual Order` where name = '{theirs.name}'))"
		api = Api(WEBSITE_USER)
		for method, path, payload in list_paths("ToDo", subquery):
			status, body = api.request(method, path, payload)
			self.assertEqual(status, 417, (path, body))
			self.assertNotIn(secret, json.dumps(body))

	def test_a_partner_reads_no_hidden_field_through_fields(self):
		make_partner("Test Alpha", users=[PARTNER_USER])
		order, secret = self.order(AGENT)
		self.assertEqual(order.pickup_partner, "Test Alpha")
		partner = Api(PARTNER_USER)
		review = "concat_ws(upi_id, agent, estimated_price, consent_customer_words, call_notes, lead)"
		for method, path, payload in list_paths(DOCTYPE, review):
			status, body = partner.request(method, path, payload)
			self.assertEqual(status, 417, (path, body))
			self.assertNotIn(secret, json.dumps(body))
		for field in ("count(distinct upi_id)", "max(call_notes) as x", "lead.email_id", "agent.full_name"):
			for method, path, payload in list_paths(DOCTYPE, field):
				status, body = partner.request(method, path, payload)
				self.assertEqual(status, 403, (field, path, body))
				self.assertNotIn(secret, json.dumps(body))
		# a plain hidden column is left out of the answer (Frappe's desk asks for every Currency field)
		status, body = partner.get(
			f"/api/resource/Manual Order?fields={quote(json.dumps(['name', 'upi_id', '`tabManual Order`.`call_notes`']))}"
		)
		self.assertEqual(status, 200, body)
		self.assertEqual(body["data"], [{"name": order.name}])
		status, body = partner.post(
			"/api/method/frappe.client.get_value",
			{"doctype": DOCTYPE, "fieldname": json.dumps(["customer_name", "upi_id"]), "filters": order.name},
		)
		self.assertEqual((status, body["message"]), (200, {"customer_name": order.customer_name}))

	def test_the_desk_list_and_report_views_work_with_the_guard_on(self):
		make_partner("Test Alpha", users=[PARTNER_USER])
		first, _secret = self.order(AGENT)
		second, _secret = self.order(AGENT)
		mine = {first.name, second.name}
		table = "`tabManual Order`"
		# what Frappe's list view sends (base_list.js get_args), the hidden Currency field included
		list_view = {
			"doctype": DOCTYPE,
			"fields": json.dumps(
				[
					f"{table}.`{f}`"
					for f in ("name", "owner", "modified", "docstatus", "_comments", "_assign", "_liked_by")
				]
				+ [f"{table}.`customer_name`", f"{table}.`estimated_price`", f"{table}.`currency`"]
			),
			"filters": json.dumps([[DOCTYPE, "name", "in", sorted(mine)]]),
			"order_by": f"{table}.`modified` desc",
			"start": 0,
			"page_length": 20,
			"view": "List",
			"with_comment_count": 1,
		}
		for user in (AGENT, PARTNER_USER):
			status, body = Api(user).post("/api/method/frappe.desk.reportview.get", list_view)
			self.assertEqual(status, 200, (user, body))
			keys, values = body["message"]["keys"], body["message"]["values"]
			self.assertEqual({row[keys.index("name")] for row in values}, mine)
			self.assertEqual("estimated_price" in keys, user == AGENT, keys)
		# the list view filtered on a child table groups by the order (base_list.js get_args)
		question = first.conditions[0].question
		grouped = {
			**list_view,
			"filters": json.dumps(
				[
					[DOCTYPE, "name", "in", sorted(mine)],
					["Manual Order Condition", "question", "=", question],
				]
			),
			"group_by": f"{table}.`name`",
		}
		status, body = Api(AGENT).post("/api/method/frappe.desk.reportview.get", grouped)
		self.assertEqual(status, 200, body)
		keys, values = body["message"]["keys"], body["message"]["values"]
		self.assertEqual(sorted(row[keys.index("name")] for row in values), sorted(mine))
		# the report view: group-by with a sum, and child-table columns as the report view names them
		report_view = {
			"doctype": DOCTYPE,
			"fields": json.dumps([f"{table}.`device_model`"]),
			"filters": json.dumps([[DOCTYPE, "name", "in", sorted(mine)]]),
			"group_by": f"{table}.`device_model`",
			"aggregate_on_field": "price_low",
			"aggregate_on_doctype": DOCTYPE,
			"aggregate_function": "sum",
			"order_by": "_aggregate_column desc",
			"with_comment_count": 0,
			"view": "Report",
		}
		status, body = Api(AGENT).post("/api/method/frappe.desk.reportview.get", report_view)
		self.assertEqual(status, 200, body)
		keys, values = body["message"]["keys"], body["message"]["values"]
		self.assertEqual(len(values), 1)
		self.assertEqual(values[0][keys.index("_aggregate_column")], first.price_low + second.price_low)
		child_columns = [
			f"{table}.`name`",
			"`tabManual Order Condition`.`question` as 'Manual Order Condition:question'",
			"`tabManual Order Condition`.`name` as 'Manual Order Condition:name'",
		]
		status, body = Api(AGENT).post(
			"/api/method/frappe.desk.reportview.get",
			{"doctype": DOCTYPE, "fields": json.dumps(child_columns), "filters": report_view["filters"]},
		)
		self.assertEqual(status, 200, body)
		keys, values = body["message"]["keys"], body["message"]["values"]
		self.assertIn("Manual Order Condition:question", keys)
		self.assertEqual(len(values), len(first.conditions) + len(second.conditions))
		# counts, the sidebar, number cards and charts, as the desk sends them
		checks = [
			(
				"frappe.desk.reportview.get_count",
				{"doctype": DOCTYPE, "filters": list_view["filters"], "fields": "[]"},
				2,
			),
			(
				"frappe.desk.doctype.number_card.number_card.get_result",
				{
					"doc": json.dumps(
						{
							"function": "Sum",
							"aggregate_function_based_on": "price_low",
							"document_type": DOCTYPE,
						}
					),
					"filters": list_view["filters"],
				},
				first.price_low + second.price_low,
			),
			(
				"frappe.desk.doctype.number_card.number_card.get_result",
				{
					"doc": json.dumps({"function": "Count", "document_type": DOCTYPE}),
					"filters": list_view["filters"],
				},
				2,
			),
		]
		for method, payload, expected in checks:
			status, body = Api(AGENT).post(f"/api/method/{method}", payload)
			self.assertEqual((status, body.get("message")), (200, expected), method)
		chart = {
			"chart_type": "Group By",
			"document_type": DOCTYPE,
			"group_by_based_on": "device_model",
			"group_by_type": "Count",
			"filters_json": list_view["filters"],
		}
		# as the desk previews an unsaved chart (with `no_cache` Frappe reads only its filters_json)
		status, body = Api(AGENT).post(
			"/api/method/frappe.desk.doctype.dashboard_chart.dashboard_chart.get",
			{"chart": json.dumps(chart), "no_cache": 1},
		)
		self.assertEqual(status, 200, body)
		self.assertEqual(body["message"]["datasets"][0]["values"], [2])
		for field in ("device_model", "assigned_to", "owner"):
			status, body = Api(AGENT).post(
				"/api/method/frappe.desk.listview.get_group_by_count",
				{"doctype": DOCTYPE, "current_filters": list_view["filters"], "field": field},
			)
			self.assertEqual(status, 200, (field, body))
		status, body = Api(AGENT).post(
			"/api/method/frappe.desk.reportview.get_sidebar_stats",
			{"doctype": DOCTYPE, "stats": json.dumps(["_user_tags"]), "filters": list_view["filters"]},
		)
		self.assertEqual(status, 200, body)

	def test_erpnext_lists_and_frappe_lists_work_with_the_guard_on(self):
		requests = [
			(
				"/api/resource/Lead",
				{
					"fields": '["name", "lead_name", "`tabLead`.`status`", "count(name) as n"]',
					"group_by": "status",
				},
			),
			(
				"/api/resource/Item",
				{"fields": '["name", "item_group", "max(modified)"]', "group_by": "item_group"},
			),
			("/api/resource/Company", {"fields": '["name", "default_currency as currency"]'}),
			("/api/resource/ToDo", {"fields": '["*"]'}),
			(
				"/api/resource/Company",
				{"fields": '["name", "max(creation) as latest", "count(name) as n"]', "group_by": "name"},
			),
			(
				"/api/resource/Translation",
				{"fields": '["name", "language", "translated_text as translation"]'},
			),
		]
		for path, params in requests:
			query = "&".join(f"{key}={quote(value)}" for key, value in params.items())
			status, body = Api(SYSTEM_MANAGER).get(f"{path}?{query}")
			self.assertEqual(status, 200, (path, body))

	def test_the_calendars_field_map_is_columns_too(self):
		make_partner("Test Alpha", users=[PARTNER_USER])
		order, secret = self.order(AGENT)
		calendar = "/api/method/frappe.desk.calendar.get_events"
		window = {"doctype": DOCTYPE, "start": "2000-01-01", "end": "2100-01-01"}
		readable = {"start": "pickup_date", "end": "pickup_date", "title": "customer_name"}
		subquery = "replace(name, name, (select upi_id from `tabManual Order` limit 1))"
		status, body = Api(AGENT).post(
			calendar, {**window, "field_map": json.dumps({**readable, "title": subquery})}
		)
		self.assertEqual(status, 417, body)
		status, body = Api(PARTNER_USER).post(
			calendar, {**window, "field_map": json.dumps({**readable, "start": "consent_recorded_at"})}
		)
		self.assertEqual(status, 403, body)
		self.assertNotIn(secret, json.dumps(body))
		status, body = Api(PARTNER_USER).post(calendar, {**window, "field_map": json.dumps(readable)})
		self.assertEqual(status, 200, body)
		self.assertEqual([row["name"] for row in body["message"]], [order.name])

	def test_an_admin_switches_the_guard_off_in_site_config(self):
		path = f"/api/resource/ToDo?fields={quote(json.dumps(['name', 'upper(name) as upper_name']))}"
		self.assertEqual(Api(AGENT).get(path)[0], 417)
		update_site_config(SWITCH_OFF_KEY, 1)
		try:
			status, body = Api(AGENT).get(path)
		finally:
			update_site_config(SWITCH_OFF_KEY, None)
		self.assertEqual(status, 200, body)
		self.assertEqual(Api(AGENT).get(path)[0], 417)


class TestOracles(SideDoorCase):
	def test_cards_charts_and_counts_answer_nothing_about_a_hidden_field(self):
		make_partner("Test Alpha", users=[PARTNER_USER])
		order, secret = self.order(AGENT)
		partner = Api(PARTNER_USER)
		upi = [[DOCTYPE, "upi_id", "like", f"{secret}%"]]
		attempts = [
			(
				"frappe.desk.doctype.number_card.number_card.get_result",
				{
					"doc": json.dumps({"function": "Count", "document_type": DOCTYPE}),
					"filters": json.dumps(upi),
				},
			),
			(
				"frappe.desk.doctype.number_card.number_card.get_result",
				{
					"doc": json.dumps(
						{"function": "Count", "document_type": DOCTYPE, "filters_json": json.dumps(upi)}
					),
					"filters": "[]",
				},
			),
			(
				"frappe.desk.doctype.number_card.number_card.get_result",
				{
					"doc": json.dumps(
						{
							"function": "Sum",
							"aggregate_function_based_on": "estimated_price",
							"document_type": DOCTYPE,
						}
					),
					"filters": "[]",
				},
			),
			(
				"frappe.desk.doctype.dashboard_chart.dashboard_chart.get",
				{
					"chart": json.dumps(
						{
							"chart_type": "Group By",
							"document_type": DOCTYPE,
							"group_by_based_on": "upi_id",
							"group_by_type": "Count",
						}
					),
					"no_cache": 1,
				},
			),
			(
				"frappe.desk.doctype.dashboard_chart.dashboard_chart.get",
				{
					"chart": json.dumps(
						{
							"chart_type": "Group By",
							"document_type": DOCTYPE,
							"group_by_based_on": "device_model",
							"group_by_type": "Count",
							"filters_json": json.dumps(upi),
						}
					),
					"no_cache": 1,
				},
			),
			(
				"frappe.desk.reportview.get",
				{
					"doctype": DOCTYPE,
					"fields": '["name"]',
					"group_by": "name",
					"aggregate_on_field": "estimated_price",
					"aggregate_on_doctype": DOCTYPE,
					"aggregate_function": "sum",
				},
			),
			(
				"frappe.desk.listview.get_group_by_count",
				{"doctype": DOCTYPE, "current_filters": json.dumps(upi), "field": "owner"},
			),
			(
				"frappe.desk.reportview.get_sidebar_stats",
				{"doctype": DOCTYPE, "stats": '["_user_tags"]', "filters": json.dumps(upi)},
			),
			("frappe.desk.reportview.get_count", {"doctype": DOCTYPE, "filters": json.dumps(upi)}),
		]
		for method, payload in attempts:
			status, body = partner.post(f"/api/method/{method}", payload)
			self.assertEqual(status, 403, (method, payload, body))
		# the same card on a readable field answers
		status, body = partner.post(
			"/api/method/frappe.desk.doctype.number_card.number_card.get_result",
			{
				"doc": json.dumps({"function": "Count", "document_type": DOCTYPE}),
				"filters": json.dumps([[DOCTYPE, "name", "=", order.name]]),
			},
		)
		self.assertEqual((status, body.get("message")), (200, 1))

	def test_a_card_or_chart_with_an_expression_is_neither_run_nor_stored(self):
		expression = "(select upi_id from `tabManual Order` limit 1)"
		status, body = Api(AGENT).post(
			"/api/method/frappe.desk.doctype.number_card.number_card.get_result",
			{
				"doc": json.dumps(
					{"function": "Sum", "aggregate_function_based_on": expression, "document_type": "ToDo"}
				),
				"filters": "[]",
			},
		)
		self.assertEqual(status, 417, body)
		cards = frappe.db.count("Number Card")
		status, body = Api(AGENT).post(
			"/api/method/frappe.desk.doctype.number_card.number_card.create_number_card",
			{
				"args": json.dumps(
					{
						"label": "probe",
						"type": "Document Type",
						"document_type": "ToDo",
						"function": "Sum",
						"aggregate_function_based_on": expression,
					}
				)
			},
		)
		self.assertEqual(status, 417, body)
		charts = frappe.db.count("Dashboard Chart")
		status, body = Api(AGENT).post(
			"/api/method/frappe.desk.doctype.dashboard_chart.dashboard_chart.create_dashboard_chart",
			{
				"args": json.dumps(
					{
						"chart_name": "probe",
						"chart_type": "Group By",
						"document_type": "ToDo",
						"group_by_based_on": expression,
						"group_by_type": "Count",
					}
				)
			},
		)
		self.assertEqual(status, 417, body)
		frappe.db.rollback()
		self.assertEqual(
			(frappe.db.count("Number Card"), frappe.db.count("Dashboard Chart")), (cards, charts)
		)


class TestEmailCopies(SideDoorCase):
	def private_file(self, order, agent: str = AGENT):
		with as_user(agent):
			file = frappe.get_doc(
				{
					"doctype": "File",
					"file_name": f"pan-{frappe.generate_hash(length=6)}.txt",
					"content": b"SECRET PAN " + frappe.generate_hash(length=10).encode(),
					"attached_to_doctype": DOCTYPE,
					"attached_to_name": order.name,
					"is_private": 1,
				}
			).insert()
		frappe.db.commit()  # nosemgrep
		return file

	def test_another_agents_private_file_is_not_mailed(self):
		order, _secret = self.order(AGENT)
		file = self.private_file(order)
		communications = frappe.db.count("Communication")
		payload = {
			"recipients": "outsider@example.invalid",
			"subject": "probe",
			"content": "see attached",
			"send_email": 1,
			"attachments": json.dumps([file.name]),
		}
		for user in (OTHER_AGENT, PLAIN_USER, PARTNER_USER):
			status, body = Api(user).post("/api/method/frappe.core.doctype.communication.email.make", payload)
			self.assertEqual(status, 403, (user, body))
			self.assertNotIn("SECRET PAN", json.dumps(body))
		frappe.db.rollback()
		self.assertEqual(frappe.db.count("Communication"), communications)
		self.assertEqual(
			frappe.get_all("File", filters={"file_url": file.file_url}, pluck="name"), [file.name]
		)
		self.assertFalse(frappe.db.exists("Email Queue", {"message": ("like", "%probe%")}))

	def test_the_agent_mails_their_own_file_and_a_copy_is_checked_on_every_server_path(self):
		order, _secret = self.order(AGENT)
		file = self.private_file(order)
		status, body = Api(AGENT).post(
			"/api/method/frappe.core.doctype.communication.email.make",
			{
				"doctype": DOCTYPE,
				"name": order.name,
				"recipients": "customer@example.invalid",
				"subject": "your documents",
				"content": "attached",
				"send_email": 0,
				"attachments": json.dumps([file.name]),
			},
		)
		self.assertEqual(status, 200, body)
		frappe.db.rollback()
		self.assertEqual(frappe.db.count("File", {"file_url": file.file_url}), 2)
		with as_user(OTHER_AGENT), self.assertRaises(frappe.PermissionError):
			frappe.get_doc(
				{"doctype": "File", "file_url": file.file_url, "attached_to_doctype": "ToDo", "is_private": 1}
			).insert(ignore_permissions=True)
		self.assertEqual(frappe.db.count("File", {"file_url": file.file_url}), 2)


class TestSharesAndAssignments(SideDoorCase):
	def test_assign_to_another_agent_shares_nothing_and_writes_nothing(self):
		order, secret = self.order(AGENT)
		assign_before = frappe.db.get_value(DOCTYPE, order.name, "_assign")
		status, body = Api(MANAGER).post(
			"/api/method/frappe.desk.form.assign_to.add",
			{"doctype": DOCTYPE, "name": order.name, "assign_to": json.dumps([OTHER_AGENT])},
		)
		self.assertEqual(status, 403, body)
		self.assertIn(OTHER_AGENT, server_messages(body))
		for rights in ({"read": 1}, {"read": 1, "write": 1}, {"read": 1, "share": 1}):
			status, body = Api(MANAGER).post(
				"/api/method/frappe.share.add",
				{"doctype": DOCTYPE, "name": order.name, "user": OTHER_AGENT, **rights},
			)
			self.assertEqual(status, 403, (rights, body))
		status, body = Api(AGENT).post(
			"/api/method/frappe.share.add", {"doctype": DOCTYPE, "name": order.name, "everyone": 1}
		)
		self.assertEqual(status, 403, body)
		other = Api(OTHER_AGENT)
		self.assertEqual(other.get(f"/api/resource/Manual Order/{order.name}")[0], 403)
		status, body = other.put(f"/api/resource/Manual Order/{order.name}", {"upi_id": "thief@okaxis"})
		self.assertEqual(status, 403, body)
		frappe.db.rollback()
		self.assertFalse(frappe.db.exists("DocShare", {"share_doctype": DOCTYPE, "share_name": order.name}))
		self.assertFalse(
			frappe.db.exists("ToDo", {"reference_name": order.name, "allocated_to": OTHER_AGENT})
		)
		stored = frappe.db.get_value(DOCTYPE, order.name, ["upi_id", "_assign", "modified_by"], as_dict=True)
		self.assertEqual((stored.upi_id, stored._assign), (f"{secret}@okhdfc", assign_before))
		self.assertNotEqual(stored.modified_by, OTHER_AGENT)

	def test_assign_to_a_user_who_may_read_the_order_still_works(self):
		order, _secret = self.order(AGENT)
		status, body = Api(MANAGER).post(
			"/api/method/frappe.desk.form.assign_to.add",
			{"doctype": DOCTYPE, "name": order.name, "assign_to": json.dumps([OPERATIONS_USER])},
		)
		self.assertEqual(status, 200, body)
		frappe.db.rollback()
		self.assertTrue(
			frappe.db.exists("ToDo", {"reference_name": order.name, "allocated_to": OPERATIONS_USER})
		)
		self.assertFalse(frappe.db.exists("DocShare", {"share_doctype": DOCTYPE, "share_name": order.name}))

	def test_shares_made_before_are_removed_by_the_patch(self):
		order, _secret = self.order(AGENT)
		share = frappe.get_doc(
			{
				"doctype": "DocShare",
				"share_doctype": DOCTYPE,
				"share_name": order.name,
				"user": OTHER_AGENT,
				"read": 1,
				"write": 1,
			}
		)
		share.db_insert()  # as Frappe's Assign To stored it before the fix
		kept = frappe.get_doc(
			{
				"doctype": "DocShare",
				"share_doctype": DOCTYPE,
				"share_name": order.name,
				"user": MANAGER,
				"read": 1,
			}
		)
		kept.db_insert()
		with as_user(OTHER_AGENT):
			self.assertTrue(frappe.has_permission(DOCTYPE, "write", order.name))
		remove_shares_beyond_the_rule.execute()
		self.assertFalse(frappe.db.exists("DocShare", share.name))
		self.assertTrue(frappe.db.exists("DocShare", kept.name))
		with as_user(OTHER_AGENT):
			self.assertFalse(frappe.has_permission(DOCTYPE, "read", order.name))

	def test_a_stray_todo_is_refused_and_the_partner_still_gets_theirs(self):
		make_partner("Test Alpha", users=[PARTNER_USER])
		order, _secret = self.order(AGENT)
		frappe.db.delete("ToDo", {"reference_name": order.name})  # as if the minute's job had not run yet
		frappe.db.set_value(DOCTYPE, order.name, "_assign", None, update_modified=False)
		frappe.db.commit()  # nosemgrep
		comments = frappe.db.count("Comment", {"reference_name": order.name})
		todo = {
			"allocated_to": OTHER_AGENT,
			"reference_type": DOCTYPE,
			"reference_name": order.name,
			"description": "probe",
		}
		for user in (OTHER_AGENT, PLAIN_USER, OTHER_PARTNER_USER, WEBSITE_USER):
			for path in ("/api/resource/ToDo", "/api/method/frappe.client.insert"):
				payload = (
					todo
					if path.startswith("/api/resource")
					else {"doc": json.dumps({"doctype": "ToDo", **todo})}
				)
				status, body = Api(user).post(path, payload)
				self.assertIn(status, (403, 417), (user, path, body))
		# the agent may not plant a ToDo for a user who may not read the order either
		status, body = Api(AGENT).post("/api/resource/ToDo", {**todo, "allocated_to": PLAIN_USER})
		self.assertEqual(status, 403, body)
		frappe.db.rollback()
		self.assertEqual(frappe.get_all("ToDo", filters={"reference_name": order.name}), [])
		self.assertEqual(frappe.db.count("Comment", {"reference_name": order.name}), comments)
		self.assertFalse(frappe.db.get_value(DOCTYPE, order.name, "_assign"))
		# a ToDo stored before the fix does not stop the partner's
		frappe.get_doc({"doctype": "ToDo", **todo}).insert(ignore_permissions=True)
		pickup_todos.ensure_todos()
		self.assertEqual(
			set(
				frappe.get_all(
					"ToDo", filters={"reference_name": order.name, "status": "Open"}, pluck="allocated_to"
				)
			),
			{OTHER_AGENT, PARTNER_USER},
		)


class TestLikesAndComments(SideDoorCase):
	def test_likes_need_read_permission(self):
		order, _secret = self.order(AGENT)
		for user in (OTHER_AGENT, PLAIN_USER, WEBSITE_USER):
			status, body = Api(user).post(
				"/api/method/frappe.desk.like.toggle_like",
				{"doctype": DOCTYPE, "name": order.name, "add": "Yes"},
			)
			self.assertEqual(status, 403, (user, body))
		frappe.db.rollback()
		self.assertFalse(frappe.db.get_value(DOCTYPE, order.name, "_liked_by"))
		self.assertFalse(frappe.db.exists("Comment", {"reference_name": order.name, "comment_type": "Like"}))
		status, body = Api(AGENT).post(
			"/api/method/frappe.desk.like.toggle_like", {"doctype": DOCTYPE, "name": order.name, "add": "Yes"}
		)
		self.assertEqual(status, 200, body)
		frappe.db.rollback()
		self.assertEqual(json.loads(frappe.db.get_value(DOCTYPE, order.name, "_liked_by")), [AGENT])

	def test_a_comment_is_signed_by_who_writes_it(self):
		make_partner("Test Alpha", users=[PARTNER_USER])
		order, _secret = self.order(AGENT)
		for user in (PARTNER_USER, OPERATIONS_USER):
			status, body = Api(user).post(
				"/api/method/frappe.desk.form.utils.add_comment",
				{
					"reference_doctype": DOCTYPE,
					"reference_name": order.name,
					"content": f"price agreed by {user}",
					"comment_email": AGENT,
					"comment_by": "Agent One",
				},
			)
			self.assertEqual(status, 200, (user, body))
		frappe.db.rollback()
		stored = frappe.get_all(
			"Comment",
			filters={"reference_name": order.name, "comment_type": "Comment"},
			fields=["comment_email", "owner", "content"],
		)
		self.assertEqual(
			sorted((c.comment_email, c.owner) for c in stored),
			sorted([(PARTNER_USER, PARTNER_USER), (OPERATIONS_USER, OPERATIONS_USER)]),
		)


class TestOverServedHttp(SideDoorCase):
	"""The review's two worst attacks against the site served by `frappe serve`."""

	def test_subqueries_and_the_partners_expression_are_refused_by_the_served_site(self):
		import requests

		from manual_orders.tests.test_agent_desk_e2e import serve_site

		make_partner("Test Alpha", users=[PARTNER_USER])
		order, secret = self.order(AGENT)
		url, server = serve_site()
		try:
			sessions = "replace(name, name, (select sid from `tabSessions` limit 1))"
			for user, field in (
				(WEBSITE_USER, sessions),
				(OTHER_AGENT, sessions),
				(
					PARTNER_USER,
					"concat_ws(upi_id, agent, estimated_price, consent_customer_words, call_notes, lead)",
				),
			):
				key = user.split("@")[0]
				headers = {
					"Authorization": f"token {key.replace('.', '-')}:secret-{key}",
					"Accept": "application/json",
				}
				doctype = "ToDo" if user == WEBSITE_USER else DOCTYPE
				count_attempt(f"/served{endpoint(f'/api/resource/{doctype}')}", user)
				response = requests.get(
					f"{url}/api/resource/{doctype}",
					params={"fields": json.dumps(["name", field])},
					headers=headers,
					timeout=30,
				)
				self.assertEqual(response.status_code, 417, (user, response.text[:300]))
				self.assertNotIn(secret, response.text)
			status = requests.get(
				f"{url}/api/resource/{DOCTYPE}",
				params={"fields": json.dumps(["name", "customer_name"])},
				headers={
					"Authorization": "token partner-one:secret-partner.one",
					"Accept": "application/json",
				},
				timeout=30,
			)
			self.assertEqual(status.status_code, 200, status.text[:300])
			self.assertEqual([row["name"] for row in status.json()["data"]], [order.name])
		finally:
			server.terminate()
			server.wait(timeout=30)
