"""The message channels, one line each: the channel's name (a Manual Order Message's `channel`)
and how a message is sent on it.

A new channel is its gateway client (a module beside this one, plain Python) and one line in
`CHANNELS` with the function that reads its settings and sends one message; the outbox, the
retries and the desk's resend need nothing else. The Notification's channel options (a
Property Setter fixture) and the message's `channel` options name it too.
"""

import json
import time
from collections.abc import Callable

import frappe

from manual_orders.messaging import gateways, sms, whatsapp
from manual_orders.messaging.gateways import GatewayError
from manual_orders.settings import get_settings


class Connections:
	"""What one sender shares across its messages: one HTTP session, so each gateway's connection
	is kept open, and each gateway's settings, read again when `SETTINGS_SECONDS` have passed."""

	SETTINGS_SECONDS = 2.0  # an admin's change to a gateway reaches a sender on duty this soon

	def __init__(self):
		self.session = gateways.KeptAliveSession()
		self.settings_of: dict[str, object] = {}
		self.settings_read_at = time.monotonic()

	def __enter__(self) -> "Connections":
		return self

	def __exit__(self, *exc) -> None:
		self.session.close()

	def gateway(self, channel: str, read_settings: Callable):
		if channel not in self.settings_of:
			self.settings_of[channel] = read_settings()
		return self.settings_of[channel]

	def read_settings_again_if_old(self) -> None:
		"""Before a batch: settings read more than `SETTINGS_SECONDS` ago are read again, and
		Frappe's per-request copies of cached records with them (a sender is one long job)."""
		if time.monotonic() - self.settings_read_at > self.SETTINGS_SECONDS:
			self.settings_of.clear()
			frappe.local.cache = {}
			self.settings_read_at = time.monotonic()


def deliver(message, secret: str | None = None, connections: Connections | None = None) -> str:
	"""Sends one Manual Order Message on its channel; returns the provider's message id.

	`secret`: the text as sent when the stored one is masked (`outbox.secret_text`).
	`connections`: a sender's open connections and settings; without, a message of its own."""
	send = CHANNELS.get(message.channel)
	if not send:
		raise GatewayError(f"unknown channel {message.channel}", retryable=False)
	if connections is None:
		with Connections() as own:
			return send(message, secret, own)
	return send(message, secret, connections)


def send_sms(message, secret: str | None, connections: Connections) -> str:
	return sms.send_sms(
		connections.gateway("SMS", sms_gateway),
		message.recipient,
		secret or message.message or "",
		dlt_parameters(message),
		session=connections.session,
	)


def send_whatsapp(message, secret: str | None, connections: Connections) -> str:
	return whatsapp.send_whatsapp_template(
		connections.gateway("WhatsApp", whatsapp_cloud),
		message.recipient,
		message.template_name,
		message.template_language or "en",
		json.loads(secret or message.template_parameters or "[]"),
		session=connections.session,
	)


def dlt_parameters(message) -> dict:
	"""The message's DLT values under the names the gateway gives them (Manual Order Settings)."""
	names = get_settings()["dlt_parameters"]
	return {names[key]: message.get(key) for key in names if names[key] and message.get(key)}


def sms_gateway() -> sms.SmsGateway:
	"""Frappe's SMS Settings, read the way Frappe's own send_sms reads them."""
	from frappe.core.doctype.sms_settings.sms_settings import get_headers

	settings = frappe.get_cached_doc("SMS Settings")  # a save clears it
	if not settings.sms_gateway_url:
		raise GatewayError("SMS Settings has no gateway URL", retryable=False)
	return sms.SmsGateway(
		url=settings.sms_gateway_url,
		message_parameter=settings.message_parameter,
		receiver_parameter=settings.receiver_parameter,
		static_parameters={row.parameter: row.value for row in settings.parameters if not row.header},
		headers={k: v for k, v in get_headers(settings).items() if k != "Accept"},
		use_post=bool(settings.use_post),
		timeout=gateway_timeout(),
	)


def whatsapp_cloud() -> whatsapp.WhatsAppCloud:
	settings = frappe.get_cached_doc("Manual Order WhatsApp Settings")
	if not settings.enabled:
		raise GatewayError("WhatsApp is not enabled in Manual Order WhatsApp Settings", retryable=False)
	return whatsapp.WhatsAppCloud(
		base_url=settings.api_base_url,
		phone_number_id=settings.phone_number_id,
		access_token=settings.get_password("access_token", raise_exception=False) or "",
		timeout=gateway_timeout(),
	)


def gateway_timeout() -> float:
	return float(get_settings()["gateway_timeout_seconds"])


CHANNELS: dict[str, Callable[..., str]] = {
	"SMS": send_sms,
	"WhatsApp": send_whatsapp,
}
