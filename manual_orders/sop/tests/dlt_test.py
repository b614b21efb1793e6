"""DLT template matching: fixed text equal, each {#var#} at most 30 characters of one line."""

from hypothesis import given
from hypothesis import strategies as st

from manual_orders.sop import dlt

TEMPLATE = "Your order {#var#} is placed. Pickup: {#var#}, {#var#}. Thank you."


def test_a_filled_template_matches():
	text = "Your order MO-2026-00042 is placed. Pickup: 27-11-2026, 09:00 - 11:00. Thank you."
	assert dlt.first_difference(TEMPLATE, text) is None
	assert dlt.check_message(TEMPLATE, text) == []


def test_changed_fixed_text_is_reported_where_it_starts():
	text = "Your order MO-2026-00042 is booked. Pickup: 27-11-2026, 09:00 - 11:00. Thank you."
	difference = dlt.first_difference(TEMPLATE, text)
	assert difference.position == text.index("booked") + 1
	assert difference.expected.startswith("placed")
	assert difference.found.startswith("booked")


def test_a_variable_longer_than_30_characters_does_not_match():
	assert dlt.first_difference("Hi {#var#}.", "Hi " + "x" * 30 + ".") is None
	assert dlt.first_difference("Hi {#var#}.", "Hi " + "x" * 31 + ".") is not None


def test_a_variable_never_spans_lines():
	assert dlt.first_difference("A {#var#} B", "A x\ny B") is not None


def test_text_after_the_template_or_missing_at_its_end_is_a_difference():
	assert dlt.first_difference("Code {#var#}.", "Code 123456. Extra").position == len("Code 123456.") + 1
	assert dlt.first_difference("Code {#var#}. Bye", "Code 123456.") is not None


def test_the_match_backtracks_when_the_fixed_text_also_appears_in_a_value():
	assert dlt.first_difference("Order {#var#} for {#var#}", "Order MO for X for Asha") is None


def test_line_endings_and_outer_spaces_do_not_count():
	assert dlt.first_difference("A {#var#}\nB", "  A 1\r\nB \n") is None


def test_template_from_a_notification_text():
	message = "Your order {{ doc.name }} is placed on {{ frappe.utils.formatdate(doc.pickup_date) }}."
	assert dlt.template_from_message(message) == "Your order {#var#} is placed on {#var#}."


def test_the_refusal_names_the_position_and_both_sides():
	[violation] = dlt.check_message("Code {#var#} for you", "Code 123456 to you")
	assert violation.rule == "DLT-TEMPLATE"
	rendered = violation.render()
	assert "character 13" in rendered and '"for you"' in rendered and '"to you"' in rendered
	assert "{#var#}" in rendered


@given(
	st.lists(
		st.text(alphabet=st.characters(blacklist_characters="\n\r"), max_size=30), min_size=3, max_size=3
	)
)
def test_any_values_of_up_to_30_characters_fill_the_template(values):
	values = [v.strip() or "x" for v in values]
	text = f"Your order {values[0]} is placed. Pickup: {values[1]}, {values[2]}. Thank you."
	assert dlt.first_difference(TEMPLATE, text) is None
