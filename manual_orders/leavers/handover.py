"""The open work of someone who leaves finds an owner; what they did stays theirs (SOP §9).

When a User is disabled (saved with *Enabled* off), or their Employee is marked *Left* (which
disables the User):

- their open drafts end with the outcome *Agent Left* (the workflow state of that name), the
  draft's data kept as it was; the Lead is freed (its lock on the draft cleared) and goes back
  to follow-up, and the Lead waits in the managers' queue to be called back;
- their created orders keep `agent`: the record says who created them;
- their open price disputes wait in the managers' queue, and their open ToDos are cancelled
  and wait there with their text;
- a pickup partner's user is dropped from the partner; a partner left with no user gives its
  pending pickups back to the queue of pickups without a partner, and each waits in the
  managers' queue.

The managers' queue is the *Manual Order Handover* list (number card *Work Waiting for an
Owner*); a manager takes an item with `manual_orders.api.take_handover`. Every change is saved
with a Version (or is a handover record) owned by whoever disabled the user. A five-minute
sweep hands over the work of users disabled without a save of the User (a script, a direct
database write).
"""

import frappe
from frappe import _
from frappe.utils import now_datetime, strip_html

from manual_orders.consent_evidence.fields import FOLLOW_UP
from manual_orders.permissions.records import app_doctypes
from manual_orders.pickup import places as pickup_places
from manual_orders.pickup import todos as pickup_todos
from manual_orders.setup.workflow import server_state
from manual_orders.sop import rules
from manual_orders.sop.pickups import PENDING, SCHEDULED

HANDOVER = "Manual Order Handover"
# Whose work the app hands over: people with one of its roles. Their ToDos on these records (and on
# the app's own) are the follow-ups of calls and pickups; a ToDo of any other kind is left alone.
APP_ROLES = ("Manual Order Agent", "Manual Order Manager", "Manual Order Operations", "Pickup Partner")
FOLLOW_UP_DOCTYPES = ("Lead", "Customer")
USER_DISABLED = "User Disabled"
EMPLOYEE_LEFT = "Employee Left"
REMOVED_FROM_PARTNER = "Removed from Pickup Partner"
WAITING = "Waiting"
TAKEN = "Taken"


# Triggers


def on_user_update(doc, method=None) -> None:
	"""`User.on_update`: a user saved disabled hands over their work."""
	if not doc.enabled and doc.has_value_changed("enabled"):
		hand_over(doc.name, doc.flags.get("left_why") or USER_DISABLED)


def on_employee_update(doc, method=None) -> None:
	"""`Employee.on_update`: an employee marked Left loses their User (and so their way in).

	Whoever may mark an Employee Left (HR) disables that User, except a System Manager's: HR
	cannot lock out an administrator; a System Manager disables them."""
	if doc.status != "Left" or not doc.user_id or not doc.has_value_changed("status"):
		return
	user = frappe.get_doc("User", doc.user_id)
	if not user.enabled:
		hand_over(user.name, EMPLOYEE_LEFT)
		return
	if "System Manager" in frappe.get_roles(user.name) and "System Manager" not in frappe.get_roles():
		frappe.msgprint(
			_("{0} is a System Manager: ask a System Manager to disable their User.").format(user.name),
			alert=True,
		)
		return
	# Frappe's User save turns their Notification Settings off too, a save HR may not make
	if frappe.db.exists("Notification Settings", user.name):
		frappe.db.set_value("Notification Settings", user.name, "enabled", 0)
	user.enabled = 0
	user.flags.left_why = EMPLOYEE_LEFT
	user.save(ignore_permissions=True, ignore_version=False)  # versioned under HR's name


def hand_over_leavers_work() -> list[str]:
	"""Scheduler, every five minutes: disabled users of the app who still hold open work, a session
	or an OAuth token hand it over (a user disabled without a save of the User, by a script)."""
	users = frappe.db.sql_list(
		"""select u.name from `tabUser` u where u.enabled = 0
		and exists (select 1 from `tabHas Role` r where r.parent = u.name and r.parenttype = 'User'
			and r.role in %(roles)s)
		and (
			exists (select 1 from `tabManual Order` o
				where o.agent = u.name and o.docstatus = 0 and ifnull(o.outcome, '') = '')
			or exists (select 1 from `tabToDo` t where t.allocated_to = u.name and t.status = 'Open'
				and (t.reference_type in %(follow_up)s
					or t.reference_type in (select name from `tabDocType` where module = 'Manual Orders')))
			or exists (select 1 from `tabPickup Partner User` p
				where p.user = u.name and p.parenttype = 'Pickup Partner')
			or exists (select 1 from `tabManual Order Price Dispute` d
				where d.agent = u.name and d.status = 'Open' and not exists (
					select 1 from `tabManual Order Handover` h where h.reference_type = 'Manual Order Price Dispute'
					and h.reference_name = d.name and h.left_user = u.name))
			or exists (select 1 from `tabSessions` s where s.user = u.name)
			or exists (select 1 from `tabOAuth Bearer Token` b where b.user = u.name and b.status = 'Active')
		)""",
		{"roles": APP_ROLES, "follow_up": FOLLOW_UP_DOCTYPES},
	)
	for user in users:
		hand_over(user, USER_DISABLED)
	return users


