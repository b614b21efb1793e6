from pathlib import Path

from manual_orders.sop.texts import call_script, next_steps, order_created_message, order_summary


def test_call_script_has_the_price_in_indian_format():
	assert call_script(123456) == (
		"The estimated price showing is ₹1,23,456. Final price depends on inspection. Are you okay to proceed?"
	)


def test_call_script_is_translated_before_formatting():
	hindi = {
		"The estimated price showing is {0}. Final price depends on inspection. Are you okay to proceed?": "अनुमानित मूल्य {0} है।"
	}
	assert call_script(29300, lambda text: hindi.get(text, text)) == "अनुमानित मूल्य ₹29,300 है।"


def test_summary_has_the_four_sop_items():
	rows = order_summary("Apple iPhone 13 128 GB", 26370, 29300, "Bengaluru 560001", "UPI")
	assert [label for label, _ in rows] == ["Device", "Price range", "Pickup location", "Payment mode"]
	assert rows[1][1] == "₹26,370 - ₹29,300"


def test_order_message_has_id_slot_and_three_next_steps():
	message = order_created_message("MO-2026-00042", "27-11-2026", "10:00 - 12:00")
	assert "MO-2026-00042" in message and "27-11-2026" in message and "10:00 - 12:00" in message
	for step in next_steps():
		assert step in message
	assert len(next_steps()) == 3


def test_docs_list_the_next_steps_word_for_word():
	sop_doc = (Path(__file__).resolve().parents[3] / "docs" / "SOP.md").read_text()
	for number, step in enumerate(next_steps(), 1):
		assert f"{number}. {step}" in sop_doc
