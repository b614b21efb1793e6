"""Servers of the run's own for a copy of the site (issue 25, items 3 and 4).

`benchmark.py --replica` starts, under `--work` (a scratch folder), a MariaDB primary and a
replica (their own data directories and ports, MariaDB's own GTID replication) and a Redis, copies
the site's database into the primary, and serves the copy from a sites folder of its own that
points at them (`read_from_replica`, `replica_host`). The machine's MariaDB and Redis and the
bench's own sites are only read (the dump). Then, each asserting what is stored:
- the managers' reports read from the replica, and from the primary while the replica is behind
  or down, saying so; creation meanwhile has no error;
- Redis killed and started again, empty, during a batch of creations: every Lead ends with one
  order, every message sent once; the refusal counts Redis held are lost and counted as lost;
  counting resumes;
- the primary killed and started again between an order's insert and its submit: the agent's
  retry of the submit gives one order, sent once.
Everything it started is stopped and its folders removed at the end.
"""

import json
import os
import shutil
import signal
import subprocess
import threading
import time
from contextlib import contextmanager

import deployed
import frappe
import pymysql
import requests

REPORT = "Manual Order Funnel"
REDIS_DOWN_SECONDS = 5


def wait_until_up(
	probe, refused: type[Exception], process: subprocess.Popen, seconds: float, what: str
) -> None:
	"""Until `probe` answers; a server that exits or takes longer than `seconds` is an error."""
	deadline = time.monotonic() + seconds
	while True:
		try:
			probe()
			return
		except refused:
			if time.monotonic() > deadline or process.poll() is not None:
				raise RuntimeError(f"{what} did not start (its log is in its folder)") from None
			time.sleep(0.2)


class MariaDB:
	"""A MariaDB server of the run's own: data directory, port, socket, binary log (GTID)."""

	def __init__(self, root: str, name: str, server_id: int):
		from manual_orders.tests.utils import free_port

		self.datadir = os.path.join(root, name)
		self.socket = os.path.join(self.datadir, "mysqld.sock")
		self.port = free_port()
		self.server_id = server_id
		self.process = None

	def create(self) -> None:
		shutil.rmtree(self.datadir, ignore_errors=True)
		os.makedirs(self.datadir)
		subprocess.run(
			[
				"mariadb-install-db",
				"--no-defaults",
				f"--datadir={self.datadir}",
				"--user=mysql",
				"--auth-root-authentication-method=normal",
				"--skip-test-db",
			],
			check=True,
			stdout=subprocess.DEVNULL,
			stderr=subprocess.DEVNULL,
		)
		shutil.chown(self.datadir, "mysql", "mysql")

	def start(self) -> None:
		self.process = subprocess.Popen(
			[
				"mariadbd",
				"--no-defaults",
				f"--datadir={self.datadir}",
				f"--port={self.port}",
				"--bind-address=127.0.0.1",
				f"--socket={self.socket}",
				f"--pid-file={self.datadir}/mysqld.pid",
				f"--log-error={self.datadir}/error.log",
				f"--server-id={self.server_id}",
				"--log-bin=binlog",
				"--binlog-format=ROW",
				"--log-slave-updates",
				"--skip-name-resolve",
				"--character-set-server=utf8mb4",
				"--collation-server=utf8mb4_unicode_ci",
				"--innodb-buffer-pool-size=256M",
				"--max-connections=300",
				"--user=mysql",
			],
			stdout=subprocess.DEVNULL,
			stderr=subprocess.DEVNULL,
			start_new_session=True,
		)
		wait_until_up(
			lambda: self.connect().close(),
			pymysql.err.MySQLError,
			self.process,
			60,
			f"MariaDB in {self.datadir}",
		)

	def kill(self) -> None:
		deployed.stop(self.process, signal.SIGKILL)

	def stop(self) -> None:
		if self.process and self.process.poll() is None:
			deployed.stop(self.process)

	def connect(self) -> pymysql.Connection:
		return pymysql.connect(unix_socket=self.socket, user="root", autocommit=True, connect_timeout=2)

	def sql(self, statement: str, args=None) -> tuple:
		connection = self.connect()
		try:
			with connection.cursor() as cursor:
				cursor.execute(statement, args)
				return cursor.fetchall()
		finally:
			connection.close()


