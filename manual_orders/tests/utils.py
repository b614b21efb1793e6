"""Factories and an HTTP client for the site tests."""

import functools
import json
import os
import random
import socket
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from datetime import timedelta

import frappe
from frappe.tests.utils import FrappeTestCase
from frappe.utils import add_days, get_datetime, now_datetime, nowdate
from werkzeug.test import Client

AGENT = "agent.one@manual-orders.test"
OTHER_AGENT = "agent.two@manual-orders.test"
MANAGER = "manager@manual-orders.test"
PLAIN_USER = "desk.user@manual-orders.test"


def complete_setup_wizard() -> None:
	"""A fresh site has not run ERPNext's setup wizard; a real one has (company, address template)."""
	from frappe.desk.page.setup_wizard.setup_wizard import setup_complete

	if frappe.db.a_row_exists("Company"):
		return
	year = frappe.utils.now_datetime().year
	setup_complete(
		{
			"currency": "INR",
			"full_name": "Test Admin",
			"company_name": "Device Buyback Test Pvt Ltd",
			"company_abbr": "DBT",
			"timezone": "Asia/Kolkata",
			"country": "India",
			"industry": "Retail",
			"fy_start_date": f"{year}-04-01"
			if frappe.utils.now_datetime().month >= 4
			else f"{year - 1}-04-01",
			"fy_end_date": f"{year + 1}-03-31" if frappe.utils.now_datetime().month >= 4 else f"{year}-03-31",
			"language": "english",
			"email": "admin@manual-orders.test",
			"password": "admin",
			"chart_of_accounts": "Standard",
		}
	)


def before_tests() -> None:
	"""`before_tests` hook: what Frappe's own runner (`bench run-tests --app manual_orders`) needs."""
	frappe.set_user("Administrator")
	load_test_catalogue()


class SiteTestCase(FrappeTestCase):
	"""A site test: each test starts as Administrator and leaves nothing behind (rolled back).

	Runs under Frappe's runner and under pytest (conftest.py connects to the site there).
	"""

	def setUp(self):
		frappe.set_user("Administrator")
		frappe.local.message_log = []
		frappe.flags.manual_orders_test_started = now_datetime()

	def tearDown(self):
		frappe.db.rollback()
		frappe.set_user("Administrator")


def load_test_catalogue() -> None:
	"""The demo catalogue plus the test users, committed once per session."""
	from manual_orders.setup.demo import load_demo

	complete_setup_wizard()
	load_demo()
	unlimit_the_tests_slot()
	if not frappe.db.exists("Device Model", "Galaxy Note 8"):
		frappe.get_doc(
			{
				"doctype": "Device Model",
				"model_name": "Galaxy Note 8",
				"brand": "Samsung",
				"device_type": "Phone",
				"supported": 0,
				"variants": [{"variant_name": "64 GB", "base_price": 6000}],
			}
		).insert()
	if not frappe.db.exists("Pickup Slot", "Disabled Slot"):
		frappe.get_doc(
			{
				"doctype": "Pickup Slot",
				"slot_label": "Disabled Slot",
				"start_time": "10:00",
				"end_time": "11:00",
				"enabled": 0,
			}
		).insert()
	make_user(AGENT, "Manual Order Agent")
	make_user(OTHER_AGENT, "Manual Order Agent")
	make_user(MANAGER, "Manual Order Manager")
	make_user(PLAIN_USER, None)
	frappe.db.commit()  # nosemgrep: test set-up shared with the HTTP threads


def unlimit_the_tests_slot() -> None:
	"""The suite books `order_values`' slot (09:00 - 11:00 tomorrow in Bengaluru) hundreds of
	times in one run; capacity is tested on a slot of its own (test_pickups.py)."""
	slot = frappe.get_doc("Pickup Slot", "09:00 - 11:00")
	if slot.capacity or slot.city_capacities:
		slot.capacity = 0
		slot.set("city_capacities", [])
		slot.save()


