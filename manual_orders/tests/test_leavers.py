"""People who leave: no way in for them, over real HTTP, and their open work finds an owner.

`TestNoWayIn` talks to the site served by Frappe in a process of its own (real HTTP, real
sessions, API keys and an OAuth bearer token) and reads back from MariaDB what is stored.
`TestHandover` disables users in-process and asserts every record their work touched.
"""

import inspect

import frappe
import requests
from frappe.utils import add_days, now_datetime, nowdate

from manual_orders.leavers import handover
from manual_orders.sop import rules
from manual_orders.tests.utils import (
	AGENT,
	MANAGER,
	OTHER_AGENT,
	SiteTestCase,
	as_user,
	delete_orders,
	make_lead,
	make_pickup_partner,
	make_user,
	order_values,
	remove_pickup_partners,
	served_site,
	stop_serving,
	with_consent,
)

RESOURCE = "/api/resource/Manual Order"
PASSWORD = "Leaver-Pass-2026!"
ADMIN = "admin.leavers@manual-orders.test"


def keyed_user(role: str, prefix: str) -> tuple[str, str]:
	"""A committed user with an API key and a password; returns (email, 'token key:secret')."""
	from frappe.utils.password import update_password

	email = f"{prefix}.{frappe.generate_hash(length=8)}@manual-orders.test"
	make_user(email, role)
	update_password(email, PASSWORD)
	key = email.split("@")[0].replace(".", "-")
	return email, f"token {key}:secret-{email.split('@')[0]}"


def app_methods() -> list[str]:
	"""Every whitelisted method of the app's `api` module, as a client calls it."""
	import manual_orders.api as api

	return sorted(
		f"manual_orders.api.{name}"
		for name, fn in inspect.getmembers(api, inspect.isfunction)
		if fn in frappe.whitelisted and fn.__module__ == api.__name__
	)


def committed_order(agent: str, created: bool) -> str:
	with as_user(agent):
		lead = make_lead()
		values = with_consent(order_values(lead=lead.name)) if created else order_values(lead=lead.name)
		order = frappe.get_doc(values).insert()
		if created:
			order.submit()
	frappe.db.commit()  # nosemgrep: the served site reads it
	return order.name


def disable(user: str) -> None:
	doc = frappe.get_doc("User", user)
	doc.enabled = 0
	doc.save(ignore_permissions=True)


