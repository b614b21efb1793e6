"""India's DLT rule for transactional SMS: the text sent must be the registered template.

Operators compare each SMS with the template registered on DLT: the fixed text equal,
character for character, and each `{#var#}` filled with at most 30 characters of one
line. A message that does not match is dropped by the operator, so the app checks it
before queueing and when an admin saves the Notification.
"""

import re
from dataclasses import dataclass
from functools import cache

from manual_orders.sop.violations import Violation, _

VAR = "{#var#}"
VAR_MAX_LENGTH = 30  # the operators' limit for one variable
SNIPPET_LENGTH = 20
JINJA_EXPRESSION = re.compile(r"\{\{.*?\}\}", re.DOTALL)


@dataclass(frozen=True)
class Difference:
	"""Where a message first leaves its template: a 1-based character position and both sides there."""

	position: int
	expected: str
	found: str


def normalise(text: str | None) -> str:
	return str(text or "").replace("\r\n", "\n").strip()


def template_from_message(message: str) -> str:
	"""The DLT template for a Notification text: every `{{ ... }}` becomes one `{#var#}`."""
	return JINJA_EXPRESSION.sub(VAR, normalise(message))


def first_difference(template: str, text: str) -> Difference | None:
	"""None when `text` fills `template`; otherwise where a reader sees it leave the template."""
	template, text = normalise(template), normalise(text)
	fixed = template.split(VAR)
	return None if fills(fixed, text) else explain(fixed, text)


def fills(fixed: list[str], text: str) -> bool:
	"""Whether some filling of the variables (at most 30 characters of one line each) gives `text`."""

	@cache
	def from_part(part: int, position: int) -> bool:
		piece = fixed[part]
		if not text.startswith(piece, position):
			return False
		position += len(piece)
		if part == len(fixed) - 1:
			return position == len(text)
		return any(from_part(part + 1, position + size) for size in variable_sizes(text, position))

	return from_part(0, 0)


def explain(fixed: list[str], text: str) -> Difference:
	"""Walks the template, giving each variable the value that lets most of the next fixed text
	match (the shortest on a tie), and stops at the first character that differs."""
	position = 0
	for part, piece in enumerate(fixed):
		length = common_prefix(piece, text[position:])
		if length < len(piece):
			return difference(text, position + length, piece[length:])
		position += len(piece)
		if part == len(fixed) - 1:
			break
		following = fixed[part + 1]
		sizes = list(variable_sizes(text, position))
		position += max(sizes, key=lambda size: (common_prefix(following, text[position + size :]), -size))
	return difference(text, position, "")


def variable_sizes(text: str, position: int):
	"""The lengths a variable may take at `position`: up to 30 characters, never past a line end."""
	yield 0
	for size in range(1, VAR_MAX_LENGTH + 1):
		if position + size > len(text) or text[position + size - 1] == "\n":
			return
		yield size


def difference(text: str, position: int, expected: str) -> Difference:
	return Difference(position + 1, expected[:SNIPPET_LENGTH], text[position : position + SNIPPET_LENGTH])


def common_prefix(a: str, b: str) -> int:
	length = 0
	for x, y in zip(a, b, strict=False):
		if x != y:
			break
		length += 1
	return length


def check_message(template: str, text: str, field_name: str = "message") -> list[Violation]:
	"""The refusal an admin or the outbox reads: where the text leaves the registered template."""
	difference = first_difference(template, text)
	if difference is None:
		return []
	return [
		Violation(
			field_name,
			"DLT-TEMPLATE",
			_(
				'Message: the text does not match the registered DLT template at character {0}: the template has "{1}" where the message has "{2}". Change the message or the DLT Template Text so they agree ({{#var#}} stands for at most 30 characters).'
			),
			(difference.position, difference.expected, difference.found),
		)
	]
