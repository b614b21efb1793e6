"""The shape a site really runs in (issue 25): gunicorn, the RQ workers and the scheduler.

`benchmark.py --deployed` runs 20 agents back to back against gunicorn alone and against the
same gunicorn with a bench's background processes beside it, interleaved, in one run:
- a worker on "short,default" and one on "long,default,short", as `bench setup supervisor`
  gives a site (one of each on this machine's two cores);
- the scheduler (`frappe schedule`), with the site's scheduler enabled.

Every process is a process group of its own (as it would be on its own host), stopped with
its children. The SMS gateway and the WhatsApp Cloud API are one local HTTP server (the tests'
`GatewayServer`, in a process of its own: `gateway_process.py`), which notes when each message reached it: that minus the moment the agent's
request that committed the order (or asked for the code) returned is a message's latency.
"""

import json
import os
import re
import signal
import statistics
import subprocess
import sys
import time
from contextlib import contextmanager

import frappe
import requests

WORKERS = ("short,default", "long,default,short")  # bench's supervisor config, one of each


def percentile(values: list[float], p: float) -> float:
	if not values:
		return float("nan")
	ordered = sorted(values)
	index = min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))
	return ordered[index]


def bench_python() -> str:
	return sys.executable


def cli(site: str, sites_path: str, *args: str) -> list[str]:
	return [bench_python(), "-m", "frappe.utils.bench_helper", "frappe", "--site", site, *args]


def spawn(command: list[str], sites_path: str) -> subprocess.Popen:
	"""A process group of its own, quiet, from the sites folder."""
	return subprocess.Popen(
		command,
		cwd=sites_path,
		env={**os.environ, "SITES_PATH": sites_path},
		stdout=subprocess.DEVNULL,
		stderr=subprocess.DEVNULL,
		start_new_session=True,
	)


def stop(process: subprocess.Popen, sig: int = signal.SIGTERM) -> None:
	"""The process's group, and with SIGKILL every descendant too: RQ's job process (the
	"horse") is a session of its own, which a signal to the worker's group does not reach."""
	descendants = descendants_of(process.pid) if sig == signal.SIGKILL else []
	try:
		os.killpg(process.pid, sig)
	except ProcessLookupError:
		return
	for pid in descendants:
		try:
			os.kill(pid, signal.SIGKILL)
		except ProcessLookupError:
			pass
	try:
		process.wait(timeout=30)
	except subprocess.TimeoutExpired:
		os.killpg(process.pid, signal.SIGKILL)
		process.wait(timeout=10)


def descendants_of(pid: int) -> list[int]:
	found, pending = [], [pid]
	while pending:
		current = pending.pop()
		try:
			with open(f"/proc/{current}/task/{current}/children") as fh:
				children = [int(child) for child in fh.read().split()]
		except FileNotFoundError:
			continue
		found += children
		pending += children
	return found


def gunicorn(sites_path: str, port: int, workers: int = 4) -> subprocess.Popen:
	bench_env = os.path.dirname(sys.executable)
	return spawn(
		[
			os.path.join(bench_env, "gunicorn"),
			"-b",
			f"127.0.0.1:{port}",
			"-w",
			str(workers),
			"-t",
			"120",
			"--preload",
			"frappe.app:application",
		],
		sites_path,
	)


def wait_until_serving(site: str, port: int) -> None:
	for _ in range(120):
		try:
			requests.get(f"http://127.0.0.1:{port}/api/method/ping", headers={"Host": site}, timeout=2)
			return
		except requests.RequestException:
			time.sleep(0.5)
	raise RuntimeError(f"gunicorn on port {port} did not answer")


def background(site: str, sites_path: str) -> list[subprocess.Popen]:
	"""The workers and the scheduler a bench runs beside gunicorn."""
	processes = [spawn(cli(site, sites_path, "worker", "--queue", queues), sites_path) for queues in WORKERS]
	processes.append(spawn(cli(site, sites_path, "schedule"), sites_path))
	return processes


@contextmanager
def scheduler_enabled():
	"""The site's scheduler on for the block (System Settings), as it was afterwards."""
	before = frappe.db.get_single_value("System Settings", "enable_scheduler")
	frappe.db.set_single_value("System Settings", "enable_scheduler", 1)
	frappe.db.commit()  # nosemgrep: the scheduler process reads it
	try:
		yield
	finally:
		frappe.db.set_single_value("System Settings", "enable_scheduler", before or 0)
		frappe.db.commit()  # nosemgrep