def make_user(email: str, role: str | None) -> None:
	if frappe.db.exists("User", email):
		return
	user = frappe.get_doc(
		{
			"doctype": "User",
			"email": email,
			"first_name": email.split("@")[0].replace(".", " ").title(),
			"send_welcome_email": 0,
			"user_type": "System User",
			"api_key": email.split("@")[0].replace(".", "-"),
			"api_secret": "secret-" + email.split("@")[0],
		}
	)
	user.append("roles", {"role": "Sales User"})
	if role:
		user.append("roles", {"role": role})
	# Frappe refuses more than `throttle_user_limit` (60) new users an hour; a run of the suite makes more.
	limit = frappe.local.conf.get("throttle_user_limit")
	frappe.local.conf["throttle_user_limit"] = 10_000
	try:
		user.insert(ignore_permissions=True)
	finally:
		if limit is None:
			frappe.local.conf.pop("throttle_user_limit", None)
		else:
			frappe.local.conf["throttle_user_limit"] = limit


def make_lead(**values):
	"""A Lead with a mobile number of its own (unless given).

	ERPNext gives a new Lead a Contact and links to that Contact every Call Log from the same
	number; a Contact linked from a Call Log cannot be deleted, nor then its Lead. On a site with
	history, the customers' usual numbers have calls.
	"""
	lead = frappe.get_doc(
		{
			"doctype": "Lead",
			"first_name": values.pop("first_name", "Test"),
			"last_name": values.pop("last_name", frappe.generate_hash(length=6)),
			"mobile_no": values.pop("mobile_no", None) or unused_mobile_no(),
			"city": "Bengaluru",
			"state": "Karnataka",
			**values,
		}
	)
	return lead.insert(ignore_permissions=True)


def unused_mobile_no() -> str:
	"""A ten-digit mobile number no Lead, Contact or Call Log of the site has."""
	while True:
		number = f"97{random.randrange(10**8):08d}"
		if not (
			frappe.db.exists("Lead", {"mobile_no": number})
			or frappe.db.exists("Contact Phone", {"phone": ("like", f"%{number}")})
			or frappe.db.exists("Call Log", {"from": ("like", f"%{number}")})
			or frappe.db.exists("Call Log", {"to": ("like", f"%{number}")})
		):
			return number


def answers_for(device_type: str, pick=0) -> list[dict]:
	"""One row per enabled question of the device type, choosing the answer at index `pick`."""
	rows = []
	for question in frappe.get_all(
		"Condition Question", filters={"device_type": device_type, "enabled": 1}, pluck="name"
	):
		answers = frappe.get_all(
			"Condition Answer", filters={"parent": question}, pluck="answer", order_by="idx asc"
		)
		rows.append({"question": question, "answer": answers[min(pick, len(answers) - 1)]})
	return rows


def order_values(**overrides) -> dict:
	"""A valid order for the demo catalogue: iPhone 13, Bengaluru 560001, UPI, tomorrow morning."""
	values = {
		"doctype": "Manual Order",
		"customer_name": "Ravi Kumar",
		"mobile_no": "9876543210",
		"creation_reason": "Customer asked for help",
		"device_type": "Phone",
		"brand": "Apple",
		"device_model": "iPhone 13",
		"variant": "128 GB",
		"conditions": answers_for("Phone"),
		"accessories": [{"accessory": "Original Charger"}],
		"address_line1": "Flat 4B, 12 MG Road, Ashok Nagar",
		"landmark": "Opposite Trinity Metro",
		"city": "Bengaluru",
		"state": "Karnataka",
		"pincode": "560001",
		"pickup_date": add_days(nowdate(), 1),
		"pickup_slot": "09:00 - 11:00",
		"payment_method": "UPI",
		"upi_id": "ravi.k@okhdfc",
	}
	values.update(overrides)
	return values


def with_consent(values: dict) -> dict:
	return {
		**values,
		"consent_customer_words": "Yes, please place the order",
		"consent_price_accepted": 1,
		"consent_summary_confirmed": 1,
	}


