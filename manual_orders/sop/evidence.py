"""What stands behind the golden rule's "yes" besides the agent's notes.

- the call it was said on: a completed telephony Call Log with the customer's number,
  from the last minutes (admins may require one);
- how consent was taken: Verbal, Verbal + Call Log, Verbal + OTP;
- how long the quoted price holds (SOP §4C): consent fixes a date after which the
  estimate is no longer the agreed price.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from manual_orders.sop import formats
from manual_orders.sop.violations import Violation, _

VERBAL = "Verbal"
VERBAL_CALL_LOG = "Verbal + Call Log"
VERBAL_OTP = "Verbal + OTP"
CONSENT_METHODS = (VERBAL, VERBAL_CALL_LOG, VERBAL_OTP)
COMPLETED = "Completed"


@dataclass(frozen=True)
class Call:
	"""A telephony Call Log as the consent check needs it."""

	name: str
	from_no: str = ""
	to_no: str = ""
	status: str = ""
	start_time: datetime | None = None
	end_time: datetime | None = None
	agent: str = ""  # the desk user the telephony integration gave the call to, if any

	@property
	def at(self) -> datetime | None:
		return self.end_time or self.start_time

	def is_with(self, mobile) -> bool:
		customer = formats.normalise_mobile(mobile)
		return bool(customer) and customer in (
			formats.normalise_mobile(self.from_no),
			formats.normalise_mobile(self.to_no),
		)

	def is_within(self, now: datetime, window_minutes: int) -> bool:
		return bool(self.at) and now - timedelta(minutes=window_minutes) <= self.at <= now

	def is_agents(self, agent: str) -> bool:
		return not self.agent or self.agent == agent


def offered_calls(calls: list[Call], mobile, agent: str, now: datetime, window_minutes: int) -> list[Call]:
	"""The agent's calls with the customer from the window, most recent first."""
	chosen = [
		call
		for call in calls
		if call.is_with(mobile) and call.is_within(now, window_minutes) and call.is_agents(agent)
	]
	return sorted(chosen, key=lambda call: call.at, reverse=True)


def _v(message: str, *params) -> list[Violation]:
	return [Violation("call_log", "SOP-GOLDEN-CALL-LOG", message, params)]


def check_call(
	call: Call | None, required: bool, mobile, agent: str, now: datetime, window_minutes: int
) -> list[Violation]:
	"""The call consent is recorded on: required by the settings, or checked whenever one is chosen."""
	if call is None:
		if not required:
			return []
		return _v(
			_(
				"Call Log: consent is recorded on the call it was given on. Choose your completed call with {0} from the last {1} minutes."
			),
			mobile or "",
			window_minutes,
		)
	if not call.is_with(mobile):
		return _v(
			_("Call Log: call {0} is not with the customer's number {1}; choose the call with the customer."),
			call.name,
			mobile or "",
		)
	if call.status != COMPLETED:
		return _v(
			_("Call Log: call {0} is {1}; consent is recorded on a completed call."),
			call.name,
			call.status or _("without a status"),
		)
	if not call.is_within(now, window_minutes):
		return _v(
			_(
				"Call Log: call {0} is not from the last {1} minutes; choose the call on which the customer said yes."
			),
			call.name,
			window_minutes,
		)
	if not call.is_agents(agent):
		return _v(_("Call Log: call {0} was taken by {1}, not by you."), call.name, call.agent)
	return []


def consent_method(has_consent: bool, otp_verified: bool, call_log) -> str | None:
	if not has_consent:
		return None
	if otp_verified:
		return VERBAL_OTP
	return VERBAL_CALL_LOG if call_log else VERBAL


def check_otp(required: bool, verified: bool) -> list[Violation]:
	if required and not verified:
		return [
			Violation(
				"consent_method",
				"SOP-GOLDEN-OTP",
				_(
					"Consent code: the customer must read back the code sent by SMS before the order is created. Use Send Consent Code, then enter the code the customer reads out."
				),
			)
		]
	return []


# SOP §4C: the customer agrees to an estimated price; it holds for a stated time.


def quote_valid_until(consented_on: date, validity_days: int) -> date | None:
	"""The last day the quoted price holds; None when admins set no limit (0 days)."""
	days = int(validity_days or 0)
	return consented_on + timedelta(days=days) if days > 0 else None


def quote_expired(valid_until: date | None, today: date) -> bool:
	return bool(valid_until) and today > valid_until


def check_quote(pickup_date: date | None, valid_until: date | None, today: date) -> list[Violation]:
	if not valid_until:
		return []
	if quote_expired(valid_until, today):
		return [
			Violation(
				"quote_valid_until",
				"SOP-4C-QUOTE",
				_(
					"Quote: the price quoted to the customer held until {0} and has expired. Re-quote: confirm the current price with the customer and record consent again."
				),
				(formats.text(valid_until),),
			)
		]
	if pickup_date and pickup_date > valid_until:
		return [
			Violation(
				"pickup_date",
				"SOP-4C-QUOTE",
				_(
					"Pickup Date: the quoted price holds until {0}; a pickup on {1} is later. Re-quote: choose a pickup on or before {0}, or give the customer a fresh price."
				),
				(formats.text(valid_until), formats.text(pickup_date)),
			)
		]
	return []
