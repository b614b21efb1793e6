from dataclasses import dataclass, field


def _(text: str) -> str:
	"""Marks a message for Frappe's translation extractor; the glue layer translates it."""
	return text


@dataclass(frozen=True)
class Violation:
	"""One broken SOP rule: the field to fix, the rule's id and a message template.

	`message` is English with `{0}`-style placeholders filled from `params`, so the
	caller can translate the template first and format it after.
	"""

	field: str
	rule: str
	message: str
	params: tuple = field(default_factory=tuple)

	def render(self, translate=lambda text: text) -> str:
		return translate(self.message).format(*self.params)
