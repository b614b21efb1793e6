"""SOP §5 steps 1-2 and §6: Lead (or Customer) to order, one open order per Lead, disposition."""

from concurrent.futures import ThreadPoolExecutor

import frappe

from manual_orders.api import make_manual_order, make_manual_order_from_customer
from manual_orders.exceptions import DuplicateOpenOrder
from manual_orders.tests.utils import (
	AGENT,
	Api,
	SiteTestCase,
	make_lead,
	order_values,
	unused_mobile_no,
	with_consent,
)


def address_for(doctype, name, **values):
	return frappe.get_doc(
		{
			"doctype": "Address",
			"address_title": name,
			"address_type": "Shipping",
			"address_line1": "Flat 4B, 12 MG Road",
			"city": "Bengaluru",
			"state": "Karnataka",
			"pincode": "560001",
			"country": "India",
			"is_primary_address": 1,
			"links": [{"link_doctype": doctype, "link_name": name}],
			**values,
		}
	).insert(ignore_permissions=True)


class TestConversion(SiteTestCase):
	def test_lead_maps_to_a_prefilled_unsaved_order(self):
		mobile_no = unused_mobile_no()
		lead = make_lead(first_name="Ravi", last_name="Kumar", mobile_no=mobile_no, whatsapp_no="9876500000")
		address_for("Lead", lead.name)
		order = make_manual_order(lead.name)
		assert order.is_new()
		assert order.lead == lead.name
		assert order.customer_name == "Ravi Kumar"
		assert order.mobile_no == mobile_no
		assert order.whatsapp_no == "9876500000"
		assert (order.address_line1, order.city, order.state, order.pincode) == (
			"Flat 4B, 12 MG Road",
			"Bengaluru",
			"Karnataka",
			"560001",
		)

	def test_customer_without_lead_maps_too(self):
		customer = frappe.get_doc(
			{
				"doctype": "Customer",
				"customer_name": "Walk In " + frappe.generate_hash(length=5),
				"customer_type": "Individual",
			}
		).insert(ignore_permissions=True)
		address_for("Customer", customer.name, pincode="400050", city="Mumbai", state="Maharashtra")
		order = make_manual_order_from_customer(customer.name)
		assert order.customer == customer.name
		assert order.customer_name == customer.customer_name
		assert order.pincode == "400050"
		assert not order.lead

	def test_mapper_needs_create_permission(self):
		lead = make_lead()
		frappe.set_user("desk.user@manual-orders.test")
		with self.assertRaises(frappe.PermissionError):
			make_manual_order(lead.name)

	def test_one_open_order_per_lead(self):
		lead = make_lead()
		first = frappe.get_doc(order_values(lead=lead.name)).insert()
		with self.assertRaises(DuplicateOpenOrder) as raised:
			frappe.get_doc(order_values(lead=lead.name)).insert()
		assert first.name in str(raised.exception)

	def test_a_cancelled_order_frees_the_lead_and_sets_disposition(self):
		lead = make_lead()
		order = frappe.get_doc(with_consent(order_values(lead=lead.name))).insert()
		order.submit()
		assert frappe.db.get_value("Lead", lead.name, "disposition") == "Create Order"
		order.cancellation_reason = "Customer changed mind"
		order.cancel()
		assert frappe.db.get_value("Lead", lead.name, "disposition") == "Order Cancelled"
		assert frappe.get_doc(order_values(lead=lead.name)).insert().name

	def test_lead_connections_list_manual_orders(self):
		from frappe.desk.notifications import get_open_count

		lead = make_lead()
		frappe.get_doc(order_values(lead=lead.name)).insert()
		counts = get_open_count("Lead", lead.name)
		found = counts["count"]["external_links_found"]
		assert {"doctype": "Manual Order", "count": 1, "open_count": 1} in found

	def test_concurrent_conversions_of_one_lead_give_one_order(self):
		"""Twenty agents' clicks on the same Lead at once: one order, nineteen clear refusals."""
		lead = make_lead()
		frappe.db.commit()  # nosemgrep: the HTTP threads must see the Lead
		api = Api(AGENT)
		payload = order_values(lead=lead.name)
		try:
			with ThreadPoolExecutor(max_workers=20) as pool:
				results = list(pool.map(lambda _: api.post("/api/resource/Manual Order", payload), range(20)))
			frappe.db.rollback()  # a fresh snapshot that sees what the threads committed
			statuses = sorted(status for status, _ in results)
			assert statuses.count(200) == 1, results
			refused = [body for status, body in results if status != 200]
			assert all("DuplicateOpenOrder" in body.get("exc_type", "") for body in refused), refused
			assert frappe.db.count("Manual Order", {"lead": lead.name}) == 1
		finally:
			frappe.db.rollback()
			for name in frappe.get_all("Manual Order", filters={"lead": lead.name}, pluck="name"):
				frappe.delete_doc("Manual Order", name, force=True, ignore_permissions=True)
			frappe.delete_doc("Lead", lead.name, force=True, ignore_permissions=True)
			frappe.db.commit()  # nosemgrep: clean up what the threads committed
