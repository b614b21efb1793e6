"""Sites created before the covering report index: add it (Frappe adds indexes only when a DocType changes)."""

import frappe


def execute():
	from manual_orders.manual_orders.doctype.manual_order.manual_order import on_doctype_update

	frappe.db.sql_ddl(
		"alter table `tabManual Order` drop index if exists `creation_index`, drop index if exists `agent_creation_index`"
	)
	on_doctype_update()
