"""A real HTTP server on 127.0.0.1 standing in for the SMS gateway and the WhatsApp Cloud API.

Tests start it, point the app's settings at its URL and set `mode`:
"ok", "error500", "error400", "echo400" (a 400 that quotes the request back, as many SMS
gateways do), "slow" (answers after `delay` seconds). `stop()` closes
the port, so the gateway is "down". Every request it received is in `requests`.
"""

import itertools
import json
import socket
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse


class LocalServer:
	"""A real HTTP server on a free port of 127.0.0.1, in a thread: the tests' stand-in for a
	provider (this gateway, the payout API of `settlement/tests/payout_server.py`). Subclasses
	give `_handler()`; `mode` and `delay` shape the answers; every request is in `requests`."""

	def __init__(self, port: int = 0):
		self.mode = "ok"
		self.delay = 0.0
		self.requests: list[dict] = []
		self.on_request = None  # called with each request's record as it arrives
		self._ids = itertools.count(1)
		self._lock = threading.Lock()
		self._server = KeptAliveServer(("127.0.0.1", port), self._handler())
		self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

	def _handler(self):
		raise NotImplementedError

	@property
	def url(self) -> str:
		host, port = self._server.server_address[:2]
		return f"http://{host}:{port}"

	def start(self):
		self._thread.start()
		return self

	def stop(self) -> None:
		"""Down: the port closed, and every kept-alive connection with it."""
		self._server.shutdown()
		self._server.server_close()
		self._server.close_connections()


class KeptAliveServer(ThreadingHTTPServer):
	"""Answers HTTP/1.1 and keeps a client's connection open between requests, as a real
	gateway does (the sender's one session reuses it), and can close them all at once."""

	daemon_threads = True

	def __init__(self, *args):
		self.open_connections: set[socket.socket] = set()
		super().__init__(*args)

	def process_request(self, request, client_address):
		self.open_connections.add(request)
		super().process_request(request, client_address)

	def shutdown_request(self, request):
		self.open_connections.discard(request)
		super().shutdown_request(request)

	def close_connections(self) -> None:
		for connection in list(self.open_connections):
			try:
				connection.shutdown(socket.SHUT_RDWR)
			except OSError:
				pass
			connection.close()
		self.open_connections.clear()


class GatewayServer(LocalServer):
	def accepted(self) -> list[dict]:
		"""The requests it answered with success."""
		return [r for r in self.requests if r["answered"] == 200]

	def _handler(self):
		gateway = self

		class Handler(BaseHTTPRequestHandler):
			protocol_version = "HTTP/1.1"  # kept-alive connections, as a real gateway's
			# the answer's headers and body are two writes: without this, Nagle's algorithm holds
			# the body until the client's delayed ACK (40 ms) on a kept-alive connection
			disable_nagle_algorithm = True

			def log_message(self, *args):
				pass

			def do_GET(self):
				self._answer()

			def do_POST(self):
				self._answer()

			def _answer(self):
				length = int(self.headers.get("Content-Length") or 0)
				body = self.rfile.read(length) if length else b""
				url = urlparse(self.path)
				record = {
					"method": self.command,
					"path": url.path,
					"query": {k: v[0] for k, v in parse_qs(url.query).items()},
					"headers": dict(self.headers),
					"body": body.decode("utf-8", "replace"),
					"answered": None,
					"received_at": time.time(),
					"connection": self.client_address[1],  # the client's port: one a kept-alive connection
				}
				with gateway._lock:
					gateway.requests.append(record)
					mode, delay = gateway.mode, gateway.delay
				if gateway.on_request:
					gateway.on_request(record)
				if mode == "slow":
					time.sleep(delay)
				if mode == "error500":
					return self._send(record, 500, {"error": {"message": "internal error"}})
				if mode == "echo400":
					quoted = record["query"] or record["body"]
					return self._send(record, 400, {"error": f"template mismatch for {quoted}"})
				if mode == "error400":
					return self._send(record, 400, {"error": {"message": "template not found"}})
				message_id = f"wamid.TEST{next(gateway._ids):06d}.{uuid.uuid4().hex[:12]}"
				return self._send(record, 200, {"messages": [{"id": message_id}], "message_id": message_id})

			def _send(self, record, status, payload):
				record["answered"] = status
				data = json.dumps(payload).encode()
				try:
					self.send_response(status)
					self.send_header("Content-Type", "application/json")
					self.send_header("Content-Length", str(len(data)))
					self.end_headers()
					self.wfile.write(data)
				except (BrokenPipeError, ConnectionResetError):
					pass

		return Handler