def send_due_messages(now=None) -> dict:
	"""The sender's pass (`outbox.send_due_messages`, oldest due first) over the messages the
	current test queued: a site with history has other agents' messages queued too, which a test
	must neither send to its gateway nor wait behind (the pass takes a batch)."""
	from manual_orders.messaging import outbox

	now = get_datetime(now) if now else now_datetime()
	names = frappe.get_all(
		"Manual Order Message",
		filters={
			"status": "Queued",
			"next_attempt_at": ("<=", now),
			"creation": (">=", frappe.flags.manual_orders_test_started),
		},
		order_by="next_attempt_at asc",
		pluck="name",
	)
	return outbox.send_messages(names, now)


def delete_orders(names) -> None:
	"""Removes committed test orders and everything that hangs off them (no Frappe hooks run).

	A created order gives its slot and partner places back, as a cancellation would.
	"""
	from manual_orders.pickup import places as pickup_places

	for name in names:
		order = frappe.db.get_value(
			"Manual Order",
			name,
			["docstatus", "slot_booking", "pickup_date", "pickup_partner"],
			as_dict=True,
		)
		if order and order.docstatus == 1:
			pickup_places.release_slot(order)
			pickup_places.free_partner_place(order.pickup_date, order.pickup_partner)
		frappe.db.delete("ToDo", {"reference_type": "Manual Order", "reference_name": name})
		frappe.db.delete("File", {"attached_to_doctype": "Manual Order", "attached_to_name": name})
		for table in ("Manual Order Condition", "Manual Order Accessory"):
			frappe.db.delete(table, {"parent": name})
		for message in frappe.get_all("Manual Order Message", filters={"manual_order": name}, pluck="name"):
			frappe.db.delete("__Auth", {"doctype": "Manual Order Message", "name": message})
		frappe.db.delete("Manual Order Message", {"manual_order": name})
		frappe.db.delete("Manual Order Consent Code", {"manual_order": name})
		frappe.db.delete(
			"Dynamic Link", {"parenttype": "Call Log", "link_doctype": "Manual Order", "link_name": name}
		)
		frappe.db.delete("Manual Order Price Dispute", {"manual_order": name})
		delete_inspections(name)
		delete_payouts(name)
		frappe.db.delete("Version", {"ref_doctype": "Manual Order", "docname": name})
		frappe.db.delete("Comment", {"reference_doctype": "Manual Order", "reference_name": name})
		frappe.db.delete("Manual Order", {"name": name})


def delete_inspections(order: str) -> None:
	"""An order's inspection, its rows and photos, and the errors it drafted (no hooks run)."""
	for inspection in frappe.get_all("Pickup Inspection", filters={"manual_order": order}, pluck="name"):
		for table in (
			"Pickup Inspection Condition",
			"Pickup Inspection Accessory",
			"Pickup Inspection Difference",
		):
			frappe.db.delete(table, {"parent": inspection})
		frappe.db.delete("File", {"attached_to_doctype": "Pickup Inspection", "attached_to_name": inspection})
		frappe.db.delete("Version", {"ref_doctype": "Pickup Inspection", "docname": inspection})
		frappe.db.delete("Manual Order Error", {"pickup_inspection": inspection})
	frappe.db.delete("Pickup Inspection", {"manual_order": order})


def delete_payouts(order: str) -> None:
	"""An order's payout and what its provider said (the ERPNext documents stay, as in the books)."""
	for payout in frappe.get_all("Manual Order Payout", filters={"manual_order": order}, pluck="name"):
		frappe.db.delete("Manual Order Payout Event", {"payout": payout})
		frappe.db.delete("__Auth", {"doctype": "Manual Order Payout", "name": payout})
		frappe.db.delete("Version", {"ref_doctype": "Manual Order Payout", "docname": payout})
	frappe.db.delete("Manual Order Payout", {"manual_order": order})


def random_imei() -> str:
	"""A valid IMEI (Luhn check digit) no test used before: the stock ledger keeps every serial."""
	import random

	digits = [random.randint(0, 9) for _ in range(14)]
	total = 0
	for position, digit in enumerate(reversed(digits)):
		value = digit * 2 if position % 2 == 0 else digit
		total += value - 9 if value > 9 else value
	return "".join(map(str, digits)) + str((10 - total % 10) % 10)


