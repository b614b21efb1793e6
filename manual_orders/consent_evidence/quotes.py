"""SOP §4C: a quoted price holds for a while; drafts whose quote lapsed end their attempt."""

import frappe
from frappe import _
from frappe.utils import getdate, today

from manual_orders.consent_evidence.fields import CONSENT_FIELDS, FOLLOW_UP
from manual_orders.setup.workflow import server_state
from manual_orders.sop import rules


def close_expired_quotes(on=None) -> list[str]:
	"""Daily job: drafts whose quoted price lapsed end their attempt; the Lead goes back to follow-up."""
	on = getdate(on or today())
	names = frappe.get_all(
		"Manual Order",
		filters={"docstatus": 0, "outcome": ("is", "not set"), "quote_valid_until": ("<", on)},
		pluck="name",
	)
	return [name for name in names if close_expired_quote(name, on)]


def close_expired_quote(name: str, on) -> bool:
	row = frappe.db.sql(
		"""select name, lead, quote_valid_until from `tabManual Order`
		where name = %s and docstatus = 0 and ifnull(outcome, '') = '' and quote_valid_until < %s
		for update""",
		(name, on),
		as_dict=True,
	)
	if not row:
		return False
	values = {
		"outcome": rules.QUOTE_EXPIRED,
		"lead_lock": None,
		**{fieldname: None for fieldname in CONSENT_FIELDS},
		"consent_price_accepted": 0,
		"consent_summary_confirmed": 0,
	}
	state = server_state(rules.QUOTE_EXPIRED)
	if state:
		values["workflow_state"] = state
	frappe.db.set_value("Manual Order", name, values)
	if row[0].lead:
		frappe.db.set_value("Lead", row[0].lead, "disposition", FOLLOW_UP)
	frappe.get_doc("Manual Order", name).add_comment(
		"Info",
		_(
			"Closed: the price quoted to the customer held until {0}. Call the customer back with a fresh quote."
		).format(frappe.utils.formatdate(row[0].quote_valid_until)),
	)
	return True