class Redis:
	"""A Redis of the run's own, keeping nothing on disk (as the machine's)."""

	def __init__(self):
		from manual_orders.tests.utils import free_port

		self.port = free_port()
		self.url = f"redis://127.0.0.1:{self.port}"
		self.process = None

	def start(self) -> None:
		self.process = subprocess.Popen(
			[
				"redis-server",
				"--port",
				str(self.port),
				"--bind",
				"127.0.0.1",
				"--save",
				"",
				"--appendonly",
				"no",
			],
			stdout=subprocess.DEVNULL,
			stderr=subprocess.DEVNULL,
			start_new_session=True,
		)
		import redis

		wait_until_up(
			lambda: redis.Redis.from_url(self.url).ping(), redis.ConnectionError, self.process, 20, "Redis"
		)

	def kill(self) -> None:
		deployed.stop(self.process, signal.SIGKILL)

	def stop(self) -> None:
		if self.process and self.process.poll() is None:
			deployed.stop(self.process)


# The copy of the site


def replicate(primary: MariaDB, replica: MariaDB) -> None:
	"""MariaDB's own replication, by GTID, from the primary's first transaction."""
	primary.sql("CREATE USER 'repl'@'%' IDENTIFIED BY 'repl'")
	primary.sql("GRANT REPLICATION SLAVE ON *.* TO 'repl'@'%'")
	replica.sql(
		"CHANGE MASTER TO MASTER_HOST='127.0.0.1', MASTER_PORT=%s, MASTER_USER='repl', "
		"MASTER_PASSWORD='repl', MASTER_CONNECT_RETRY=1, MASTER_USE_GTID=slave_pos",
		(primary.port,),
	)
	replica.sql("START SLAVE")


def copy_database(source: dict, primary: MariaDB) -> float:
	"""The site's database, dumped from the machine's MariaDB into the primary; its user too."""
	database, password = source["db_name"], source["db_password"]
	primary.sql(f"CREATE DATABASE `{database}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")
	for host in ("%", "localhost"):
		escaped = host.replace("%", "%%")  # a query with arguments reads % as a placeholder
		primary.sql(f"CREATE USER '{database}'@'{escaped}' IDENTIFIED BY %s", (password,))
		primary.sql(f"GRANT ALL PRIVILEGES ON `{database}`.* TO '{database}'@'{host}'")
	started = time.monotonic()
	dump = subprocess.Popen(
		[
			"mariadb-dump",
			"--single-transaction",
			"--quick",
			"--routines",
			"-h",
			source.get("db_host") or "127.0.0.1",
			"-P",
			str(source.get("db_port") or 3306),
			"-u",
			"root",
			database,
		],
		stdout=subprocess.PIPE,
	)
	load = subprocess.run(
		["mariadb", f"--socket={primary.socket}", "-u", "root", database], stdin=dump.stdout, check=False
	)
	dump.stdout.close()
	if dump.wait() or load.returncode:
		raise RuntimeError("copying the site's database into the primary failed")
	return round(time.monotonic() - started, 1)


def site_copy(
	site: str, sites_path: str, root: str, primary: MariaDB, replica: MariaDB, redis_url: str
) -> str:
	"""A sites folder of its own: the site's config pointed at the primary, the replica and Redis."""
	copy = os.path.join(root, "sites")
	os.makedirs(os.path.join(root, "logs"), exist_ok=True)
	for folder in ("logs", "locks", "private/files", "public/files"):
		os.makedirs(os.path.join(copy, site, folder), exist_ok=True)
	shutil.copy(os.path.join(sites_path, "apps.txt"), os.path.join(copy, "apps.txt"))
	with open(os.path.join(sites_path, "common_site_config.json")) as fh:
		common = json.load(fh)
	common.update(redis_cache=redis_url, redis_queue=redis_url, redis_socketio=redis_url)
	with open(os.path.join(sites_path, site, "site_config.json")) as fh:
		config = json.load(fh)
	config.update(
		db_host="127.0.0.1",
		db_port=primary.port,
		read_from_replica=1,
		replica_host="127.0.0.1",
		replica_db_port=replica.port,
	)
	for name, values in (("common_site_config.json", common), (f"{site}/site_config.json", config)):
		with open(os.path.join(copy, name), "w") as fh:
			json.dump(values, fh, indent=1)
	return copy