class TestNoWayIn(SiteTestCase):
	"""A disabled user's key, session or token opens nothing; a regenerated key's old secret
	opens nothing; a user taken off a partner loses its pickups with the next request."""

	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		cls.url, cls.server = served_site()
		cls.orders = []

	@classmethod
	def tearDownClass(cls):
		stop_serving(cls.server)
		frappe.db.rollback()
		delete_orders(cls.orders)
		frappe.db.commit()  # nosemgrep: clean-up of committed test orders
		super().tearDownClass()

	def call(self, method: str, path: str, auth: str | None = None, cookies=None, **kwargs):
		headers = {"Accept": "application/json"}
		if auth:
			headers["Authorization"] = auth
		return requests.request(
			method, self.url + path, headers=headers, cookies=cookies, timeout=60, **kwargs
		)

	def every_path(self, draft: str, created: str) -> list[tuple[str, str, dict]]:
		"""(method, path, JSON body): reading, creating, editing, every app method, frappe.client."""
		lead = make_lead().name
		frappe.db.commit()  # nosemgrep: the served site reads it
		new_order = order_values(lead=lead)
		paths = [
			("GET", f"{RESOURCE}/{created}", {}),
			("GET", RESOURCE, {}),
			("POST", RESOURCE, new_order),
			("PUT", f"{RESOURCE}/{created}", {"call_notes": "written after leaving"}),
			("PUT", f"{RESOURCE}/{draft}", {"upi_id": "left@okhdfc"}),
			("GET", f"/api/v2/document/Manual Order/{created}", {}),
		]
		for method in app_methods():
			paths.append(("POST", f"/api/method/{method}", {"order": created, "source_name": lead}))
		client = "/api/method/frappe.client."
		doc = {"doctype": "Manual Order", "name": created}
		paths += [
			("POST", client + "get_list", {"doctype": "Manual Order", "fields": ["name"]}),
			("POST", client + "get", {"doctype": "Manual Order", "name": created}),
			(
				"POST",
				client + "get_value",
				{"doctype": "Manual Order", "filters": created, "fieldname": "name"},
			),
			("POST", client + "get_count", {"doctype": "Manual Order"}),
			("POST", client + "insert", {"doc": new_order}),
			("POST", client + "save", {"doc": {**doc, "call_notes": "saved after leaving"}}),
			(
				"POST",
				client + "set_value",
				{"doctype": "Manual Order", "name": created, "fieldname": "call_notes", "value": "set"},
			),
			("POST", client + "delete", {"doctype": "Manual Order", "name": draft}),
			(
				"POST",
				"/api/method/frappe.desk.form.save.savedocs",
				{"doc": frappe.as_json({**doc, "call_notes": "savedocs"}), "action": "Update"},
			),
			(
				"POST",
				"/api/method/run_doc_method",
				{"dt": "Manual Order", "dn": created, "method": "add_comment", "args": "{}"},
			),
			(
				"POST",
				"/api/method/frappe.desk.reportview.get",
				{"doctype": "Manual Order", "fields": ["name"]},
			),
			("GET", "/api/method/frappe.auth.get_logged_user", {}),
		]
		return paths

	def assert_nothing_opens(self, auth: str | None, cookies, draft: str, created: str, agent: str):
		before = stored_state(agent, draft, created)
		for method, path, body in self.every_path(draft, created):
			kwargs = {"params": body} if method == "GET" else {"json": body}
			response = self.call(method, path, auth, cookies, **kwargs)
			if cookies and response.status_code == 417:
				# Frappe's own session check refuses a disabled user before any hook runs
				assert "is disabled" in response.text, (path, response.text[:300])
				continue
			if path.endswith("get_logged_user") and response.status_code == 200:
				assert response.json()["message"] == "Guest"  # an ended session is a Guest's
				continue
			assert response.status_code in (401, 403), (
				method,
				path,
				response.status_code,
				response.text[:300],
			)
		frappe.db.rollback()  # a fresh snapshot
		assert stored_state(agent, draft, created) == before

	def test_a_disabled_agents_key_opens_nothing(self):
		agent, token = keyed_user("Manual Order Agent", "leaver.key")
		draft, created = committed_order(agent, False), committed_order(agent, True)
		self.orders += [draft, created]
		assert self.call("GET", f"{RESOURCE}/{created}", token).status_code == 200
		disable(agent)
		frappe.db.commit()  # nosemgrep: the served site must see it
		self.assert_nothing_opens(token, None, draft, created, agent)

	def test_a_session_and_a_key_of_a_user_disabled_without_a_save_open_nothing(self):
		"""`db.set_value` skips Frappe's logout of the user: the session survives, the hook refuses it."""
		agent, token = keyed_user("Manual Order Agent", "leaver.session")
		created = committed_order(agent, True)
		draft = committed_order(agent, False)
		self.orders += [draft, created]
		login = self.call("POST", "/api/method/login", json={"usr": agent, "pwd": PASSWORD})
		assert login.status_code == 200, login.text
		cookies = login.cookies
		assert self.call("GET", f"{RESOURCE}/{created}", cookies=cookies).status_code == 200
		frappe.db.set_value("User", agent, "enabled", 0)
		frappe.db.commit()  # nosemgrep: the served site must see it
		self.assert_nothing_opens(None, cookies, draft, created, agent)
		self.assert_nothing_opens(token, None, draft, created, agent)
		assert not frappe.db.count("Sessions", {"user": agent})

	def test_a_disabled_users_oauth_bearer_token_opens_nothing(self):
		agent, _token = keyed_user("Manual Order Agent", "leaver.oauth")
		created = committed_order(agent, True)
		draft = committed_order(agent, False)
		self.orders += [draft, created]
		bearer = "Bearer " + oauth_token(agent)
		frappe.db.commit()  # nosemgrep: the served site must see the token
		assert self.call("GET", f"{RESOURCE}/{created}", bearer).status_code == 200
		disable(agent)
		frappe.db.commit()  # nosemgrep: the served site must see it
		self.assert_nothing_opens(bearer, None, draft, created, agent)
		token = frappe.get_doc("OAuth Bearer Token", bearer.split()[1])
		assert token.status == "Revoked"
		refreshed = self.call(
			"POST",
			"/api/method/frappe.integrations.oauth2.get_token",
			data={
				"grant_type": "refresh_token",
				"refresh_token": token.refresh_token,
				"client_id": token.client,
			},
		)
		assert refreshed.status_code != 200 or "access_token" not in refreshed.text, refreshed.text[:300]
		frappe.db.rollback()
		assert not frappe.db.count("OAuth Bearer Token", {"user": agent, "status": "Active"})

	def test_a_regenerated_keys_old_secret_opens_nothing(self):
		from frappe.core.doctype.user.user import generate_keys

		agent, old = keyed_user("Manual Order Agent", "leaver.rekey")
		created = committed_order(agent, True)
		self.orders.append(created)
		assert self.call("GET", f"{RESOURCE}/{created}", old).status_code == 200
		secret = generate_keys(agent)["api_secret"]
		frappe.db.commit()  # nosemgrep: the served site must see the new secret
		assert self.call("GET", f"{RESOURCE}/{created}", old).status_code == 401
		key = frappe.db.get_value("User", agent, "api_key")
		assert self.call("GET", f"{RESOURCE}/{created}", f"token {key}:{secret}").status_code == 200

	def test_a_user_taken_off_a_partner_loses_its_pickups_at_the_next_request(self):
		user, token = keyed_user("Pickup Partner", "leaver.partner")
		partner = make_pickup_partner(
			f"Leavers Pickups {frappe.generate_hash(length=6)}", ("560001",), users=(user,)
		)
		frappe.db.commit()  # nosemgrep: the served site must see the partner
		try:
			created = committed_order(AGENT, True)
			self.orders.append(created)
			frappe.db.set_value("Manual Order", created, "pickup_partner", partner)
			frappe.db.commit()  # nosemgrep: the served site must see the assignment
			assert self.call("GET", f"{RESOURCE}/{created}", token).status_code == 200
			doc = frappe.get_doc("Pickup Partner", partner)
			doc.set("users", [])
			doc.save()
			frappe.db.commit()  # nosemgrep: the served site must see the removal
			assert self.call("GET", f"{RESOURCE}/{created}", token).status_code == 403
			moved = self.call(
				"POST",
				"/api/method/manual_orders.api.update_pickup",
				token,
				json={"order": created, "status": "Out for Pickup"},
			)
			assert moved.status_code == 403
			frappe.db.rollback()
			assert frappe.db.get_value("Manual Order", created, "pickup_status") != "Out for Pickup"
		finally:
			frappe.db.rollback()
			remove_pickup_partners([partner])
			frappe.db.commit()  # nosemgrep: clean-up

	def test_a_restricted_agent_creates_nothing_by_any_path(self):
		agent, token = keyed_user("Manual Order Agent", "leaver.restricted")
		with as_user(agent):
			draft = frappe.get_doc(with_consent(order_values(lead=make_lead().name))).insert()
		draft.db_set("workflow_state", "Consent Confirmed")
		self.orders.append(draft.name)
		frappe.get_doc(
			{"doctype": "Manual Order Agent Restriction", "agent": agent, "reason": "Test: wrong orders"}
		).insert(ignore_permissions=True)
		lead = make_lead().name
		frappe.db.commit()  # nosemgrep: the served site must see the restriction
		doc = frappe.get_doc("Manual Order", draft.name).as_dict(convert_dates_to_str=True)
		attempts = [
			("PUT", f"{RESOURCE}/{draft.name}", {"docstatus": 1}),
			("POST", RESOURCE, {**with_consent(order_values(lead=lead)), "docstatus": 1}),
			("POST", RESOURCE, with_consent(order_values(lead=lead))),
			("POST", "/api/method/frappe.client.submit", {"doc": doc}),
			(
				"POST",
				"/api/method/frappe.desk.form.save.savedocs",
				{"doc": frappe.as_json(doc), "action": "Submit"},
			),
			(
				"POST",
				"/api/method/frappe.model.workflow.apply_workflow",
				{"doc": frappe.as_json(doc), "action": "Create Order"},
			),
		]
		for method, path, body in attempts:
			response = self.call(method, path, token, json=body)
			assert response.status_code == 417, (path, response.status_code, response.text[:300])
			assert "AgentRestricted" in response.text, (path, response.text[:300])
		frappe.db.rollback()
		assert frappe.db.get_all("Manual Order", filters={"agent": agent}, pluck="name") == [draft.name]
		assert frappe.db.get_value("Manual Order", draft.name, "docstatus") == 0


