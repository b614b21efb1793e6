"""Benchmark of the manual order path against ERPNext's own Lead insert, on a bench site.

    cd $FRAPPE_BENCH/sites
    PYTHONPATH=/path/to/this/repo ../env/bin/python /path/to/this/repo/benchmarks/benchmark.py \
        --site bench.localhost [--quick] [--skip-million] [--json out.json]

The site must have ERPNext and manual_orders installed and the demo loaded
(`bench --site SITE execute manual_orders.setup.demo.load_demo`). It adds
benchmark rows (orders named BM-…, Leads, users bench.agent.N@…) to that site:
use a site of its own, never a production one.

What it measures, in one run:
1. the full creation path (map a Lead → insert with every SOP check → consent
   → submit → messages queued → Lead updated, committed), median and p95 wall
   time and SQL statements, beside an ERPNext Lead insert on the same site;
2. the same path with 1,000 and with 1,000,000 existing orders;
3. HTTP: 20 concurrent agents creating orders through the REST API against
   gunicorn serving the bench (insert + submit per order);
4. the manager reports and the price/serviceability look-up at 100,000 and
   1,000,000 orders.

`--inspection` measures the door (issue 23): recording an inspection of a device as agreed,
and a changed offer recorded, its code sent and accepted, beside a Lead insert, interleaved
run by run, as the partner's user.

`--settlement` measures the settlement of a picked-up device (issue 24): the books (Supplier,
Purchase Invoice with `update_stock` and the IMEI as serial number, the payout record) beside
ERPNext's own Purchase Invoice insert and submit (same item, warehouse, supplier, a serial
number), and the whole path (books, the payout API on 127.0.0.1, the processed webhook, the
Payment Entry) beside ERPNext's Purchase Invoice plus Payment Entry, interleaved run by run.

`--deployed` (issue 25) runs the 20 agents back to back against gunicorn alone and against the
shape a site runs in (gunicorn, a bench's two RQ workers and its scheduler), interleaved, and
prints p50/p95/p99, errors, orders per second, jobs per order and each message's latency from
the agent's committed request to the gateway (`deployed.py`). `--two-servers` and `--faults`
run and assert issue 25's two app servers and faults (`./run-tests --deployment` runs both).

`--pickups` measures only the creation path with the pickup step (slot capacity booked
under its row lock, partner assignment, the partner's ToDo and the partner-assigned
messages) beside the same path without it (the path before pickups existed) and a Lead
insert, interleaved run by run on the same site.
"""

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

import frappe
import requests
from deployed import drop_queued_jobs, percentile, process_tree_cpu
from frappe.utils import add_days, nowdate

AGENTS = 20
PREFIX = "BM-"


def summary(times: list[float], queries: list[int] | None = None) -> dict:
	result = {
		"n": len(times),
		"median_ms": round(statistics.median(times) * 1000, 2),
		"p95_ms": round(percentile(times, 95) * 1000, 2),
	}
	if queries:
		result["queries_median"] = statistics.median(queries)
	return result


def statements() -> int:
	"""Statements this connection has sent MariaDB (the status query itself counts one)."""
	return int(frappe.db.sql("show session status like 'Questions'")[0][1])


def new_request() -> None:
	"""What a new request starts without: Frappe's per-request caches (values read with
	`cache=True`, such as the link checks, and the request's local caches). Without this, runs
	after the first would skip the link checks every real request makes."""
	frappe.db.value_cache = {}
	frappe.local.cache = {}


def measure(fn, repeat: int) -> tuple[list[float], list[int]]:
	times, queries = [], []
	for i in range(repeat):
		new_request()
		before = statements()
		start = time.perf_counter()
		fn(i)
		frappe.db.commit()  # nosemgrep: a request commits at its end; so does each measured run
		times.append(time.perf_counter() - start)
		queries.append(statements() - before - 1)
	return times, queries


# The two paths


