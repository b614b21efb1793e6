"""The `fields` grammar on every request, for every DocType (site-wide).

An `auth_hooks` function (it runs after Frappe has authenticated the request, before the
method): every list and value path of Frappe 15 (`/api/resource`, `/api/v1`, `/api/v2`,
`frappe.client.get_list`/`get_value`/`validate_link`, `frappe.desk.reportview.*`, the
calendar and its `field_map`, `www/list`, number cards and dashboard charts, sent by the
client or stored) reads its fields
from the request's `fields` (or `fieldname`, or the card's or chart's columns). A field is
accepted only in the grammar of `grammar.py`; anything else is refused with HTTP 417 before
any query runs. The customer data of this app is as readable through another DocType's list
(a ToDo's `fields` with a subquery) as through its own, so the guard is not limited to the
app's DocTypes.

For the app's own DocTypes, a column at a permission level the user may not read is never
read: as a plain column it is taken out of the request (Frappe's list view asks for every
Currency field, readable or not, and Frappe leaves such a column out of the answer), inside
an aggregate or through a link field it is refused (403).

An administrator who must run a site without it sets `manual_orders_allow_sql_fields: 1` in
the site's `site_config.json` (`bench --site <site> set-config -p manual_orders_allow_sql_fields 1`).
"""

import json

import frappe
from frappe import _

from manual_orders.exceptions import FieldExpressionRefused
from manual_orders.permissions.query_fields import grammar
from manual_orders.permissions.records import is_ours

SWITCH_OFF_KEY = "manual_orders_allow_sql_fields"
# Methods whose `fieldname` is a field to read (elsewhere, e.g. `set_value`, it is a field to write)
VALUE_METHODS = ("frappe.client.get_value",)
NUMBER_CARD_METHODS = (
	"frappe.desk.doctype.number_card.number_card.get_result",
	"frappe.desk.doctype.number_card.number_card.get_percentage_difference",
)
CHART_METHOD = "frappe.desk.doctype.dashboard_chart.dashboard_chart.get"
# The columns a number card or dashboard chart puts into its query (each one column, no function)
CARD_COLUMNS = ("aggregate_function_based_on",)
CHART_COLUMNS = ("based_on", "value_based_on", "group_by_based_on", "aggregate_function_based_on")
# The calendar puts every value of its `field_map` into its fields and filters as written
CALENDAR_METHOD = "frappe.desk.calendar.get_events"
FIELD_REFUSED_MESSAGE = "{0} is not a field you may ask for in {1}. Ask for a column, table.column, count(*), or count, sum, avg, min or max of one column."


def refuse_sql_in_fields() -> None:
	"""`auth_hooks`: every field a request asks for is in the grammar, or nothing runs."""
	if frappe.local.conf.get(SWITCH_OFF_KEY) or not getattr(frappe.local, "request", None):
		return
	method = requested_method()
	for param, value in field_params(method):
		refuse_expressions(value, param)
	for doctype, values in card_and_chart_columns(method):
		for value in values:
			refuse_unless_column(value)
			refuse_unreadable_columns(doctype, [value], strip_param=None)
	doctype = list_doctype()
	if doctype:
		for param, value in field_params(method):
			refuse_unreadable_columns(doctype, decoded(value), strip_param=param)


def requested_method() -> str | None:
	"""The whitelisted method a request calls (`/api/method/x`, `/api/v2/method/x`, `cmd`)."""
	path = frappe.local.request.path
	for prefix in ("/api/method/", "/api/v2/method/"):
		if path.startswith(prefix):
			rest = path[len(prefix) :].strip("/")
			return rest if "/" not in rest else None
	cmd = frappe.form_dict.get("cmd")
	return cmd if isinstance(cmd, str) else None


def field_params(method: str | None) -> list[tuple[str, object]]:
	params = ["fields"]
	if method in VALUE_METHODS:
		params.append("fieldname")
	return [(param, frappe.form_dict.get(param)) for param in params if frappe.form_dict.get(param)]


def decoded(value):
	"""A list sent as JSON text is read as the list (JSON inside JSON too); other text stays text."""
	for _depth in range(3):
		if not (isinstance(value, str) and value.strip()[:1] in ("[", '"')):
			break
		try:
			value = json.loads(value)
		except ValueError:
			break
	return value


def refuse_expressions(value, param: str) -> None:
	refused = grammar.refused_fields(decoded(value))
	if refused:
		frappe.throw(
			_(FIELD_REFUSED_MESSAGE).format(refused[0][:200], param),
			FieldExpressionRefused,
			title=_("Field Not Allowed"),
		)


def refuse_unless_column(value) -> None:
	if value and not (isinstance(value, str) and grammar.parse_column(value)):
		frappe.throw(
			_("{0} is not a column.").format(str(value)[:200]),
			FieldExpressionRefused,
			title=_("Field Not Allowed"),
		)


