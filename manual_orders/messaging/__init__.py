"""Outgoing SMS and WhatsApp messages: the channels, the outbox and the delivery webhook.

- `channels.py`: the registry, one line a channel (its name and how one message is sent);
- `sms.py`, `whatsapp.py`: one gateway client a channel; `gateways.py`: what they share;
- `notifications.py`: Frappe's Notification routed to the outbox (channels, DLT check, rendering);
- `outbox.py`: the durable Manual Order Message records, sent after commit and retried;
- `webhook.py`, `retry.py`: delivery statuses and the retry schedule.

`gateways`, `sms`, `whatsapp`, `webhook` and `retry` are plain Python (requests only, no
Frappe) and tested against a real HTTP server on 127.0.0.1.
"""
