"""The Frappe internals Manual Order overrides, in one mixin the controller inherits first.

Each method keeps Frappe's behaviour and leaves out a round trip (see the module it calls);
`before_higher_perm_levels` is the controller's hook before Frappe's silent reset of fields
above the user's permission level (the accountable record refuses them out loud).
"""

from frappe.model.workflow import validate_workflow

from manual_orders.shortcuts import children, links, notifications, workflow


class FrappeShortcuts:
	def run_notifications(self, method):
		"""Frappe's, with the Notifications from the cache and no reload before sending."""
		notifications.run_notifications(self, method)

	def run_method(self, method, *args, **kwargs):
		"""Frappe's, without the Workflow Action bookkeeping when it would tell nobody."""
		if method == "on_update" and not workflow.needed(self):
			return workflow.run_method_without_bookkeeping(self, method, *args, **kwargs)
		return super().run_method(method, *args, **kwargs)

	def _validate_links(self):
		"""Frappe's link check, with every link asked in one statement first."""
		if not (self.flags.ignore_links or self._action == "cancel"):
			links.confirm_links(self)
		super()._validate_links()

	def validate_workflow(self):
		"""Frappe's, with the Workflow from the document cache on submit and cancel."""
		workflow_name = self.meta.get_workflow()
		if workflow_name:
			validate_workflow(self)
			if self._action != "save":
				workflow.set_state_on_action(self, workflow_name, self._action)

	def update_children(self):
		"""On submit, the rows just stored get their docstatus in one statement a table."""
		if not children.submit_rows_in_place(self):
			super().update_children()

	def validate_higher_perm_levels(self):
		self.before_higher_perm_levels()
		super().validate_higher_perm_levels()

	def before_higher_perm_levels(self):
		"""The controller's hook: refuse changes out loud before Frappe resets them silently."""

	def sanitise_html(self):
		"""Frappe's HTML sanitising, now (Frappe runs it later in `save`), on the order and its rows."""
		self._sanitize_content()
		for row in self.get_all_children():
			row._sanitize_content()