class GatewayProcess:
	"""`gateway_process.py` on a port of its own, one process a round; `requests` once stopped."""

	def __init__(self, sites_path: str):
		from manual_orders.tests.utils import free_port

		self.port = free_port()
		self.url = f"http://127.0.0.1:{self.port}"
		self.records = os.path.join(sites_path, f"gateway-{self.port}.json")
		self.process = None
		self.requests: list[dict] = []

	def start(self, mode: str = "ok", delay: float = 0.0) -> None:
		script = os.path.join(os.path.dirname(os.path.abspath(__file__)), "gateway_process.py")
		self.process = subprocess.Popen(
			# at the lowest priority: it stands for a gateway on other machines, whose CPU a real
			# deployment never spends on these cores (what it does spend is counted: cpu_elsewhere)
			["nice", "-n", "19", sys.executable, script, str(self.port), self.records, mode, str(delay)],
			stdout=subprocess.PIPE,
			start_new_session=True,
		)
		self.process.stdout.readline()  # its URL: serving

	def stop(self) -> None:
		stop(self.process)
		with open(self.records) as fh:
			self.requests += json.load(fh)  # every start's, until the next `reset`
		os.remove(self.records)
		if os.path.exists(self.records + ".seen"):
			os.remove(self.records + ".seen")

	def arrived(self) -> int:
		"""Requests that reached it so far (answered or not), while it runs."""
		try:
			with open(self.records + ".seen") as fh:
				return len(fh.readlines())
		except FileNotFoundError:
			return 0

	def reset(self) -> None:
		self.requests = []

	def accepted(self) -> list[dict]:
		return [r for r in self.requests if r["answered"] == 200]


@contextmanager
def gateway_for_the_site(sites_path: str):
	"""The site's SMS and WhatsApp settings pointed at a GatewayProcess, restored after."""
	server = GatewayProcess(sites_path)
	singles = ("SMS Settings", "Manual Order WhatsApp Settings")
	before = {name: frappe.get_single(name).as_dict(no_default_fields=True) for name in singles}
	sms = frappe.get_single("SMS Settings")
	sms.update(
		{"sms_gateway_url": server.url + "/sms", "message_parameter": "text", "receiver_parameter": "to"}
	)
	sms.use_post = 0
	sms.set("parameters", [{"parameter": "apikey", "value": "bench-key"}])
	sms.save()
	whatsapp = frappe.get_single("Manual Order WhatsApp Settings")
	whatsapp.update(
		{
			"enabled": 1,
			"api_base_url": server.url + "/v19.0",
			"phone_number_id": "1055",
			"access_token": "bench-token",
			"default_language": "en",
		}
	)
	whatsapp.save()
	frappe.db.commit()  # nosemgrep: the workers read them
	try:
		yield server
	finally:
		for name, values in before.items():
			doc = frappe.get_single(name)
			doc.update({k: v for k, v in values.items() if k not in ("name", "doctype")})
			doc.flags.ignore_mandatory = True
			doc.save()
		frappe.db.commit()  # nosemgrep


# What the run left, counted and cleared


def job_ids() -> dict[str, set]:
	"""The ids of the jobs each queue holds in any state (queued, started, finished, failed): the
	ids new after a run are the jobs it made, whatever expired from the registries meanwhile."""
	from frappe.utils.background_jobs import get_queue, get_queue_list

	ids = {}
	for name in get_queue_list():
		queue = get_queue(name)
		ids[name] = set(queue.get_job_ids())
		for registry in (queue.started_job_registry, queue.finished_job_registry, queue.failed_job_registry):
			ids[name] |= set(registry.get_job_ids())
	return ids