def switch_site(site: str, sites_path: str) -> None:
	"""This process onto `site` of `sites_path`, with new Redis connections (Frappe keeps its
	cache and queue connections for the process's life)."""
	frappe.destroy()
	forget_redis_connections()
	frappe.init(site=site, sites_path=sites_path)
	frappe.connect()
	frappe.set_user("Administrator")
	frappe.flags.mute_emails = True


def forget_redis_connections() -> None:
	from frappe.utils import background_jobs

	frappe.cache = None
	background_jobs._redis_queue_conn = None


def new_redis_connections() -> None:
	forget_redis_connections()
	frappe.setup_redis_cache_connection()


@contextmanager
def own_servers(site: str, sites_path: str, root: str):
	"""The primary, the replica, Redis and the copy of the site; this process on the copy for
	the block, back on the site afterwards; everything stopped and removed."""
	source_config = dict(frappe.conf)
	make_scratch_folder(root)
	primary, replica, redis_server = MariaDB(root, "primary", 1), MariaDB(root, "replica", 2), Redis()
	try:
		for server in (primary, replica):
			server.create()
			server.start()
		replicate(primary, replica)
		redis_server.start()
		copied_in = copy_database(source_config, primary)
		copy = site_copy(site, sites_path, root, primary, replica, redis_server.url)
		switch_site(site, copy)
		yield {
			"primary": primary,
			"replica": replica,
			"redis": redis_server,
			"sites_path": copy,
			"copied_in_s": copied_in,
		}
	finally:
		for server in (redis_server, replica, primary):
			server.stop()
		shutil.rmtree(root, ignore_errors=True)
		switch_site(site, sites_path)


MARKER = ".manual-orders-own-servers"


def make_scratch_folder(root: str) -> None:
	"""`root` empty, or an earlier run's (its marker inside): never any other folder's contents."""
	if os.path.isdir(root) and os.listdir(root) and not os.path.exists(os.path.join(root, MARKER)):
		raise SystemExit(f"--work {root} holds files of its own; name an empty or new folder")
	shutil.rmtree(root, ignore_errors=True)
	os.makedirs(root)
	os.chmod(root, 0o755)
	open(os.path.join(root, MARKER), "w").close()


def caught_up(primary: MariaDB, replica: MariaDB, seconds: float = 300) -> float:
	"""Waits until the replica has applied all the primary has; the seconds it took."""
	started = time.monotonic()
	position = primary.sql("select @@global.gtid_binlog_pos")[0][0]
	(waited,) = replica.sql("select master_gtid_wait(%s, %s)", (position, seconds))[0]
	if waited != 0:
		raise AssertionError(f"the replica did not reach {position} in {seconds} s")
	return round(time.monotonic() - started, 2)


# API users of the copy


def manager_session(site: str) -> requests.Session:
	"""Administrator's API key, set on the copy only (its database is thrown away)."""
	user = frappe.get_doc("User", "Administrator")
	user.api_key, user.api_secret = "copy-admin", "copy-admin-secret"
	user.save(ignore_permissions=True)
	frappe.db.commit()  # nosemgrep: the web workers read it
	session = requests.Session()
	session.headers.update(
		{"Host": site, "Authorization": "token copy-admin:copy-admin-secret", "Accept": "application/json"}
	)
	return session


def run_report(session: requests.Session, url: str) -> dict:
	"""The funnel as a manager gets it: its order attempts, and any alert the request carried."""
	started = time.perf_counter()
	response = session.post(
		url + "/api/method/frappe.desk.query_report.run",
		json={"report_name": REPORT, "filters": {}},
		timeout=60,
	)
	elapsed = time.perf_counter() - started
	response.raise_for_status()
	body = response.json()
	rows = body["message"]["result"]
	messages = [json.loads(m).get("message", "") for m in json.loads(body.get("_server_messages") or "[]")]
	attempts = next(
		row["count"] for row in rows if isinstance(row, dict) and row.get("stage") == "Order attempts"
	)
	return {"attempts": attempts, "alerts": messages, "ms": round(elapsed * 1000, 1)}


def attempts_on_primary() -> int:
	from frappe.utils import add_days, nowdate

	return frappe.db.count("Manual Order", {"creation": (">=", add_days(nowdate(), -30))})


