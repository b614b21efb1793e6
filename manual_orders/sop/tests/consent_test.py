from datetime import date

import pytest

from manual_orders.sop.consent import (
	AGREED_FIELDS,
	agreed_terms,
	changed_terms,
	covers,
	fingerprint,
	is_given,
)

BASE = {name: f"value of {name}" for name in AGREED_FIELDS}


def terms(values=None, answers=None, accessories=None):
	return agreed_terms(values or BASE, answers or {"Q1": "Yes"}, accessories or ["Charger"])


def test_same_terms_same_fingerprint_whatever_the_order():
	a = agreed_terms(BASE, {"Q1": "Yes", "Q2": "No"}, ["Box", "Charger"])
	b = agreed_terms(dict(reversed(list(BASE.items()))), {"Q2": "No", "Q1": "Yes"}, ["Charger", "Box"])
	assert fingerprint(a) == fingerprint(b)


@pytest.mark.parametrize("name", AGREED_FIELDS)
def test_every_agreed_field_changes_the_fingerprint(name):
	changed = dict(BASE, **{name: "something else"})
	assert fingerprint(terms(changed)) != fingerprint(terms())
	assert changed_terms(terms(), terms(changed)) == [name]


def test_condition_answers_and_accessories_change_the_fingerprint():
	assert fingerprint(terms(answers={"Q1": "No"})) != fingerprint(terms())
	assert fingerprint(terms(accessories=["Box"])) != fingerprint(terms())
	assert changed_terms(terms(), terms(answers={"Q1": "No"})) == ["conditions"]


def test_fields_outside_the_terms_do_not_matter():
	assert fingerprint(terms(dict(BASE, call_notes="called back"))) == fingerprint(terms())


def test_none_and_numbers_are_canonical():
	assert fingerprint(terms(dict(BASE, estimated_price=29300))) == fingerprint(
		terms(dict(BASE, estimated_price=29300.0))
	)
	assert fingerprint(terms(dict(BASE, pickup_date=date(2026, 11, 27)))) == fingerprint(
		terms(dict(BASE, pickup_date="2026-11-27"))
	)
	assert fingerprint(terms(dict(BASE, landmark=None))) == fingerprint(terms(dict(BASE, landmark="")))


def test_consent_is_given_only_with_words_price_and_summary():
	assert is_given("Yes, please place the order", True, True)
	assert not is_given("   ", True, True)
	assert not is_given("Yes", False, True)
	assert not is_given("Yes", True, False)


def test_consent_covers_only_the_exact_terms():
	recorded = fingerprint(terms())
	assert covers(recorded, terms())
	assert not covers(recorded, terms(dict(BASE, variant="other")))
	assert not covers(None, terms())
