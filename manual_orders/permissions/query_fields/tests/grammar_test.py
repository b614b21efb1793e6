"""The `fields` grammar, without Frappe: what Frappe's desk and ERPNext send passes, SQL does not."""

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from manual_orders.permissions.query_fields.grammar import Column, parse_field, read_columns, refused_fields

# What Frappe 15's desk (list view, report view, group-by, sidebar, counts, link fields) and
# ERPNext's screens send as `fields`.
DESK_FIELDS = [
	"name",
	"*",
	"`tabManual Order`.`name`",
	"`tabManual Order`.`modified`",
	"`tabManual Order`.`_comments`",
	"`tabManual Order`.`_assign`",
	"`tabSales Invoice Item`.`item_code` as 'Sales Invoice Item:item_code'",
	"`tabSales Invoice Item`.`name` as 'Sales Invoice Item:name'",
	"translated_text as translation",
	"count(*)",
	"count(*) as count",
	"COUNT(*) AS count",
	"count(distinct `tabSales Invoice`.`name`) as total_count",
	"sum(`tabSales Invoice`.`grand_total`) as _aggregate_column",
	"avg(grand_total)",
	"min(posting_date)",
	"max(`modified`)",
	"tabUser.name",
	"lead.email_id",
	"`tabToDo`.`reference_name` as `name`",
	'grand_total as "Grand Total"',
]

# The review's expressions and their family: nested calls, subqueries in any argument,
# literals, operators, variables, comments.
ATTACKS = [
	"replace(name, name, (select api_secret from `tabUser` limit 1))",
	"concat_ws(upi_id, agent, estimated_price, consent_customer_words, call_notes, lead)",
	"concat_ws(name, upi_id)",
	"ifnull(upi_id, 1)",
	"sum((select count(*) from `tabSessions`))",
	"count(distinct (select sid from `tabSessions` limit 1))",
	"max(name) as x, (select 1)",
	"(select sid from `tabSessions` limit 1)",
	"(select sid from `tabSessions` limit 1) as name",
	"name, (select 1)",
	"upper(upi_id)",
	"substr(upi_id, 1, 1)",
	"count(upper(upi_id))",
	"sum(estimated_price * 2)",
	"sum(1)",
	"'literal'",
	"'a' as name",
	"0x61646d696e",
	"x'61'",
	"b'01'",
	"1",
	"1 as name",
	"name || upi_id",
	"name or 1",
	"name + 1",
	"-name",
	"@@version",
	"@x := name",
	"@x",
	"name /* comment */",
	"name -- comment",
	"name # comment",
	"name;",
	"name; drop table `tabUser`",
	"name as x as y",
	"`name` `x`",
	"name x",
	"select",
	"null",
	"distinct name",
	"name union select 1",
	"`tab`User`.name",
	"name as 'x' || 'y'",
	"name as 'it\\'s'",
	"count(*) as 'x', sleep(1)",
	"version()",
	"database()",
	"user()",
	"sleep(5)",
	"benchmark(1000000, md5(1))",
	"count(*) over ()",
	"case when 1 then name end",
	"name collate utf8mb4_bin",
	"binary name",
	"cast(name as char)",
	"json_extract(`data`, '$.a')",
	"count (distinct name, upi_id)",
	"group_concat(upi_id)",
	"count(*)*1",
]


@pytest.mark.parametrize("field", DESK_FIELDS)
def test_what_the_desk_sends_is_a_field(field):
	assert parse_field(field) is not None


@pytest.mark.parametrize("field", ATTACKS)
def test_sql_is_not_a_field(field):
	assert refused_fields([field]) == [field]
	assert refused_fields(field) != []


def test_a_comma_separated_string_is_read_as_frappe_reads_it():
	assert refused_fields("name, owner") == []
	assert refused_fields("name, concat(upi_id, name)") != []
	assert refused_fields(["name", None, ""]) == []
	assert refused_fields({"a": 1}) == ["{'a': 1}"]
	assert refused_fields([1]) == ["1"]


def test_the_columns_read_are_named():
	assert read_columns(["`tabManual Order`.`upi_id` as x", "count(distinct agent)", "count(*)", "*"]) == [
		Column("tabManual Order", "upi_id"),
		Column(None, "agent"),
	]
	assert read_columns("lead.email_id") == [Column("lead", "email_id")]


@given(st.text(alphabet=st.sampled_from(list("()'\"`@;|/*-#+=<>,.xs0 \\")), max_size=30))
def test_no_field_with_a_call_inside_a_call_or_a_literal_passes(text):
	"""Any mix of SQL punctuation: accepted only in the shapes of the grammar."""
	parsed = parse_field(text)
	if parsed is None:
		return
	core = re.sub(r"`[^`]*`", "x", text.lower()).split(" as ")[0]  # quoted names are names
	for bad in ("'", '"', "@", ";", "|", "/", "-", "#", "+", "=", "<", ">", ","):
		assert bad not in core, text
	assert core.count("(") <= 1, text
