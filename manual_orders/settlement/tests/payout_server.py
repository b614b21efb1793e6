"""A real HTTP server on 127.0.0.1 in the shape of RazorpayX Payouts, for the tests.

Contacts, fund accounts and payouts are kept in memory; `X-Payout-Idempotency` is honoured (the
same key gives the same payout, never a second one); basic auth is checked. `mode`:
"ok", "error500", "error400", "accept_then_timeout" (makes the payout, then answers only after
`delay` seconds, past the client's timeout), "slow". `webhook(payout_id, event)` builds a
signed webhook body as RazorpayX sends it.
"""

import base64
import itertools
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

from manual_orders.messaging.tests.gateway_server import LocalServer
from manual_orders.settlement.webhook import sign

KEY_ID, KEY_SECRET = "rzp_test_key", "rzp-test-secret-9f8e7d"
WEBHOOK_SECRET = "whsec-test-1a2b3c"


class PayoutServer(LocalServer):
	def __init__(self):
		super().__init__()
		self.status = "processing"  # what a new payout is answered with
		self.payouts: dict[str, dict] = {}  # by id
		self.by_key: dict[str, str] = {}  # idempotency key -> payout id

	def created(self) -> list[dict]:
		return list(self.payouts.values())

	def webhook(
		self, payout_id: str, event: str, utr: str | None = None, amount: int | None = None
	) -> tuple[bytes, str]:
		"""The body RazorpayX posts for a payout event, and its `X-Razorpay-Signature`."""
		entity = dict(self.payouts[payout_id])
		entity["status"] = event.removeprefix("payout.")
		if utr:
			entity["utr"] = utr
		if amount is not None:
			entity["amount"] = amount
		body = {
			"entity": "event",
			"account_id": "acc_test",
			"event": event,
			"contains": ["payout"],
			"payload": {"payout": {"entity": entity}},
			"created_at": int(time.time()),
		}
		raw = json.dumps(body).encode()
		return raw, sign(WEBHOOK_SECRET, raw)

	def _new_id(self, prefix: str) -> str:
		return f"{prefix}_{next(self._ids):014d}"

	def _handle(self, method: str, path: str, query: dict, headers, body: dict) -> tuple[int, dict]:
		if self.mode == "error500":
			return 500, {"error": {"description": "server error"}}
		if self.mode == "error400":
			return 400, {"error": {"code": "BAD_REQUEST_ERROR", "description": "Invalid VPA"}}
		if method == "POST" and path == "/v1/contacts":
			return 200, {"id": self._new_id("cont"), "entity": "contact", **body}
		if method == "POST" and path == "/v1/fund_accounts":
			return 200, {"id": self._new_id("fa"), "entity": "fund_account", **body}
		if method == "POST" and path == "/v1/payouts":
			return 200, self._create_payout(headers.get("X-Payout-Idempotency") or "", body)
		if method == "GET" and path == "/v1/payouts":
			found = [
				p for p in self.payouts.values() if p["reference_id"] == query.get("reference_id", [""])[0]
			]
			return 200, {"entity": "collection", "count": len(found), "items": found}
		if method == "GET" and path.startswith("/v1/payouts/"):
			payout = self.payouts.get(path.rsplit("/", 1)[1])
			return (200, payout) if payout else (404, {"error": {"description": "not found"}})
		return 404, {"error": {"description": "no such path"}}

	def _create_payout(self, key: str, body: dict) -> dict:
		with self._lock:
			if key and key in self.by_key:
				return self.payouts[self.by_key[key]]
			payout = {
				"id": self._new_id("pout"),
				"entity": "payout",
				"fund_account_id": body.get("fund_account_id"),
				"amount": body.get("amount"),
				"currency": "INR",
				"status": self.status,
				"mode": body.get("mode"),
				"reference_id": body.get("reference_id"),
				"utr": None,
				"idempotency_key": key,
			}
			self.payouts[payout["id"]] = payout
			if key:
				self.by_key[key] = payout["id"]
			return payout

	def _handler(self):
		server = self

		class Handler(BaseHTTPRequestHandler):
			def log_message(self, *args):
				pass

			def do_GET(self):
				self._answer("GET")

			def do_POST(self):
				self._answer("POST")

			def _answer(self, method: str):
				length = int(self.headers.get("Content-Length") or 0)
				raw = self.rfile.read(length) if length else b""
				url = urlparse(self.path)
				expected = "Basic " + base64.b64encode(f"{KEY_ID}:{KEY_SECRET}".encode()).decode()
				record = {"method": method, "path": url.path, "headers": dict(self.headers), "body": raw}
				server.requests.append(record)
				if self.headers.get("Authorization") != expected:
					status, answer = 401, {"error": {"description": "Authentication failed"}}
				else:
					try:
						body = json.loads(raw) if raw else {}
					except ValueError:
						body = {}
					status, answer = server._handle(method, url.path, parse_qs(url.query), self.headers, body)
				record["answered"] = status
				if (
					server.mode in ("accept_then_timeout", "slow")
					and method == "POST"
					and url.path == "/v1/payouts"
				):
					time.sleep(server.delay)
				data = json.dumps(answer).encode()
				try:
					self.send_response(status)
					self.send_header("Content-Type", "application/json")
					self.send_header("Content-Length", str(len(data)))
					self.end_headers()
					self.wfile.write(data)
				except (BrokenPipeError, ConnectionResetError):
					pass  # the client gave up waiting: the payout stands all the same

		return Handler