def hand_over(user: str, why: str) -> None:
	"""Everything the user leaves open, handed over. Each step is idempotent: a second run finds nothing."""
	end_sessions_and_tokens(user)
	drop_from_partners(user, why)
	close_drafts(user, why)
	queue_disputes(user, why)
	queue_todos(user, why)


# Sessions and tokens


def end_sessions_and_tokens(user: str) -> None:
	"""Frappe refuses a disabled user's session but keeps it (it would work again if the user were
	enabled), and its OAuth provider still refreshes and vouches for their tokens: both end here."""
	from frappe.sessions import clear_sessions

	clear_sessions(user, force=True)
	frappe.db.set_value("OAuth Bearer Token", {"user": user, "status": "Active"}, "status", "Revoked")
	frappe.db.set_value(
		"OAuth Authorization Code", {"user": user, "validity": "Valid"}, "validity", "Invalid"
	)


# Drafts


def close_drafts(user: str, why: str) -> list[str]:
	names = frappe.get_all(
		"Manual Order",
		filters={"agent": user, "docstatus": 0, "outcome": ("is", "not set")},
		pluck="name",
		order_by="creation asc",
	)
	return [name for name in names if close_draft(name, user, why)]


def close_draft(name: str, user: str, why: str) -> bool:
	"""The draft ends with *Agent Left*; nothing of it is cleared but the Lead's lock."""
	stored = frappe.db.sql(
		"""select name, lead from `tabManual Order`
		where name = %s and docstatus = 0 and ifnull(outcome, '') = '' for update""",
		name,
		as_dict=True,
	)
	if not stored:
		return False
	values = {"outcome": rules.AGENT_LEFT, "lead_lock": None}
	state = server_state(rules.AGENT_LEFT)
	if state:
		values["workflow_state"] = state
	set_versioned("Manual Order", name, values)
	frappe.get_doc("Manual Order", name).add_comment(
		"Info", _("Closed: {0} left ({1}). The Lead goes back to follow-up.").format(user, _(why))
	)
	lead = stored[0].lead
	if lead and frappe.db.exists("Lead", lead):
		if frappe.get_meta("Lead").has_field("disposition"):
			set_versioned("Lead", lead, {"disposition": FOLLOW_UP})
		queue(
			"Open Draft",
			"Lead",
			lead,
			user,
			why,
			_("Call the customer back: the draft order {0} of {1} was closed when they left.").format(
				name, user
			),
		)
	return True


# Price disputes and ToDos


def queue_disputes(user: str, why: str) -> list[str]:
	names = frappe.get_all(
		"Manual Order Price Dispute", filters={"agent": user, "status": "Open"}, pluck="name"
	)
	queued = []
	for name in names:
		order = frappe.db.get_value("Manual Order Price Dispute", name, "manual_order")
		description = _("Open price dispute on order {0}.").format(order)  # the words stay in the dispute
		if queue("Price Dispute", "Manual Order Price Dispute", name, user, why, description):
			queued.append(name)
	return queued


def queue_todos(user: str, why: str) -> list[str]:
	"""The leaver's open follow-ups (ToDos on Leads, Customers and the app's records) are cancelled;
	each waits in the queue, unless it was a pickup ToDo of a partner that still has users (they
	hold ToDos of their own for it). ToDos of any other kind are left as they are."""
	todos = frappe.get_all(
		"ToDo",
		filters={
			"allocated_to": user,
			"status": "Open",
			"reference_type": ("in", [*FOLLOW_UP_DOCTYPES, *sorted(app_doctypes())]),
		},
		fields=["name", "reference_type", "reference_name", "description"],
		order_by="creation asc",
	)
	for todo in todos:
		doc = frappe.get_doc("ToDo", todo.name)
		doc.status = "Cancelled"
		doc.save(ignore_permissions=True)
		if is_covered_pickup(todo):
			continue
		queue(
			"ToDo",
			todo.reference_type,
			todo.reference_name,
			user,
			why,
			strip_html(todo.description or "")[:500],
			source_todo=todo.name,
		)
	return [todo.name for todo in todos]


def is_covered_pickup(todo) -> bool:
	if todo.reference_type != "Manual Order" or not todo.reference_name:
		return False
	partner = frappe.db.get_value("Manual Order", todo.reference_name, "pickup_partner")
	return bool(partner) and bool(partner_users(partner))


# Pickup partners


def partner_users(partner: str) -> list[str]:
	return frappe.get_all(
		"Pickup Partner User", filters={"parent": partner, "parenttype": "Pickup Partner"}, pluck="user"
	)


def drop_from_partners(user: str, why: str) -> list[str]:
	partners = frappe.get_all(
		"Pickup Partner User",
		filters={"user": user, "parenttype": "Pickup Partner"},
		pluck="parent",
		distinct=True,
	)
	for name in partners:
		drop_from_partner(name, user, why)
	return partners