def found_as_agreed(order: str) -> dict:
	"""What a partner records at the door for the device exactly as the stored order describes it."""
	doc = frappe.get_doc("Manual Order", order)
	return {
		"order": doc.name,
		"device_model": doc.device_model,
		"variant": doc.variant,
		"answers": {row.question: row.answer for row in doc.conditions},
		"accessories": [row.accessory for row in doc.accessories],
		"powers_on": 1,
		"account_lock_removed": 1,
		"imei_blocked": 0,
		"serial_no": f"SN-{doc.name}",
	}


def inspect_as_agreed(order: str, user: str) -> dict:
	"""The partner's user finds the device as agreed: the agreed price stands, Picked Up may follow."""
	from manual_orders.api import record_inspection, update_pickup

	with as_user(user):
		if frappe.db.get_value("Manual Order", order, "pickup_status") == "Partner Assigned":
			update_pickup(order, "Out for Pickup")
		return record_inspection(**found_as_agreed(order))


def committed(fn):
	"""Runs a REST scenario on committed data and removes what it created."""

	@functools.wraps(fn)
	def wrapper(*args, **kwargs):
		frappe.db.commit()  # nosemgrep: the HTTP threads must see the data
		before = set(frappe.get_all("Manual Order", pluck="name"))
		try:
			return fn(*args, **kwargs)
		finally:
			frappe.db.rollback()
			delete_orders(set(frappe.get_all("Manual Order", pluck="name")) - before)
			frappe.db.commit()  # nosemgrep

	return wrapper


def make_pickup_partner(name: str, pincodes=("560001",), daily_capacity: int = 0, users=()) -> str:
	"""A Pickup Partner covering `pincodes`, acting through `users` (if missing)."""
	if not frappe.db.exists("Pickup Partner", name):
		frappe.get_doc(
			{
				"doctype": "Pickup Partner",
				"partner_name": name,
				"daily_capacity": daily_capacity,
				"pincodes": [{"pincode": p} for p in pincodes],
				"users": [{"user": u} for u in users],
			}
		).insert()
	return name


def remove_pickup_partners(names) -> None:
	"""Committed test partners removed without their hooks, and the catalogue cache with them."""
	from manual_orders.settings import clear_catalogue_cache

	names = list(names)
	if not names:
		return
	for doctype in ("Pickup Partner User", "Pickup Partner Pincode"):
		frappe.db.delete(doctype, {"parenttype": "Pickup Partner", "parent": ("in", names)})
	frappe.db.delete("Pickup Partner Load", {"pickup_partner": ("in", names)})
	frappe.db.delete("Pickup Partner", {"name": ("in", names)})
	clear_catalogue_cache()


def make_order(**overrides):
	return frappe.get_doc(order_values(**overrides)).insert()


class Api:
	"""Real WSGI requests to the site through Frappe's own application, as a user with API keys.

	Each request runs in its own thread (as Frappe's own API tests do), so it has its
	own `frappe.local` and its own database connection: it sees only committed data.
	"""

	def __init__(self, user: str | None):
		"""`user` None: a Guest, with no credentials."""
		self.headers = {"X-Frappe-Site-Name": frappe.local.site, "Accept": "application/json"}
		if user:
			key = user.split("@")[0]
			self.headers["Authorization"] = f"token {key.replace('.', '-')}:secret-{key}"
		self.site = frappe.local.site

	def request(self, method: str, path: str, payload=None, data: bytes | None = None, headers=None):
		from frappe.app import application

		result = {}

		def run():
			client = Client(application)
			kwargs = {"data": data} if data is not None else {"json": payload}
			response = client.open(path, method=method, headers={**self.headers, **(headers or {})}, **kwargs)
			result["status"] = response.status_code
			result["text"] = response.get_data(as_text=True)
			try:
				result["json"] = json.loads(result["text"] or "{}")
			except ValueError:
				result["json"] = {}

		thread = threading.Thread(target=run)
		thread.start()
		thread.join()
		return result["status"], result["json"]

	def get(self, path):
		return self.request("GET", path)

	def post(self, path, payload):
		return self.request("POST", path, payload)

	def put(self, path, payload):
		return self.request("PUT", path, payload)


