"""The tests' local SMS and WhatsApp gateway (`GatewayServer`) in a process of its own, for the
benchmark: in the benchmark's own process its answers would share one interpreter lock with the
20 agents' threads, and slow the agents only when messages are being sent.

    python gateway_process.py PORT RECORDS_JSON [MODE [DELAY]]

It serves on 127.0.0.1:PORT until SIGTERM, then writes every request it received to RECORDS_JSON.
While it runs, RECORDS_JSON.seen gets a line as each request arrives (before any delay).
MODE and DELAY are GatewayServer's ("slow" and 5: every answer 5 s late).
"""

import json
import signal
import sys
import time

from manual_orders.messaging.tests.gateway_server import GatewayServer


def main(port: int, records: str, mode: str = "ok", delay: float = 0.0) -> None:
	server = GatewayServer(port)
	server.mode, server.delay = mode, delay
	server.on_request = lambda record: note_arrival(records + ".seen")
	server.start()

	def write_and_exit(*_):
		with open(records, "w") as fh:
			json.dump(server.requests, fh)
		sys.exit(0)

	signal.signal(signal.SIGTERM, write_and_exit)
	print(server.url, flush=True)
	while True:
		time.sleep(3600)


def note_arrival(path: str) -> None:
	with open(path, "a") as fh:
		fh.write(f"{time.time()}\n")


if __name__ == "__main__":
	main(int(sys.argv[1]), sys.argv[2], *sys.argv[3:4], *map(float, sys.argv[4:5]))
