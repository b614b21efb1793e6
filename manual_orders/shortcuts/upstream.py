"""The Frappe code the app copies or leans on, pinned by a hash of its source.

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
