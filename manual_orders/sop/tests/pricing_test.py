from manual_orders.sop.pricing import estimate_price, price_range
from manual_orders.sop.tests.factories import BOX, CHARGER, IPHONE, QUESTIONS


def test_estimate_deducts_conditions_and_adds_accessories():
	estimate = estimate_price(
		IPHONE, "128 GB", {"Q-SCREEN": "Minor scratches", "Q-POWER": "Yes"}, QUESTIONS, [CHARGER, BOX]
	)
	# 30000 - 5% (1500) + 500 + 300
	assert estimate.base_price == 30000
	assert estimate.estimated_price == 29300
	assert [line.amount for line in estimate.lines] == [-1500, 500, 300]


def test_estimate_never_below_zero():
	estimate = estimate_price(IPHONE, "128 GB", {"Q-SCREEN": "Cracked", "Q-POWER": "No"}, QUESTIONS, [])
	assert estimate.estimated_price == 3000  # 30000 - 9000 - 18000
	heavy = [q for q in QUESTIONS] + [type(QUESTIONS[0])("Q-X", "Water damage", {"Yes": 50})]
	estimate = estimate_price(
		IPHONE, "128 GB", {"Q-SCREEN": "Cracked", "Q-POWER": "No", "Q-X": "Yes"}, heavy, []
	)
	assert estimate.estimated_price == 0


def test_unknown_variant_has_no_price():
	assert estimate_price(IPHONE, "1 TB", {}, QUESTIONS, []) is None


def test_unknown_answers_deduct_nothing():
	estimate = estimate_price(IPHONE, "256 GB", {"Q-SCREEN": "Shattered"}, QUESTIONS, [])
	assert estimate.estimated_price == 34000


def test_rounding_is_half_up_to_whole_rupees():
	from manual_orders.sop.catalogue import ConditionQuestion, DeviceModel, Variant

	model = DeviceModel("X", "B", "Phone", variants=(Variant("v", 999),))
	question = ConditionQuestion("Q", "q", {"a": 2.5})  # 24.975 -> 25
	assert estimate_price(model, "v", {"Q": "a"}, [question], []).estimated_price == 974


def test_price_range():
	assert price_range(29300, 10) == (26370, 29300)
	assert price_range(29300, 0) == (29300, 29300)
	assert price_range(100, 250) == (0, 100)
