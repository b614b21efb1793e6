"""The SMS gateway an admin configures in Frappe's SMS Settings: one message a call.

Plain Python (requests only); `channels.py` reads the settings and calls `send_sms`.
"""

from dataclasses import dataclass, field

import requests

from manual_orders.messaging.gateways import post_or_get


@dataclass(frozen=True)
class SmsGateway:
	"""The fields of Frappe's SMS Settings that sending needs."""

	url: str
	message_parameter: str
	receiver_parameter: str
	static_parameters: dict = field(default_factory=dict, repr=False)  # API keys
	headers: dict = field(default_factory=dict, repr=False)
	use_post: bool = False
	timeout: float = 10

	def secrets(self) -> list[str]:
		return [str(v) for v in [*self.static_parameters.values(), *self.headers.values()] if v]


def send_sms(
	gateway: SmsGateway,
	receiver: str,
	message: str,
	extra_parameters: dict | None = None,
	session: requests.Session | None = None,
) -> str:
	"""Sends one SMS the way Frappe's SMS Settings describe; returns the gateway's id if it gives one.

	`extra_parameters`: this message's own, e.g. its DLT template id, entity id and sender header.
	"""
	params = {
		**gateway.static_parameters,
		**(extra_parameters or {}),
		gateway.message_parameter: message,
		gateway.receiver_parameter: receiver,
	}
	headers = {"Accept": "text/plain, text/html, */*", **gateway.headers}
	if gateway.use_post:
		if headers.get("Content-Type") == "application/json":
			kwargs = {"json": params}
		else:
			kwargs = {"data": params}
		method = "POST"
	else:
		kwargs = {"params": params}
		method = "GET"
	response = post_or_get(
		method, gateway.url, gateway.secrets(), gateway.timeout, session, headers=headers, **kwargs
	)
	try:
		body = response.json()
	except ValueError:
		return ""
	return str(body.get("message_id") or body.get("id") or "") if isinstance(body, dict) else ""
