"""One test group per SOP rule: the bad case refused, the good case accepted."""

from dataclasses import replace
from datetime import timedelta

import pytest

from manual_orders.sop import rules
from manual_orders.sop.catalogue import ServiceArea
from manual_orders.sop.tests.factories import (
	AREA,
	DEVICE_TYPES,
	HIGH_END,
	IPHONE,
	MORNING,
	NOW,
	REASONS,
	REDMI,
	good_catalogue,
	good_order,
	tomorrow,
)

REASON_NAMES = [reason.name for reason in REASONS]


def rule_ids(violations):
	return sorted({v.rule for v in violations})


def test_good_order_passes_every_rule():
	assert rules.check_order(good_order(), good_catalogue(), NOW) == []


def test_every_violation_names_a_field_and_renders():
	bad = good_order(creation_reason="", mobile_no="1", pincode="x", upi_id="", landmark="")
	violations = rules.check_order(bad, good_catalogue(area=None), NOW)
	assert {v.field for v in violations} >= {"creation_reason", "mobile_no", "pincode", "upi_id", "landmark"}
	for violation in violations:
		assert violation.render()
		assert "{" not in violation.render()


# SOP §2
@pytest.mark.parametrize("reason", REASON_NAMES)
def test_sop_cases_are_accepted(reason):
	assert rules.check_creation_reason(reason, REASONS, IPHONE) == []


@pytest.mark.parametrize("reason", ["", None, "Just because", "customer asked for help "])
def test_other_reasons_are_refused(reason):
	expected = [] if reason and reason.strip() in REASON_NAMES else ["SOP-2-REASON"]
	assert rule_ids(rules.check_creation_reason(reason, REASONS, IPHONE)) == expected


def test_reasons_come_from_the_catalogue():
	custom = (*REASONS, rules.CreationReason("Customer is visually impaired"))
	assert rules.check_creation_reason("Customer is visually impaired", custom, IPHONE) == []
	assert rule_ids(rules.check_creation_reason("Customer is visually impaired", REASONS, IPHONE)) == [
		"SOP-2-REASON"
	]


def test_the_high_end_reason_needs_a_high_end_device():
	violations = rules.check_creation_reason(HIGH_END, REASONS, REDMI)
	assert rule_ids(violations) == ["SOP-2-HIGH-END"]
	assert "Redmi Note 13 Pro" in violations[0].render() and HIGH_END in violations[0].render()
	assert rules.check_creation_reason(HIGH_END, REASONS, IPHONE) == []
	assert rules.check_creation_reason("Customer asked for help", REASONS, REDMI) == []


# SOP §3/§4A
def test_pincode_must_be_six_digits():
	assert rule_ids(rules.check_pincode_format("56001")) == ["SOP-4A-PINCODE-FORMAT"]
	assert rules.check_pincode_format("560001") == []


def test_unknown_or_disabled_pincode_is_not_serviceable():
	assert rule_ids(rules.check_pincode_serviceable("560002", None)) == ["SOP-4A-PINCODE-SERVICEABLE"]
	assert rule_ids(rules.check_pincode_serviceable("560001", replace(AREA, enabled=False))) == [
		"SOP-4A-PINCODE-SERVICEABLE"
	]
	assert rules.check_pincode_serviceable("560001", AREA) == []


def test_device_type_must_be_served_at_the_pincode():
	assert rule_ids(rules.check_device_type_served("Tablet", AREA)) == ["SOP-4A-DEVICE-TYPE-SERVED"]
	assert rules.check_device_type_served("Phone", AREA) == []


def test_city_and_state_must_agree_with_the_pincode():
	assert rules.check_city_and_state(" bengaluru ", "karnataka", "560001", AREA) == []
	assert rule_ids(rules.check_city_and_state("Mumbai", "Karnataka", "560001", AREA)) == ["SOP-4A-CITY"]
	assert rule_ids(rules.check_city_and_state("Bengaluru", "Maharashtra", "560001", AREA)) == [
		"SOP-4A-STATE"
	]
	assert rule_ids(rules.check_city_and_state("", "", "560001", AREA)) == ["SOP-4A-CITY", "SOP-4A-STATE"]


def test_state_is_checked_against_the_pincode_even_without_an_area():
	assert rule_ids(rules.check_city_and_state("Pune", "Karnataka", "411001", None)) == ["SOP-4A-STATE"]
	assert rules.check_city_and_state("Pune", "Maharashtra", "411001", None) == []


def test_area_state_must_match_when_the_circle_spans_states():
	area = ServiceArea("403001", "Panaji", "Goa", True, ("Phone",))
	assert rule_ids(rules.check_city_and_state("Panaji", "Maharashtra", "403001", area)) == ["SOP-4A-STATE"]


# SOP §3/§4B
def test_model_must_be_in_the_catalogue_and_supported():
	assert rule_ids(rules.check_model_supported("Nokia 3310", None)) == ["SOP-4B-MODEL"]
	assert rule_ids(rules.check_model_supported("", None)) == ["SOP-4B-MODEL"]
	assert rule_ids(rules.check_model_supported("iPhone 13", replace(IPHONE, supported=False))) == [
		"SOP-4B-MODEL"
	]
	assert rules.check_model_supported("iPhone 13", IPHONE) == []


def test_brand_and_device_type_must_agree_with_the_model():
	assert rule_ids(rules.check_model_matches("Phone", "Samsung", IPHONE)) == ["SOP-4B-BRAND"]
	assert rule_ids(rules.check_model_matches("Tablet", "Apple", IPHONE)) == ["SOP-4B-DEVICE-TYPE"]
	assert rules.check_model_matches("Phone", "Apple", IPHONE) == []


