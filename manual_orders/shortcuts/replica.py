"""The replica only while it answers and keeps up; otherwise the primary, and the reader told.

Frappe 15 sends every `@frappe.read_only()` method (the manager reports, list views, counts) to
the replica named by `replica_host` when the site sets `read_from_replica`, with no fallback:
the replica down, every such request fails; the replica behind, the reports show old numbers
and say nothing. Before such a request (an `auth_hooks` entry: after Frappe knows the user; a
Guest is left to Frappe) or a job that runs reports (prepared reports, Auto Email Reports), this
asks whether the replica has reached the position the primary has now (MariaDB's
`MASTER_GTID_WAIT`, waiting at most `WAIT_SECONDS`). One process a site checks at a time; the
answer is kept in Redis for `CHECK_SECONDS`, and while a check runs the others read from the
primary. Unless the answer is "in step", the request or job reads from the primary, a report's
reader gets an alert saying why, and the error log keeps it once a check.

So a report read from the replica is at most about CHECK_SECONDS + CONNECT_TIMEOUT_SECONDS +
WAIT_SECONDS behind the primary. Every other request and job (creation among them) never touches
the replica nor this check. `replica_connection` copies how Frappe's `connect_replica` picks the
replica's credentials (pinned in upstream.py). A primary without a binary log has no replica to
wait for: its position is empty and the check says "in step".
"""

import re

import frappe
import pymysql
import redis
from frappe import _

CHECK_SECONDS = 5
WAIT_SECONDS = 1
CONNECT_TIMEOUT_SECONDS = 2
STATE_KEY = "manual_orders:replica_state"
CHECKING_KEY = "manual_orders:replica_checking"
IN_STEP, BEHIND, DOWN, BEING_CHECKED = "in step", "behind", "down", "being checked"
METHOD_PATH = re.compile(r"^/api/(?:v[12]/)?method/([\w.]+)")
V2_COUNT_PATH = re.compile(r"^/api/v2/doctype/[^/]+/count")
REPORT_METHODS = ("frappe.desk.query_report.run",)
# Not decorated, but run a read-only report inside (Frappe's `query_report.run`)
READ_ONLY_CALLERS = (
	"frappe.desk.query_report.export_query",
	"frappe.email.doctype.auto_email_report.auto_email_report.download",
	"frappe.email.doctype.auto_email_report.auto_email_report.send_now",
)
# Background jobs that run reports: a prepared report, the Auto Email Reports' cron jobs
REPORT_JOBS = (
	"frappe.core.doctype.prepared_report.prepared_report.generate_report",
	"frappe.email.doctype.auto_email_report.auto_email_report.send_daily",
	"frappe.email.doctype.auto_email_report.auto_email_report.send_monthly",
)


def read_from_primary_unless_replica_in_step() -> None:
	"""`auth_hooks`: a read-only method whose replica is down or behind reads from the primary."""
	if not frappe.conf.read_from_replica or frappe.session.user == "Guest":
		return
	method = requested_method()
	if not method or not reads_from_replica(method):
		return
	state = replica_state()
	if state == IN_STEP:
		return
	frappe.local.conf.read_from_replica = False  # this request's copy of the site config only
	if method in REPORT_METHODS or method in READ_ONLY_CALLERS:
		frappe.msgprint(
			_("Read from the main database: the reporting replica is {0}.").format(state_label(state)),
			indicator="orange",
			alert=True,
		)


def jobs_read_from_primary_unless_replica_in_step(method: str, kwargs: dict | None = None) -> None:
	"""`before_job`: a job that runs reports, as a request does (scheduled ones name theirs in `job_type`)."""
	if not frappe.conf.read_from_replica:
		return
	if method not in REPORT_JOBS and (kwargs or {}).get("job_type") not in REPORT_JOBS:
		return
	if replica_state() != IN_STEP:
		frappe.local.conf.read_from_replica = False  # this job's copy of the site config only


def state_label(state: str) -> str:
	labels = {IN_STEP: _("in step"), BEHIND: _("behind"), DOWN: _("down"), BEING_CHECKED: _("being checked")}
	return labels[state]


