"""The Frappe code the app copies, re-declares or leans on, pinned by a hash of its source.

Each entry: the dotted path of a Frappe function, the first 16 hex digits of the SHA-256 of its
source as Frappe 15.56.1 has it, and the file of this app that copies it (or closes a door it
leaves open). `tests/test_upstream_copies.py` fails when Frappe's source differs, naming the
file to revisit; after revisiting it, record the new hash here.
"""

import hashlib
import importlib
import inspect

PINS: dict[str, tuple[str, str]] = {
	# shortcuts/notifications.py: the order's Notifications from the cache, no reload
	"frappe.model.document.Document.run_notifications": ("401d0d45dc8a1074", "shortcuts/notifications.py"),
	"frappe.email.doctype.notification.notification.evaluate_alert": (
		"271dbc7b60d65014",
		"shortcuts/notifications.py",
	),
	# shortcuts/workflow.py: Workflow Action bookkeeping only when someone waits; state on submit
	"frappe.model.document.Document.run_method": ("e348586c43efae28", "shortcuts/workflow.py"),
	"frappe.workflow.doctype.workflow_action.workflow_action.process_workflow_actions": (
		"441e92d9f3d3c87e",
		"shortcuts/workflow.py",
	),
	"frappe.model.workflow.set_workflow_state_on_action": ("74d69134b418bf27", "shortcuts/workflow.py"),
	"frappe.model.document.Document.validate_workflow": ("423a87887dc700ec", "shortcuts/controller.py"),
	# shortcuts/links.py: every link in one statement, answers in Frappe's request cache
	"frappe.model.document.Document._validate_links": ("973c3b7bc82a64fe", "shortcuts/links.py"),
	"frappe.model.base_document.BaseDocument.get_invalid_links": ("bc40b32a290d315e", "shortcuts/links.py"),
	"frappe.database.database.Database.get_value": ("1d37defe01eb0552", "shortcuts/links.py"),
	# shortcuts/children.py: child rows on submit in one statement a table
	"frappe.model.document.Document.update_children": ("65cd14367c3658ef", "shortcuts/children.py"),
	# shortcuts/controller.py: the hook before the silent reset; sanitising before the fingerprint
	"frappe.model.document.Document.validate_higher_perm_levels": (
		"69190ae2df583cbc",
		"shortcuts/controller.py",
	),
	"frappe.model.base_document.BaseDocument._sanitize_content": (
		"05b0d63426f34da6",
		"shortcuts/controller.py",
	),
	# permissions/read_paths.py: Frappe's read paths re-declared (same signatures) for the app's DocTypes
	"frappe.client.get_count": ("ddb22e8d37d3c7d1", "permissions/read_paths.py"),
	"frappe.desk.notifications.get_open_count": ("63ff4741d5dec265", "permissions/read_paths.py"),
	"frappe.desk.listview.get_group_by_count": ("26338405d247677d", "permissions/read_paths.py"),
	"frappe.desk.form.linked_with.get_submitted_linked_docs": (
		"9e312cafa167cfea",
		"permissions/read_paths.py",
	),
	"frappe.desk.form.load.getdoc": ("1320de55f064fed1", "permissions/read_paths.py"),
	"frappe.desk.form.load.get_docinfo": ("5fd6757d6b373704", "permissions/read_paths.py"),
	"frappe.desk.search.search_link": ("2a4ea30dfbe5d2c0", "permissions/read_paths.py"),
	"frappe.desk.search.search_widget": ("75af961483e371e1", "permissions/read_paths.py"),
	"frappe.desk.form.utils.get_next": ("550a95d7bdc40166", "permissions/read_paths.py"),
	# permissions/side_doors.py: likes and comments re-declared with a permission check
	"frappe.desk.like.toggle_like": ("9f5b8834d8cdc446", "permissions/side_doors.py"),
	"frappe.desk.form.utils.add_comment": ("ec547c004843d764", "permissions/side_doors.py"),
	# permissions/query_fields/: the grammar stands in for Frappe's check of `fields`
	"frappe.model.db_query.DatabaseQuery.sanitize_fields": (
		"e286914f568c9d00",
		"permissions/query_fields/guard.py",
	),
	# permissions/files.py: the download rule asks the app's File rule too
	"frappe.core.doctype.file.file.File.is_downloadable": ("196889038a762a8b", "permissions/files.py"),
	# shortcuts/naming.py: the naming series with a counter that does not deadlock on a new series
	"frappe.model.naming.set_name_by_naming_series": ("f2661e33974351ff", "shortcuts/naming.py"),
	"frappe.model.naming.NamingSeries.generate_next_name": ("1b604bc242f4af3c", "shortcuts/naming.py"),
	"frappe.model.naming.getseries": ("952f0e0d97b7be52", "shortcuts/naming.py"),
	# shortcuts/replica.py: the replica's credentials as Frappe picks them; its switch read per
	# call from the request's site config (a fresh copy each request and job); `before_job` given
	# the method and its kwargs (its `auth_hooks` entry: frappe.auth.validate_auth, below)
	"frappe.connect_replica": ("058198d62a0f33b8", "shortcuts/replica.py"),
	"frappe.read_only": ("6879cc20e4935691", "shortcuts/replica.py"),
	"frappe.init": ("b915873fa360d353", "shortcuts/replica.py"),
	"frappe.get_site_config": ("c660a06c39310f02", "shortcuts/replica.py"),
	"frappe.utils.background_jobs.execute_job": ("31fa8538bff5379e", "shortcuts/replica.py"),
	# shortcuts/db_set.py: the sender's status write in one plain UPDATE
	"frappe.model.document.Document.db_set": ("2649b6db6d763784", "shortcuts/db_set.py"),
	"frappe.database.database.Database.set_value": ("f4726b8b2b696c88", "shortcuts/db_set.py"),
	# leavers/access.py: `auth_hooks` run after Frappe has authenticated by session, key or token
	"frappe.auth.validate_auth": ("f48b96000e49e054", "leavers/access.py"),
}


def resolve(path: str):
	"""The object a dotted path names: the longest importable module, then attributes."""
	parts = path.split(".")
	for end in range(len(parts), 0, -1):
		try:
			obj = importlib.import_module(".".join(parts[:end]))
		except ImportError:
			continue
		for attribute in parts[end:]:
			obj = getattr(obj, attribute)
		return obj
	raise ImportError(path)


def source_hash(path: str) -> str:
	return hashlib.sha256(inspect.getsource(resolve(path)).encode()).hexdigest()[:16]


def changed(pins: dict[str, tuple[str, str]] = PINS) -> list[str]:
	"""One line for each pinned function whose source changed, naming the file to revisit."""
	lines = []
	for path, (pinned, revisit) in pins.items():
		now = source_hash(path)
		if now != pinned:
			lines.append(f"{path} changed ({pinned} -> {now}): revisit manual_orders/{revisit}")
	return lines