def oauth_token(user: str) -> str:
	"""An active OAuth bearer token of the user, as Frappe's OAuth provider issues it."""
	client = frappe.get_doc(
		{
			"doctype": "OAuth Client",
			"app_name": f"Leavers {frappe.generate_hash(length=6)}",
			"scopes": "all",
			"redirect_uris": "http://127.0.0.1/callback",
			"default_redirect_uri": "http://127.0.0.1/callback",
			"grant_type": "Authorization Code",
			"response_type": "Code",
		}
	).insert(ignore_permissions=True)
	token = frappe.generate_hash(length=30)
	frappe.get_doc(
		{
			"doctype": "OAuth Bearer Token",
			"client": client.name,
			"user": user,
			"access_token": token,
			"refresh_token": frappe.generate_hash(length=30),
			"scopes": "all",
			"expires_in": 3600,
			"expiration_time": add_days(now_datetime(), 1),
			"status": "Active",
		}
	).insert(ignore_permissions=True)
	return token


def stored_state(agent: str, draft: str, created: str) -> dict:
	"""What a disabled agent must not change: their orders, counts and comments."""
	return {
		"orders": frappe.db.count("Manual Order", {"agent": agent}),
		"draft": frappe.db.get_value("Manual Order", draft, ["upi_id", "modified", "docstatus"]),
		"created": frappe.db.get_value("Manual Order", created, ["call_notes", "modified", "docstatus"]),
		"comments": frappe.db.count("Comment", {"reference_name": ("in", [draft, created])}),
	}


