"""Frappe 15's own code, copied where the app needs it changed: on Manual Order, with round trips
it does not need left out; for the site, the replica switch with a way back to the primary
(`replica.py`); for the outbox's sender, a send's outcome written in one plain UPDATE
(`db_set.py`).

Every module here copies (and trims) a piece of Frappe; `upstream.py` pins the source of each
piece copied, and `tests/test_upstream_copies.py` fails when Frappe's changes, naming the file
here to revisit. The controller takes the Manual Order ones through one mixin,
`controller.FrappeShortcuts`.
"""
