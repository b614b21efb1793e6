"""The DocTypes' own tests (`doctype/*/test_*.py`) under pytest: the site suite's fixtures."""

from manual_orders.tests.conftest import (
	frappe_site,
	pytest_collection_modifyitems,
	rollback_after_test,
)