# Item 3: the replica


def replica_shapes(site: str, servers: dict, values: dict, run_agents) -> dict:
	"""Where the report reads from with the replica in step, behind and down; creation beside."""
	from manual_orders.shortcuts import replica as replica_check

	primary, replica, copy = servers["primary"], servers["replica"], servers["sites_path"]
	port = deployed.PORTS[0]
	url = f"http://127.0.0.1:{port}"
	session = manager_session(site)
	database = frappe.conf.db_name
	marker = "REPLICA-ONLY-MARKER"
	# A row only the replica holds (kept out of the binary log): a report that counts it read the replica.
	connection = replica.connect()
	with connection.cursor() as cursor:
		cursor.execute("SET SESSION sql_log_bin = 0")
		cursor.execute(
			f"INSERT INTO `{database}`.`tabManual Order` (name, creation, modified, docstatus) VALUES (%s, NOW(), NOW(), 0)",
			(marker,),
		)
	connection.close()
	web = deployed.gunicorn(copy, port, workers=2)
	shapes = {}
	try:
		deployed.wait_until_serving(site, port)
		caught_up(primary, replica)

		def settle() -> None:  # the replica's state is checked again after CHECK_SECONDS
			time.sleep(replica_check.CHECK_SECONDS + 0.5)

		shapes["in_step"] = {**run_report(session, url), "on_primary": attempts_on_primary()}

		replica.sql("STOP SLAVE SQL_THREAD")
		created = run_agents(site, [url], 20, values)
		frappe.db.rollback()
		settle()
		shapes["behind"] = {
			**run_report(session, url),
			"on_primary": attempts_on_primary(),
			"creation": pick(created),
		}
		replica.sql("START SLAVE SQL_THREAD")
		shapes["behind"]["caught_up_in_s"] = caught_up(primary, replica)

		replica.kill()
		settle()
		created = run_agents(site, [url], 20, values)
		frappe.db.rollback()
		shapes["down"] = {
			**run_report(session, url),
			"on_primary": attempts_on_primary(),
			"creation": pick(created),
		}
		replica.start()
		shapes["down"]["caught_up_after_restart_in_s"] = caught_up(primary, replica)
		settle()
		shapes["back"] = {**run_report(session, url), "on_primary": attempts_on_primary()}
	finally:
		deployed.stop(web)
		replica.sql(f"DELETE FROM `{database}`.`tabManual Order` WHERE name = %s", (marker,))
		if deadlock := latest_deadlock(primary):
			shapes["primary_latest_deadlock"] = deadlock
	check_replica_shapes(shapes)
	return shapes


def latest_deadlock(server: MariaDB) -> str | None:
	"""InnoDB's account of the last deadlock on the server, if any: which statements met."""
	status = server.sql("SHOW ENGINE INNODB STATUS")[0][2]
	start = status.find("LATEST DETECTED DEADLOCK")
	if start < 0:
		return None
	return status[start : status.find("TRANSACTIONS\n", start)][:6000]


def pick(result: dict) -> dict:
	return {k: result[k] for k in ("orders", "errors", "p95_ms", "first_error")}


def check_replica_shapes(shapes: dict) -> None:
	broken = []
	for shape in ("in_step", "back"):  # the replica's extra row counted: read from the replica
		if shapes[shape]["attempts"] != shapes[shape]["on_primary"] + 1 or shapes[shape]["alerts"]:
			broken.append(f"{shape}: not read from the replica: {shapes[shape]}")
	for shape, word in (("behind", "behind"), ("down", "down")):
		found = shapes[shape]
		if found["attempts"] != found["on_primary"]:
			broken.append(f"{shape}: not read from the primary: {found}")
		if not any(word in alert for alert in found["alerts"]):
			broken.append(f"{shape}: the manager was not told: {found}")
		if found["creation"]["errors"] or found["creation"]["orders"] != 20:
			broken.append(f"{shape}: creation affected: {found}")
	if broken:
		raise AssertionError("replica: " + "; ".join(broken) + f"\n{json.dumps(shapes, indent=1)}")


# Item 4: Redis and the database restarted


