"""Every SOP rule refuses the bad case and accepts the good one, on the site and over REST."""

import frappe

from manual_orders import exceptions as exc
from manual_orders.tests.utils import (
	AGENT,
	Api,
	SiteTestCase,
	make_order,
	order_values,
	server_messages,
	site_default,
)

BAD_CASES = [
	("SOP §2 reason", {"creation_reason": ""}, exc.CreationReasonRequired, "Creation Reason"),
	(
		"SOP §2 high-end reason",
		{
			"creation_reason": "High-end device needs assisted conversion",
			"brand": "Xiaomi",
			"device_model": "Redmi Note 13 Pro",
			"variant": "8/128 GB",
		},
		exc.HighEndReasonMismatch,
		"Redmi Note 13 Pro",
	),
	("SOP §4 mobile", {"mobile_no": "12345"}, exc.InvalidMobileNumber, "Mobile No"),
	("SOP §4A pincode format", {"pincode": "56001"}, exc.InvalidPincode, "Pincode"),
	("SOP §4A not serviceable", {"pincode": "560100"}, exc.PincodeNotServiceable, "not serviceable"),
	(
		"SOP §4A device type not served",
		{
			"pincode": "600001",
			"city": "Chennai",
			"state": "Tamil Nadu",
			"device_type": "Mac",
			"device_model": "MacBook Air M1",
			"variant": "8 GB/256 GB",
			"conditions": "mac",
			"accessories": [],
		},
		exc.DeviceTypeNotServed,
		"not served",
	),
	("SOP §4A city", {"city": "Mumbai"}, exc.CityStateMismatch, "City"),
	("SOP §4A state", {"state": "Kerala"}, exc.CityStateMismatch, "State"),
	(
		"SOP §4B model",
		{"brand": "Samsung", "device_model": "Galaxy Note 8", "variant": "64 GB"},
		exc.DeviceNotSupported,
		"not a supported device",
	),
	("SOP §4B brand", {"brand": "Samsung"}, exc.DeviceDetailsMismatch, "Brand"),
	("SOP §4B variant", {"variant": "2 TB"}, exc.InvalidVariant, "Variant"),
	("SOP §4B conditions", {"conditions": []}, exc.ConditionNotAnswered, "Conditions"),
	(
		"SOP §4B accessory",
		{"accessories": [{"accessory": "Laptop Bag"}]},
		exc.InvalidAccessory,
		"Accessories",
	),
	("SOP §4D address", {"address_line1": "Flat 4"}, exc.IncompleteAddress, "Address"),
	("SOP §4D landmark", {"landmark": ""}, exc.IncompleteAddress, "Landmark"),
	("SOP §4D slot in past", {"pickup_date": "2020-01-01"}, exc.InvalidPickupSlot, "Pickup Slot"),
	("SOP §4D slot disabled", {"pickup_slot": "Disabled Slot"}, exc.InvalidPickupSlot, "Pickup Slot"),
	("SOP §4E method", {"payment_method": ""}, exc.InvalidPaymentDetails, "Payment Method"),
	("SOP §4E UPI", {"upi_id": "ravi"}, exc.InvalidPaymentDetails, "UPI ID"),
	(
		"SOP §4E bank",
		{"payment_method": "Bank Transfer", "bank_account_number": "12", "ifsc_code": "HDFC0001234"},
		exc.InvalidPaymentDetails,
		"Bank Account Number",
	),
	(
		"SOP §4E IFSC",
		{"payment_method": "Bank Transfer", "bank_account_number": "123456789012", "ifsc_code": "HDFC123"},
		exc.InvalidPaymentDetails,
		"IFSC",
	),
]


def resolve(overrides: dict) -> dict:
	if overrides.get("conditions") == "mac":
		from manual_orders.tests.utils import answers_for

		overrides = {**overrides, "conditions": answers_for("Mac")}
	return overrides


def fresh_case() -> None:
	"""Between the cases of one test, the rollback each test gets (SiteTestCase.tearDown/setUp)."""
	frappe.db.rollback()
	frappe.set_user("Administrator")
	frappe.local.message_log = []


GOOD_VARIANTS = [
	{"creation_reason": "High-end device needs assisted conversion"},
	{"mobile_no": "+91 99001 12233", "whatsapp_no": "09900112233"},
	{"payment_method": "Bank Transfer", "bank_account_number": "1234 5678 9012", "ifsc_code": "hdfc0001234"},
	{"pincode": "400050", "city": "mumbai", "state": "Maharashtra"},
	{"accessories": []},
]

UNKNOWN_LINKS = [
	("device_model", "Nokia 3310"),
	("pickup_slot", "Midnight"),
	("brand", "Nokia"),
	("creation_reason", "Just checking"),
	("device_type", "Toaster"),
]