def jobs_by_method(ids: dict[str, set]) -> dict[str, int]:
	"""What the jobs were: Frappe's method (or cron job type) of each, counted; the heaviest first."""
	from frappe.utils.background_jobs import get_redis_conn
	from rq.job import Job

	counts: dict[str, int] = {}
	for job in Job.fetch_many([i for queue in ids.values() for i in queue], connection=get_redis_conn()):
		if job is None:
			continue  # expired from the registries
		kwargs = job.kwargs or {}
		method = (
			(kwargs.get("kwargs") or {}).get("job_type")
			or kwargs.get("job_name")
			or str(kwargs.get("method"))
		)
		counts[method] = counts.get(method, 0) + 1
	return dict(sorted(counts.items(), key=lambda item: -item[1]))


def clear_unsent(orders: list[str], reason: str) -> int:
	"""A round without workers leaves its messages Queued: marked Failed (with the reason), so
	the next round's scheduler does not send them inside its measurement."""
	if not orders:
		return 0
	message = frappe.qb.DocType("Manual Order Message")
	queued = frappe.get_all(
		"Manual Order Message", filters={"manual_order": ("in", orders), "status": "Queued"}, pluck="name"
	)
	if queued:
		(
			frappe.qb.update(message)
			.set(message.status, "Failed")
			.set(message.last_error, reason)
			.set(message.next_attempt_at, None)
			.where(message.name.isin(queued))
		).run()
	frappe.db.commit()  # nosemgrep
	forget_senders()
	return len(queued)


def forget_senders() -> None:
	"""The outbox's lists and its "a sender is on duty" flag: with their jobs dropped, the flag
	would keep the next commits from enqueueing a sender until it expires."""
	from manual_orders.messaging import outbox

	for key in (outbox.PENDING_NAMES, outbox.URGENT_NAMES, outbox.SENDER_ON_DUTY):
		frappe.cache.delete(frappe.cache.make_key(key))


# Message latency


def message_latencies(server, committed_at: dict[str, float], codes_at: dict[str, float]) -> dict:
	"""For each kind of message, the time from the agent's committed request to the gateway."""
	from manual_orders.messaging.notifications import MASK
	from manual_orders.setup import notifications as n

	orders = list(committed_at)
	rows = frappe.get_all(
		"Manual Order Message",
		filters={"manual_order": ("in", orders or [""])},
		fields=["manual_order", "notification", "channel", "message", "template_name", "status"],
	)
	kinds = {
		n.SMS_NAME: "order_id_sms",
		n.WHATSAPP_NAME: "order_id_whatsapp",
		n.PARTNER_SMS_NAME: "partner_assigned_sms",
		n.PARTNER_WHATSAPP_NAME: "partner_assigned_whatsapp",
		n.CONSENT_CODE_NAME: "consent_code_sms",
	}
	sms_by_text, whatsapp_by_key, code_patterns = {}, {}, []
	for row in rows:
		kind = kinds.get(row.notification)
		if not kind:
			continue
		if row.channel == "WhatsApp":
			whatsapp_by_key[(row.manual_order, row.template_name)] = (row.manual_order, kind)
		elif kind == "consent_code_sms":
			pattern = re.escape(row.message).replace(re.escape(MASK), r"\d+")
			code_patterns.append((re.compile(pattern + "$"), row.manual_order))
		else:
			sms_by_text[row.message] = (row.manual_order, kind)
	arrivals: dict[tuple, list[float]] = {}
	for request in server.accepted():
		found = match_request(request, sms_by_text, whatsapp_by_key, code_patterns)
		if found:
			arrivals.setdefault(found, []).append(request["received_at"])
	latencies: dict[str, list[float]] = {}
	for (order, kind), times in arrivals.items():
		since = codes_at.get(order) if kind == "consent_code_sms" else committed_at.get(order)
		if since is not None:
			latencies.setdefault(kind, []).append(min(times) - since)
	expected = {kind: 0 for kind in kinds.values()}
	for row in rows:
		if row.notification in kinds:
			expected[kinds[row.notification]] += 1
	return {
		"latency": {kind: spread(values) for kind, values in sorted(latencies.items())},
		"recorded": expected,
		"reached_gateway": {kind: len(v) for kind, v in sorted(latencies.items())},
		"reached_twice": sum(1 for times in arrivals.values() if len(times) > 1),
		"still_queued": sum(1 for row in rows if row.status == "Queued"),
	}