def server_messages(body: dict) -> str:
	"""The text of the messages Frappe returned with an error response."""
	messages = json.loads(body.get("_server_messages") or "[]")
	texts = []
	for message in messages:
		parsed = json.loads(message)
		texts.append(json.dumps(parsed.get("message"), ensure_ascii=False))
	return " ".join(texts) + " " + str(body.get("exception", ""))


def tomorrow_but(days: int) -> str:
	return str(frappe.utils.getdate(nowdate()) + timedelta(days=days))


@contextmanager
def as_user(user: str):
	previous = frappe.session.user
	frappe.set_user(user)
	try:
		yield
	finally:
		frappe.set_user(previous)


@contextmanager
def site_default(key: str, value: str, commit: bool = False):
	"""A site-wide default (Global Defaults' currency, say) for the block, then the one before.

	The one before is written back in the same transaction, which also clears Frappe's cache of
	the defaults: a rollback alone would leave the test's value cached in Redis, where a later
	process on the site (Frappe's runner after pytest) reads it. `commit` for a test whose code
	under test commits (and so commits the test's value too).
	"""
	before = frappe.db.get_default(key)
	frappe.db.set_default(key, value)
	try:
		yield
	finally:
		if before is None:
			frappe.defaults.clear_default(key)
		else:
			frappe.db.set_default(key, before)
		if commit:
			frappe.db.commit()  # nosemgrep
		frappe.local.field_currency = None


def run_at_once(fns: list, user: str = "Administrator") -> list[str]:
	"""Each of `fns` in a thread of its own with its own site connection (as two requests or two
	workers would), started together; what they raised, as text."""
	site, sites_path = frappe.local.site, frappe.local.sites_path
	errors = []
	barrier = threading.Barrier(len(fns))

	def run(fn):
		frappe.init(site=site, sites_path=sites_path)
		frappe.connect()
		frappe.set_user(user)
		try:
			barrier.wait()
			fn()
			frappe.db.commit()  # nosemgrep
		except Exception as error:
			errors.append(repr(error))
		finally:
			frappe.destroy()

	threads = [threading.Thread(target=run, args=(fn,)) for fn in fns]
	for thread in threads:
		thread.start()
	for thread in threads:
		thread.join()
	return errors


def new_agent() -> str:
	"""A fresh agent, so a test's numbers are its own."""
	email = f"agent.{frappe.generate_hash(length=8)}@manual-orders.test"
	make_user(email, "Manual Order Agent")
	return email


def free_port() -> int:
	with socket.socket() as s:
		s.bind(("127.0.0.1", 0))
		return s.getsockname()[1]


def frappe_command(*args: str) -> list[str]:
	"""Frappe's own CLI on this test's site, with this interpreter (as `bench --site S ...`)."""
	return [sys.executable, "-m", "frappe.utils.bench_helper", "frappe", "--site", frappe.local.site, *args]


def served_site() -> tuple[str, subprocess.Popen]:
	"""The site served by Frappe's own `serve` in a process of its own on a free port: real
	HTTP, a server that sees only committed data. Stop it with `stop_serving`."""
	import requests

	port = free_port()
	sites_path = os.path.abspath(os.environ.get("SITES_PATH", "."))
	server = subprocess.Popen(
		frappe_command("serve", "--port", str(port), "--noreload"),
		cwd=sites_path,
		env={**os.environ, "SITES_PATH": sites_path},
		stdout=subprocess.DEVNULL,
		stderr=subprocess.DEVNULL,
	)
	url = f"http://127.0.0.1:{port}"
	for _ in range(120):
		try:
			if requests.get(url + "/api/method/ping", timeout=2).ok:
				break
		except requests.RequestException:
			time.sleep(0.5)
	return url, server


def stop_serving(server: subprocess.Popen) -> None:
	server.terminate()
	server.wait(timeout=30)
