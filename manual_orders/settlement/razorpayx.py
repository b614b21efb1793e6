"""A payout API client in the shape of RazorpayX Payouts: a contact, a fund account, a payout.

Amounts are integer paise, never floats. Every payout carries `X-Payout-Idempotency` (the same
key on every retry of one attempt) and its `reference_id`, so `pay` can ask the provider for a
payout it may already have before making one: after a timeout or a 5xx the answer is unknown
(`PayoutUnknown`), and the next try looks up first. Plain Python: requests only, no Frappe.
"""

from dataclasses import dataclass, field

import requests

from manual_orders.messaging.gateways import redact


class PayoutUnknown(Exception):
	"""No answer (a timeout, a connection failure) or a 5xx: the payout may or may not exist."""


class PayoutRejected(Exception):
	"""A 4xx: the provider refused the request (bad destination, balance, credentials)."""


@dataclass(frozen=True)
class ProviderPayout:
	id: str
	status: str
	amount_paise: int | None
	utr: str | None
	reference_id: str | None
	raw: dict = field(default_factory=dict, compare=False)


def as_paise(amount) -> int:
	"""Integer paise only: a float or a bool is refused before any request is made."""
	if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
		raise ValueError(f"amount must be a positive integer number of paise, not {amount!r}")
	return amount


class PayoutClient:
	def __init__(self, base_url: str, key_id: str, key_secret: str, account_number: str, timeout: float = 10):
		self.base_url = (base_url or "").rstrip("/")
		self.auth = (key_id or "", key_secret or "")
		self.account_number = account_number
		self.timeout = timeout

	def _call(self, method: str, path: str, payload: dict | None = None, headers=None, params=None) -> dict:
		try:
			response = requests.request(
				method,
				f"{self.base_url}{path}",
				json=payload,
				params=params,
				auth=self.auth,
				headers=headers or {},
				timeout=self.timeout,
			)
		except requests.Timeout:
			raise PayoutUnknown(f"payout API timed out after {self.timeout:g} s") from None
		except requests.RequestException as exc:
			raise PayoutUnknown(f"payout API unreachable ({type(exc).__name__})") from None
		text = redact(response.text[:300], self.secrets())
		if response.status_code >= 500:
			raise PayoutUnknown(f"payout API answered HTTP {response.status_code}: {text}")
		if response.status_code >= 400:
			raise PayoutRejected(
				f"payout API answered HTTP {response.status_code}: "
				+ redact(description(response, text), self.secrets())
			)
		try:
			return response.json()
		except ValueError:
			raise PayoutUnknown(f"payout API answered HTTP {response.status_code} without JSON") from None

	def secrets(self) -> list[str]:
		"""What an error text must never carry: the secret, and the Authorization header an API may
		echo back (`key:secret` and its base64 form)."""
		import base64

		pair = f"{self.auth[0]}:{self.auth[1]}"
		return [self.auth[1], pair, base64.b64encode(pair.encode()).decode()]

	def __repr__(self) -> str:
		return f"PayoutClient({self.base_url!r}, key_id={self.auth[0]!r})"

	def create_contact(self, name: str, contact: str, reference_id: str) -> str:
		body = {"name": name[:50], "contact": contact, "type": "customer", "reference_id": reference_id}
		return self._call("POST", "/v1/contacts", body)["id"]

	def create_fund_account(
		self, contact_id: str, name: str, upi_id=None, bank_account=None, ifsc=None
	) -> str:
		if upi_id:
			body = {"contact_id": contact_id, "account_type": "vpa", "vpa": {"address": upi_id}}
		else:
			details = {"name": name[:50], "ifsc": ifsc, "account_number": bank_account}
			body = {"contact_id": contact_id, "account_type": "bank_account", "bank_account": details}
		return self._call("POST", "/v1/fund_accounts", body)["id"]

	def create_payout(
		self,
		fund_account_id: str,
		amount_paise: int,
		mode: str,
		reference_id: str,
		narration: str,
		idempotency_key: str,
	) -> ProviderPayout:
		body = {
			"account_number": self.account_number,
			"fund_account_id": fund_account_id,
			"amount": as_paise(amount_paise),
			"currency": "INR",
			"mode": mode,
			"purpose": "payout",
			"queue_if_low_balance": True,
			"reference_id": reference_id,
			"narration": narration,
		}
		answer = self._call("POST", "/v1/payouts", body, headers={"X-Payout-Idempotency": idempotency_key})
		return provider_payout(answer)

	def fetch_payout(self, payout_id: str) -> ProviderPayout:
		return provider_payout(self._call("GET", f"/v1/payouts/{payout_id}"))

	def find_payout(self, reference_id: str) -> ProviderPayout | None:
		params = {"reference_id": reference_id, "account_number": self.account_number}
		items = self._call("GET", "/v1/payouts", params=params).get("items") or []
		return provider_payout(items[0]) if items else None


def description(response: requests.Response, fallback: str) -> str:
	try:
		return str(response.json()["error"]["description"])[:300]
	except (ValueError, KeyError, TypeError):
		return fallback


def provider_payout(answer: dict) -> ProviderPayout:
	amount = answer.get("amount")
	return ProviderPayout(
		id=str(answer.get("id") or ""),
		status=str(answer.get("status") or ""),
		amount_paise=amount if isinstance(amount, int) and not isinstance(amount, bool) else None,
		utr=answer.get("utr") or None,
		reference_id=answer.get("reference_id"),
		raw=answer,
	)


def pay(
	client: PayoutClient,
	*,
	name: str,
	contact: str,
	reference_id: str,
	idempotency_key: str,
	amount_paise: int,
	mode: str,
	narration: str,
	upi_id: str | None = None,
	bank_account: str | None = None,
	ifsc: str | None = None,
	lookup_first: bool = False,
) -> ProviderPayout:
	"""One payout for this reference: found when an earlier try reached the provider, else made.

	Raises `PayoutUnknown` (ask again later, never create blindly) or `PayoutRejected`.
	"""
	as_paise(amount_paise)
	if lookup_first:
		existing = client.find_payout(reference_id)
		if existing:
			return existing
	contact_id = client.create_contact(name, contact, reference_id)
	fund_account = client.create_fund_account(
		contact_id, name, upi_id=upi_id, bank_account=bank_account, ifsc=ifsc
	)
	return client.create_payout(fund_account, amount_paise, mode, reference_id, narration, idempotency_key)
