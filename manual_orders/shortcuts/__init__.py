"""Frappe 15's own code on Manual Order, with round trips it does not need left out.

Every module here copies (and trims) a piece of Frappe; `upstream.py` pins the source of each
piece copied, and `tests/test_upstream_copies.py` fails when Frappe's changes, naming the file
here to revisit. The controller takes them through one mixin, `controller.FrappeShortcuts`.
"""
