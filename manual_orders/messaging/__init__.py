"""Outgoing SMS and WhatsApp messages: gateway clients, the outbox and the delivery webhook.

`gateways`, `webhook` and `retry` are plain Python (requests only, no Frappe) and
tested against a real HTTP server on 127.0.0.1; `outbox` is the Frappe glue.
"""