def test_device_type_must_be_an_enabled_one_of_the_catalogue():
	assert rule_ids(rules.check_device_type("Watch", DEVICE_TYPES)) == ["SOP-4B-DEVICE-TYPE"]
	assert rules.check_device_type("Mac", DEVICE_TYPES) == []
	assert rules.check_device_type("Watch", (*DEVICE_TYPES, "Watch")) == []


def test_variant_must_be_an_enabled_variant_of_the_model():
	assert rule_ids(rules.check_variant("1 TB", IPHONE)) == ["SOP-4B-VARIANT"]
	assert rule_ids(rules.check_variant("512 GB", IPHONE)) == ["SOP-4B-VARIANT"]
	assert rules.check_variant("256 GB", IPHONE) == []


def test_every_condition_question_needs_a_known_answer():
	questions = good_catalogue().questions
	assert rule_ids(rules.check_conditions({"Q-SCREEN": "Flawless"}, questions)) == ["SOP-4B-CONDITION"]
	assert rule_ids(rules.check_conditions({"Q-SCREEN": "Bad", "Q-POWER": "Yes"}, questions)) == [
		"SOP-4B-CONDITION"
	]
	assert rule_ids(
		rules.check_conditions({"Q-SCREEN": "Flawless", "Q-POWER": "Yes", "Q-OTHER": "Yes"}, questions)
	) == ["SOP-4B-CONDITION"]
	assert rules.check_conditions({"Q-SCREEN": "Flawless", "Q-POWER": "Yes"}, questions) == []
	assert rule_ids(
		rules.check_conditions({"Q-SCREEN": "Flawless", "Q-POWER": "Yes"}, questions, duplicates=["Q-POWER"])
	) == ["SOP-4B-CONDITION"]


def test_accessories_must_fit_the_device_type_once_each():
	accessories = good_catalogue().accessories
	assert rules.check_accessories(["Original Charger", "Original Box"], accessories, "Phone") == []
	assert rule_ids(rules.check_accessories(["Original Charger"], accessories, "Laptop")) == [
		"SOP-4B-ACCESSORY"
	]
	assert rule_ids(rules.check_accessories(["Mouse"], accessories, "Phone")) == ["SOP-4B-ACCESSORY"]
	assert rule_ids(rules.check_accessories(["Original Box", "Original Box"], accessories, "Phone")) == [
		"SOP-4B-ACCESSORY"
	]


# SOP §4D / §5 step 5
def test_full_address_and_landmark_are_required():
	assert rule_ids(rules.check_address("Flat 4", "")) == ["SOP-4D-ADDRESS", "SOP-4D-LANDMARK"]
	assert rules.check_address("Flat 4B, 12 MG Road", "Metro") == []


def test_pickup_slot_must_be_enabled_and_in_the_future():
	check = rules.check_pickup_slot
	assert rule_ids(check(None, MORNING, NOW, 60, 14)) == ["SOP-4D-SLOT"]
	assert rule_ids(check(tomorrow(), None, NOW, 60, 14)) == ["SOP-4D-SLOT"]
	assert rule_ids(check(tomorrow(), replace(MORNING, enabled=False), NOW, 60, 14)) == ["SOP-4D-SLOT"]
	assert rule_ids(check(NOW.date(), MORNING, NOW, 60, 14)) == ["SOP-4D-SLOT"]  # 10:00 today, now 10:00
	assert rule_ids(check(NOW.date() + timedelta(days=15), MORNING, NOW, 60, 14)) == ["SOP-4D-SLOT"]
	assert check(tomorrow(), MORNING, NOW, 60, 14) == []


# SOP §4E
def test_upi_needs_a_valid_upi_id():
	assert rule_ids(rules.check_payment("UPI", "not-an-id", "", "")) == ["SOP-4E-UPI"]
	assert rules.check_payment("UPI", "ravi@ybl", "", "") == []


def test_bank_transfer_needs_account_and_ifsc():
	assert rule_ids(rules.check_payment("Bank Transfer", "", "12", "XYZ")) == [
		"SOP-4E-BANK-ACCOUNT",
		"SOP-4E-IFSC",
	]
	assert rules.check_payment("Bank Transfer", "", "123456789012", "HDFC0001234") == []


def test_payment_method_must_be_chosen():
	assert rule_ids(rules.check_payment("Cash", "ravi@ybl", "", "")) == ["SOP-4E-PAYMENT-METHOD"]


def test_mobile_and_whatsapp_numbers():
	assert rule_ids(rules.check_mobile("12345")) == ["SOP-4-MOBILE"]
	assert rule_ids(rules.check_mobile("9876543210", "abc")) == ["SOP-4-MOBILE"]
	assert rules.check_mobile("9876543210", "") == []


def test_check_order_reports_all_failures_together():
	bad = good_order(creation_reason="", pincode="999999", upi_id="", landmark="", variant="1 TB")
	assert rule_ids(rules.check_order(bad, good_catalogue(area=None), NOW)) == [
		"SOP-2-REASON",
		"SOP-4A-PINCODE-SERVICEABLE",
		"SOP-4A-STATE",
		"SOP-4B-VARIANT",
		"SOP-4D-LANDMARK",
		"SOP-4E-UPI",
	]


# SOP §3 and the golden rule
def test_unsure_customer_gets_no_order():
	assert rule_ids(rules.check_customer_sure("Customer Unsure")) == ["SOP-3-UNSURE"]
	assert rules.check_customer_sure("") == []


def test_no_order_without_consent_to_these_terms():
	assert rule_ids(rules.check_consent(False, True)) == ["SOP-GOLDEN-CONSENT"]
	assert rule_ids(rules.check_consent(True, False)) == ["SOP-GOLDEN-CONSENT"]
	assert rules.check_consent(True, True) == []