def lead_insert(i: int):
	frappe.get_doc(
		{
			"doctype": "Lead",
			"first_name": "Bench",
			"last_name": f"Lead {frappe.generate_hash(length=6)}",
			"mobile_no": "9876543210",
			"city": "Bengaluru",
			"state": "Karnataka",
		}
	).insert()


def order_values() -> dict:
	"""The site tests' valid order (iPhone 13, Bengaluru 560001, UPI), without the customer:
	the creation path maps that from the Lead."""
	from manual_orders.tests.utils import order_values as valid_order

	values = valid_order()
	for fieldname in ("doctype", "customer_name", "mobile_no"):
		values.pop(fieldname)
	return values


CONSENT = {
	"consent_customer_words": "Yes, please place the order",
	"consent_price_accepted": 1,
	"consent_summary_confirmed": 1,
}


def make_leads(count: int) -> list[str]:
	names = []
	for _ in range(count):
		lead_insert(0)
		names.append(frappe.db.get_value("Lead", {}, "name", order_by="creation desc"))
	frappe.db.commit()  # nosemgrep
	return names


def full_creation(leads: list[str], values: dict):
	from manual_orders.api import make_manual_order

	def run(i: int):
		order = make_manual_order(leads[i])
		order.update(values)
		order.update(CONSENT)
		order.insert()
		order.submit()

	return run


# The pickup step on and off


@contextmanager
def without_pickups():
	"""The creation path as it was before pickups: no slot booking, no partner."""
	from manual_orders.manual_orders.doctype.manual_order.manual_order import ManualOrder

	book_pickup = ManualOrder.book_pickup
	ManualOrder.book_pickup = lambda self: None
	try:
		yield
	finally:
		ManualOrder.book_pickup = book_pickup


@contextmanager
def frappe_notifications():
	"""The order's Notifications run by Frappe's own `Document.run_notifications` (each record
	loaded from the database, the order reloaded before sending), as the creation path was before its statements were cut."""
	from frappe.model.document import Document

	from manual_orders.manual_orders.doctype.manual_order.manual_order import ManualOrder

	ours = ManualOrder.run_notifications
	ManualOrder.run_notifications = Document.run_notifications
	try:
		yield
	finally:
		ManualOrder.run_notifications = ours


@contextmanager
def todos_in_the_request():
	"""The partner's ToDos written in the order's own transaction, as before the creation path was cut (now the
	minute's scheduler job `pickup_todos.ensure_todos` writes them)."""
	from manual_orders.manual_orders.doctype.manual_order.manual_order import ManualOrder
	from manual_orders.pickup import todos as pickup_todos

	on_submit = ManualOrder.on_submit

	def on_submit_with_todos(self):
		on_submit(self)
		pickup_todos.create_todos(self)

	ManualOrder.on_submit = on_submit_with_todos
	try:
		yield
	finally:
		ManualOrder.on_submit = on_submit


@contextmanager
def before_issue_16():
	"""The creation path as it was before its statements were cut: Frappe's notification loop, its Workflow
	Action hook after every save, its uncached Workflow on submit, a query per Link checked, its
	DELETE + UPDATE of every child row on submit, and the ToDos in the request."""
	from frappe.model.document import Document

	from manual_orders.manual_orders.doctype.manual_order.manual_order import ManualOrder

	methods = ("run_method", "validate_workflow", "_validate_links", "update_children")
	ours = {name: getattr(ManualOrder, name) for name in methods}
	for name in methods:
		setattr(ManualOrder, name, getattr(Document, name))
	try:
		with frappe_notifications(), todos_in_the_request():
			yield
	finally:
		for name, method in ours.items():
			setattr(ManualOrder, name, method)


