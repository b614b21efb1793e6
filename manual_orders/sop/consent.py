"""The golden rule as data: a fingerprint of exactly what the customer agreed to.

Consent is recorded with the fingerprint of the agreed terms. On every later
save the fingerprint is computed again; if it differs, what the customer
agreed to has changed and the consent no longer covers the order.
"""

import hashlib
import json
from datetime import date
from decimal import Decimal, InvalidOperation

AGREED_FIELDS = (
	"mobile_no",  # whose "yes" it is: the call and the consent code are bound to this number
	"device_type",
	"brand",
	"device_model",
	"variant",
	"estimated_price",
	"address_line1",
	"address_line2",
	"landmark",
	"city",
	"state",
	"pincode",
	"pickup_date",
	"pickup_slot",
	"payment_method",
	"upi_id",
	"bank_account_number",
	"ifsc_code",
)


def canonical(value) -> str:
	"""One spelling per value: numbers to two decimals, dates in ISO form, text stripped."""
	if value is None:
		return ""
	if isinstance(value, bool):
		return str(int(value))
	if isinstance(value, int | float | Decimal):
		try:
			return f"{Decimal(str(value)):.2f}"
		except InvalidOperation:
			return str(value)
	if isinstance(value, date):
		return value.isoformat()
	return str(value).strip()


def agreed_terms(values: dict, answers: dict[str, str], accessories: list[str]) -> dict:
	"""The terms in a canonical form: every agreed field as text, lists sorted."""
	terms = {key: canonical(values.get(key)) for key in AGREED_FIELDS}
	terms["conditions"] = sorted((str(k), str(v)) for k, v in answers.items())
	terms["accessories"] = sorted(str(a) for a in accessories)
	return terms


def fingerprint(terms: dict) -> str:
	canonical = json.dumps(terms, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
	return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def changed_terms(before: dict, after: dict) -> list[str]:
	"""The names of the agreed terms that differ, for the audit trail."""
	return sorted(key for key in set(before) | set(after) if before.get(key) != after.get(key))


def is_given(customer_words, price_accepted, summary_confirmed) -> bool:
	"""The golden rule's evidence: the customer's own words, the price and the summary confirmed."""
	return bool(str(customer_words or "").strip() and price_accepted and summary_confirmed)


def covers(recorded_fingerprint: str | None, terms: dict) -> bool:
	"""Whether consent recorded with `recorded_fingerprint` covers these exact terms."""
	return bool(recorded_fingerprint) and recorded_fingerprint == fingerprint(terms)
