"""Frappe's Link check for a Manual Order in one statement instead of one a link.

Frappe checks each Link of a document and of its rows with its own query,
`get_value(doctype, name, "name", cache=True)`, remembered for the request only: about
fifteen statements on each save and submit of an order (device type, brand, model, reason,
slot, five questions, an accessory, the Lead, the currency, the agent, the workflow state).
`confirm_links` asks MariaDB all of them at once, with Frappe's own predicate (`name = %s`,
in the same transaction, so the same answer), and puts each name found in that request cache,
where Frappe's check then finds it. A name not found is left out, so Frappe asks again and
refuses it as before; links that fetch other values are asked by Frappe as before.
"""

import frappe


def confirm_links(doc) -> None:
	pairs = link_values(doc)
	if not pairs:
		return
	query = " union all ".join(
		f"select %s, %s, `name` from `tab{doctype}` where `name` = %s" for doctype, _name in pairs
	)
	params = [value for doctype, name in pairs for value in (doctype, name, name)]
	for doctype, given, stored in frappe.db.sql(query, params):
		frappe.db.value_cache[(doctype, given, "name")] = [(stored,)]  # Frappe 15's cache entry


def link_values(doc) -> list[tuple[str, str]]:
	"""The (DocType, name) of every plain Link set on the document and its rows, once each."""
	pairs = []
	for row in [doc, *doc.get_all_children()]:
		for df in row.meta.get_link_fields():
			value = row.get(df.fieldname)
			if not isinstance(value, str) or not value or row.meta.get_fields_to_fetch(df.fieldname):
				continue
			meta = frappe.get_meta(df.options)
			if meta.issingle or meta.is_virtual or meta.istable:
				continue
			if (df.options, value) not in pairs and (df.options, value, "name") not in frappe.db.value_cache:
				pairs.append((df.options, value))
	return pairs
