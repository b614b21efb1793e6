"""One exception class per SOP rule, so callers and tests can tell refusals apart."""

import frappe


class SOPViolation(frappe.ValidationError):
	"""Base class: an order broke a rule of the manual order SOP."""


class CreationReasonRequired(SOPViolation):
	pass


class HighEndReasonMismatch(SOPViolation):
	"""SOP §2: the high-end reason was chosen for a device not marked high-end."""


class InvalidMobileNumber(SOPViolation):
	pass


class InvalidPincode(SOPViolation):
	pass


class PincodeNotServiceable(SOPViolation):
	pass


class DeviceTypeNotServed(SOPViolation):
	pass


class CityStateMismatch(SOPViolation):
	pass


class DeviceNotSupported(SOPViolation):
	pass


class DeviceDetailsMismatch(SOPViolation):
	pass


class InvalidVariant(SOPViolation):
	pass


class ConditionNotAnswered(SOPViolation):
	pass


class InvalidAccessory(SOPViolation):
	pass


class IncompleteAddress(SOPViolation):
	pass


class InvalidPickupSlot(SOPViolation):
	pass


class InvalidPaymentDetails(SOPViolation):
	pass


class ConsentRequired(SOPViolation):
	pass


class OrderNotSubmittable(SOPViolation):
	"""The customer was unsure: the attempt ended without an order."""


class SlotFull(SOPViolation):
	"""SOP §6: the pickup slot has no place left that day in that city."""


class InvalidImei(SOPViolation):
	pass


class PickupStatusNotAllowed(SOPViolation):
	pass


class PickupFailureReasonRequired(SOPViolation):
	pass


class PartnerNotAvailable(SOPViolation):
	pass


class CallLogRequired(SOPViolation):
	"""Consent needs the completed call it was given on (Manual Order Settings), or the call chosen is not it."""


class OtpRequired(SOPViolation):
	"""Manual Order Settings require the customer to read back a consent code before creation."""


class ConsentCodeRefused(SOPViolation):
	"""A consent code that is wrong, expired, used, locked or sent for other terms."""


class QuoteExpired(SOPViolation):
	"""SOP §4C: the quoted price no longer holds for this pickup."""


class InspectionRefused(SOPViolation):
	"""SOP §6: what the partner recorded at the door cannot be priced (model, variant, answers, photos)."""


class OfferNotAccepted(SOPViolation):
	"""SOP §6: an offer at the door that is not (yet) the customer's yes: its status, its code."""


class OfferApprovalRefused(SOPViolation):
	"""An offer that is not awaiting approval, or a manager approving their own inspection's offer."""


class SettlementNotConfigured(frappe.ValidationError):
	"""Manual Order Settlement Settings lack what the books need (company, warehouse, ...)."""


class PayoutRefused(frappe.ValidationError):
	"""A payout that may not be made, retried or recorded: already paid, in flight, or not the caller's."""


class DltTemplateMismatch(frappe.ValidationError):
	"""An SMS text that the operators would drop: it does not fill its registered DLT template."""


class DuplicateImei(frappe.ValidationError):
	"""The same device (IMEI) on two standing orders."""


class DuplicateOpenOrder(frappe.ValidationError):
	pass


class CancellationReasonRequired(frappe.ValidationError):
	pass


class AgentChangeNotAllowed(frappe.ValidationError):
	pass


class RecordLocked(frappe.ValidationError):
	"""SOP §9: a created order keeps what was agreed; only its after-creation fields change."""


class AgentRestricted(frappe.ValidationError):
	"""SOP §9: the agent is flagged for retraining and may not create orders."""