def requested_method() -> str | None:
	"""The method Frappe will run: `cmd` first, as Frappe's application reads it, then the path."""
	if cmd := frappe.form_dict.get("cmd"):
		return cmd
	request = getattr(frappe.local, "request", None)
	if not request:
		return None
	if match := METHOD_PATH.match(request.path):
		return match.group(1)
	if V2_COUNT_PATH.match(request.path):
		return "frappe.desk.reportview.get_count"
	return None


def reads_from_replica(method: str) -> bool:
	"""Whether Frappe's method of this name, or an app's override of it, is wrapped by
	`frappe.read_only()` at any depth of its decorators (an override that calls Frappe's
	read-only method reads from the replica too), or calls a read-only report."""
	if method in READ_ONLY_CALLERS:
		return True
	overrides = frappe.get_hooks("override_whitelisted_methods", {}).get(method) or []
	return any(is_read_only(path) for path in [method, *overrides[-1:]])


def is_read_only(path: str) -> bool:
	try:
		fn = frappe.get_attr(path)
	except Exception:
		return False  # Frappe's handler answers an unknown method as it always does
	read_only_code = frappe.read_only()(lambda: None).__code__
	while fn is not None:
		if getattr(fn, "__code__", None) is read_only_code:
			return True
		fn = getattr(fn, "__wrapped__", None)
	return False


def replica_state() -> str:
	"""In step, behind or down: the last check's answer if it is younger than CHECK_SECONDS;
	"being checked" (so: the primary) while another process checks."""
	state = frappe.cache.get_value(STATE_KEY, expires=True)  # Redis only: not the request's copy
	if state is None:
		if not take_the_check():
			return BEING_CHECKED
		try:
			state = check_replica()
			frappe.cache.set_value(STATE_KEY, state, expires_in_sec=CHECK_SECONDS)
		finally:
			leave_the_check()
		if state != IN_STEP:
			frappe.log_error(
				title=_("Reports read from the main database"),
				message=_(
					"The replica {0} is {1}; read-only requests use the primary until it is in step."
				).format(frappe.conf.replica_host, state_label(state)),
				defer_insert=True,  # a GET commits nothing; Frappe's deferred insert keeps it
			)
	return state


def take_the_check() -> bool:
	"""Whether this process checks (no other is checking); with Redis unreachable, each does."""
	try:
		return bool(
			frappe.cache.set(
				frappe.cache.make_key(CHECKING_KEY),
				1,
				nx=True,
				ex=CONNECT_TIMEOUT_SECONDS + WAIT_SECONDS + 2,
			)
		)
	except redis.exceptions.RedisError:
		return True


def leave_the_check() -> None:
	try:
		frappe.cache.delete(frappe.cache.make_key(CHECKING_KEY))
	except redis.exceptions.RedisError:
		pass


def check_replica() -> str:
	position = frappe.db.sql("select @@global.gtid_binlog_pos")[0][0]
	try:
		connection = replica_connection()
	except pymysql.err.MySQLError:
		return DOWN
	try:
		with connection.cursor() as cursor:
			cursor.execute("select master_gtid_wait(%s, %s)", (position, WAIT_SECONDS))
			(waited,) = cursor.fetchone()
	except pymysql.err.MySQLError:
		return DOWN
	finally:
		connection.close()
	return IN_STEP if waited == 0 else BEHIND


def replica_connection() -> pymysql.Connection:
	"""A connection of its own to the replica, as `frappe.connect_replica` would make it, that
	gives up after CONNECT_TIMEOUT_SECONDS (Frappe's waits for pymysql's ten)."""
	from frappe.database import get_db

	conf = frappe.local.conf
	user, password = conf.db_name, conf.db_password
	if conf.different_credentials_for_replica:
		user, password = conf.replica_db_name, conf.replica_db_password
	database = get_db(
		socket=None,
		host=conf.replica_host,
		port=conf.replica_db_port,
		user=user,
		password=password,
		cur_db_name=conf.db_name,
	)
	settings = database.get_connection_settings()
	return pymysql.connect(
		**settings,
		connect_timeout=CONNECT_TIMEOUT_SECONDS,
		read_timeout=WAIT_SECONDS + CONNECT_TIMEOUT_SECONDS,
	)