def one_partner_takes_every_order(values: dict) -> None:
	"""Room for every run (the benchmark books one slot of one day many times), and one partner
	with a user (so a ToDo each time) takes every order: the paths differ only in what is measured."""
	frappe.db.set_value("Pickup Slot", values["pickup_slot"], "capacity", 0)
	frappe.db.delete("Pickup Slot City Capacity", {"parent": values["pickup_slot"]})
	frappe.db.sql("update `tabPickup Partner` set daily_capacity = 0")
	covering = frappe.get_all(
		"Pickup Partner Pincode", filters={"pincode": values["pincode"]}, pluck="parent", order_by="parent"
	)
	with_users = set(frappe.get_all("Pickup Partner User", pluck="parent"))
	keep = next((name for name in covering if name in with_users), None)
	frappe.db.sql(
		"update `tabPickup Partner` set enabled = (name = %s) where name in %s",
		(keep, tuple(covering) or ("",)),
	)
	frappe.db.commit()  # nosemgrep
	from manual_orders.settings import clear_catalogue_cache

	clear_catalogue_cache()


def pickup_comparison(repeat: int, values: dict) -> dict:
	"""Lead insert, creation without and with the pickup step (and with Frappe's own
	notification loop), interleaved run by run."""
	one_partner_takes_every_order(values)
	leads = make_leads(4 * repeat + 20)
	runs = {
		"lead_insert": ([], []),
		"without_pickups": ([], []),
		"with_pickups_before_issue_16": ([], []),
		"with_pickups_todos_in_the_request": ([], []),
		"with_pickups": ([], []),
	}
	create = full_creation(leads, values)
	for i in range(repeat + 5):
		warm = i < 5
		for label in runs:
			if label == "lead_insert":
				result = measure(lead_insert, 1)
			elif label == "without_pickups":
				with without_pickups():
					result = measure(lambda _n, i=i: create(4 * i), 1)
			elif label == "with_pickups_before_issue_16":
				with before_issue_16():
					result = measure(lambda _n, i=i: create(4 * i + 1), 1)
			elif label == "with_pickups_todos_in_the_request":
				with todos_in_the_request():
					result = measure(lambda _n, i=i: create(4 * i + 2), 1)
			else:
				result = measure(lambda _n, i=i: create(4 * i + 3), 1)
			if not warm:
				runs[label][0].extend(result[0])
				runs[label][1].extend(result[1])
	out = {label: summary(times, queries) for label, (times, queries) in runs.items()}
	lead = out["lead_insert"]["median_ms"]
	for label in list(runs)[1:]:
		out[label]["ratio_to_lead_median"] = round(out[label]["median_ms"] / lead, 2)
	return out


# The inspection at the door


def created_at_the_door(count: int, values: dict) -> tuple[list[str], str]:
	"""`count` created orders of one partner, Out for Pickup, and that partner's user."""
	from manual_orders.api import update_pickup

	one_partner_takes_every_order(values)
	leads = make_leads(count)
	create = full_creation(leads, values)
	names = []
	for i in range(count):
		create(i)
		names.append(frappe.db.get_value("Manual Order", {"lead": leads[i]}, "name"))
	frappe.db.commit()  # nosemgrep
	partner = frappe.db.get_value("Manual Order", names[0], "pickup_partner")
	user = frappe.db.get_value("Pickup Partner User", {"parent": partner}, "user")
	frappe.set_user(user)
	for name in names:
		update_pickup(name, "Out for Pickup")
	frappe.db.commit()  # nosemgrep
	return names, user


