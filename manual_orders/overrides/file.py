"""An order's private files are downloaded under the app's File rule too.

Frappe 15 serves `/private/files/...` after `File.is_downloadable`, which asks only
Frappe's own File rule (may the user read the document the file is attached to?) and
not the `has_permission` hooks. A pickup partner's user may read the orders of their
partner, but not the agent's attachments on them (bank or identity papers): the app's
rule (`permissions.has_file_permission`) is asked here as well, and a File that points at
an order's file the user may not read is not downloadable whoever owns it. The attachment
checks run again after Frappe has decoded the URL in `validate`.
"""

from frappe.core.doctype.file.file import File

from manual_orders.permissions import check_attachment, has_file_permission, shares_unreadable_order_file


class ManualOrdersFile(File):
	def validate(self):
		super().validate()
		check_attachment(self)  # again, on the URL as Frappe decoded it (`%2D` and the like)

	def is_downloadable(self) -> bool:
		"""Also refused: a File of the user's own that points at an order's file they may not read."""
		return (
			super().is_downloadable()
			and has_file_permission(self) is not False
			and not shares_unreadable_order_file(self)
		)