def order_payload(lead: str, values: dict) -> dict:
	from benchmark import CONSENT

	from manual_orders.api import make_manual_order

	mapped = make_manual_order(lead)
	fields = ("lead", "customer_name", "mobile_no", "email_id")
	return {**values, **CONSENT, **{f: mapped.get(f) for f in fields if mapped.get(f)}}


def create_with_retries(
	session: requests.Session, url: str, payload: dict, name: str | None = None, seconds: float = 180
) -> dict:
	"""An agent who does not give up: insert until the Lead has an order (finding the one an
	answer lost), then submit until it is created (reading it back after any failure)."""
	deadline, failures = time.monotonic() + seconds, []
	while time.monotonic() < deadline:
		try:
			if not name:
				response = session.post(url + "/api/resource/Manual Order", json=payload, timeout=30)
				if response.status_code == 200:
					name = response.json()["data"]["name"]
				else:
					failures.append(response.status_code)
					name = open_order_of(session, url, payload["lead"])
				continue
			doc = session.get(url + f"/api/resource/Manual Order/{name}", timeout=30)
			if doc.status_code != 200:
				failures.append(doc.status_code)
			elif doc.json()["data"]["docstatus"] == 1:
				return {"order": name, "failures": failures, "done_at": time.monotonic()}
			else:
				response = session.post(
					url + "/api/method/frappe.client.submit", json={"doc": doc.json()["data"]}, timeout=30
				)
				if response.status_code == 200:
					return {"order": name, "failures": failures, "done_at": time.monotonic()}
				failures.append(response.status_code)
		except requests.RequestException as error:
			failures.append(type(error).__name__)
		time.sleep(0.5)
	return {"order": name, "failures": failures, "gave_up": True, "done_at": time.monotonic()}


def open_order_of(session: requests.Session, url: str, lead: str) -> str | None:
	try:
		response = session.get(
			url + "/api/resource/Manual Order",
			params={"filters": json.dumps([["lead", "=", lead], ["docstatus", "<", 2]])},
			timeout=30,
		)
	except requests.RequestException:
		return None
	found = response.json().get("data") if response.status_code == 200 else None
	return found[0]["name"] if found else None


def agent_sessions(site: str, count: int) -> list[requests.Session]:
	from benchmark import agent_keys

	sessions = []
	for i in range(count):
		session = requests.Session()
		session.headers.update(
			{"Host": site, "Authorization": f"token {agent_keys(i)}", "Accept": "application/json"}
		)
		sessions.append(session)
	frappe.db.commit()  # nosemgrep
	return sessions


def refused(session: requests.Session, url: str, values: dict) -> bool:
	"""An order for a pincode the company does not serve: refused, and counted in Redis."""
	from benchmark import CONSENT

	response = session.post(
		url + "/api/resource/Manual Order",
		json={
			**values,
			**CONSENT,
			"customer_name": "Refused",
			"mobile_no": "9876543210",
			"pincode": "999999",
		},
		timeout=30,
	)
	return response.status_code == 417


def counted_refusals(agents: list[str]) -> int:
	from manual_orders.accountability import pending_refusals

	return sum(count for (_day, agent, _rule), count in pending_refusals().items() if agent in agents)


def restarts(site: str, servers: dict, values: dict, gateway) -> dict:
	"""Redis restarted during creations, then the primary restarted between inserts and submits."""
	copy = servers["sites_path"]
	port = deployed.PORTS[0]
	url = f"http://127.0.0.1:{port}"
	web = deployed.gunicorn(copy, port, workers=2)
	worker = deployed.spawn(deployed.cli(site, copy, "worker", "--queue", "short,default"), copy)
	try:
		deployed.wait_until_serving(site, port)
		redis_result = redis_restarted(site, servers, values, url)
		redis_result["worker_ended_with_redis"] = worker.poll() is not None
		database_result = database_restarted(site, servers, values, url)
		if worker.poll() is not None:  # a worker that lost Redis ends: started again, as supervisor would
			worker = deployed.spawn(deployed.cli(site, copy, "worker", "--queue", "short,default"), copy)
		orders = redis_result.pop("created") + database_result.pop("created")
		faults = [redis_result.pop("down"), database_result.pop("down")]
		frappe.enqueue("manual_orders.messaging.outbox.send_due_messages", queue="default")  # the sweep
		frappe.db.commit()  # nosemgrep
		deployed.wait_for_messages(orders, seconds=180)
	finally:
		deployed.stop(worker)
		deployed.stop(web)
		gateway.stop()
	sent = messages_sent(orders, gateway, faults)
	result = {"redis_restarted": redis_result, "database_restarted": database_result, "messages": sent}
	check_restarts(result)
	return result


