from frappe.utils.fixtures import sync_fixtures

from manual_orders.setup.notifications import fill_dlt_templates


def execute():
	sync_fixtures("manual_orders")  # the Notification's DLT fields come with the app's fixtures
	fill_dlt_templates()