def match_request(request, sms_by_text, whatsapp_by_key, code_patterns):
	import json

	if request["path"].endswith("/sms"):
		text = request["query"].get("text", "")
		if text in sms_by_text:
			return sms_by_text[text]
		for pattern, order in code_patterns:
			if pattern.match(text):
				return (order, "consent_code_sms")
		return None
	try:
		template = json.loads(request["body"])["template"]
	except (ValueError, KeyError):
		return None
	parameters = [p.get("text") for c in template.get("components", []) for p in c.get("parameters", [])]
	for order in parameters:
		if (order, template.get("name")) in whatsapp_by_key:
			return whatsapp_by_key[(order, template.get("name"))]
	return None


def spread(values: list[float]) -> dict:
	return {
		"n": len(values),
		"p50_ms": round(percentile(values, 50) * 1000, 1),
		"p95_ms": round(percentile(values, 95) * 1000, 1),
		"max_ms": round(max(values) * 1000, 1) if values else None,
	}


def process_tree_cpu(pid: int) -> float:
	"""CPU seconds (user + system) of a process and its descendants so far, the ones that ended
	included, from /proc (Linux)."""
	tick = os.sysconf("SC_CLK_TCK")
	total = 0.0
	pending = [pid]
	while pending:
		current = pending.pop()
		try:
			with open(f"/proc/{current}/stat") as fh:
				fields = fh.read().rsplit(")", 1)[1].split()
			# its own time and its reaped children's (an RQ worker's forked job processes)
			total += sum(int(value) for value in fields[11:15]) / tick
			with open(f"/proc/{current}/task/{current}/children") as fh:
				pending += [int(child) for child in fh.read().split()]
		except (FileNotFoundError, ProcessLookupError):
			continue
	return total


def cpu_elsewhere(gateway) -> dict[str, float]:
	"""CPU seconds so far of the machine (every process: all cores' busy time, and the time the
	hypervisor took from them), MariaDB's server and the gateway's stand-in, which no shape's own
	processes count."""
	with open("/proc/stat") as fh:
		fields = [int(value) for value in fh.readline().split()[1:]]
	idle = fields[3] + fields[4]  # idle and iowait
	tick = os.sysconf("SC_CLK_TCK")
	# steal: time the hypervisor gave this machine's cores to others (a noisy neighbour)
	seconds = {"machine": (sum(fields[:7]) - idle) / tick, "stolen": fields[7] / tick}
	mariadb = subprocess.run(["pidof", "mariadbd"], capture_output=True, text=True).stdout.split()
	seconds["mariadb"] = sum(process_tree_cpu(int(pid)) for pid in mariadb)
	seconds["gateway"] = process_tree_cpu(gateway.process.pid)
	return seconds


def other_sites_jobs(site: str) -> int:
	"""Jobs other sites of the bench left queued: a bench's workers serve every site, so they
	would run inside the measurement (a test suite's leftovers did, once)."""
	from frappe.utils.background_jobs import get_queue, get_queue_list

	return sum(
		1
		for name in get_queue_list()
		for job in get_queue(name).get_jobs()
		if (job.kwargs or {}).get("site") != site
	)


def drop_queued_jobs(site: str) -> int:
	"""The background jobs this run left for its site (message sending, ToDos): a bench's queues
	are shared by its sites, and a worker started for another site would take them first."""
	from frappe.utils.background_jobs import get_queue, get_queue_list

	dropped = 0
	for name in get_queue_list():
		for job in get_queue(name).get_jobs():
			if (job.kwargs or {}).get("site") == site:
				job.delete()
				dropped += 1
	forget_senders()  # its flag would otherwise outlive the sender dropped
	return dropped


# The comparison


def comparison(site: str, sites_path: str, orders: int, values: dict, run_agents, rounds: int = 2) -> dict:
	"""Gunicorn alone and as deployed, `rounds` times each, interleaved, on the same site."""
	port = 8124
	rounds_of = {"gunicorn_alone": [], "as_deployed": []}
	drop_queued_jobs(site)
	forget_senders()
	with gateway_for_the_site(sites_path) as gateway, scheduler_enabled():
		for _ in range(rounds):
			for shape in rounds_of:
				rounds_of[shape].append(
					one_round(
						site, sites_path, port, orders, values, run_agents, gateway, shape == "as_deployed"
					)
				)
				print(shape, rounds_of[shape][-1], flush=True)
	p95 = {shape: statistics.median(r["p95_ms"] for r in runs) for shape, runs in rounds_of.items()}
	return {
		**rounds_of,
		"p95_ms_median_of_rounds": p95,
		"p95_ratio": round(p95["as_deployed"] / p95["gunicorn_alone"], 3),
	}


