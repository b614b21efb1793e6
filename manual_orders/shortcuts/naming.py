"""Manual Order's number, without the deadlock of two orders that start a series together.

Frappe's `getseries` reads the series' row `FOR UPDATE` and inserts it when it is missing. Two
orders that start a series at the same moment (the first orders of a year: `MO-.YYYY.-`) each
lock the gap where the row would be, each insert, and MariaDB ends one with a deadlock: an agent
gets an error for a valid order. Here the row is inserted or incremented in one statement
(`ON DUPLICATE KEY UPDATE`, which waits on the row, not the gap), then read back: the same two
statements as Frappe's, the same table, key and digits, so Frappe's own tools (Naming Series,
`revert_series_if_last`) keep working. Copies `set_name_by_naming_series` and
`NamingSeries.generate_next_name` (pinned in upstream.py) with this counter.
"""

import frappe
from frappe import _
from frappe.model.naming import NamingSeries, get_default_naming_series, parse_naming_series


def check_series_offered(doc) -> None:
	"""Only a series the form offers (the field's options, an admin's changes included): a
	client's own series (`MO-.YYYY.-009.##`) would take numbers the real series reaches later,
	and every order after that would fail on a duplicate name. Frappe checks no Select value of
	`naming_series`."""
	if not doc.naming_series:
		return
	offered = [option for option in (doc.meta.get_field("naming_series").options or "").split("\n") if option]
	if doc.naming_series not in offered:
		frappe.throw(
			_(
				"Naming Series: {0} is not one this form offers ({1}). Leave it empty or choose one of them."
			).format(doc.naming_series, ", ".join(offered)),
			frappe.ValidationError,
			title=_("Invalid Naming Series"),
		)


def name_by_naming_series(doc) -> str:
	if not doc.naming_series:
		doc.naming_series = get_default_naming_series(doc.doctype)
	if not doc.naming_series:
		frappe.throw(_("Naming Series mandatory"))
	series = NamingSeries(doc.naming_series + ".#####")
	series.validate()
	return parse_naming_series(series.series.split("."), doc=doc, number_generator=next_number)


def next_number(key: str, digits: int) -> str:
	frappe.db.sql(
		"""insert into `tabSeries` (`name`, `current`) values (%s, 1)
		on duplicate key update `current` = ifnull(`current`, 0) + 1""",
		(key,),
	)
	current = frappe.db.sql("select `current` from `tabSeries` where `name` = %s", (key,))[0][0]
	return ("%0" + str(digits) + "d") % current
