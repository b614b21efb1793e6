"""An order's private files are downloaded under the app's File rule too.

Frappe 15 serves `/private/files/...` after `File.is_downloadable`, which asks only
Frappe's own File rule (may the user read the document the file is attached to?) and
not the `has_permission` hooks. A pickup partner's user may read the orders of their
partner, but not the agent's attachments on them (bank or identity papers): the app's
rule (`permissions.has_file_permission`) is asked here as well.
"""

from frappe.core.doctype.file.file import File

from manual_orders.permissions import has_file_permission


class ManualOrdersFile(File):
	def is_downloadable(self) -> bool:
		return super().is_downloadable() and has_file_permission(self) is not False
