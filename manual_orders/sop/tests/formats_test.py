import pytest

from manual_orders.sop import formats


@pytest.mark.parametrize(
	"raw, expected",
	[
		("9876543210", "+919876543210"),
		("+91 98765-43210", "+919876543210"),
		("09876543210", "+919876543210"),
		("919876543210", "+919876543210"),
		("(987) 654 3210", "+919876543210"),
		("5876543210", None),
		("98765", None),
		("", None),
		(None, None),
		("९८७६५४३२१०", None),
	],
)
def test_normalise_mobile(raw, expected):
	assert formats.normalise_mobile(raw) == expected


@pytest.mark.parametrize(
	"pincode, ok",
	[
		("560001", True),
		(" 560 001 ", True),
		("060001", False),
		("56001", False),
		("5600011", False),
		("abcdef", False),
		(560001, True),
	],
)
def test_pincode(pincode, ok):
	assert formats.is_valid_pincode(pincode) is ok


@pytest.mark.parametrize(
	"upi, ok",
	[
		("ravi.k@okhdfc", True),
		("RAVI@YBL", True),
		("ravi@", False),
		("@ybl", False),
		("ravi k@ybl", False),
		("r@y", False),
	],
)
def test_upi(upi, ok):
	assert formats.is_valid_upi_id(upi) is ok


@pytest.mark.parametrize(
	"ifsc, ok",
	[
		("HDFC0001234", True),
		("hdfc0001234", True),
		("HDFC1001234", False),
		("HDF0001234", False),
		("", False),
	],
)
def test_ifsc(ifsc, ok):
	assert formats.is_valid_ifsc(ifsc) is ok


@pytest.mark.parametrize(
	"account, ok",
	[
		("123456789", True),
		("1234 5678 9012", True),
		("12345678", False),
		("1" * 19, False),
		("12345678a", False),
	],
)
def test_bank_account(account, ok):
	assert formats.is_valid_bank_account(account) is ok


@pytest.mark.parametrize(
	"amount, text",
	[
		(0, "₹0"),
		(999, "₹999"),
		(1000, "₹1,000"),
		(123456, "₹1,23,456"),
		(12345678, "₹1,23,45,678"),
		(-1500, "-₹1,500"),
		(None, "₹0"),
	],
)
def test_format_inr(amount, text):
	assert formats.format_inr(amount) == text


def test_mask_keeps_last_four():
	assert formats.mask("123456789012") == "********9012"
	assert formats.mask("12") == "**"
