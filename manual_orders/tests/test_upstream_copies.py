"""The Frappe code the app copies is the code Frappe runs: a Frappe upgrade that changes it fails here."""

from manual_orders.shortcuts import upstream
from manual_orders.tests.utils import SiteTestCase


class TestUpstreamCopies(SiteTestCase):
	def test_every_copied_frappe_function_is_as_pinned(self):
		changed = upstream.changed()
		assert not changed, "\n".join(changed)

	def test_a_changed_function_names_the_file_to_revisit(self):
		pins = {"frappe.model.document.Document.run_method": ("0000000000000000", "shortcuts/workflow.py")}
		[line] = upstream.changed(pins)
		assert "revisit manual_orders/shortcuts/workflow.py" in line
