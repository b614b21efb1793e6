app_name = "manual_orders"
app_title = "Manual Orders"
app_publisher = "Manual Orders maintainers"
app_description = "Lead-to-Order for assisted device buy-back pickups, enforcing the manual order SOP"
app_email = "maintainers@manual-orders.invalid"
app_license = "MIT"

required_apps = ["frappe/erpnext"]

# The field types block in each controller, regenerated when a DocType is saved in developer mode
export_python_type_annotations = True

# Desk
doctype_js = {
	"Lead": "public/js/lead.js",
	"Customer": "public/js/customer.js",
}

override_doctype_dashboards = {
	"Lead": "manual_orders.overrides.lead_dashboard.get_dashboard_data",
}

# WhatsApp as a Notification channel; SMS/WhatsApp for Manual Order through the outbox
override_doctype_class = {
	"Notification": "manual_orders.messaging.notifications.ManualOrdersNotification",
	# An order's private files: downloads ask the app's File rule too (permissions/files.py)
	"File": "manual_orders.permissions.files.ManualOrdersFile",
}

# Redis keys that hold work, not a cache: `frappe.clear_cache()` (every `bench migrate`) keeps them.
# The outbox's lists of names to send and its "sender on duty" flag; the refusal counts not yet
# flushed to Manual Order Refusal Count.
persistent_cache_keys = ["manual_orders:outbox:*", "manual_orders:refusals*"]

scheduler_events = {
	"cron": {
		"* * * * *": [
			"manual_orders.messaging.outbox.send_due_messages",
			"manual_orders.pickup.todos.ensure_todos",
		],
		"*/5 * * * *": [
			"manual_orders.accountability.flush_refusals",
			"manual_orders.pickup.sla.mark_sla_breaches",
			"manual_orders.leavers.handover.hand_over_leavers_work",
			# SOP §6: picked-up devices not booked yet, payouts whose last call had no answer
			"manual_orders.settlement.settle.retry_unsettled",
		],
	},
	# SOP §4C: drafts whose quoted price lapsed end their attempt; the Lead goes back to follow-up
	"daily": ["manual_orders.consent_evidence.quotes.close_expired_quotes"],
}

# Malformed REST payloads for Manual Order get a clear 417 instead of Frappe's 500
before_request = ["manual_orders.permissions.payload.check_manual_order_payload"]
# A job that runs reports reads from the primary while the replica is down or behind
before_job = ["manual_orders.shortcuts.replica.jobs_read_from_primary_unless_replica_in_step"]
# After authentication: a disabled user gets no way in, by session, API key or OAuth token
# (manual_orders/leavers/access.py); a reader who may not read a field may not filter or sort by
# it; `fields` in a strict grammar on every request, site-wide (permissions/query_fields)
auth_hooks = [
	"manual_orders.leavers.access.refuse_disabled_users",
	"manual_orders.permissions.filters.refuse_unreadable_filters",
	"manual_orders.permissions.query_fields.guard.refuse_sql_in_fields",
	# a read-only method (reports, lists) reads from the primary while the replica is down or
	# behind (shortcuts/replica.py)
	"manual_orders.shortcuts.replica.read_from_primary_unless_replica_in_step",
]

# Frappe 15 answers these without permissions (or sends a form's Versions whole): this app's
# DocTypes go through get_list and field permissions (permissions/read_paths.py)
override_whitelisted_methods = {
	"frappe.client.get_count": "manual_orders.permissions.read_paths.get_count",
	"frappe.desk.notifications.get_open_count": "manual_orders.permissions.read_paths.get_open_count",
	"frappe.desk.listview.get_group_by_count": "manual_orders.permissions.read_paths.get_group_by_count",
	"frappe.desk.form.linked_with.get_submitted_linked_docs": "manual_orders.permissions.read_paths.get_submitted_linked_docs",
	"frappe.desk.form.load.getdoc": "manual_orders.permissions.read_paths.getdoc",
	"frappe.desk.form.load.get_docinfo": "manual_orders.permissions.read_paths.get_docinfo",
	"frappe.desk.search.search_link": "manual_orders.permissions.read_paths.search_link",
	"frappe.desk.search.search_widget": "manual_orders.permissions.read_paths.search_widget",
	"frappe.desk.form.utils.get_next": "manual_orders.permissions.read_paths.get_next",
	# Likes need read permission, comments are signed by their writer (permissions/side_doors.py)
	"frappe.desk.like.toggle_like": "manual_orders.permissions.side_doors.toggle_like",
	"frappe.desk.form.utils.add_comment": "manual_orders.permissions.side_doors.add_comment",
}

