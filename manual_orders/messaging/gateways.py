"""Clients for the SMS gateway (configured in Frappe's SMS Settings) and the WhatsApp Cloud API.

Each call sends one message and either returns the provider's message id or raises
`GatewayError`, whose text never contains a secret (tokens, keys, passwords in
URLs): it is built here from the status code and the provider's answer, with every
known secret replaced by ***.
"""

from dataclasses import dataclass, field

import requests


class GatewayError(Exception):
	def __init__(self, message: str, retryable: bool):
		super().__init__(message)
		self.retryable = retryable


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


@dataclass(frozen=True)
class WhatsAppCloud:
	base_url: str
	phone_number_id: str
	access_token: str = field(repr=False)
	timeout: float = 10

	def secrets(self) -> list[str]:
		return [self.access_token] if self.access_token else []


def redact(text: str, secrets: list[str]) -> str:
	for secret in secrets:
		if secret and len(secret) >= 4:
			text = text.replace(secret, "***")
	return text


def _post_or_get(method: str, url: str, secrets: list[str], timeout: float, **kwargs) -> requests.Response:
	try:
		response = requests.request(method, url, timeout=timeout, **kwargs)
	except requests.Timeout:
		raise GatewayError(f"gateway timed out after {timeout:g} s", retryable=True) from None
	except requests.ConnectionError:
		raise GatewayError("gateway unreachable (connection failed)", retryable=True) from None
	except requests.RequestException as exc:
		raise GatewayError(f"request failed ({type(exc).__name__})", retryable=True) from None
	if not 200 <= response.status_code < 300:
		body = redact(response.text[:300], secrets)
		retryable = response.status_code >= 500 or response.status_code in (408, 429)
		raise GatewayError(f"gateway answered HTTP {response.status_code}: {body}", retryable=retryable)
	return response


def send_sms(gateway: SmsGateway, receiver: str, message: str, extra_parameters: dict | None = None) -> str:
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
	response = _post_or_get(
		method, gateway.url, gateway.secrets(), gateway.timeout, headers=headers, **kwargs
	)
	try:
		body = response.json()
	except ValueError:
		return ""
	return str(body.get("message_id") or body.get("id") or "") if isinstance(body, dict) else ""


def send_whatsapp_template(
	cloud: WhatsAppCloud, to: str, template: str, language: str, parameters: list[str]
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
	response = _post_or_get("POST", url, cloud.secrets(), cloud.timeout, json=payload, headers=headers)
	try:
		return str(response.json()["messages"][0]["id"])
	except (ValueError, KeyError, IndexError, TypeError):
		raise GatewayError(
			"gateway accepted the message but returned no message id", retryable=False
		) from None
