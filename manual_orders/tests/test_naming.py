"""Manual Order's number: Frappe's naming series, counted without the deadlock of a new series
(shortcuts/naming.py)."""

import frappe
from frappe.utils import nowdate

from manual_orders.shortcuts.naming import name_by_naming_series
from manual_orders.tests.utils import (
	AGENT,
	Api,
	SiteTestCase,
	make_order,
	order_values,
	run_at_once,
	server_messages,
	with_consent,
)


def series_current(key: str) -> int:
	found = frappe.db.sql("select `current` from `tabSeries` where `name` = %s", (key,))
	return found[0][0] if found else 0


class TestNamingSeries(SiteTestCase):
	def test_an_order_takes_the_next_number_of_its_year_in_frappes_series(self):
		key = f"MO-{nowdate()[:4]}-"
		before = series_current(key)
		order = make_order()
		assert order.name == f"{key}{before + 1:05d}"
		assert series_current(key) == before + 1

	def test_a_series_the_form_does_not_offer_is_refused_and_nothing_is_stored(self):
		key = f"MO-{nowdate()[:4]}-"
		before = series_current(key)
		count = frappe.db.count("Manual Order")
		with self.assertRaises(frappe.ValidationError) as refused:
			make_order(naming_series="MO-.YYYY.-009.##")
		assert "Naming Series" in str(refused.exception)
		assert frappe.db.count("Manual Order") == count
		assert series_current(key) == before
		assert not frappe.db.sql("select 1 from `tabSeries` where `name` = %s", (f"{key}009",))

	def test_through_rest_the_series_is_refused_too(self):
		api = Api(AGENT)
		status, body = api.post(
			"/api/resource/Manual Order", with_consent(order_values(naming_series="X-.#"))
		)
		assert status == 417, body
		assert "Naming Series" in server_messages(body)
		assert not frappe.db.exists("Manual Order", {"name": ("like", "X-%")})


class TestNewSeriesAtOnce(SiteTestCase):
	"""Committed: each thread is a request of its own."""

	def test_orders_starting_a_series_at_the_same_moment_each_get_their_own_number(self):
		"""Frappe's own counter, six at once on a new series: five deadlocks (measured here)."""
		key = f"MO-TEST-{frappe.generate_hash(length=8)}-"
		names = []

		def name_one():
			names.append(name_by_naming_series(frappe._dict(doctype="Manual Order", naming_series=key)))

		try:
			errors = run_at_once([name_one for _ in range(6)])
			assert errors == []
			assert sorted(names) == [f"{key}{n:05d}" for n in range(1, 7)]
		finally:
			frappe.db.delete("Series", {"name": key})
			frappe.db.commit()  # nosemgrep: the threads committed the row
