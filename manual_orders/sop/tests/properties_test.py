"""Property-based tests: any input to the Frappe-free rules never crashes them and never passes a bad order."""

from datetime import date, datetime, time

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from manual_orders.sop import consent, formats, pricing, rules, texts
from manual_orders.sop.catalogue import PickupSlot
from manual_orders.sop.tests.factories import IPHONE, NOW, QUESTIONS, REASONS, good_catalogue, good_order

anything = st.one_of(
	st.none(),
	st.text(),
	st.integers(),
	st.floats(allow_nan=True, allow_infinity=True),
	st.booleans(),
	st.binary(),
	st.lists(st.text(), max_size=3),
	st.dictionaries(st.text(), st.text(), max_size=3),
)
FIELDS = [
	"creation_reason",
	"mobile_no",
	"whatsapp_no",
	"device_type",
	"brand",
	"device_model",
	"variant",
	"address_line1",
	"landmark",
	"city",
	"state",
	"pincode",
	"pickup_slot",
	"payment_method",
	"upi_id",
	"bank_account_number",
	"ifsc_code",
]


def _text(value) -> str:
	return formats.text(value)


# What a value must be for the good order to stay valid with it (the catalogue is the factories').
STILL_VALID = {
	"creation_reason": lambda v: _text(v) in [reason.name for reason in REASONS],
	"mobile_no": lambda v: formats.normalise_mobile(v) is not None,
	"whatsapp_no": lambda v: not _text(v) or formats.normalise_mobile(v) is not None,
	"device_type": lambda v: _text(v) == "Phone",
	"brand": lambda v: _text(v) == "Apple",
	"device_model": lambda v: _text(v) != "",
	"variant": lambda v: _text(v) in ("128 GB", "256 GB"),
	"address_line1": lambda v: len(_text(v)) >= rules.MIN_ADDRESS_LENGTH,
	"landmark": lambda v: _text(v) != "",
	"city": lambda v: _text(v).casefold() == "bengaluru",
	"state": lambda v: " ".join(_text(v).split()).casefold() == "karnataka",
	"pincode": lambda v: formats.normalise_pincode(v) == "560001",
	"pickup_slot": lambda v: True,  # the slot itself comes from the catalogue
	"payment_method": lambda v: _text(v) == "UPI",
	"upi_id": lambda v: formats.is_valid_upi_id(v),
	"bank_account_number": lambda v: True,  # not used with UPI
	"ifsc_code": lambda v: True,  # not used with UPI
}
SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(value=anything)
def test_formats_never_raise(value):
	formats.normalise_mobile(value)
	formats.is_valid_pincode(value)
	formats.is_valid_upi_id(value)
	formats.is_valid_ifsc(value)
	formats.is_valid_bank_account(value)
	formats.mask(value)


@SETTINGS
@given(amount=st.one_of(st.none(), st.integers(-(10**12), 10**12), st.floats(-1e12, 1e12)))
def test_format_inr_always_has_the_rupee_sign(amount):
	assert "₹" in formats.format_inr(amount)
	assert "₹" in texts.call_script(amount)


@SETTINGS
@given(field=st.sampled_from(FIELDS), value=anything)
def test_one_corrupted_field_never_crashes_and_never_passes_unless_still_valid(field, value):
	order = good_order(**{field: value})
	violations = rules.check_order(order, good_catalogue(), NOW)
	for violation in violations:
		assert violation.render()
	if not violations:
		assert STILL_VALID[field](value), (field, value)


@SETTINGS
@given(
	values=st.fixed_dictionaries({field: anything for field in FIELDS}),
	answers=st.dictionaries(st.text(max_size=10), anything, max_size=4),
	accessories=st.lists(st.text(max_size=10), max_size=3),
)
def test_random_orders_never_crash_and_are_refused(values, answers, accessories):
	order = rules.OrderInput(**values, answers=answers, accessories=accessories)
	violations = rules.check_order(order, good_catalogue(), NOW)
	assert violations  # a random order is never valid: at least the reason or the mobile is wrong
	assert all(v.field and v.rule.startswith("SOP-") for v in violations)


@SETTINGS
@given(pincode=st.text(max_size=12))
def test_only_six_digit_pincodes_pass_the_format_rule(pincode):
	if not rules.check_pincode_format(pincode):
		digits = formats.normalise_pincode(pincode)
		assert len(digits) == 6 and digits.isascii() and digits.isdigit() and digits[0] != "0"


@SETTINGS
@given(mobile=st.text(max_size=20))
def test_accepted_mobiles_are_ten_digit_indian_numbers(mobile):
	normalised = formats.normalise_mobile(mobile)
	if normalised:
		assert normalised.startswith("+91") and len(normalised) == 13
		assert normalised[3] in "6789" and normalised[3:].isascii() and normalised[3:].isdigit()


@SETTINGS
@given(
	answers=st.dictionaries(st.sampled_from(["Q-SCREEN", "Q-POWER", "X"]), st.text(max_size=15), max_size=3),
	variant=st.text(max_size=10),
)
def test_price_is_never_negative_nor_above_base(answers, variant):
	estimate = pricing.estimate_price(IPHONE, variant, answers, QUESTIONS, [])
	if estimate:
		assert 0 <= estimate.estimated_price <= estimate.base_price


@SETTINGS
@given(
	pickup=st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 31)),
	hour=st.integers(0, 23),
)
def test_pickup_slot_passes_only_in_the_window(pickup, hour):
	slot = PickupSlot("slot", time(hour), time(min(hour + 1, 23), 59))
	ok = not rules.check_pickup_slot(pickup, slot, NOW, 60, 14)
	starts = datetime.combine(pickup, slot.start)
	assert ok == ((starts - NOW).total_seconds() >= 3600 and (pickup - NOW.date()).days <= 14)


@SETTINGS
@given(values=st.dictionaries(st.sampled_from(consent.AGREED_FIELDS), anything, max_size=6))
def test_fingerprint_never_raises_and_is_stable(values):
	terms = consent.agreed_terms(values, {}, [])
	assert consent.fingerprint(terms) == consent.fingerprint(consent.agreed_terms(dict(values), {}, []))