# Agents see their own orders; managers see all; judged on the stored row (permissions/records.py)
permission_query_conditions = {
	"Manual Order": "manual_orders.permissions.records.manual_order_query",
	"Manual Order Condition": "manual_orders.permissions.records.order_row_query",
	"Manual Order Accessory": "manual_orders.permissions.records.order_row_query",
	"Manual Order Price Dispute": "manual_orders.permissions.records.price_dispute_query",
	"Manual Order Message": "manual_orders.permissions.records.message_query",
	"Manual Order Error": "manual_orders.permissions.records.manual_order_error_query",
	"Manual Order Refusal Count": "manual_orders.permissions.records.refusal_count_query",
	"Manual Order Agent Restriction": "manual_orders.permissions.records.restriction_query",
	"File": "manual_orders.permissions.files.file_query",
	"Pickup Partner": "manual_orders.permissions.records.pickup_partner_query",
	"Pickup Partner User": "manual_orders.permissions.records.pickup_partner_row_query",
	"Pickup Partner Pincode": "manual_orders.permissions.records.pickup_partner_row_query",
	"Pickup Inspection": "manual_orders.permissions.records.inspection_query",
	"Pickup Inspection Condition": "manual_orders.permissions.records.inspection_row_query",
	"Pickup Inspection Accessory": "manual_orders.permissions.records.inspection_row_query",
	"Pickup Inspection Difference": "manual_orders.permissions.records.inspection_row_query",
}
has_permission = {
	"Manual Order": "manual_orders.permissions.records.has_manual_order_permission",
	"Manual Order Message": "manual_orders.permissions.records.has_message_permission",
	"Manual Order Error": "manual_orders.permissions.records.has_agent_record_permission",
	"Manual Order Price Dispute": "manual_orders.permissions.records.has_agent_record_permission",
	"Manual Order Refusal Count": "manual_orders.permissions.records.has_agent_record_permission",
	"Manual Order Agent Restriction": "manual_orders.permissions.records.has_agent_record_permission",
	"Pickup Partner": "manual_orders.permissions.records.has_pickup_partner_permission",
	"Pickup Inspection": "manual_orders.permissions.records.has_inspection_permission",
	"File": "manual_orders.permissions.files.has_file_permission",
}

doc_events = {
	# Files attached to orders: checked against the order (permissions/files.py)
	# (and evidence, inspection photos and the CEIR look-up, is never moved or published; before
	# Frappe's own validate moves a file whose privacy changed)
	"File": {
		"before_validate": [
			"manual_orders.permissions.files.check_attachment",
			"manual_orders.permissions.files.check_evidence_kept",
		]
	},
	"Document Follow": {"validate": "manual_orders.permissions.follow.check_follow"},
	"User": {
		"validate": "manual_orders.permissions.follow.no_follow_digest_for_partners",
		# People who leave: their open work finds an owner (leavers/handover.py)
		"on_update": "manual_orders.leavers.handover.on_user_update",
	},
	"Employee": {"on_update": "manual_orders.leavers.handover.on_employee_update"},
	# Shares and assignments grant nothing beyond the app's rule (permissions/side_doors.py)
	"DocShare": {"validate": "manual_orders.permissions.side_doors.check_share"},
	"ToDo": {"validate": "manual_orders.permissions.side_doors.check_assignment"},
	# Cards and charts query columns only (permissions/query_fields)
	"Number Card": {"validate": "manual_orders.permissions.query_fields.guard.check_card_columns"},
	"Dashboard Chart": {"validate": "manual_orders.permissions.query_fields.guard.check_card_columns"},
}

# Frappe's test runner (bench run-tests --app manual_orders): setup wizard, demo catalogue, test users
before_tests = "manual_orders.tests.utils.before_tests"

# Install, migrate, uninstall
before_install = "manual_orders.setup.install.before_install"
after_install = "manual_orders.setup.install.after_install"
after_sync = "manual_orders.setup.install.after_sync"
after_migrate = "manual_orders.setup.install.after_migrate"
before_uninstall = "manual_orders.setup.install.before_uninstall"
after_uninstall = "manual_orders.setup.install.after_uninstall"

# The app's own customisations of ERPNext's DocTypes; uninstall removes them by module.
fixtures = [
	{"dt": "Custom Field", "filters": [["module", "=", "Manual Orders"]]},
	{"dt": "Property Setter", "filters": [["module", "=", "Manual Orders"]]},
]