def one_round(
	site,
	sites_path,
	port,
	orders,
	values,
	run_agents,
	gateway,
	with_background: bool,
	gateway_mode=("ok", 0.0),
) -> dict:
	gateway.reset()
	gateway.start(*gateway_mode)
	web = gunicorn(sites_path, port)
	others = background(site, sites_path) if with_background else []
	try:
		wait_until_serving(site, port)
		time.sleep(3)  # the workers and the scheduler up before the first order
		jobs_before = job_ids()
		result_notes = {"other_sites_jobs_queued": other_sites_jobs(site)}
		cpu_before = sum(process_tree_cpu(p.pid) for p in others)
		where_before = cpu_elsewhere(gateway)
		moments: dict = {}
		result = run_agents(
			site,
			[f"http://127.0.0.1:{port}"],
			orders,
			values,
			cpu_of=web.pid,
			codes_every=CODES_EVERY,
			moments=moments,
		)
		created = list(moments["committed"])
		where_after = cpu_elsewhere(gateway)  # the agents' run only: not the sending after it
		result.update(
			{
				f"{what}_cpu_ms_per_order": round(
					(where_after[what] - where_before[what]) * 1000 / max(len(created), 1), 1
				)
				for what in where_before
			}
		)
		if with_background:
			wait_for_messages(created)
			result["background_cpu_ms_per_order"] = round(
				(sum(process_tree_cpu(p.pid) for p in others) - cpu_before) * 1000 / max(len(created), 1), 1
			)
		new_ids = {queue: ids - jobs_before.get(queue, set()) for queue, ids in job_ids().items()}
		jobs = {queue: len(ids) for queue, ids in new_ids.items()}
		result["jobs"] = {
			**jobs,
			"per_order": round(sum(jobs.values()) / max(len(created), 1), 3),
			"by_method": jobs_by_method(new_ids),
		}
		result.update(result_notes)
	finally:
		for process in [web, *others]:
			stop(process)
		gateway.stop()
	result["messages"] = message_latencies(gateway, moments["committed"], moments["codes"])
	if not with_background:
		result["messages"]["marked_failed_unsent"] = clear_unsent(created, "benchmark: no worker ran")
		result["dropped_jobs"] = drop_queued_jobs(site)
	return result


CODES_EVERY = 5  # one order in five asks for the consent code


def wait_for_messages(orders: list[str], seconds: float = 120) -> None:
	"""Until no message of these orders is Queued (or `seconds` passed)."""
	deadline = time.monotonic() + seconds
	while time.monotonic() < deadline:
		frappe.db.rollback()
		if not frappe.db.count(
			"Manual Order Message", {"manual_order": ("in", orders or [""]), "status": "Queued"}
		):
			return
		time.sleep(0.5)


# Two app servers (issue 25, item 2)

PORTS = (8125, 8126)
TIGHT_PARTNER = "Bench Two Servers Partner"
SPARE_PINCODE = "560099"


def two_servers(site: str, sites_path: str, orders: int, values: dict, run_agents) -> dict:
	"""Two gunicorns (two workers each, a process group each, as two hosts would be) and an RQ
	worker beside each, on one MariaDB and one Redis; every agent's requests alternate between
	them. Asserts what is stored afterwards; raises AssertionError with every broken rule."""
	urls = [f"http://127.0.0.1:{port}" for port in PORTS]
	drop_queued_jobs(site)
	forget_senders()
	with gateway_for_the_site(sites_path) as gateway, tight_places(values, orders) as tight:
		gateway.reset()
		gateway.start()
		hosts = [gunicorn(sites_path, port, workers=2) for port in PORTS]
		hosts += [
			spawn(cli(site, sites_path, "worker", "--queue", "short,default"), sites_path) for _ in PORTS
		]
		try:
			for port in PORTS:
				wait_until_serving(site, port)
			moments: dict = {}
			result = run_agents(site, urls, orders, values, moments=moments)
			created = list(moments["committed"])
			wait_for_messages(created)
			frappe.db.rollback()
			result["stored"] = stored_places(values, tight)
			result["settings_change"] = a_change_through_one_server_seen_by_the_other(site, urls, values)
		finally:
			for process in hosts:
				stop(process)
			gateway.stop()
		result["messages"] = message_latencies(gateway, moments["committed"], moments["codes"])
	check_two_servers(result, tight)
	return result


