"""The replica only while it answers and keeps up; otherwise the primary, and the reader told.

Frappe 15 sends every `@frappe.read_only()` method (the manager reports, list views, counts) to
the replica named by `replica_host` when the site sets `read_from_replica`, with no fallback:
the replica down, every such request fails; the replica behind, the reports show old numbers
and say nothing. Before such a request (`before_request`), and only such a request, this asks
whether the replica has reached the position the primary has now (MariaDB's
`MASTER_GTID_WAIT`, waiting at most `WAIT_SECONDS`); the answer is kept in Redis for
`CHECK_SECONDS` a site. Unless the answer is "in step", this request reads from the primary,
the report's reader gets an alert saying why, and the error log keeps it once a check.

So a report read from the replica is at most about `CHECK_SECONDS + WAIT_SECONDS` behind the
primary. Every other request (creation among them) never touches the replica nor this check.
`replica_connection` copies how Frappe's `connect_replica` picks the replica's credentials
(pinned in upstream.py).
"""

import re

import frappe
import pymysql
from frappe import _

CHECK_SECONDS = 5
WAIT_SECONDS = 1
CONNECT_TIMEOUT_SECONDS = 2
STATE_KEY = "manual_orders:replica_state"
IN_STEP, BEHIND, DOWN = "in step", "behind", "down"
METHOD_PATH = re.compile(r"^/api/(?:v[12]/)?method/([\w.]+)")
REPORT_METHODS = ("frappe.desk.query_report.run",)


def read_from_primary_unless_replica_in_step() -> None:
	"""`before_request`: a read-only method whose replica is down or behind reads from the primary."""
	if not frappe.conf.read_from_replica:
		return
	method = requested_method()
	if not method or not reads_from_replica(method):
		return
	state = replica_state()
	if state == IN_STEP:
		return
	frappe.local.conf.read_from_replica = False  # this request's copy of the site config only
	if method in REPORT_METHODS:
		frappe.msgprint(
			_("Read from the main database: the reporting replica is {0}.").format(_(state)),
			indicator="orange",
			alert=True,
		)


def requested_method() -> str | None:
	request = getattr(frappe.local, "request", None)
	if request and (match := METHOD_PATH.match(request.path)):
		return match.group(1)
	return frappe.form_dict.get("cmd")


def reads_from_replica(method: str) -> bool:
	"""Whether the method Frappe would run for this name (after the apps' overrides) is
	wrapped by `frappe.read_only()`, at any depth of its decorators."""
	overrides = frappe.get_hooks("override_whitelisted_methods", {}).get(method)
	try:
		fn = frappe.get_attr(overrides[-1] if overrides else method)
	except Exception:
		return False  # Frappe's handler answers an unknown method as it always does
	read_only_code = frappe.read_only()(lambda: None).__code__
	while fn is not None:
		if getattr(fn, "__code__", None) is read_only_code:
			return True
		fn = getattr(fn, "__wrapped__", None)
	return False


def replica_state() -> str:
	"""In step, behind or down: the last check's answer if it is younger than CHECK_SECONDS."""
	state = frappe.cache.get_value(STATE_KEY, expires=True)  # Redis only: not the request's copy
	if state is None:
		state = check_replica()
		frappe.cache.set_value(STATE_KEY, state, expires_in_sec=CHECK_SECONDS)
		if state != IN_STEP:
			frappe.log_error(
				title=_("Reports read from the main database"),
				message=_(
					"The replica {0} is {1}; read-only requests use the primary until it is in step."
				).format(frappe.conf.replica_host, state),
				defer_insert=True,  # a GET commits nothing; Frappe's deferred insert keeps it
			)
	return state


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
