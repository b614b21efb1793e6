"""/pickups: the pickup partner's screens on a phone at the door (SOP §6 "pickup inspection").

A portal page rather than the desk: one light page with the phone's own camera input works on
any phone browser at 390 px with 44 px touch targets. The screens after the list are drawn by
public/js/pickups.js from `manual_orders.api.door_pickup` and the inspection's endpoints.
"""

import frappe
from frappe import _

from manual_orders.pickup import door
from manual_orders.pickup.status import partners_of
from manual_orders.sop.offers import OFFER_STATUSES
from manual_orders.sop.pickups import PICKUP_STATUSES

no_cache = 1
sitemap = 0
LOGIN = "/login?redirect-to=/pickups"


def get_context(context):
	if frappe.session.user == "Guest":
		frappe.local.flags.redirect_location = LOGIN
		raise frappe.Redirect(302)  # not a permanent move: after the login, the page itself
	context.no_cache = 1
	context.title = _("Today's Pickups")
	context.partners = partners_of()
	context.pickups = door.todays_pickups() if context.partners else []
	context.texts = texts()
	return context


def texts() -> dict:
	"""The sentences the page's script shows, translated once here."""
	return {
		"back": _("All pickups"),
		"start": _("Start: Out for Pickup"),
		"inspect": _("Inspect the device"),
		"inspect_again": _("Inspect again"),
		"model": _("Model"),
		"variant": _("Variant"),
		"accessories": _("Accessories present"),
		"checks": _("Checks"),
		"powers_on": _("Powers on"),
		"account_lock_removed": _("Account lock removed (Find My, Google FRP)"),
		"imei_blocked": _("IMEI blocked in CEIR"),
		"yes": _("Yes"),
		"no": _("No"),
		"as_agreed": _("as agreed"),
		"photo": _("Photo of this (camera)"),
		"photo_needed": _("This answer lowers the price: take a photo that shows it."),
		"device_photo": _("Photo of the device's About screen (model and storage)"),
		"serial_no": _("Serial No"),
		"record": _("Record inspection"),
		"answer_checks": _("Answer the three checks before recording."),
		"offer": _("Offer"),
		"instead_of": _("{0} instead of {1}"),
		"agreed_price": _("The device is as agreed: {0}."),
		"awaiting": _(
			"The price drops by more than the limit: a manager must approve this offer before the customer hears it."
		),
		"refresh": _("Refresh"),
		"send_code": _("Send code to customer"),
		"send_again": _("Send the code again"),
		"code": _("Code the customer reads to you"),
		"accept": _("Accept offer"),
		"decline": _("Customer declines"),
		"decline_sure": _("The customer keeps the device and the pickup fails. Continue?"),
		"code_sent": _("The code was sent to the customer by SMS and WhatsApp."),
		"attempts_left": _("Wrong code."),
		"picked_up_title": _("Pick up the device"),
		"imei": _("IMEI (15 digits)"),
		"evidence": _("CEIR check screenshot or photo"),
		"picked_up": _("Picked Up"),
		"final_price": _("Pay the customer {0}."),
		"done": _("Picked up. Final price {0}."),
		"failed": _("Pickup failed: {0}."),
		"could_not": _("Could not pick up?"),
		"failure_reason": _("Reason"),
		"mark_failed": _("Mark Pickup Failed"),
		"slot": _("Slot"),
		"device": _("Device"),
		"landmark": _("Landmark"),
		"statuses": {status: _(status) for status in (*PICKUP_STATUSES, *OFFER_STATUSES)},
	}