def card_and_chart_columns(method: str | None) -> list[tuple[str | None, list]]:
	"""The columns of a number card or dashboard chart the request runs (the one the client
	sent, and the stored one it names), and of a calendar's `field_map`."""
	cards = []
	if method in NUMBER_CARD_METHODS:
		card = frappe._dict(frappe.parse_json(frappe.form_dict.get("doc") or "{}") or {})
		cards.append(card)
		if card.get("name") and frappe.db.exists("Number Card", card.name):
			cards.append(
				frappe.db.get_value("Number Card", card.name, ["document_type", *CARD_COLUMNS], as_dict=True)
			)
		return [(c.get("document_type"), [c.get(f) for f in CARD_COLUMNS if c.get(f)]) for c in cards]
	if method == CHART_METHOD:
		chart_name = frappe.form_dict.get("chart_name")
		if chart_name:
			stored = frappe.db.get_value(
				"Dashboard Chart", chart_name, ["document_type", *CHART_COLUMNS], as_dict=True
			)
			cards.append(stored or frappe._dict())
		else:
			cards.append(frappe._dict(frappe.parse_json(frappe.form_dict.get("chart") or "{}") or {}))
		return [(c.get("document_type"), [c.get(f) for f in CHART_COLUMNS if c.get(f)]) for c in cards]
	if method == CALENDAR_METHOD:
		field_map = frappe.parse_json(frappe.form_dict.get("field_map") or "{}") or {}
		values = list(field_map.values()) if isinstance(field_map, dict) else [field_map]
		return [(frappe.form_dict.get("doctype"), [value for value in values if value])]
	return []


def list_doctype() -> str | None:
	"""The DocType a list or value request reads."""
	from manual_orders.permissions.filters import requested_doctype

	doctype = requested_doctype()
	return doctype if isinstance(doctype, str) and doctype else None


def refuse_unreadable_columns(doctype: str | None, value, strip_param: str | None) -> None:
	"""For the app's DocTypes: a column the user may not read is taken out of a plain request
	(`strip_param`) or refused."""
	if not doctype or frappe.session.user == "Administrator" or not frappe.db.exists("DocType", doctype):
		return
	fields = grammar.split_fields(value) or []
	kept = []
	for field in fields:
		parsed = grammar.parse_field(field) if field not in (None, "") else None
		if not (parsed and parsed.column) or column_is_readable(doctype, parsed.column):
			kept.append(field)
			continue
		if strip_param and parsed.function is None and plain_column_of(doctype, parsed.column):
			continue  # left out, as Frappe's own field permissions leave it out of the answer
		frappe.throw(
			_("You may not read {0} of {1}.").format(parsed.column.name, _(doctype)),
			frappe.PermissionError,
		)
	if strip_param and len(kept) != len(fields):
		frappe.form_dict[strip_param] = json.dumps(kept) if kept else json.dumps(["name"])


def plain_column_of(doctype: str, column: grammar.Column) -> bool:
	return column.table in (None, f"tab{doctype}")


def column_is_readable(doctype: str, column: grammar.Column) -> bool:
	"""Whether the user may read the column, judged only for the app's DocTypes (Frappe's own
	field permissions decide for the others)."""
	from frappe.model import get_permitted_fields

	target, via = resolve_column(doctype, column)
	for owner, fieldname in [*via, (target, column.name)]:
		if not (owner and is_ours(owner)):
			continue
		meta = frappe.get_meta(owner)
		if not meta.has_field(fieldname):
			continue  # a standard column (name, owner, modified ...) or not a column at all
		parent = doctype if meta.istable and doctype != owner else None
		if fieldname not in get_permitted_fields(owner, parenttype=parent, user=frappe.session.user):
			return False
	return True


def resolve_column(doctype: str, column: grammar.Column) -> tuple[str | None, list[tuple[str, str]]]:
	"""The DocType whose column is read, and the link or table fields it is reached through."""
	if column.table is None or column.table == f"tab{doctype}":
		return doctype, []
	if column.table.startswith("tab") and not frappe.get_meta(doctype).get_field(column.table):
		return column.table[3:], []
	field = frappe.get_meta(doctype).get_field(column.table)
	if field and field.fieldtype in ("Link", "Table", "Table MultiSelect"):
		return field.options, [(doctype, field.fieldname)]
	return None, []


def check_card_columns(doc, method=None) -> None:
	"""`Number Card` and `Dashboard Chart` `validate`: the columns they put into their query
	are columns (Frappe's `create_number_card`/`create_dashboard_chart` save any text)."""
	if frappe.local.conf.get(SWITCH_OFF_KEY):
		return
	columns = CARD_COLUMNS if doc.doctype == "Number Card" else CHART_COLUMNS
	for fieldname in columns:
		refuse_unless_column(doc.get(fieldname))
