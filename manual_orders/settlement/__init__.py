"""SOP §6 "instant payment at pickup": the books, the stock, the payout (issue 24).

Frappe-free: `payouts` (statuses, idempotency keys, masking), `razorpayx` (the payout API
client, reached with `requests`), `webhook` (signature and events), tested with plain pytest
against a real HTTP server on 127.0.0.1 (`tests/payout_server.py`). The Frappe glue: `books`
(Supplier, Item, Purchase Invoice, Payment Entry) and `settle` (the payout record, its events).
"""
