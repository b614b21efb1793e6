"""The strict grammar of a requested field (no Frappe here, tested with plain pytest).

Frappe 15's `DatabaseQuery.sanitize_fields` looks only at a field's outermost function, so
`replace(x, x, (select ...))` runs as written. A client's field is accepted here only if it
is one of:

- `*`
- a column: `name`, `` `name` ``, `table.column`, `` `tabSales Invoice Item`.`qty` ``
  (backticked or not; a child table's columns in the form Frappe's desk sends)
- `count(*)`, or `count`/`sum`/`avg`/`min`/`max` of one column, with an optional `distinct`
- any of these with an alias: `as alias`, `` as `alias` `` or `as 'Child DocType:field'`
  (the report view names child-table columns that way)

Anything else (a nested call, a subquery, a literal, an operator, a variable, a comment) is
not a field. `parse_field` returns what the field reads, or None.
"""

import re
from dataclasses import dataclass

AGGREGATES = ("count", "sum", "avg", "min", "max")

_PLAIN = r"[A-Za-z_][A-Za-z0-9_]*"
_QUOTED = r"`[^`\x00\n\r]+`"
_NAME = rf"(?:{_PLAIN}|{_QUOTED})"
_COLUMN = rf"(?P<table>{_NAME})\s*\.\s*(?P<column>{_NAME})|(?P<bare>{_NAME})"
_ALIAS = rf"(?:{_PLAIN}|{_QUOTED}|'[^'\\\x00\n\r]*'|\"[^\"\\\x00\n\r]*\")"

COLUMN_RE = re.compile(rf"^\s*(?:{_COLUMN})\s*$")
AGGREGATE_RE = re.compile(
	rf"^\s*(?P<function>{'|'.join(AGGREGATES)})\s*\(\s*(?P<distinct>distinct\s+)?"
	rf"(?P<argument>[^()]*?)\s*\)\s*$",
	re.IGNORECASE,
)
ALIAS_RE = re.compile(rf"^(?P<expression>.*?)\s+as\s+(?P<alias>{_ALIAS})\s*$", re.IGNORECASE | re.DOTALL)
# Keywords that may not be a bare column: `select`, `null`, `distinct` ... are SQL, not names.
KEYWORDS = frozenset(
	"""select from where union distinct null true false not and or xor like regexp rlike is in
	between case when then else end exists as div mod interval binary collate escape limit
	offset order group by having join on using into outfile dumpfile""".split()
)


@dataclass(frozen=True)
class Column:
	"""A column a field reads: `table` is None for the queried DocType's own column."""

	table: str | None
	name: str


@dataclass(frozen=True)
class Field:
	"""An accepted field: the column it reads (None for `*` and `count(*)`) and its function."""

	column: Column | None
	function: str | None = None
	alias: str | None = None


def unquote(name: str) -> str:
	return name[1:-1] if name.startswith("`") else name


def parse_column(text: str) -> Column | None:
	"""`name`, `` `name` ``, `table.column` with either part backticked; None for anything else."""
	match = COLUMN_RE.match(text)
	if not match:
		return None
	if match.group("bare"):
		name = unquote(match.group("bare"))
		if match.group("bare")[0] != "`" and name.lower() in KEYWORDS:
			return None
		return Column(None, name)
	table, column = match.group("table"), match.group("column")
	if any(part[0] != "`" and unquote(part).lower() in KEYWORDS for part in (table, column)):
		return None
	return Column(unquote(table), unquote(column))


def parse_field(text) -> Field | None:
	"""The field a client asked for, if the grammar allows it; None otherwise."""
	if not isinstance(text, str) or not text.strip() or "\x00" in text:
		return None
	alias = None
	match = ALIAS_RE.match(text)
	if match:
		text, alias = match.group("expression"), match.group("alias")
	text = text.strip()
	if text == "*" and alias is None:
		return Field(None)
	column = parse_column(text)
	if column:
		return Field(column, alias=alias)
	match = AGGREGATE_RE.match(text)
	if not match:
		return None
	function = match.group("function").lower()
	argument = match.group("argument").strip()
	if argument == "*" and function == "count" and not match.group("distinct"):
		return Field(None, function, alias)
	column = parse_column(argument)
	return Field(column, function, alias) if column else None


def split_fields(value) -> list | None:
	"""A `fields` value as Frappe reads it (a list, or a string Frappe splits at commas); None
	for a value that is neither."""
	if isinstance(value, list | tuple):
		return list(value)
	if isinstance(value, str):
		return [part for part in value.split(",")] if value.strip() else []
	return None


def refused_fields(value) -> list[str]:
	"""The fields of `value` (list or comma-separated string) that the grammar does not allow."""
	fields = split_fields(value)
	if fields is None:
		return [repr(value)]
	return [str(field) for field in fields if field not in (None, "") and parse_field(field) is None]


def read_columns(value) -> list[Column]:
	"""The columns the allowed fields of `value` read."""
	columns = []
	for field in split_fields(value) or []:
		parsed = parse_field(field) if field not in (None, "") else None
		if parsed and parsed.column:
			columns.append(parsed.column)
	return columns