def inspection_comparison(repeat: int, values: dict) -> dict:
	"""Lead insert, an inspection as agreed, and a changed offer recorded + code sent + accepted."""
	from frappe.utils.password import get_decrypted_password

	from manual_orders import api
	from manual_orders.messaging.outbox import SECRET_FIELD
	from manual_orders.tests.utils import found_as_agreed

	orders, user = created_at_the_door(2 * (repeat + 5), values)
	runs = {"lead_insert": ([], []), "inspection_as_agreed": ([], []), "changed_offer_accepted": ([], [])}

	def changed(order: str):
		found = found_as_agreed(order)
		found["accessories"] = []  # the charger is missing: a small drop, no manager needed
		inspection = api.record_inspection(**found)["name"]
		api.send_offer_code(inspection)
		return inspection

	def code_of(order: str) -> str:
		message = frappe.db.get_value("Manual Order Message", {"manual_order": order, "carries_code": 1})
		return get_decrypted_password("Manual Order Message", message, SECRET_FIELD).split("code ")[1][:6]

	for i in range(repeat + 5):
		warm = i < 5
		frappe.set_user("Administrator")
		lead = measure(lead_insert, 1)
		frappe.set_user(user)
		agreed = measure(lambda _n, i=i: api.record_inspection(**found_as_agreed(orders[2 * i])), 1)
		order = orders[2 * i + 1]
		inspection = []
		first = measure(lambda _n, order=order: inspection.append(changed(order)), 1)
		code = code_of(order)
		second = measure(lambda _n: api.accept_offer(inspection[0], code), 1)
		offer = ([first[0][0] + second[0][0]], [first[1][0] + second[1][0]])
		if not warm:
			for label, result in (
				("lead_insert", lead),
				("inspection_as_agreed", agreed),
				("changed_offer_accepted", offer),
			):
				runs[label][0].extend(result[0])
				runs[label][1].extend(result[1])
	frappe.set_user("Administrator")
	out = {label: summary(times, queries) for label, (times, queries) in runs.items()}
	for label in list(runs)[1:]:
		out[label]["ratio_to_lead_median"] = round(
			out[label]["median_ms"] / out["lead_insert"]["median_ms"], 2
		)
	return out


# Settlement


def picked_up_orders(count: int, values: dict) -> list[str]:
	"""`count` orders found as agreed at the door and picked up with fresh IMEIs."""
	from manual_orders import api
	from manual_orders.tests.utils import found_as_agreed, random_imei

	orders, _user = created_at_the_door(count, values)
	for order in orders:
		api.record_inspection(**found_as_agreed(order))
		evidence = frappe.get_doc(
			{
				"doctype": "File",
				"file_name": "ceir.png",
				"content": b"\x89PNG " + frappe.generate_hash().encode(),
				"is_private": 1,
			}
		).insert()
		api.update_pickup(order, "Picked Up", imei=random_imei(), imei_evidence=evidence.file_url)
	frappe.db.commit()  # nosemgrep
	frappe.set_user("Administrator")
	return orders


def erpnext_invoice(order: str, with_payment: bool):
	"""ERPNext's own path for the same device: a Purchase Invoice (update_stock, a serial number)."""
	from manual_orders.settlement import books
	from manual_orders.tests.utils import random_imei

	doc = frappe.get_doc("Manual Order", order)
	supplier = books.supplier_for(doc)
	invoice = books.purchase_invoice(doc, supplier, books.item_for(doc.device_model), 30500, random_imei())
	if with_payment:
		books.payment_entry(invoice, "BENCH" + frappe.generate_hash(length=10).upper())


def settlement_comparison(repeat: int, values: dict) -> dict:
	from manual_orders.settlement import settle
	from manual_orders.settlement.tests.payout_server import KEY_ID, KEY_SECRET, WEBHOOK_SECRET, PayoutServer

	server = PayoutServer().start()
	settings = frappe.get_single("Manual Order Settlement Settings")
	before = {f: settings.get(f) for f in ("payouts_enabled", "api_base_url", "key_id", "account_number")}
	settings.update(
		{
			"payouts_enabled": 1,
			"api_base_url": server.url,
			"key_id": KEY_ID,
			"key_secret": KEY_SECRET,
			"account_number": "2323230041626905",
			"webhook_secret": WEBHOOK_SECRET,
		}
	)
	settings.save(ignore_permissions=True)
	frappe.db.commit()  # nosemgrep
	orders = picked_up_orders(3 * (repeat + 5), values)
	runs = {
		"erpnext_purchase_invoice": ([], []),
		"settlement_books": ([], []),
		"erpnext_invoice_and_payment": ([], []),
		"settlement_paid": ([], []),
	}

	def paid(order: str):
		name = settle.book(order)
		settle.send(name)
		payout = frappe.db.get_value("Manual Order Payout", name, "provider_payout_id")
		raw, _signature = server.webhook(payout, "payout.processed", utr="BENCH" + payout[-10:])
		settle.apply_webhook(raw, None)

	try:
		for i in range(repeat + 5):
			warm = i < 5
			results = {
				"erpnext_purchase_invoice": measure(lambda _n, i=i: erpnext_invoice(orders[3 * i], False), 1),
				"settlement_books": measure(lambda _n, i=i: settle.book(orders[3 * i + 1]), 1),
				"erpnext_invoice_and_payment": measure(
					lambda _n, i=i: erpnext_invoice(orders[3 * i], True), 1
				),
				"settlement_paid": measure(lambda _n, i=i: paid(orders[3 * i + 2]), 1),
			}
			if not warm:
				for label, (times, queries) in results.items():
					runs[label][0].extend(times)
					runs[label][1].extend(queries)
	finally:
		settings = frappe.get_single("Manual Order Settlement Settings")
		settings.update(before)
		settings.save(ignore_permissions=True)
		frappe.db.commit()  # nosemgrep
		server.stop()
	out = {label: summary(times, queries) for label, (times, queries) in runs.items()}
	out["settlement_books"]["ratio_to_erpnext_median"] = round(
		out["settlement_books"]["median_ms"] / out["erpnext_purchase_invoice"]["median_ms"], 2
	)
	out["settlement_paid"]["ratio_to_erpnext_median"] = round(
		out["settlement_paid"]["median_ms"] / out["erpnext_invoice_and_payment"]["median_ms"], 2
	)
	return out


