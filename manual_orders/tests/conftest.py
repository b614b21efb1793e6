"""Site tests: connect to the Frappe test site named by MANUAL_ORDERS_TEST_SITE.

`run-tests` creates that site fresh on the bench, runs these tests and drops it.
Nothing here mocks Frappe or the database: every test talks to MariaDB and Redis.
"""

import os

import pytest

SITE = os.environ.get("MANUAL_ORDERS_TEST_SITE")
SITES_PATH = os.environ.get("SITES_PATH", ".")


def pytest_collection_modifyitems(config, items):
	if SITE:
		return
	skip = pytest.mark.skip(reason="no test site: set MANUAL_ORDERS_TEST_SITE (run-tests does)")
	for item in items:
		item.add_marker(skip)


@pytest.fixture(scope="session", autouse=True)
def frappe_site():
	if not SITE:
		yield None
		return
	import frappe

	frappe.init(site=SITE, sites_path=SITES_PATH)
	frappe.connect()
	frappe.set_user("Administrator")
	from manual_orders.tests.utils import load_test_catalogue

	load_test_catalogue()
	yield SITE
	frappe.destroy()


@pytest.fixture(autouse=True)
def rollback_after_test(frappe_site):
	"""Each test sees the committed catalogue and leaves nothing of its own behind."""
	if not frappe_site:
		yield
		return
	import frappe

	frappe.set_user("Administrator")
	frappe.local.message_log = []
	yield
	frappe.db.rollback()
	frappe.set_user("Administrator")
