"""Parsing and normalising what an agent types: phone, pincode, UPI ID, IFSC, money."""

import re

MOBILE_RE = re.compile(r"^[6-9]\d{9}$")
PINCODE_RE = re.compile(r"^[1-9]\d{5}$")
UPI_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{1,255}@[A-Za-z][A-Za-z0-9]{1,63}$")
IFSC_RE = re.compile(r"^[A-Z]{4}0[A-Z0-9]{6}$")
BANK_ACCOUNT_RE = re.compile(r"^\d{9,18}$")


def text(value) -> str:
	"""Any value as a stripped string; None and non-strings never raise."""
	if value is None:
		return ""
	return str(value).strip()


def normalise_mobile(value) -> str | None:
	"""An Indian mobile number as +91XXXXXXXXXX, or None when it is not one.

	Accepts spaces, dashes, brackets, a leading 0, 91 or +91.
	"""
	digits = re.sub(r"[\s\-().]", "", text(value))
	if digits.startswith("+91"):
		digits = digits[3:]
	elif digits.startswith("0091"):
		digits = digits[4:]
	elif len(digits) == 12 and digits.startswith("91"):
		digits = digits[2:]
	elif len(digits) == 11 and digits.startswith("0"):
		digits = digits[1:]
	if not MOBILE_RE.match(digits):
		return None
	return "+91" + digits


def normalise_pincode(value) -> str:
	return re.sub(r"\s", "", text(value))


def is_valid_pincode(value) -> bool:
	return bool(PINCODE_RE.match(normalise_pincode(value)))


def normalise_upi_id(value) -> str:
	return text(value).lower()


def is_valid_upi_id(value) -> bool:
	return bool(UPI_ID_RE.match(normalise_upi_id(value)))


def normalise_ifsc(value) -> str:
	return text(value).upper()


def is_valid_ifsc(value) -> bool:
	return bool(IFSC_RE.match(normalise_ifsc(value)))


def normalise_bank_account(value) -> str:
	return re.sub(r"[\s-]", "", text(value))


def is_valid_bank_account(value) -> bool:
	return bool(BANK_ACCOUNT_RE.match(normalise_bank_account(value)))


def mask(value, visible: int = 4) -> str:
	"""Shows only the last `visible` characters, for logs and summaries."""
	value = text(value)
	if len(value) <= visible:
		return "*" * len(value)
	return "*" * (len(value) - visible) + value[-visible:]


def format_inr(amount) -> str:
	"""Rupees in Indian digit grouping: 123456 -> '₹1,23,456'."""
	rupees = round(float(amount or 0))
	sign = "-" if rupees < 0 else ""
	digits = str(abs(rupees))
	if len(digits) > 3:
		head, tail = digits[:-3], digits[-3:]
		groups = []
		while len(head) > 2:
			groups.insert(0, head[-2:])
			head = head[:-2]
		if head:
			groups.insert(0, head)
		digits = ",".join([*groups, tail])
	return f"{sign}₹{digits}"
