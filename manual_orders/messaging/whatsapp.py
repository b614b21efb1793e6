"""The WhatsApp Cloud API: one approved template message a call.

Plain Python (requests only); `channels.py` reads the settings and calls `send_whatsapp_template`.
"""

from dataclasses import dataclass, field

import requests

from manual_orders.messaging.gateways import GatewayError, post_or_get


@dataclass(frozen=True)
class WhatsAppCloud:
	base_url: str
	phone_number_id: str
	access_token: str = field(repr=False)
	timeout: float = 10

	def secrets(self) -> list[str]:
		return [self.access_token] if self.access_token else []


def send_whatsapp_template(
	cloud: WhatsAppCloud,
	to: str,
	template: str,
	language: str,
	parameters: list[str],
	session: requests.Session | None = None,
) -> str:
	"""Sends a WhatsApp template message; returns its message id (wamid)."""
	payload = {
		"messaging_product": "whatsapp",
		"to": to.lstrip("+"),
		"type": "template",
		"template": {
			"name": template,
			"language": {"code": language},
			"components": [
				{"type": "body", "parameters": [{"type": "text", "text": str(p)} for p in parameters]}
			],
		},
	}
	url = f"{cloud.base_url.rstrip('/')}/{cloud.phone_number_id}/messages"
	headers = {"Authorization": f"Bearer {cloud.access_token}", "Content-Type": "application/json"}
	response = post_or_get(
		"POST", url, cloud.secrets(), cloud.timeout, session, json=payload, headers=headers
	)
	try:
		return str(response.json()["messages"][0]["id"])
	except (ValueError, KeyError, IndexError, TypeError):
		raise GatewayError(
			"gateway accepted the message but returned no message id", retryable=False
		) from None