class TestSOPRules(SiteTestCase):
	def test_a_good_order_is_saved_with_the_server_price(self):
		order = make_order(estimated_price=1, base_price=1)
		# iPhone 13 128 GB = 30000, first answers deduct 0, Original Charger +500
		assert order.base_price == 30000
		assert order.estimated_price == 30500
		assert (order.price_low, order.price_high) == (27450, 30500)
		assert order.mobile_no == "+919876543210"
		assert order.name.startswith("MO-")
		assert order.agent == "Administrator"

	def test_each_rule_refuses_the_bad_case(self):
		for i, (case, overrides, error, text) in enumerate(BAD_CASES):
			with self.subTest(case=f"{case} {i}"):
				fresh_case()
				with self.assertRaises(error) as raised:
					make_order(**resolve(overrides))
				assert text in str(raised.exception)

	def test_each_rule_accepts_the_good_case(self):
		for overrides in GOOD_VARIANTS:
			with self.subTest(overrides=overrides):
				fresh_case()
				order = make_order(**overrides)
				assert order.name

	def test_unknown_catalogue_links_are_refused_by_name(self):
		for field, value in UNKNOWN_LINKS:
			with self.subTest(field=field, value=value):
				fresh_case()
				with self.assertRaises(frappe.LinkValidationError) as raised:
					make_order(**{field: value})
				assert value in str(raised.exception)

	def test_all_failures_of_one_save_are_reported_together(self):
		with self.assertRaises(exc.SOPViolation) as raised:
			make_order(creation_reason="", pincode="560100", landmark="", upi_id="x")
		rules = sorted({v.rule for v in raised.exception.violations})
		assert rules == ["SOP-2-REASON", "SOP-4A-PINCODE-SERVICEABLE", "SOP-4D-LANDMARK", "SOP-4E-UPI"]
		assert len(str(raised.exception).splitlines()) == 4

	def test_disabled_catalogue_entries_are_refused_at_once(self):
		"""Admins' changes take effect on the next save: the catalogue cache is cleared."""
		frappe.db.set_value("Serviceable Pincode", "560002", "enabled", 0)
		frappe.get_doc("Serviceable Pincode", "560002").save()
		with self.assertRaises(exc.PincodeNotServiceable):
			make_order(pincode="560002")
		model = frappe.get_doc("Device Model", "iPhone 13")
		model.supported = 0
		model.save()
		with self.assertRaises(exc.DeviceNotSupported):
			make_order()
		model.supported = 1
		model.save()
		make_order()

	def test_price_follows_condition_answers(self):
		from manual_orders.tests.utils import answers_for

		order = make_order(conditions=answers_for("Phone", pick=1), accessories=[])
		# second answers: 0 (switches on? No is 60%... index 1) -> check by rows instead
		expected = 30000 - sum(row.deduction for row in order.conditions)
		assert order.estimated_price == max(expected, 0)
		assert any(row.deduction > 0 for row in order.conditions)

	# Over REST, as a user with the Manual Order Agent role

	def test_rest_agent_creates_a_valid_order_and_client_price_is_ignored(self):
		api = Api(AGENT)
		status, body = api.post(
			"/api/resource/Manual Order", order_values(estimated_price=1, agent="Administrator")
		)
		assert status == 200, body
		data = body["data"]
		assert data["estimated_price"] == 30500
		assert data["agent"] == AGENT
		frappe.db.rollback()
		frappe.delete_doc("Manual Order", data["name"], force=True, ignore_permissions=True)
		frappe.db.commit()  # nosemgrep: the HTTP thread committed the order

	def test_rest_agent_is_refused_each_bad_case(self):
		for i, (case, overrides, error, text) in enumerate(BAD_CASES):
			with self.subTest(case=f"{case} {i}"):
				fresh_case()
				api = Api(AGENT)
				status, body = api.post("/api/resource/Manual Order", order_values(**resolve(overrides)))
				assert status == 417, body
				assert error.__name__ in body.get("exc_type", "")
				assert text in server_messages(body)

	def test_live_check_prices_and_explains_without_saving(self):
		from manual_orders.api import check_order

		frappe.set_user(AGENT)
		before = frappe.db.count("Manual Order")
		result = check_order(order_values(pincode="560100", estimated_price=5))
		assert result["estimated_price"] == 30500
		assert [v["rule"] for v in result["violations"]] == ["SOP-4A-PINCODE-SERVICEABLE"]
		assert "not serviceable" in result["violations"][0]["message"]
		result = check_order(order_values())
		assert result["violations"] == []
		assert "₹30,500" in result["call_script"]
		assert [row[0] for row in result["summary"]] == [
			"Device",
			"Price range",
			"Pickup location",
			"Payment mode",
		]
		assert frappe.db.count("Manual Order") == before

	def test_catalogue_options_for_the_form(self):
		from manual_orders.api import get_catalogue_options

		frappe.set_user(AGENT)
		options = get_catalogue_options(device_model="iPhone 13")
		assert options["brand"] == "Apple" and options["device_type"] == "Phone"
		assert options["variants"] == ["128 GB", "256 GB", "512 GB"]
		assert len(options["questions"]) == 5 and all(q["answers"] for q in options["questions"])
		frappe.set_user("Guest")
		with self.assertRaises(frappe.PermissionError):
			get_catalogue_options(device_type="Phone")

	def test_money_shows_as_rupees_on_a_site_whose_default_currency_is_not_inr(self):
		"""Amounts carry the order's currency (INR), not the site's default (here USD)."""
		with site_default("currency", "USD"):
			frappe.local.field_currency = None
			order = make_order()
			meta = frappe.get_meta("Manual Order")
			assert order.currency == "INR"
			for fieldname in ("base_price", "estimated_price", "price_low", "price_high"):
				shown = frappe.format_value(order.get(fieldname), meta.get_field(fieldname), order)
				assert shown.startswith("₹") and "$" not in shown, (fieldname, shown)
			row = order.conditions[0]
			shown = frappe.format_value(100, frappe.get_meta(row.doctype).get_field("deduction"), row)
			assert shown.startswith("₹"), shown
			model = frappe.get_doc("Device Model", "iPhone 13")
			variant = model.variants[0]
			shown = frappe.format_value(
				variant.base_price, frappe.get_meta(variant.doctype).get_field("base_price"), variant
			)
			assert shown.startswith("₹"), shown
			html = frappe.get_print("Manual Order", order.name, doc=order, no_letterhead=1)
			assert "₹" in html and "$ " not in html
