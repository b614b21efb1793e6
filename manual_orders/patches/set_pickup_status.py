"""Orders created before pickups were tracked get a pickup status and an SLA once.

`picked_up` set by hand becomes Picked Up; any other created order is Scheduled (in the
managers' queue of pickups without a partner). Pickups from today on get their due time,
the end of their slot; older ones were never tracked, so the SLA job leaves them alone.
Phones record their IMEI from now on.
"""

import frappe
from frappe.utils import today

from manual_orders.setup.install import IMEI_DEVICE_TYPES


def execute():
	frappe.db.sql(
		"""update `tabManual Order` o left join `tabPickup Slot` s on s.name = o.pickup_slot
		set o.pickup_status = if(o.picked_up = 1, 'Picked Up', 'Scheduled'),
			o.pickup_due_by = if(s.end_time is null or o.pickup_date < %s, null,
				timestamp(o.pickup_date, s.end_time))
		where o.docstatus = 1 and ifnull(o.pickup_status, '') = ''""",
		today(),  # the site's day, not the database server's (UTC on most hosts)
	)
	if not frappe.db.count("Device Type", {"has_imei": 1}):
		for device_type in IMEI_DEVICE_TYPES:
			if frappe.db.exists("Device Type", device_type):
				frappe.db.set_value("Device Type", device_type, "has_imei", 1)
