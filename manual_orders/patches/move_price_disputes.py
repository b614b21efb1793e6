"""Price disputes used to be four fields on the order, overwritten by the next dispute.

They are now Manual Order Price Dispute records (append-only). Sites that recorded disputes
the old way get one record per disputed order, with who and when kept; the old columns,
which Frappe keeps after the fields left the DocType, are then dropped.
"""

import frappe

OLD_COLUMNS = ("dispute_customer_words", "dispute_notes", "dispute_recorded_by", "dispute_recorded_at")


def execute():
	columns = {row[0] for row in frappe.db.sql("show columns from `tabManual Order`")}
	if not set(OLD_COLUMNS) <= columns:
		return
	rows = frappe.db.sql(
		"""select name, agent, dispute_customer_words, dispute_notes, dispute_recorded_by, dispute_recorded_at
		from `tabManual Order` where price_disputed = 1 and ifnull(dispute_customer_words, '') != ''""",
		as_dict=True,
	)
	for row in rows:
		if frappe.db.exists("Manual Order Price Dispute", {"manual_order": row.name}):
			continue
		dispute = frappe.new_doc("Manual Order Price Dispute")
		dispute.update(
			{
				"manual_order": row.name,
				"agent": row.agent,
				"customer_words": row.dispute_customer_words,
				"notes": row.dispute_notes,
				"recorded_by": row.dispute_recorded_by,
				"recorded_at": row.dispute_recorded_at,
				"status": "Open",
			}
		)
		dispute.set_new_name()
		dispute.db_insert()
	frappe.db.commit()  # nosemgrep: DDL below commits implicitly; the moved rows go first
	frappe.db.sql_ddl(
		"alter table `tabManual Order` " + ", ".join(f"drop column `{column}`" for column in OLD_COLUMNS)
	)
