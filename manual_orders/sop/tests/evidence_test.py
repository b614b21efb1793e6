"""The call consent was given on, the consent method, and how long a quote holds."""

from datetime import date, datetime, timedelta

from manual_orders.sop import evidence
from manual_orders.sop.evidence import Call

NOW = datetime(2026, 11, 26, 12, 0)
AGENT = "agent@example.com"
MOBILE = "+919876543210"


def call(name="CL-1", minutes_ago=10, **kw):
	values = dict(
		name=name,
		from_no="09876543210",
		to_no="+918000000000",
		status="Completed",
		start_time=NOW - timedelta(minutes=minutes_ago + 5),
		end_time=NOW - timedelta(minutes=minutes_ago),
		agent=AGENT,
	)
	values.update(kw)
	return Call(**values)


def rules(violations):
	return [v.rule for v in violations]


def check(c, required=True):
	return evidence.check_call(c, required, MOBILE, AGENT, NOW, 60)


def test_a_completed_recent_call_with_the_customer_passes_in_any_number_spelling():
	assert check(call()) == []
	assert check(call(from_no="+918000000000", to_no="98765 43210")) == []


def test_no_call_is_refused_only_when_required():
	assert rules(check(None)) == ["SOP-GOLDEN-CALL-LOG"]
	assert check(None, required=False) == []


def test_a_call_with_another_number_an_unfinished_or_old_call_or_another_agents_call_is_refused():
	assert rules(check(call(from_no="+919999999999"))) == ["SOP-GOLDEN-CALL-LOG"]
	assert rules(check(call(status="No Answer"))) == ["SOP-GOLDEN-CALL-LOG"]
	assert rules(check(call(minutes_ago=61))) == ["SOP-GOLDEN-CALL-LOG"]
	assert rules(check(call(agent="other@example.com"))) == ["SOP-GOLDEN-CALL-LOG"]
	assert rules(check(call(), required=False)) == []
	assert rules(check(call(from_no="+919999999999"), required=False)) == ["SOP-GOLDEN-CALL-LOG"]


def test_offered_calls_are_the_agents_with_the_customer_from_the_window_newest_first():
	calls = [
		call("old", minutes_ago=50),
		call("new", minutes_ago=2),
		call("unassigned", minutes_ago=20, agent=""),
		call("too old", minutes_ago=90),
		call("other number", from_no="+919999999999"),
		call("other agent", agent="other@example.com"),
	]
	offered = evidence.offered_calls(calls, MOBILE, AGENT, NOW, 60)
	assert [c.name for c in offered] == ["new", "unassigned", "old"]


def test_consent_method():
	assert evidence.consent_method(False, True, "CL-1") is None
	assert evidence.consent_method(True, False, None) == evidence.VERBAL
	assert evidence.consent_method(True, False, "CL-1") == evidence.VERBAL_CALL_LOG
	assert evidence.consent_method(True, True, "CL-1") == evidence.VERBAL_OTP


def test_quote_validity():
	today = date(2026, 11, 26)
	until = evidence.quote_valid_until(today, 3)
	assert until == date(2026, 11, 29)
	assert evidence.quote_valid_until(today, 0) is None
	assert evidence.check_quote(date(2026, 11, 29), until, today) == []
	assert rules(evidence.check_quote(date(2026, 11, 30), until, today)) == ["SOP-4C-QUOTE"]
	[expired] = evidence.check_quote(date(2026, 11, 29), until, date(2026, 11, 30))
	assert expired.field == "quote_valid_until" and "Re-quote" in expired.render()
	assert evidence.check_quote(date(2027, 1, 1), None, today) == []


def test_otp_is_needed_only_when_required():
	assert rules(evidence.check_otp(True, False)) == ["SOP-GOLDEN-OTP"]
	assert evidence.check_otp(True, True) == []
	assert evidence.check_otp(False, False) == []