RULE_EXCEPTIONS: dict[str, type[SOPViolation]] = {
	"SOP-2-REASON": CreationReasonRequired,
	"SOP-2-HIGH-END": HighEndReasonMismatch,
	"SOP-3-UNSURE": OrderNotSubmittable,
	"SOP-GOLDEN-CONSENT": ConsentRequired,
	"SOP-GOLDEN-CALL-LOG": CallLogRequired,
	"SOP-GOLDEN-OTP": OtpRequired,
	"SOP-4C-QUOTE": QuoteExpired,
	"OTP-NONE": ConsentCodeRefused,
	"OTP-USED": ConsentCodeRefused,
	"OTP-LOCKED": ConsentCodeRefused,
	"OTP-EXPIRED": ConsentCodeRefused,
	"OTP-TERMS": ConsentCodeRefused,
	"OTP-WRONG": ConsentCodeRefused,
	"OTP-RATE": ConsentCodeRefused,
	"SOP-4-MOBILE": InvalidMobileNumber,
	"SOP-4A-PINCODE-FORMAT": InvalidPincode,
	"SOP-4A-PINCODE-SERVICEABLE": PincodeNotServiceable,
	"SOP-4A-DEVICE-TYPE-SERVED": DeviceTypeNotServed,
	"SOP-4A-CITY": CityStateMismatch,
	"SOP-4A-STATE": CityStateMismatch,
	"SOP-4B-DEVICE-TYPE": DeviceDetailsMismatch,
	"SOP-4B-BRAND": DeviceDetailsMismatch,
	"SOP-4B-MODEL": DeviceNotSupported,
	"SOP-4B-VARIANT": InvalidVariant,
	"SOP-4B-CONDITION": ConditionNotAnswered,
	"SOP-4B-ACCESSORY": InvalidAccessory,
	"SOP-4D-ADDRESS": IncompleteAddress,
	"SOP-4D-LANDMARK": IncompleteAddress,
	"SOP-4D-SLOT": InvalidPickupSlot,
	"SOP-4E-PAYMENT-METHOD": InvalidPaymentDetails,
	"SOP-4E-UPI": InvalidPaymentDetails,
	"SOP-4E-BANK-ACCOUNT": InvalidPaymentDetails,
	"SOP-4E-IFSC": InvalidPaymentDetails,
	"SOP-6-SLOT-FULL": SlotFull,
	"SOP-6-PARTNER": PartnerNotAvailable,
	"SOP-6-PICKUP-STATUS": PickupStatusNotAllowed,
	"SOP-6-IMEI": InvalidImei,
	"SOP-6-FAILURE-REASON": PickupFailureReasonRequired,
	"SOP-6-INSPECT-MODEL": InspectionRefused,
	"SOP-6-INSPECT-VARIANT": InspectionRefused,
	"SOP-6-INSPECT-CONDITION": InspectionRefused,
	"SOP-6-INSPECT-ACCESSORY": InspectionRefused,
	"SOP-6-INSPECT-PHOTO": InspectionRefused,
	"SOP-6-OFFER-APPROVAL": OfferNotAccepted,
	"SOP-6-OFFER-STATUS": OfferNotAccepted,
	"SOP-6-OFFER-OWN": OfferApprovalRefused,
}


def throw_violations(violations: list) -> None:
	"""Raises every violation of one save together, translated, as the first rule's exception.

	The desk shows them as one list (field, then fix); the exception's text has one line
	each, and `exc.violations` keeps the rules for callers and reports.
	"""
	if not violations:
		return
	messages = [violation.render(frappe._) for violation in violations]
	frappe.msgprint(
		messages if len(messages) > 1 else messages[0],
		title=frappe._("The order breaks the manual order SOP"),
		as_list=len(messages) > 1,
		indicator="red",
	)
	exc = RULE_EXCEPTIONS.get(violations[0].rule, SOPViolation)("\n".join(messages))
	exc.violations = violations
	raise exc


class FieldExpressionRefused(frappe.ValidationError):
	"""A requested field is not a column or a plain aggregate of one (`query_guard`)."""


class SideDoorRefused(frappe.PermissionError):
	"""A share, an assignment, a like, a comment or a copy of a file that would reach a record
	the user may not read or write (`side_doors`)."""