def redis_restarted(site: str, servers: dict, values: dict, url: str) -> dict:
	from benchmark import make_leads

	agents, per_agent = 10, 6
	sessions = agent_sessions(site, agents)
	emails = [f"bench.agent.{i}@manual-orders.test" for i in range(agents)]
	leads = make_leads(agents * per_agent)
	payloads = [order_payload(lead, values) for lead in leads]
	refused_before = sum(refused(session, url, values) for session in sessions)
	counted_before = counted_refusals(emails)
	outcomes: list[dict] = []
	lock = threading.Lock()

	def agent(i: int) -> None:
		for payload in payloads[i * per_agent : (i + 1) * per_agent]:
			outcome = create_with_retries(sessions[i], url, payload)
			with lock:
				outcomes.append({**outcome, "lead": payload["lead"]})

	threads = [threading.Thread(target=agent, args=(i,)) for i in range(agents)]
	for thread in threads:
		thread.start()
	time.sleep(3)  # creations under way
	down_from = time.time()
	servers["redis"].kill()
	killed_at = time.monotonic()
	time.sleep(REDIS_DOWN_SECONDS)
	servers["redis"].start()
	restarted_at = time.monotonic()
	down = (down_from, time.time())
	for thread in threads:
		thread.join()
	new_redis_connections()  # this process's went with the old server
	counted_just_after = counted_refusals(emails)
	refused_after = sum(refused(session, url, values) for session in sessions)
	return {
		"leads": len(leads),
		**stored_orders(leads, outcomes),
		"requests_failed_and_retried": sum(len(o["failures"]) for o in outcomes),
		"created_while_redis_was_down": sum(1 for o in outcomes if killed_at <= o["done_at"] <= restarted_at),
		"done_after_restart_s": round(time.monotonic() - restarted_at, 1),
		"refusals_before_the_restart": refused_before,
		"refusal_counts_held_before": counted_before,
		"refusal_counts_lost": counted_before - counted_just_after,  # Redis alone held them
		"refusals_after_the_restart": refused_after,
		"refusal_counts_made_after": counted_refusals(emails) - counted_just_after,
		"down": down,
		"created": [o["order"] for o in outcomes if o.get("order")],
	}


def database_restarted(site: str, servers: dict, values: dict, url: str) -> dict:
	"""Five agents insert; the primary is killed and started again; each retries its submit."""
	from benchmark import make_leads

	primary, replica = servers["primary"], servers["replica"]
	sessions = agent_sessions(site, 5)
	leads = make_leads(5)
	inserted = []
	for session, lead in zip(sessions, leads, strict=True):
		response = session.post(
			url + "/api/resource/Manual Order", json=order_payload(lead, values), timeout=30
		)
		response.raise_for_status()
		inserted.append(response.json()["data"])
	killed_at = time.time()
	primary.kill()
	restart = threading.Timer(3, primary.start)
	restart.start()
	outcomes = []
	for session, doc, lead in zip(sessions, inserted, leads, strict=True):
		failures = []
		response = session.post(url + "/api/method/frappe.client.submit", json={"doc": doc}, timeout=30)
		if response.status_code != 200:
			failures.append(response.status_code)
			outcome = create_with_retries(session, url, {"lead": lead}, doc["name"])
			outcome["failures"] = failures + outcome["failures"]
		else:
			outcome = {"order": doc["name"], "failures": failures}
		outcomes.append({**outcome, "lead": lead})
	restart.join()
	back_at = time.time()
	frappe.db.close()
	frappe.connect()
	frappe.set_user("Administrator")
	return {
		"leads": len(leads),
		**stored_orders(leads, outcomes),
		"submits_failed_while_down": sum(1 for o in outcomes if o["failures"]),
		"what_the_agent_got_meanwhile": sorted({str(f) for o in outcomes for f in o["failures"]}),
		"replica_caught_up_in_s": caught_up(primary, replica),
		"created": [o["order"] for o in outcomes if o.get("order")],
		"down": (killed_at, back_at),
	}


