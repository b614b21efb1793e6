"""With `read_from_replica` set, a report reads from the primary while the replica is down, and
says so; creation never asks after the replica (shortcuts/replica.py).

A replica that is in step, or behind, needs a MariaDB replica: `./run-tests --deployment` starts
one of its own (benchmarks/own_servers.py) and asserts both there.
"""

from contextlib import contextmanager

import frappe
import pymysql
from frappe.desk.query_report import run

from manual_orders.shortcuts import replica
from manual_orders.tests.utils import SiteTestCase, free_port

REPORT = "Manual Order Funnel"


@contextmanager
def replica_nobody_answers():
	"""The site's config names a replica on a port nothing listens on, for the block."""
	conf = frappe.local.conf
	before = {key: conf.get(key) for key in ("read_from_replica", "replica_host", "replica_db_port")}
	conf.update(read_from_replica=1, replica_host="127.0.0.1", replica_db_port=free_port())
	frappe.cache.delete_value(replica.STATE_KEY)
	try:
		yield
	finally:
		conf.update(before)
		frappe.cache.delete_value(replica.STATE_KEY)
		for switched in ("replica_db", "primary_db"):  # Frappe's switch leaves them behind
			if hasattr(frappe.local, switched):
				delattr(frappe.local, switched)


def asked_for(method: str) -> None:
	frappe.local.form_dict = frappe._dict(cmd=method)


def alerts() -> str:
	return " ".join(str(message) for message in frappe.local.message_log)


class TestReplicaFallback(SiteTestCase):
	def tearDown(self):
		frappe.local.form_dict = frappe._dict()
		super().tearDown()

	def test_the_methods_frappe_sends_to_the_replica_are_found_and_creation_is_not_among_them(self):
		for method in (
			"frappe.desk.query_report.run",
			"frappe.desk.query_report.export_query",  # runs the report inside
			"frappe.desk.reportview.get",
			"frappe.desk.reportview.get_count",
			"frappe.desk.notifications.get_open_count",  # the app's override calls Frappe's
		):
			assert replica.reads_from_replica(method), method
		for method in (
			"frappe.client.insert",
			"frappe.client.submit",
			"frappe.client.save",
			"frappe.model.workflow.apply_workflow",
			"manual_orders.api.send_consent_otp",
			"no.such.method",
		):
			assert not replica.reads_from_replica(method), method

	def test_without_the_fallback_a_report_fails_while_the_replica_is_down(self):
		with replica_nobody_answers():
			with self.assertRaises(pymysql.err.OperationalError):
				run(REPORT, filters={})

	def test_a_report_reads_from_the_primary_while_the_replica_is_down_and_the_manager_is_told(self):
		with replica_nobody_answers():
			asked_for("frappe.desk.query_report.run")
			replica.read_from_primary_unless_replica_in_step()
			result = run(REPORT, filters={})
			assert frappe.cache.get_value(replica.STATE_KEY, expires=True) == replica.DOWN
		assert [row["stage"] for row in result["result"]][:2] == ["Leads touched", "Order attempts"]
		assert "reporting replica is down" in alerts()

	def test_the_check_is_made_once_while_its_answer_is_fresh(self):
		with replica_nobody_answers():
			asked_for("frappe.desk.reportview.get_count")
			replica.read_from_primary_unless_replica_in_step()
			frappe.cache.set_value(replica.STATE_KEY, replica.IN_STEP, expires_in_sec=replica.CHECK_SECONDS)
			frappe.local.conf.read_from_replica = 1
			replica.read_from_primary_unless_replica_in_step()
			assert frappe.local.conf.read_from_replica == 1  # the kept answer, not a new check
		assert "reporting replica" not in alerts()  # a list's count: no alert

	def test_while_another_process_checks_the_request_reads_from_the_primary(self):
		with replica_nobody_answers():
			checking = frappe.cache.make_key(replica.CHECKING_KEY)
			frappe.cache.set(checking, 1, ex=10)
			try:
				asked_for("frappe.desk.reportview.get")
				replica.read_from_primary_unless_replica_in_step()
				assert frappe.local.conf.read_from_replica is False
				assert frappe.cache.get_value(replica.STATE_KEY, expires=True) is None  # no second check
			finally:
				frappe.cache.delete(checking)

	def test_the_method_is_read_as_frappe_reads_it_cmd_first_then_the_path(self):
		frappe.local.request = frappe._dict(path="/api/method/frappe.ping")
		try:
			frappe.local.form_dict = frappe._dict(cmd="frappe.desk.reportview.get")
			assert replica.requested_method() == "frappe.desk.reportview.get"
			frappe.local.form_dict = frappe._dict()
			assert replica.requested_method() == "frappe.ping"
			frappe.local.request = frappe._dict(path="/api/v2/doctype/Manual Order/count")
			assert replica.requested_method() == "frappe.desk.reportview.get_count"
		finally:
			del frappe.local.request

	def test_a_job_that_runs_reports_reads_from_the_primary_while_the_replica_is_down(self):
		with replica_nobody_answers():
			replica.jobs_read_from_primary_unless_replica_in_step(
				"frappe.core.doctype.scheduled_job_type.scheduled_job_type.run_scheduled_job",
				{"job_type": "frappe.email.doctype.auto_email_report.auto_email_report.send_daily"},
			)
			assert frappe.local.conf.read_from_replica is False
			frappe.local.conf.read_from_replica = 1
			replica.jobs_read_from_primary_unless_replica_in_step(
				"manual_orders.messaging.outbox.send_pending", {}
			)
			assert frappe.local.conf.read_from_replica == 1  # a sender never waits on the check

	def test_a_guest_makes_the_site_probe_nothing(self):
		with replica_nobody_answers():
			asked_for("frappe.desk.reportview.get")
			frappe.set_user("Guest")
			replica.read_from_primary_unless_replica_in_step()
			assert frappe.cache.get_value(replica.STATE_KEY, expires=True) is None
			assert frappe.local.conf.read_from_replica == 1  # Frappe's own answer to a Guest

	def test_creation_never_asks_after_the_replica(self):
		with replica_nobody_answers():
			for method in ("frappe.client.insert", "frappe.client.submit", "frappe.client.save"):
				asked_for(method)
				replica.read_from_primary_unless_replica_in_step()
				assert frappe.cache.get_value(replica.STATE_KEY, expires=True) is None, method
				assert frappe.local.conf.read_from_replica == 1, method
