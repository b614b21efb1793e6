"""The order's consent fields, by who writes them."""

# What the agent records (the customer's words, both confirmations), and what the server records
# with it: who, when, the fingerprint of the terms, how consent was taken, until when the quote
# holds. A change of terms clears all of them (`record.reset_consent`); the call stays the call.
GIVEN_CONSENT_FIELDS = ("consent_customer_words", "consent_price_accepted", "consent_summary_confirmed")
RECORDED_CONSENT_FIELDS = (
	"consent_recorded_by",
	"consent_recorded_at",
	"consent_fingerprint",
	"consent_method",
	"consent_otp_verified_at",
	"quote_valid_until",
)
CONSENT_FIELDS = GIVEN_CONSENT_FIELDS + RECORDED_CONSENT_FIELDS
CALL_DETAIL_FIELDS = ("call_log", "call_started_at", "call_duration", "call_recording_url")


# The Lead disposition an attempt that ended without an order returns to.
FOLLOW_UP = "Follow Up"