def stored_orders(leads: list[str], outcomes: list[dict]) -> dict:
	frappe.db.rollback()
	rows = frappe.get_all(
		"Manual Order", filters={"lead": ("in", leads)}, fields=["lead", "docstatus", "name"]
	)
	per_lead = {lead: [row for row in rows if row.lead == lead] for lead in leads}
	return {
		"orders_stored": len(rows),
		"leads_with_one_created_order": sum(
			1 for found in per_lead.values() if len(found) == 1 and found[0].docstatus == 1
		),
		"leads_without_order": sum(1 for found in per_lead.values() if not found),
		"leads_with_two_or_more": sum(1 for found in per_lead.values() if len(found) > 1),
		"agents_gave_up": sum(1 for o in outcomes if o.get("gave_up")),
	}


def messages_sent(orders: list[str], gateway, faults: list[tuple[float, float]]) -> dict:
	"""Each message at the gateway once, but for one whose gateway call was in flight when a
	fault struck (`faults`: Redis, then the primary, each from its kill to its return): the
	gateway took it and its record died with the sending process or its connection, so it was
	sent again after (at least once, as with a worker killed mid-send)."""
	from manual_orders.settings import get_settings

	rows, sms, texts = deployed.stored_and_sent_sms(orders, gateway)
	arrivals: dict[str, list[float]] = {}
	for request in gateway.accepted():
		if request["path"].endswith("/sms"):
			arrivals.setdefault(request["query"].get("text"), []).append(request["received_at"])
	in_flight = get_settings()["gateway_timeout_seconds"] + 1

	def in_flight_at_a_fault(times: list[float]) -> bool:
		first, *again = sorted(times)
		return len(again) == 1 and any(
			killed - in_flight <= first <= back and again[0] >= killed for killed, back in faults
		)

	twice = [text for text in sms if texts.count(text) > 1]
	return {
		"orders": len(orders),
		"messages": len(rows),
		"not_sent": sum(1 for row in rows if row.status != "Sent"),
		"sms_at_the_gateway_twice": len(twice),
		"sms_twice_in_flight_at_a_fault": sum(1 for text in twice if in_flight_at_a_fault(arrivals[text])),
		"sms_never_at_the_gateway": sum(1 for text in sms if text not in texts),
	}


def check_restarts(result: dict) -> None:
	broken = []
	for fault in ("redis_restarted", "database_restarted"):
		found = result[fault]
		if (
			found["leads_with_one_created_order"] != found["leads"]
			or found["orders_stored"] != found["leads"]
		):
			broken.append(f"{fault}: orders lost or doubled: {found}")
	found = result["redis_restarted"]
	if (
		found["refusals_after_the_restart"] != found["refusals_before_the_restart"]
		or found["refusal_counts_made_after"] != found["refusal_counts_held_before"]
	):  # the same refusals, counted the same way again
		broken.append("refusals not counted after the restart")
	if not result["database_restarted"]["submits_failed_while_down"]:
		broken.append("the database restart fell outside every submit: nothing was shown")
	sent = result["messages"]
	twice_otherwise = sent["sms_at_the_gateway_twice"] - sent["sms_twice_in_flight_at_a_fault"]
	if sent["not_sent"] or twice_otherwise or sent["sms_never_at_the_gateway"]:
		broken.append(f"messages: {sent}")
	if broken:
		raise AssertionError("restarts: " + "; ".join(broken) + f"\n{json.dumps(result, indent=1)}")


def replica_and_restarts(site: str, sites_path: str, root: str, values: dict, run_agents) -> dict:
	with own_servers(site, sites_path, root) as servers:
		from benchmark import one_partner_takes_every_order

		one_partner_takes_every_order(values)
		frappe.db.commit()  # nosemgrep
		result = {
			"copied_in_s": servers["copied_in_s"],
			"primary_port": servers["primary"].port,
			"replica_port": servers["replica"].port,
		}
		result["replica"] = replica_shapes(site, servers, values, run_agents)
		print("replica", json.dumps(result["replica"]), flush=True)
		deployed.clear_stale_queued()
		deployed.forget_senders()
		with deployed.gateway_for_the_site(servers["sites_path"]) as gateway:
			gateway.start()
			result["restarts"] = restarts(site, servers, values, gateway)
		return result
