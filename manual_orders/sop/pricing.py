"""SOP §4C and §5 step 4: the estimated price, always computed, never typed.

estimate = base price of the variant
           - each condition answer's deduction (a percentage of the base price)
           + each accessory's adjustment
rounded to whole rupees (half up) and never below zero.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from manual_orders.sop.catalogue import Accessory, ConditionQuestion, DeviceModel

CURRENCY = "INR"  # the catalogue's prices, the estimate and the payout are in Indian rupees


@dataclass(frozen=True)
class PriceLine:
	label: str
	amount: int


@dataclass(frozen=True)
class PriceEstimate:
	base_price: int
	lines: tuple[PriceLine, ...]
	estimated_price: int


def _rupees(value: Decimal) -> int:
	return int(value.quantize(Decimal("1"), rounding=ROUND_HALF_UP))


def condition_deduction(base_price: int, percent: float) -> int:
	return _rupees(Decimal(base_price) * Decimal(str(percent)) / Decimal(100))


def estimate_price(
	model: DeviceModel,
	variant_name: str,
	answers: dict[str, str],
	questions: list[ConditionQuestion],
	accessories: list[Accessory],
) -> PriceEstimate | None:
	"""The estimate for a known variant; None when the variant is not in the model.

	Unanswered or unknown answers deduct nothing here: the rules refuse them.
	"""
	variant = model.variant(variant_name)
	if variant is None:
		return None
	lines = []
	for question in questions:
		answer = answers.get(question.name)
		if question.answers.get(answer):
			amount = -condition_deduction(variant.base_price, question.answers[answer])
			lines.append(PriceLine(f"{question.question}: {answer}", amount))
	for accessory in accessories:
		if accessory.price_adjustment:
			lines.append(PriceLine(accessory.name, int(accessory.price_adjustment)))
	total = variant.base_price + sum(line.amount for line in lines)
	return PriceEstimate(variant.base_price, tuple(lines), max(total, 0))


def price_range(estimated_price: int, variance_percent: float) -> tuple[int, int]:
	"""The range told to the customer: the estimate, and the least inspection may leave."""
	variance = Decimal(str(max(min(variance_percent, 100), 0)))
	low = _rupees(Decimal(estimated_price) * (Decimal(100) - variance) / Decimal(100))
	return low, int(estimated_price)
