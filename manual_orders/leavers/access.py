"""No way in for a user who was disabled or removed, by any means of authentication.

Frappe 15 ends a disabled user's desk sessions when the User is saved, but its API-key check
(`frappe.auth.validate_api_key_secret`) never looks at `enabled`, an OAuth bearer token keeps
working, and a user disabled without a save of the User (`frappe.db.set_value`, a script)
keeps their sessions. `auth_hooks` run after Frappe has authenticated a request, whatever the
means (session cookie, API key or secret, OAuth bearer token): this one refuses the request
with HTTP 401 unless the user it authenticated is an enabled User as stored now, and ends
that user's sessions. (A session cookie of a disabled user is refused by Frappe itself, 417,
before any hook runs; Frappe keeps that session, so `leavers.handover` ends it, with the
user's OAuth tokens, when the User is saved disabled and in its five-minute sweep.)

Site-wide, not only for this app's paths: a company that removes someone removes them from
the whole desk, as an admin who unticks *Enabled* expects. One primary-key read per
authenticated request; no cache, so the refusal starts with the next request.
"""

import frappe
from frappe import _

ALWAYS_ENABLED = ("Administrator", "Guest")


def refuse_disabled_users() -> None:
	user = frappe.session.user
	if not user or user in ALWAYS_ENABLED or is_enabled(user):
		return
	end_sessions(user)
	frappe.throw(
		_("User {0} is disabled or no longer exists: sign-in, sessions and API keys no longer work.").format(
			user
		),
		frappe.AuthenticationError,
		title=_("Not Permitted"),
	)


def is_enabled(user: str) -> bool:
	return bool(frappe.db.get_value("User", user, "enabled"))


def end_sessions(user: str) -> None:
	"""Every session the disabled user still holds ends (Frappe's own logout bookkeeping)."""
	from frappe.sessions import clear_sessions

	clear_sessions(user, force=True)
	frappe.set_user("Guest")
