"""What every message gateway shares: the error it raises and the HTTP call that never leaks a secret.

Each channel's client (`sms.py`, `whatsapp.py`) sends one message and either returns the
provider's message id or raises `GatewayError`, whose text never contains a secret (tokens,
keys, passwords in URLs): it is built here from the status code and the provider's answer,
with every known secret replaced by ***. Plain Python: requests only, no Frappe.
"""

from http.cookiejar import DefaultCookiePolicy
from urllib.parse import urlsplit

import requests


class GatewayError(Exception):
	def __init__(self, message: str, retryable: bool):
		super().__init__(message)
		self.retryable = retryable


def redact(text: str, secrets: list[str]) -> str:
	for secret in secrets:
		if secret and len(secret) >= 4:
			text = text.replace(secret, "***")
	return text


class KeptAliveSession(requests.Session):
	"""A session for many calls to the same few gateways, each connection kept open. What the
	environment says of a gateway (its proxy, a CA bundle) is read at the first call to it, not
	again at every call as a plain session does (about a tenth of a message's CPU). No cookie a
	gateway sets is sent back, as with a call of its own."""

	def __init__(self):
		super().__init__()
		self.environment_of: dict[tuple[str, str], dict] = {}
		self.cookies.set_policy(DefaultCookiePolicy(allowed_domains=[]))  # none kept between calls

	def merge_environment_settings(self, url, proxies, stream, verify, cert):
		if proxies or stream is not None or verify is not None or cert is not None:
			return super().merge_environment_settings(url, proxies, stream, verify, cert)
		origin = urlsplit(url)[:2]
		if origin not in self.environment_of:
			self.environment_of[origin] = super().merge_environment_settings(url, {}, None, None, None)
		return dict(self.environment_of[origin])


def post_or_get(
	method: str,
	url: str,
	secrets: list[str],
	timeout: float,
	session: requests.Session | None = None,
	**kwargs,
) -> requests.Response:
	"""One call to a gateway; `session`: a sender's, whose connection stays open for the next."""
	try:
		response = (session or requests).request(method, url, timeout=timeout, **kwargs)
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