class TestHandover(SiteTestCase):
	"""The leaver's work, handed over by a System Manager, asserted record by record."""

	def setUp(self):
		super().setUp()
		make_user(ADMIN, "System Manager")

	def agent_with_work(self) -> frappe._dict:
		email = f"agent.leaving.{frappe.generate_hash(length=8)}@manual-orders.test"
		make_user(email, "Manual Order Agent")
		work = frappe._dict(agent=email)
		with as_user(email):
			lead = make_lead()
			work.lead = lead.name
			work.draft = frappe.get_doc(with_consent(order_values(lead=lead.name))).insert().name
			created = frappe.get_doc(with_consent(order_values(lead=make_lead().name))).insert()
			created.submit()
			work.created = created.name
			work.dispute = (
				frappe.get_doc(
					{
						"doctype": "Manual Order Price Dispute",
						"manual_order": created.name,
						"customer_words": "The price is lower than promised",
					}
				)
				.insert()
				.name
			)
		work.todo = (
			frappe.get_doc(
				{
					"doctype": "ToDo",
					"allocated_to": email,
					"reference_type": "Lead",
					"reference_name": work.lead,
					"description": "Call the customer back about the charger",
				}
			)
			.insert(ignore_permissions=True)
			.name
		)
		return work

	def waiting(self, user: str) -> dict:
		return {
			(row.work, row.reference_type, row.reference_name): row
			for row in frappe.get_all(
				"Manual Order Handover",
				filters={"left_user": user, "status": "Waiting"},
				fields=["name", "work", "reference_type", "reference_name", "owner", "why"],
			)
		}

	def assert_handed_over(self, work, by: str, why: str):
		draft = frappe.db.get_value(
			"Manual Order",
			work.draft,
			["outcome", "workflow_state", "lead_lock", "agent", "consent_customer_words", "upi_id"],
			as_dict=True,
		)
		assert draft.outcome == rules.AGENT_LEFT
		assert draft.workflow_state == "Agent Left"
		assert draft.lead_lock is None
		assert draft.agent == work.agent
		assert draft.consent_customer_words == "Yes, please place the order"  # nothing is lost
		assert draft.upi_id == "ravi.k@okhdfc"
		assert frappe.db.get_value("Lead", work.lead, "disposition") == "Follow Up"
		versions = frappe.get_all(
			"Version",
			filters={"ref_doctype": "Manual Order", "docname": work.draft},
			fields=["owner", "data"],
		)
		assert any(v.owner == by and rules.AGENT_LEFT in v.data for v in versions), versions
		assert frappe.db.get_value("Manual Order", work.created, ["agent", "docstatus"]) == (work.agent, 1)
		assert frappe.db.get_value("Manual Order Price Dispute", work.dispute, ["agent", "status"]) == (
			work.agent,
			"Open",
		)
		assert frappe.db.get_value("ToDo", work.todo, "status") == "Cancelled"
		waiting = self.waiting(work.agent)
		assert set(waiting) == {
			("Open Draft", "Lead", work.lead),
			("Price Dispute", "Manual Order Price Dispute", work.dispute),
			("ToDo", "Lead", work.lead),
		}
		assert {row.owner for row in waiting.values()} == {by}
		assert {row.why for row in waiting.values()} == {why}

	def test_a_disabled_agents_work_finds_an_owner(self):
		work = self.agent_with_work()
		with as_user(ADMIN):
			disable(work.agent)
		self.assert_handed_over(work, ADMIN, handover.USER_DISABLED)
		handover.hand_over(work.agent, handover.USER_DISABLED)  # again: nothing more
		assert len(self.waiting(work.agent)) == 3
		# the Lead is free: another agent makes a new order from it
		with as_user(OTHER_AGENT):
			frappe.get_doc(order_values(lead=work.lead)).insert()

	def test_an_employee_marked_left_loses_their_user_and_hands_over(self):
		work = self.agent_with_work()
		employee = make_employee(work.agent)
		with as_user(ADMIN):
			employee.status = "Left"
			employee.relieving_date = nowdate()
			employee.save(ignore_permissions=True)
		assert frappe.db.get_value("User", work.agent, "enabled") == 0
		self.assert_handed_over(work, ADMIN, handover.EMPLOYEE_LEFT)

	def test_the_sweep_hands_over_the_work_of_users_disabled_without_a_save(self):
		work = self.agent_with_work()
		frappe.db.set_value("User", work.agent, "enabled", 0)
		assert work.agent in handover.hand_over_leavers_work()
		self.assert_handed_over(work, "Administrator", handover.USER_DISABLED)
		assert work.agent not in handover.hand_over_leavers_work()

	def test_a_manager_takes_waiting_work_once(self):
		work = self.agent_with_work()
		disable(work.agent)
		name = self.waiting(work.agent)[("Price Dispute", "Manual Order Price Dispute", work.dispute)].name
		from manual_orders import api

		with as_user("agent.two@manual-orders.test"):
			self.assertRaises(frappe.PermissionError, api.take_handover, name)
		with as_user(MANAGER):
			assert api.take_handover(name) == {"status": "Taken", "taken_by": MANAGER}
			self.assertRaises(frappe.ValidationError, api.take_handover, name)
		assert frappe.db.exists(
			"ToDo",
			{
				"allocated_to": MANAGER,
				"reference_type": "Manual Order Price Dispute",
				"reference_name": work.dispute,
				"status": "Open",
			},
		)
		assert frappe.db.get_value("Manual Order Handover", name, ["status", "taken_by"]) == (
			"Taken",
			MANAGER,
		)
		versions = frappe.get_all(
			"Version",
			filters={"ref_doctype": "Manual Order Handover", "docname": name},
			fields=["owner", "data"],
		)
		assert any(v.owner == MANAGER and '"Taken"' in v.data for v in versions), versions

	def test_a_partner_left_with_no_user_gives_its_pickups_back(self):
		# the order first: on a site with history the demo partners are busy, and a partner made
		# before it, empty and unlimited, would get the pickup at creation (then no reassignment)
		order = frappe.get_doc(with_consent(order_values(lead=make_lead().name))).insert()
		order.submit()
		user = f"partner.leaving.{frappe.generate_hash(length=8)}@manual-orders.test"
		make_user(user, "Pickup Partner")
		partner = make_pickup_partner(f"Leaving Pickups {frappe.generate_hash(length=6)}", users=(user,))
		from manual_orders.pickup import places as pickup_places

		pickup_places.reassign(frappe.get_doc("Manual Order", order.name), partner)
		assert frappe.db.exists(
			"ToDo", {"allocated_to": user, "reference_name": order.name, "status": "Open"}
		)
		with as_user(ADMIN):
			disable(user)
		assert not frappe.get_all("Pickup Partner User", filters={"parent": partner}, pluck="user")
		stored = frappe.db.get_value("Manual Order", order.name, ["pickup_partner", "pickup_status"])
		assert stored == (None, "Scheduled")
		assert frappe.db.get_value(
			"ToDo", {"allocated_to": user, "reference_name": order.name}, "status"
		) == ("Cancelled")
		assert ("Pickup", "Manual Order", order.name) in self.waiting(user)
		assert frappe.db.exists(
			"Version", {"ref_doctype": "Pickup Partner", "docname": partner, "owner": ADMIN}
		)
		versions = frappe.get_all(
			"Version",
			filters={"ref_doctype": "Manual Order", "docname": order.name},
			fields=["owner", "data"],
		)
		assert any(v.owner == ADMIN and "pickup_partner" in v.data for v in versions)

	def test_a_partner_with_other_users_keeps_its_pickups(self):
		# the order first (see test_a_partner_left_with_no_user_gives_its_pickups_back)
		order = frappe.get_doc(with_consent(order_values(lead=make_lead().name))).insert()
		order.submit()
		leaving = f"partner.leaving.{frappe.generate_hash(length=8)}@manual-orders.test"
		staying = f"partner.staying.{frappe.generate_hash(length=8)}@manual-orders.test"
		make_user(leaving, "Pickup Partner")
		make_user(staying, "Pickup Partner")
		partner = make_pickup_partner(
			f"Staying Pickups {frappe.generate_hash(length=6)}", users=(leaving, staying)
		)
		from manual_orders.pickup import places as pickup_places

		pickup_places.reassign(frappe.get_doc("Manual Order", order.name), partner)
		disable(leaving)
		assert frappe.get_all("Pickup Partner User", filters={"parent": partner}, pluck="user") == [staying]
		assert frappe.db.get_value("Manual Order", order.name, "pickup_partner") == partner
		assert frappe.db.get_value(
			"ToDo", {"allocated_to": staying, "reference_name": order.name}, "status"
		) == ("Open")
		assert frappe.db.get_value(
			"ToDo", {"allocated_to": leaving, "reference_name": order.name}, "status"
		) == ("Cancelled")
		assert not self.waiting(leaving)

	def test_the_server_set_outcome_is_final(self):
		work = self.agent_with_work()
		disable(work.agent)
		doc = frappe.get_doc("Manual Order", work.draft)
		doc.outcome = ""
		from manual_orders.exceptions import RecordLocked

		with as_user(MANAGER):
			self.assertRaises(RecordLocked, doc.save)

	def test_only_follow_ups_are_handed_over_and_a_taken_item_never_returns(self):
		work = self.agent_with_work()
		second = frappe.get_doc(
			{
				"doctype": "ToDo",
				"allocated_to": work.agent,
				"reference_type": "Lead",
				"reference_name": work.lead,
				"description": "Send the customer the pickup checklist",
			}
		).insert(ignore_permissions=True)
		private = frappe.get_doc(
			{"doctype": "ToDo", "allocated_to": work.agent, "description": "HR: return the laptop"}
		).insert(ignore_permissions=True)
		disable(work.agent)
		todos = frappe.get_all(
			"Manual Order Handover",
			filters={"left_user": work.agent, "work": "ToDo"},
			fields=["source_todo", "description"],
		)
		assert {row.source_todo for row in todos} == {work.todo, second.name}
		assert frappe.db.get_value("ToDo", private.name, "status") == "Open"  # not a follow-up: left alone
		dispute = self.waiting(work.agent)[("Price Dispute", "Manual Order Price Dispute", work.dispute)]
		assert "The price is lower" not in frappe.db.get_value(
			"Manual Order Handover", dispute.name, "description"
		)
		from manual_orders import api

		with as_user(MANAGER):
			api.take_handover(dispute.name)
		handover.hand_over(work.agent, handover.EMPLOYEE_LEFT)  # e.g. the Employee marked Left afterwards
		assert frappe.db.count("Manual Order Handover", {"reference_name": work.dispute}) == 1

	def test_operations_and_agents_do_not_read_the_queue(self):
		work = self.agent_with_work()
		disable(work.agent)
		operations = "operations.leavers@manual-orders.test"
		make_user(operations, "Manual Order Operations")
		for user in (operations, OTHER_AGENT):
			with as_user(user):
				assert not frappe.has_permission("Manual Order Handover", "read")
				self.assertRaises(frappe.PermissionError, frappe.get_list, "Manual Order Handover")

	def test_hr_marks_an_employee_left_and_their_user_is_disabled_but_not_a_system_managers(self):
		hr = "hr.leavers@manual-orders.test"
		make_user(hr, "HR Manager")
		work = self.agent_with_work()
		admin_like = f"sm.leaving.{frappe.generate_hash(length=8)}@manual-orders.test"
		make_user(admin_like, "System Manager")
		for user in (work.agent, admin_like):
			employee = make_employee(user)
			with as_user(hr):
				employee.status = "Left"
				employee.relieving_date = nowdate()
				employee.save()
		assert frappe.db.get_value("User", work.agent, "enabled") == 0
		assert frappe.db.exists("Version", {"ref_doctype": "User", "docname": work.agent, "owner": hr})
		self.assert_handed_over(work, hr, handover.EMPLOYEE_LEFT)
		assert frappe.db.get_value("User", admin_like, "enabled") == 1  # HR does not lock out an admin


def make_employee(user: str):
	return frappe.get_doc(
		{
			"doctype": "Employee",
			"first_name": "Leaving",
			"last_name": frappe.generate_hash(length=6),
			"gender": "Female",
			"date_of_birth": "1990-01-01",
			"date_of_joining": add_days(nowdate(), -400),
			"company": frappe.db.get_value("Company", {}, "name"),
			"user_id": user,
			"status": "Active",
		}
	).insert(ignore_permissions=True)
