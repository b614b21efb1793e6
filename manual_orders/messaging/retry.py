"""When to try a failed message again."""

from datetime import datetime, timedelta


def next_attempt_at(now: datetime, attempts: int, base_seconds: int, cap_seconds: int = 3600) -> datetime:
	"""Exponential backoff: base, 2 x base, 4 x base ... after the 1st, 2nd, 3rd failed attempt, capped."""
	delay = min(base_seconds * 2 ** max(attempts - 1, 0), cap_seconds)
	return now + timedelta(seconds=delay)


def gives_up(attempts: int, max_attempts: int) -> bool:
	return attempts >= max(max_attempts, 1)