# Volume


def seed_orders(total: int) -> None:
	"""Existing orders, written straight into the table (agents, cities, dates spread out)."""
	existing = frappe.db.count("Manual Order", {"name": ("like", PREFIX + "%")})
	if existing >= total:
		return
	cities = ["Bengaluru", "Mumbai", "Delhi", "Hyderabad", "Chennai", "Pune"]
	batch = 100_000
	start = existing + 1
	while start <= total:
		end = min(start + batch - 1, total)
		frappe.db.sql(
			f"""
			insert into `tabManual Order`
				(name, creation, modified, modified_by, owner, docstatus, naming_series, agent, customer_name,
				 mobile_no, creation_reason, device_type, brand, device_model, variant, base_price,
				 estimated_price, price_low, price_high, address_line1, landmark, city, state, pincode,
				 pickup_date, pickup_slot, payment_method, upi_id, price_disputed, picked_up, workflow_state,
				 consent_recorded_at, outcome)
			select concat('{PREFIX}', seq), now() - interval (seq % 365) day, now(), 'Administrator',
				concat('bench.agent.', seq % {AGENTS}, '@manual-orders.test'),
				if(seq % 10 = 0, 2, 1), 'MO-.YYYY.-', concat('bench.agent.', seq % {AGENTS}, '@manual-orders.test'),
				'Bench Customer', '+919876543210', 'Customer asked for help', 'Phone', 'Apple', 'iPhone 13',
				'128 GB', 30000, 30500, 27450, 30500, 'Flat 4B, 12 MG Road', 'Metro',
				elt(1 + seq % 6, {", ".join(frappe.db.escape(c) for c in cities)}), 'Karnataka', '560001',
				curdate(), '09:00 - 11:00', 'UPI', 'x@okhdfc', seq % 20 = 0, seq % 3 = 0,
				if(seq % 10 = 0, 'Cancelled', 'Created'), now(), null
			from seq_{start}_to_{end}
			"""
		)
		frappe.db.commit()  # nosemgrep
		start = end + 1
	frappe.db.sql("analyze table `tabManual Order`")


def look_up(values: dict):
	from manual_orders.api import check_order

	def run(i: int):
		check_order({"doctype": "Manual Order", **values, **CONSENT})

	return run


def reports(agent: str) -> dict:
	from frappe.desk.query_report import run

	results = {}
	filters = {"from_date": add_days(nowdate(), -30), "to_date": nowdate()}
	for name in ("Manual Order Agent Accuracy", "Manual Order Funnel", "Manual Order Refusals by Rule"):
		for label, extra in (("all agents", {}), ("one agent", {"agent": agent})):
			times = []
			for _ in range(3):
				start = time.perf_counter()
				run(name, filters={**filters, **extra}, ignore_prepared_report=True)
				times.append(time.perf_counter() - start)
			results[f"{name} ({label})"] = round(statistics.median(times) * 1000, 1)
	return results


