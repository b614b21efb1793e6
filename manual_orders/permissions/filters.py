"""Filters, sorts and group-bys on fields a reader may not read, refused on every list path.

Field permission levels hide fields from a reader's results (Frappe 15 applies them to the
columns selected), but not from filters or sorting. Runs as an `auth_hooks` entry, after Frappe
has authenticated the request.
"""

import frappe
from frappe import _

DOCTYPE = "Manual Order"

# Field permission levels hide fields from a reader's results (Frappe 15 applies them to the
# columns selected), but not from filters or sorting: a pickup partner could ask "is there an
# order X whose upi_id starts with ab?" and read a hidden field out one answer at a time.
GUARDED_DOCTYPES = ("Manual Order", "Manual Order Condition", "Manual Order Accessory")
FILTER_PARAMS = ("filters", "or_filters", "current_filters", "value")
SQL_PARAMS = (
	"order_by",
	"group_by",
	"searchfield",
	"sort_by",
	"sort_field",
	"field",
	"stats",
	"aggregate_on_field",
)
# Number cards and dashboard charts carry their DocType, filters and columns in a JSON document
# (`doc`, `chart`) or name a stored one (`chart_name`): the form data has no `doctype` key.
CARD_PARAMS = ("doc", "chart")
CARD_FILTERS = ("filters_json", "dynamic_filters_json")
CARD_COLUMNS = ("aggregate_function_based_on", "based_on", "value_based_on", "group_by_based_on")
DOCTYPE_PATHS = ("/api/resource/", "/api/v1/resource/", "/api/v2/document/", "/api/v2/doctype/")


def refuse_unreadable_filters() -> None:
	"""`auth_hooks` (after Frappe has authenticated the request): a reader who may not read a
	field of Manual Order may not filter, sort or group by it through any list, count or search."""
	doctype = requested_doctype()
	if doctype not in GUARDED_DOCTYPES or frappe.session.user in ("Guest", "Administrator"):
		return
	from manual_orders.permissions.records import reads_every_field

	if reads_every_field(DOCTYPE):
		return
	hidden = unreadable_fields()
	values = [(frappe.form_dict.get(param), param in FILTER_PARAMS) for param in FILTER_PARAMS + SQL_PARAMS]
	for card in requested_cards():
		values += [(card.get(key), True) for key in CARD_FILTERS]
		values += [(card.get(key), False) for key in CARD_COLUMNS]
	for value, is_filter in values:
		if value and mentioned_fields(value, is_filter) & hidden:
			frappe.throw(
				_("You may not filter or sort Manual Orders by a field you cannot read."),
				frappe.PermissionError,
			)


def requested_doctype() -> str | None:
	request = getattr(frappe.local, "request", None)
	path = request.path if request else ""
	for prefix in DOCTYPE_PATHS:
		if path.startswith(prefix):
			from urllib.parse import unquote

			return unquote(path[len(prefix) :].split("/")[0])
	for key in ("doctype", "aggregate_on_doctype"):
		if isinstance(frappe.form_dict.get(key), str) and frappe.form_dict.get(key):
			return frappe.form_dict.get(key)
	for card in requested_cards():
		if isinstance(card.get("document_type"), str):
			return card.get("document_type")
	return None


def requested_cards() -> list[dict]:
	"""The number card or dashboard chart a request runs: sent as JSON, or stored and named."""
	cards = []
	for param in CARD_PARAMS:
		value = frappe.form_dict.get(param)
		if isinstance(value, str) and value.strip().startswith("{"):
			try:
				value = frappe.parse_json(value)
			except ValueError:
				value = None
		if isinstance(value, dict):
			cards.append(value)
	stored = (
		("Dashboard Chart", frappe.form_dict.get("chart_name")),
		("Number Card", cards[0].get("name") if cards and frappe.form_dict.get("doc") else None),
	)
	for doctype, name in stored:
		if isinstance(name, str) and name and frappe.db.exists(doctype, name):
			cards.append(frappe.get_doc(doctype, name).as_dict())
	return cards


def unreadable_fields() -> set[str]:
	from frappe.model import get_permitted_fields

	readable = set(get_permitted_fields(DOCTYPE, user=frappe.session.user))
	return {df.fieldname for df in frappe.get_meta(DOCTYPE).fields if df.fieldname not in readable}


def mentioned_fields(value, is_filter: bool) -> set[str]:
	"""Every word that could name a column in a filter's field position or an SQL fragment."""
	import re

	for _depth in range(3):  # a JSON string inside a JSON string, as a client may send
		if not (isinstance(value, str) and value.strip()[:1] in ("[", "{", '"')):
			break
		try:
			value = frappe.parse_json(value)
		except ValueError:
			break
	texts = []
	if isinstance(value, dict) and not is_filter:
		texts = [str(key) for key in value] + [str(item) for item in value.values()]
	elif isinstance(value, dict):
		texts = [str(key) for key in value]
	elif isinstance(value, list | tuple):
		for item in value:
			if isinstance(item, list | tuple) and item:
				texts.append(str(item[1] if len(item) >= 4 else item[0]))
			else:
				texts.append(str(item))
	else:
		texts = [str(value)]
	return {word for text in texts for word in re.findall(r"[A-Za-z_][A-Za-z0-9_]*", text)}