@contextmanager
def tight_places(values: dict, orders: int):
	"""The run's slot (that day, that city) gets room for half the orders the agents attempt, and
	a partner of its own room for a quarter; both as they were afterwards."""
	from manual_orders.pickup import places

	slot = frappe.get_doc("Pickup Slot", values["pickup_slot"])
	before = (slot.capacity, [row.as_dict() for row in slot.city_capacities])
	city = frappe.db.get_value("Serviceable Pincode", values["pincode"], "city")
	load = places.slot_load_name(values["pickup_date"], values["pickup_slot"], city)
	booked = int(frappe.db.get_value("Pickup Slot Load", load, "booked") or 0)
	slot.capacity = booked + orders // 2
	slot.set("city_capacities", [])
	slot.save()
	partner = (
		frappe.get_doc("Pickup Partner", TIGHT_PARTNER)
		if frappe.db.exists("Pickup Partner", TIGHT_PARTNER)
		else frappe.new_doc("Pickup Partner")
	)
	assigned = int(
		frappe.db.get_value(
			"Pickup Partner Load", places.partner_load_name(values["pickup_date"], TIGHT_PARTNER), "assigned"
		)
		or 0
	)
	partner.update({"partner_name": TIGHT_PARTNER, "enabled": 1, "daily_capacity": assigned + orders // 4})
	partner.set("pincodes", [{"pincode": values["pincode"]}])
	partner.save()
	frappe.db.commit()  # nosemgrep: the app servers read them
	try:
		yield {"slot_load": load, "slot_capacity": slot.capacity, "partner_capacity": partner.daily_capacity}
	finally:
		slot = frappe.get_doc("Pickup Slot", values["pickup_slot"])
		slot.capacity = before[0]
		slot.set("city_capacities", [{k: r[k] for k in ("city", "capacity")} for r in before[1]])
		slot.save()
		frappe.db.set_value("Pickup Partner", TIGHT_PARTNER, "enabled", 0)
		frappe.db.commit()  # nosemgrep


def stored_places(values: dict, tight: dict) -> dict:
	"""The counts as booked and the orders that hold them, for the run's day."""
	slot_booked = frappe.db.get_value("Pickup Slot Load", tight["slot_load"], "booked")
	slot_orders = frappe.db.count("Manual Order", {"slot_booking": tight["slot_load"], "docstatus": 1})
	partners = {}
	for row in frappe.get_all(
		"Pickup Partner Load",
		filters={"pickup_date": values["pickup_date"]},
		fields=["pickup_partner", "assigned", "capacity"],
	):
		holding = frappe.db.count(
			"Manual Order",
			{"pickup_partner": row.pickup_partner, "pickup_date": values["pickup_date"], "docstatus": 1},
		)
		partners[row.pickup_partner] = {"assigned": row.assigned, "capacity": row.capacity, "orders": holding}
	return {"slot_booked": slot_booked, "slot_orders": slot_orders, "partners": partners}


def a_change_through_one_server_seen_by_the_other(site: str, urls: list[str], values: dict) -> dict:
	"""A serviceable pincode enabled, then disabled, by an admin through the first server; the
	second server's next check of an order there says so each time."""
	if not frappe.db.exists("Serviceable Pincode", SPARE_PINCODE):
		template = frappe.get_doc("Serviceable Pincode", values["pincode"])
		spare = frappe.copy_doc(template)
		spare.pincode, spare.enabled = SPARE_PINCODE, 0
		spare.insert()
	admin_user = frappe.get_doc("User", "Administrator")
	admin_user.api_key, admin_user.api_secret = "bench-admin", "bench-admin-secret"
	admin_user.save(ignore_permissions=True)
	frappe.db.commit()  # nosemgrep
	admin = requests.Session()
	admin.headers.update({"Host": site, "Authorization": "token bench-admin:bench-admin-secret"})
	seen = {}
	for enabled in (1, 0):
		response = admin.put(
			f"{urls[0]}/api/resource/Serviceable Pincode/{SPARE_PINCODE}",
			json={"enabled": enabled},
			timeout=30,
		)
		response.raise_for_status()
		check = admin.post(
			f"{urls[1]}/api/method/manual_orders.api.check_order",
			json={
				"doc": {
					**values,
					"pincode": SPARE_PINCODE,
					"customer_name": "Bench",
					"mobile_no": "9876543210",
				}
			},
			timeout=30,
		)
		check.raise_for_status()
		refused = [v for v in check.json()["message"]["violations"] if v["field"] == "pincode"]
		seen["enabled" if enabled else "disabled"] = "refused" if refused else "serviceable"
	return seen


def check_two_servers(result: dict, tight: dict) -> None:
	stored, broken = result["stored"], []
	if not stored["slot_booked"] == stored["slot_orders"] <= tight["slot_capacity"]:
		broken.append(
			f"slot: booked {stored['slot_booked']}, orders {stored['slot_orders']}, capacity {tight['slot_capacity']}"
		)
	if stored["slot_booked"] != tight["slot_capacity"]:
		broken.append(
			f"slot: not filled to its capacity ({stored['slot_booked']} of {tight['slot_capacity']})"
		)
	for partner, row in stored["partners"].items():
		if row["assigned"] != row["orders"] or (row["capacity"] and row["assigned"] > row["capacity"]):
			broken.append(f"partner {partner}: {row}")
	if stored["partners"].get(TIGHT_PARTNER, {}).get("assigned") != tight["partner_capacity"]:
		broken.append(f"partner {TIGHT_PARTNER}: not filled to {tight['partner_capacity']}")
	messages = result["messages"]
	if messages["reached_twice"] or messages["still_queued"]:
		broken.append(f"messages: {messages['reached_twice']} twice, {messages['still_queued']} still queued")
	refusals = [e for e in result["errors_seen"] if "slot" not in e.lower()]
	if refusals:
		broken.append(f"errors other than a full slot: {refusals[:3]}")
	if result["settings_change"] != {"enabled": "serviceable", "disabled": "refused"}:
		broken.append(f"settings change: {result['settings_change']}")
	if broken:
		raise AssertionError("two app servers: " + "; ".join(broken))


# Faults (issue 25, item 4)


def faults(site: str, sites_path: str, orders: int, values: dict, run_agents) -> dict:
	"""A worker killed while it sends, and a gateway that times out for `orders` orders; asserts
	what is stored afterwards (AssertionError with every broken rule)."""
	stale = clear_stale_queued()
	drop_queued_jobs(site)
	forget_senders()
	with gateway_for_the_site(sites_path) as gateway, scheduler_enabled():
		killed = a_worker_killed_while_sending(site, sites_path, values, gateway, run_agents)
		slow = a_gateway_timing_out(site, sites_path, orders, values, gateway, run_agents)
	broken = []
	if killed["not_sent"] or killed["sent_after_restart_twice"]:
		broken.append(f"worker killed: {killed}")
	if slow["errors"]:  # its p95 is a measurement, reported, not asserted
		broken.append(f"gateway timing out: {slow}")
	if broken:
		raise AssertionError("faults: " + "; ".join(broken))
	return {"stale_messages_marked_failed": stale, "worker_killed": killed, "gateway_timing_out": slow}


def clear_stale_queued() -> int:
	"""Earlier runs' messages still Queued on the benchmark site (their gateway long gone) are
	marked Failed: the sweep takes the oldest due first, 200 a minute, and would spend this run's
	minutes on them."""
	message = frappe.qb.DocType("Manual Order Message")
	stale = frappe.get_all("Manual Order Message", filters={"status": "Queued"}, pluck="name")
	if stale:
		(
			frappe.qb.update(message)
			.set(message.status, "Failed")
			.set(message.last_error, "benchmark: stale, before the faults run")
			.set(message.next_attempt_at, None)
			.where(message.name.isin(stale))
		).run()
	frappe.db.commit()  # nosemgrep
	return len(stale)


def a_worker_killed_while_sending(site, sites_path, values, gateway, run_agents) -> dict:
	"""Orders created with no worker running; a worker starts, and is killed (SIGKILL, its job
	process with it) while the gateway is answering its first message slowly. A new worker and
	the minute's sweep then send every message: each reaches the gateway once after the restart;
	the message in flight at the kill reached it once before as well (sending is at least once:
	SMS gateways and the WhatsApp Cloud API take no key that would make a repeat a no-op)."""
	port = PORTS[0]
	gateway.reset()
	gateway.start("slow", 3.0)
	web = gunicorn(sites_path, port, workers=2)
	try:
		wait_until_serving(site, port)
		moments: dict = {}
		run_agents(site, [f"http://127.0.0.1:{port}"], 20, values, moments=moments)
	finally:
		stop(web)
	created = list(moments["committed"])
	worker = spawn(cli(site, sites_path, "worker", "--queue", "short,default"), sites_path)
	deadline = time.monotonic() + 120
	while gateway.arrived() < 2 and time.monotonic() < deadline:  # one answered, one in flight
		time.sleep(0.1)
	stop(worker, signal.SIGKILL)
	gateway.stop()
	before_kill = [r for r in gateway.requests]
	frappe.db.rollback()
	sent_before = frappe.db.count("Manual Order Message", {"manual_order": ("in", created), "status": "Sent"})
	gateway.reset()
	gateway.start()
	worker = spawn(cli(site, sites_path, "worker", "--queue", "short,default"), sites_path)
	try:
		frappe.enqueue("manual_orders.messaging.outbox.send_due_messages", queue="default")  # the sweep
		frappe.db.commit()  # nosemgrep
		wait_for_messages(created)
	finally:
		stop(worker)
		gateway.stop()
	rows, sms, after = stored_and_sent_sms(created, gateway)
	return {
		"orders": len(created),
		"messages": len(rows),
		"at_the_gateway_before_the_kill": len(before_kill),
		"sent_before_the_kill": sent_before,
		"not_sent": sum(1 for row in rows if row.status != "Sent"),
		"sent_after_restart_twice": sum(1 for text in sms if after.count(text) > 1),
		"sms_sent_before_and_after_the_kill": sum(
			1 for text in sms if text in after and text in [r["query"].get("text") for r in before_kill]
		),
	}


def stored_and_sent_sms(orders: list[str], gateway) -> tuple[list, list[str], list[str]]:
	"""The orders' messages as stored, their SMS texts, and the SMS texts the gateway accepted."""
	rows = frappe.get_all(
		"Manual Order Message",
		filters={"manual_order": ("in", orders)},
		fields=["message", "status", "channel"],
	)
	accepted = [r["query"].get("text") for r in gateway.accepted() if r["path"].endswith("/sms")]
	return rows, [row.message for row in rows if row.channel == "SMS"], accepted


def a_gateway_timing_out(site, sites_path, orders, values, gateway, run_agents) -> dict:
	"""The same load with the gateway answering, then timing out (5 s late; the app waits 2 s),
	as deployed (workers and scheduler): creation's p95 beside each other."""
	timeout_before = frappe.db.get_single_value("Manual Order Settings", "gateway_timeout_seconds")
	frappe.db.set_single_value("Manual Order Settings", "gateway_timeout_seconds", 2)
	frappe.db.commit()  # nosemgrep
	from manual_orders.settings import clear_catalogue_cache

	clear_catalogue_cache()
	try:
		answering = one_round(site, sites_path, PORTS[0], orders, values, run_agents, gateway, True)
		timing_out = one_round(
			site, sites_path, PORTS[0], orders, values, run_agents, gateway, True, ("slow", 5.0)
		)
	finally:
		frappe.db.set_single_value("Manual Order Settings", "gateway_timeout_seconds", timeout_before)
		frappe.db.commit()  # nosemgrep
		clear_catalogue_cache()
	creation = {
		shape: {k: r[k] for k in ("orders", "errors", "p50_ms", "p95_ms", "code_request_p95_ms")}
		for shape, r in (("gateway_answering", answering), ("gateway_timing_out", timing_out))
	}
	return {
		**creation,
		"errors": answering["errors"] + timing_out["errors"],
		"p95_ratio": round(timing_out["p95_ms"] / answering["p95_ms"], 3),
	}
