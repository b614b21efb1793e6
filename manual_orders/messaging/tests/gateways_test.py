import json
import socket

import pytest
import requests

from manual_orders.messaging.gateways import GatewayError, KeptAliveSession
from manual_orders.messaging.sms import SmsGateway, send_sms
from manual_orders.messaging.tests.gateway_server import GatewayServer
from manual_orders.messaging.whatsapp import WhatsAppCloud, send_whatsapp_template

TOKEN = "EAAG-secret-token-123456"
API_KEY = "sms-api-key-987654"


@pytest.fixture
def server():
	gateway = GatewayServer().start()
	yield gateway
	gateway.stop()


def sms(server, **kw):
	values = dict(
		url=server.url + "/send",
		message_parameter="text",
		receiver_parameter="to",
		static_parameters={"apikey": API_KEY},
		timeout=2,
	)
	values.update(kw)
	return SmsGateway(**values)


def cloud(server, **kw):
	return WhatsAppCloud(
		**{
			"base_url": server.url + "/v19.0",
			"phone_number_id": "1055",
			"access_token": TOKEN,
			"timeout": 2,
			**kw,
		}
	)


def test_sms_get_sends_the_settings_parameters(server):
	assert send_sms(sms(server), "+919876543210", "Order MO-1 placed").startswith("wamid.TEST000001.")
	request = server.requests[0]
	assert request["method"] == "GET" and request["path"] == "/send"
	assert request["query"] == {"apikey": API_KEY, "text": "Order MO-1 placed", "to": "+919876543210"}


def test_sms_carries_the_messages_own_dlt_parameters(server):
	dlt = {"DLT_TE_ID": "1107170000000000001", "PE_ID": "1101000000000000002", "sender": "QKPICK"}
	send_sms(sms(server), "+919876543210", "Order MO-1 placed", dlt)
	assert server.requests[0]["query"] == {
		"apikey": API_KEY,
		"text": "Order MO-1 placed",
		"to": "+919876543210",
		**dlt,
	}
	send_sms(sms(server, use_post=True, headers={"Content-Type": "application/json"}), "+91987", "hi", dlt)
	assert json.loads(server.requests[1]["body"])["DLT_TE_ID"] == "1107170000000000001"


def test_sms_post_form_and_json(server):
	send_sms(sms(server, use_post=True), "+91987", "hi")
	assert "text=hi" in server.requests[0]["body"]
	send_sms(sms(server, use_post=True, headers={"Content-Type": "application/json"}), "+91987", "hi")
	assert json.loads(server.requests[1]["body"])["text"] == "hi"


def test_whatsapp_template_message(server):
	message_id = send_whatsapp_template(
		cloud(server), "+919876543210", "order_created", "en", ["Ravi", "MO-1"]
	)
	assert message_id.startswith("wamid.TEST000001.")
	request = server.requests[0]
	assert request["path"] == "/v19.0/1055/messages"
	assert request["headers"]["Authorization"] == f"Bearer {TOKEN}"
	payload = json.loads(request["body"])
	assert payload["to"] == "919876543210"
	assert payload["template"]["name"] == "order_created"
	assert [p["text"] for p in payload["template"]["components"][0]["parameters"]] == ["Ravi", "MO-1"]


@pytest.mark.parametrize("mode, retryable", [("error500", True), ("error400", False)])
def test_errors_are_classified_and_carry_no_secret(server, mode, retryable):
	server.mode = mode
	with pytest.raises(GatewayError) as raised:
		send_sms(sms(server), "+91987", "hi")
	assert raised.value.retryable is retryable
	assert API_KEY not in str(raised.value)
	with pytest.raises(GatewayError) as raised:
		send_whatsapp_template(cloud(server), "+91987", "t", "en", [])
	assert TOKEN not in str(raised.value)


def test_timeout_is_retryable(server):
	server.mode, server.delay = "slow", 1.5
	with pytest.raises(GatewayError) as raised:
		send_whatsapp_template(cloud(server, timeout=0.3), "+91987", "t", "en", [])
	assert raised.value.retryable and "timed out" in str(raised.value)


def test_gateway_down_is_retryable_and_names_no_secret():
	with socket.socket() as s:
		s.bind(("127.0.0.1", 0))
		port = s.getsockname()[1]
	gateway = SmsGateway(f"http://127.0.0.1:{port}/send", "text", "to", {"apikey": API_KEY}, timeout=1)
	with pytest.raises(GatewayError) as raised:
		send_sms(gateway, "+91987", "hi")
	assert raised.value.retryable
	assert API_KEY not in str(raised.value) and str(port) not in str(raised.value)


def test_a_sender_session_keeps_one_connection_open_across_messages_and_channels(server):
	with KeptAliveSession() as session:
		for i in range(3):
			send_sms(sms(server), "+91987", f"hi {i}", session=session)
			send_whatsapp_template(cloud(server), "+91987", "t", "en", [str(i)], session=session)
	assert len(server.accepted()) == 6
	assert len({r["connection"] for r in server.requests}) == 1


def test_a_sender_session_honours_a_proxy_from_the_environment_read_at_the_first_call(server, monkeypatch):
	"""A deployment that reaches its gateways through a proxy (HTTP_PROXY) keeps doing so; the
	environment is read once a gateway, not at every message."""
	proxy = GatewayServer().start()  # it answers whatever it is asked: here, as the proxy
	try:
		monkeypatch.setenv("HTTP_PROXY", proxy.url)
		monkeypatch.delenv("NO_PROXY", raising=False)
		monkeypatch.delenv("no_proxy", raising=False)
		with KeptAliveSession() as session:
			send_sms(sms(server), "+91987", "through the proxy", session=session)
			monkeypatch.delenv("HTTP_PROXY")
			send_sms(sms(server), "+91987", "still through it", session=session)
		assert [r["query"]["text"] for r in proxy.requests] == ["through the proxy", "still through it"]
		assert server.requests == []
	finally:
		proxy.stop()


def test_without_a_session_each_message_opens_its_own_connection(server):
	for i in range(3):
		send_sms(sms(server), "+91987", f"hi {i}")
	assert len({r["connection"] for r in server.requests}) == 3


def test_a_kept_alive_connection_ends_with_the_gateway_going_down(server):
	"""The stand-in's "down" closes kept-alive connections too: a sender's next message fails
	retryably, as with a gateway that is really down."""
	with requests.Session() as session:
		send_sms(sms(server), "+91987", "before", session=session)
		server.stop()
		with pytest.raises(GatewayError) as raised:
			send_sms(sms(server), "+91987", "after", session=session)
	assert raised.value.retryable
	assert [r["query"]["text"] for r in server.requests] == ["before"]


def test_gateway_settings_never_show_their_secrets_in_a_repr():
	cloud = WhatsAppCloud("http://127.0.0.1:9", "1055", "EAAG-token-SECRET")
	sms = SmsGateway(
		"http://127.0.0.1:9/sms", "text", "to", {"apikey": "key-SECRET"}, {"X-Key": "hdr-SECRET"}
	)
	for text in (repr(cloud), str(cloud), repr(sms), str(sms)):
		assert "SECRET" not in text