# HTTP


def http_agents(site: str, sites_path: str, orders: int, values: dict, think: float = 0.0) -> dict:
	"""20 concurrent agents against gunicorn (4 workers) serving the bench.

	`think`: mean seconds each agent waits between two orders, drawn uniformly from
	0 to twice that (0: back to back, a stress test).
	"""
	import deployed

	port = 8123
	server = deployed.gunicorn(sites_path, port)
	try:
		deployed.wait_until_serving(site, port)
		return run_agents(site, [f"http://127.0.0.1:{port}"], orders, values, think, cpu_of=server.pid)
	finally:
		deployed.stop(server)


def run_agents(
	site: str,
	urls: list[str],
	orders: int,
	values: dict,
	think: float = 0.0,
	cpu_of: int | None = None,
	codes_every: int = 0,
	moments: dict | None = None,
) -> dict:
	"""20 agents, each creating `orders / 20` orders (insert + submit) back to back or with
	`think`; an agent's requests go to `urls` in turn (two app servers: alternately).

	`codes_every`: every n-th order of an agent asks for the consent code between its insert
	and submit (a third request). `moments`, if given, gets the wall-clock time each order's
	submit (`committed`) and each code request (`codes`) returned, by order name.
	"""
	keys = [agent_keys(i) for i in range(AGENTS)]
	frappe.db.commit()  # nosemgrep
	latencies, errors = {"insert": [], "submit": [], "code": []}, []
	committed_at, codes_at = {}, {}
	lock = threading.Lock()
	per_agent = orders // AGENTS
	turn = iter(range(10**9))

	def next_url() -> str:
		with lock:
			return urls[next(turn) % len(urls)]

	def post(session, path: str, **kwargs) -> requests.Response:
		return session.post(next_url() + path, timeout=60, **kwargs)

	def agent(i: int):
		session = requests.Session()
		session.headers.update(
			{"Host": site, "Authorization": f"token {keys[i]}", "Accept": "application/json"}
		)
		for n in range(per_agent):
			time.sleep(random.uniform(0, 2 * think))  # agents do not click in step
			start = time.perf_counter()
			payload = {**values, **CONSENT, "customer_name": "Bench Customer", "mobile_no": "9876543210"}
			response = post(session, "/api/resource/Manual Order", json=payload)
			inserted = time.perf_counter()
			if response.status_code != 200:
				with lock:
					errors.append((response.status_code, error_text(response)))
				continue
			doc = response.json()["data"]
			if codes_every and n % codes_every == 0:
				response = post(
					session, "/api/method/manual_orders.api.send_consent_otp", json={"order": doc["name"]}
				)
				coded = time.perf_counter()
				with lock:
					codes_at[doc["name"]] = time.time()
					latencies["code"].append(coded - inserted)
					if response.status_code != 200:
						errors.append((response.status_code, error_text(response)))
				doc = session.get(
					next_url() + f"/api/resource/Manual Order/{doc['name']}", timeout=60
				).json()["data"]
				inserted = time.perf_counter()
			response = post(session, "/api/method/frappe.client.submit", json={"doc": doc})
			done = time.perf_counter()
			with lock:
				latencies["insert"].append(inserted - start)
				latencies["submit"].append(done - inserted)
				if response.status_code == 200:
					committed_at[doc["name"]] = time.time()
				else:
					errors.append((response.status_code, error_text(response)))

	start = time.perf_counter()
	cpu_before = process_tree_cpu(cpu_of) if cpu_of else 0.0
	with ThreadPoolExecutor(max_workers=AGENTS) as pool:
		list(pool.map(agent, range(AGENTS)))
	elapsed = time.perf_counter() - start
	all_requests = latencies["insert"] + latencies["submit"]
	result = {
		"agents": AGENTS,
		"servers": len(urls),
		"think_seconds": think,
		"orders": len(committed_at),
		"requests": len(all_requests) + len(latencies["code"]) + len(errors),
		"errors": len(errors),
		"first_error": errors[0] if errors else None,
		"orders_per_second": round(len(committed_at) / elapsed, 2),
		"p50_ms": round(percentile(all_requests, 50) * 1000, 1),
		"p95_ms": round(percentile(all_requests, 95) * 1000, 1),
		"p99_ms": round(percentile(all_requests, 99) * 1000, 1),
		"insert_p95_ms": round(percentile(latencies["insert"], 95) * 1000, 1),
		"submit_p95_ms": round(percentile(latencies["submit"], 95) * 1000, 1),
	}
	if latencies["code"]:
		result["code_request_p95_ms"] = round(percentile(latencies["code"], 95) * 1000, 1)
	if cpu_of:
		cpu = process_tree_cpu(cpu_of) - cpu_before
		result["gunicorn_cpu_ms_per_order"] = round(cpu * 1000 / max(len(latencies["submit"]), 1), 1)
	if moments is not None:
		moments.update(committed=committed_at, codes=codes_at)
		result["errors_seen"] = sorted({f"{status} {text}" for status, text in errors})
	return result


