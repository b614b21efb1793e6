"""A payout's life, as the app records it, from what the provider says.

The provider (RazorpayX Payouts) says queued, pending, processing, processed, reversed, failed,
cancelled or rejected. The app keeps five statuses and only ever moves forward: a late or a
repeated event changes nothing, and *Processed* and *Reversed* are final for the provider's
events (a reversal may follow a processed payout: the bank sent the money back; a processed
event after a failed one is kept, since the money left).
"""

import hashlib

QUEUED = "Queued"
PROCESSING = "Processing"
PROCESSED = "Processed"
FAILED = "Failed"
REVERSED = "Reversed"
STATUSES = (QUEUED, PROCESSING, PROCESSED, FAILED, REVERSED)

PROVIDER_STATUS = {
	"queued": PROCESSING,  # the provider has it: never sent again
	"pending": PROCESSING,
	"processing": PROCESSING,
	"processed": PROCESSED,
	"reversed": REVERSED,
	"failed": FAILED,
	"cancelled": FAILED,
	"rejected": FAILED,
}
# Where each status may go; anything else from a webhook is a late or repeated event.
MOVES = {
	QUEUED: (PROCESSING, PROCESSED, FAILED, REVERSED),
	PROCESSING: (PROCESSED, FAILED, REVERSED),
	PROCESSED: (REVERSED,),
	# a manager retries it as a new attempt; but a "processed" that comes after "failed" is kept:
	# the money left, and a retry would pay twice
	FAILED: (PROCESSED,),
	REVERSED: (),
}
MASK = "••••"


def next_status(current: str, provider_status: str | None) -> str | None:
	"""The new status, or None when the event changes nothing (late, repeated or unknown)."""
	new = PROVIDER_STATUS.get(str(provider_status or "").strip().lower())
	if new is None or new == current or new not in MOVES.get(current, ()):
		return None
	return new


def idempotency_key(order: str, attempt: int = 1) -> str:
	"""The same for every retry of one attempt (`X-Payout-Idempotency`); a new attempt, a new key.

	Derived from the order so two workers, or a worker and a retry job, can never make two."""
	digest = hashlib.sha256(f"{order}:{int(attempt)}".encode()).hexdigest()[:16]
	return f"{order}-{int(attempt)}-{digest}"[:40]


def mask_destination(value: str | None) -> str:
	"""Only the last 4 characters of a UPI ID or a bank account stay visible."""
	text = "".join(str(value or "").split())
	return f"{MASK}{text[-4:]}" if text else ""