def drop_from_partner(name: str, user: str, why: str) -> None:
	partner = frappe.get_doc("Pickup Partner", name, for_update=True)
	partner.set("users", [row for row in partner.users if row.user != user])
	partner.flags.left_why = why
	# versioned (also under Frappe's test runner, which skips Versions unless asked)
	partner.save(ignore_permissions=True, ignore_version=False)  # `users_removed` follows


def users_removed(partner) -> None:
	"""`Pickup Partner.on_update`: users taken off the partner (by an admin, or as leavers) lose
	their pickup ToDos of its orders; a partner left with no user gives its pending pickups back."""
	before = partner.get_doc_before_save()
	if not before:
		return
	removed = sorted({row.user for row in before.users} - {row.user for row in partner.users})
	if not removed:
		return
	cancel_pickup_todos(partner.name, removed)
	if not partner.users:
		unassign_pickups(partner.name, removed[0], partner.flags.get("left_why") or REMOVED_FROM_PARTNER)


def cancel_pickup_todos(partner: str, users: list[str]) -> None:
	names = frappe.db.sql_list(
		"""select t.name from `tabToDo` t join `tabManual Order` o on o.name = t.reference_name
		where t.reference_type = 'Manual Order' and t.status = 'Open' and t.allocated_to in %(users)s
		and o.pickup_partner = %(partner)s""",
		{"users": users, "partner": partner},
	)
	for name in names:
		todo = frappe.get_doc("ToDo", name)
		todo.status = "Cancelled"
		todo.save(ignore_permissions=True)


def unassign_pickups(partner: str, user: str, why: str) -> list[str]:
	"""A partner with no user left: its pending pickups go back to the queue without a partner."""
	names = frappe.get_all(
		"Manual Order",
		filters={"docstatus": 1, "pickup_partner": partner, "pickup_status": ("in", PENDING)},
		pluck="name",
	)
	for name in names:
		order = frappe.get_doc("Manual Order", name, for_update=True)
		if order.pickup_partner != partner or order.pickup_status not in PENDING:
			continue
		status = order.pickup_status
		pickup_places.free_partner_place(order.pickup_date, partner)
		order.pickup_partner = None
		order.pickup_status = SCHEDULED
		order.flags.server_changes = ("pickup_partner", "pickup_status")
		order.save(ignore_permissions=True)
		pickup_todos.close_todos(order)
		queue(
			"Pickup",
			"Manual Order",
			name,
			user,
			why,
			_("Pickup on {0} ({1}) had no partner user left when {2} left; assign a partner.").format(
				frappe.utils.formatdate(order.pickup_date), _(status), user
			),
		)
	return names


# The managers' queue


def queue(
	work: str,
	reference_type: str,
	reference_name: str,
	user: str,
	why: str,
	description: str,
	source_todo: str | None = None,
) -> bool:
	"""One handover per item and leaver, waiting or taken: a taken item never comes back."""
	if frappe.db.exists(
		HANDOVER,
		{
			"work": work,
			"reference_type": reference_type,
			"reference_name": reference_name,
			"left_user": user,
			"source_todo": source_todo or ("is", "not set"),
		},
	):
		return False
	frappe.get_doc(
		{
			"doctype": HANDOVER,
			"status": WAITING,
			"work": work,
			"reference_type": reference_type,
			"reference_name": reference_name,
			"left_user": user,
			"why": why,
			"description": description,
			"source_todo": source_todo,
		}
	).insert(ignore_permissions=True)
	return True


def take(name: str, user: str) -> dict:
	"""A manager takes a waiting item: it is assigned to them (a ToDo) and marked taken, once."""
	handover = frappe.get_doc(HANDOVER, name, for_update=True)
	if handover.status != WAITING:
		frappe.throw(
			_("Handover {0} was already taken by {1}.").format(name, handover.taken_by),
			title=_("Already Taken"),
		)
	frappe.get_doc(
		{
			"doctype": "ToDo",
			"allocated_to": user,
			"assigned_by": user,
			"reference_type": handover.reference_type,
			"reference_name": handover.reference_name,
			"description": handover.description or handover.reference_name,
			"priority": "High",
		}
	).insert(ignore_permissions=True)
	handover.status = TAKEN
	handover.taken_by = user
	handover.taken_at = now_datetime()
	handover.save(ignore_permissions=True, ignore_version=False)
	return {"status": handover.status, "taken_by": handover.taken_by}


# Versions for changes written without the document's own save


def set_versioned(doctype: str, name: str, values: dict) -> None:
	"""Writes `values` and records the change as a Version owned by the session user."""
	before = frappe.get_doc(doctype, name)
	frappe.db.set_value(doctype, name, values)
	after = frappe.get_doc(doctype, name)
	version = frappe.new_doc("Version")
	if version.update_version_info(before, after):
		version.insert(ignore_permissions=True)