def error_text(response: requests.Response) -> str:
	try:
		body = response.json()
	except ValueError:
		return response.text[:300]
	messages = [json.loads(m).get("message", "") for m in json.loads(body.get("_server_messages") or "[]")]
	return f"{body.get('exc_type')}: {' | '.join(map(str, messages))[:500]}"


def agent_keys(i: int) -> str:
	email = f"bench.agent.{i}@manual-orders.test"
	if not frappe.db.exists("User", email):
		user = frappe.get_doc(
			{"doctype": "User", "email": email, "first_name": f"Bench Agent {i}", "send_welcome_email": 0}
		)
		user.append("roles", {"role": "Manual Order Agent"})
		user.append("roles", {"role": "Sales User"})
		user.api_key = f"bench-agent-{i}"
		user.api_secret = f"bench-secret-{i}"
		user.insert(ignore_permissions=True)
	return f"bench-agent-{i}:bench-secret-{i}"


def main():
	parser = argparse.ArgumentParser()
	parser.add_argument("--site", required=True)
	parser.add_argument("--sites-path", default=".")
	parser.add_argument("--repeat", type=int, default=50)
	parser.add_argument("--http-orders", type=int, default=400)
	parser.add_argument("--skip-million", action="store_true")
	parser.add_argument("--json")
	parser.add_argument("--reset", action="store_true", help="delete the seeded BM- orders first")
	parser.add_argument(
		"--pickups", action="store_true", help="only the creation path with and without pickups"
	)
	parser.add_argument("--http", action="store_true", help="only the 20 agents over HTTP, back to back")
	parser.add_argument(
		"--inspection", action="store_true", help="only the inspection and the offer at the door"
	)
	parser.add_argument(
		"--settlement", action="store_true", help="only the settlement beside ERPNext's Purchase Invoice"
	)
	parser.add_argument(
		"--deployed",
		action="store_true",
		help="only the 20 agents against gunicorn alone and with its workers and scheduler",
	)
	parser.add_argument("--rounds", type=int, default=2, help="--deployed: rounds of each shape")
	parser.add_argument(
		"--faults", action="store_true", help="only a worker killed while sending, a gateway timing out"
	)
	parser.add_argument(
		"--two-servers",
		action="store_true",
		help="only two app servers taking turns; asserts the places, messages and a settings change",
	)
	parser.add_argument(
		"--replica",
		action="store_true",
		help="only a copy of the site on a MariaDB primary and replica and a Redis of its own: "
		"reports on the replica, behind and down; Redis and the primary restarted mid-creation",
	)
	parser.add_argument("--work", default="/tmp/manual-orders-own-servers", help="--replica: scratch folder")
	args = parser.parse_args()

	frappe.init(site=args.site, sites_path=args.sites_path)
	frappe.connect()
	frappe.set_user("Administrator")
	frappe.flags.mute_emails = True
	values = order_values()
	results = {"site": args.site, "repeat": args.repeat}

	def creation_round(label: str):
		lead_times, lead_queries = measure(lead_insert, args.repeat)
		leads = make_leads(args.repeat)
		order_times, order_queries = measure(full_creation(leads, values), args.repeat)
		lead, order = summary(lead_times, lead_queries), summary(order_times, order_queries)
		results[label] = {
			"lead_insert": lead,
			"full_creation": order,
			"ratio_median": round(order["median_ms"] / lead["median_ms"], 2),
		}
		print(label, json.dumps(results[label]), flush=True)

	if args.reset:
		frappe.db.sql(f"delete from `tabManual Order` where name like '{PREFIX}%'")
		frappe.db.commit()  # nosemgrep
	measure(lead_insert, 5)  # warm caches
	if args.pickups:
		results["pickups"] = pickup_comparison(args.repeat, values)
		return report(results, args.json)
	if args.settlement:
		results["settlement"] = settlement_comparison(args.repeat, values)
		return report(results, args.json)
	if args.inspection:
		results["inspection"] = inspection_comparison(args.repeat, values)
		return report(results, args.json)
	if args.deployed:
		import deployed

		one_partner_takes_every_order(values)
		results["deployed"] = deployed.comparison(
			args.site, os.path.abspath(args.sites_path), args.http_orders, values, run_agents, args.rounds
		)
		return report(results, args.json)
	if args.faults:
		import deployed

		one_partner_takes_every_order(values)
		results["faults"] = deployed.faults(
			args.site, os.path.abspath(args.sites_path), args.http_orders, values, run_agents
		)
		return report(results, args.json)
	if args.two_servers:
		import deployed

		results["two_servers"] = deployed.two_servers(
			args.site, os.path.abspath(args.sites_path), args.http_orders, values, run_agents
		)
		return report(results, args.json)
	if args.replica:
		import own_servers

		results["replica_and_restarts"] = own_servers.replica_and_restarts(
			args.site, os.path.abspath(args.sites_path), args.work, values, run_agents
		)
		return report(results, args.json)
	if args.http:
		results["http"] = http_agents(args.site, os.path.abspath(args.sites_path), args.http_orders, values)
		return report(results, args.json)
	seed_orders(1_000)
	creation_round("at_1k_orders")

	sites_path = os.path.abspath(args.sites_path)
	results["http"] = http_agents(args.site, sites_path, args.http_orders, values)
	print("http", json.dumps(results["http"]), flush=True)
	results["http_with_think_time"] = http_agents(
		args.site, sites_path, args.http_orders // 2, values, think=5.0
	)
	print("http_with_think_time", json.dumps(results["http_with_think_time"]), flush=True)

	sizes = [100_000] + ([] if args.skip_million else [1_000_000])
	for size in sizes:
		started = time.perf_counter()
		seed_orders(size)
		seeded = round(time.perf_counter() - started, 1)
		look_times, look_queries = measure(look_up(values), 20)
		results[f"at_{size // 1000}k_orders"] = {
			"seed_seconds": seeded,
			"reports_ms": reports("bench.agent.1@manual-orders.test"),
			"price_and_serviceability_lookup": summary(look_times, look_queries),
		}
		print(size, json.dumps(results[f"at_{size // 1000}k_orders"]), flush=True)
	if not args.skip_million:
		creation_round("at_1m_orders")
		results["flatness"] = round(
			results["at_1m_orders"]["full_creation"]["median_ms"]
			/ results["at_1k_orders"]["full_creation"]["median_ms"],
			2,
		)
	report(results, args.json)


def report(results: dict, path: str | None) -> None:
	results["dropped_queued_jobs"] = drop_queued_jobs(frappe.local.site)
	print(json.dumps(results, indent=1))
	if path:
		with open(path, "w") as fh:
			json.dump(results, fh, indent=1)
	frappe.destroy()


if __name__ == "__main__":
	main()
