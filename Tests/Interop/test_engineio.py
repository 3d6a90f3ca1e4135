"""Engine.IO v4 conformance: python-engineio's client, raw HTTP and raw WebSocket against the
server's bare Engine.IO mode (path /engine.io/, pingInterval 300, pingTimeout 200,
maxPayload 1e6, CORS *, echo)."""
import gzip
import json
import queue
import threading
import time

import pytest
import requests
import websocket

from ordered_clients import OrderedEngineIOClient
from project import TRANSPORTS
from rawio import Polling, b64_packet, decode_payload, ws_connect, ws_recv_message, ws_refused_or_closed, ws_wait_closed

PING_INTERVAL = 0.3
PING_TIMEOUT = 0.2
MAX_PAYLOAD = 1_000_000
SLACK = 0.5  # scheduling slack for timing assertions on a loaded 2-core CI machine

HANDSHAKE_KEYS = {"sid", "upgrades", "pingInterval", "pingTimeout", "maxPayload"}


def expect_error(response, code: int, message: str):
    """Node's error answer: 400 with exactly {"code":N,"message":"..."} as JSON."""
    assert response.status_code == 400, (response.status_code, response.text)
    assert response.headers.get("Content-Type", "").startswith("application/json")
    assert response.json() == {"code": code, "message": message}


class EchoClient:
    """python-engineio client that queues everything it receives."""

    def __init__(self):
        self.client = OrderedEngineIOClient()
        self.received = queue.Queue()
        self.disconnected = threading.Event()
        self.client.on("message", self.received.put)
        self.client.on("disconnect", lambda *a: self.disconnected.set())

    def connect(self, url, transports):
        self.client.connect(url, transports=transports, engineio_path="engine.io")

    def next(self, timeout=5):
        return self.received.get(timeout=timeout)


@pytest.fixture
def echo_client():
    clients = []

    def make():
        c = EchoClient()
        clients.append(c)
        return c

    yield make
    for c in clients:
        c.client.disconnect()


# --- handshake -------------------------------------------------------------------------------

def test_polling_handshake_values(base):
    r = requests.get(base + "?EIO=4&transport=polling", timeout=5)
    assert r.status_code == 200
    assert r.headers["Content-Type"] == "text/plain; charset=UTF-8"
    assert r.text.startswith("0")
    opened = json.loads(r.text[1:])
    assert set(opened) == HANDSHAKE_KEYS
    assert isinstance(opened["sid"], str) and opened["sid"]
    assert opened["upgrades"] == ["websocket"]
    assert opened["pingInterval"] == 300
    assert opened["pingTimeout"] == 200
    assert opened["maxPayload"] == MAX_PAYLOAD


def test_websocket_handshake_values(ws_base):
    ws = ws_connect(ws_base)
    try:
        first = ws.recv()
    finally:
        ws.close()
    assert first.startswith("0")
    opened = json.loads(first[1:])
    assert set(opened) == HANDSHAKE_KEYS
    assert opened["upgrades"] == []
    assert opened["pingInterval"] == 300
    assert opened["pingTimeout"] == 200
    assert opened["maxPayload"] == MAX_PAYLOAD


def test_sids_are_unique(base):
    sids = {Polling(base).handshake()["sid"] for _ in range(5)}
    assert len(sids) == 5


# --- echo with python-engineio's client ---------------------------------------------------

@pytest.mark.parametrize("transport", TRANSPORTS)
def test_client_text_and_binary_echo(engineio_server, echo_client, transport):
    c = echo_client()
    c.connect(engineio_server.url, TRANSPORTS[transport])
    messages = ["hello", "ünïcödé ☃ 🚀", "", "x" * 5000, b"\x00\x01\x02\xff", b""]
    for m in messages:
        c.client.send(m)
    got = [c.next() for _ in messages]
    assert got == messages
    assert [type(g) for g in got] == [type(m) for m in messages]


def test_client_upgrades_to_websocket(engineio_server, echo_client):
    c = echo_client()
    c.connect(engineio_server.url, TRANSPORTS["upgrade"])
    deadline = time.monotonic() + 3
    while c.client.transport() != "websocket" and time.monotonic() < deadline:
        time.sleep(0.05)
    assert c.client.transport() == "websocket"
    c.client.send("after upgrade")
    assert c.next() == "after upgrade"


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_client_heartbeat_keeps_session(engineio_server, echo_client, transport):
    # pingInterval+pingTimeout is 0.5 s: staying connected 1.5 s needs working ping/pong.
    c = echo_client()
    c.connect(engineio_server.url, TRANSPORTS[transport])
    time.sleep(1.5)
    assert not c.disconnected.is_set()
    c.client.send("still here")
    assert c.next() == "still here"


# --- raw polling ---------------------------------------------------------------------------

def test_polling_post_answers_ok(base):
    p = Polling(base)
    p.handshake()
    r = p.post("4hello")
    assert r.status_code == 200
    assert r.text == "ok"
    assert p.collect(1) == ["4hello"]


def test_polling_several_packets_in_one_post(base):
    p = Polling(base)
    p.handshake()
    assert p.post("4one\x1e4two\x1e4three").status_code == 200
    assert p.collect(3) == ["4one", "4two", "4three"]


def test_polling_binary_is_base64(base):
    p = Polling(base)
    p.handshake()
    data = bytes([0, 1, 2, 250, 255])
    assert p.post(b64_packet(data)).status_code == 200
    assert p.collect(1) == [b64_packet(data)]


def test_polling_mixed_text_and_binary(base):
    p = Polling(base)
    p.handshake()
    assert p.post("4hello\x1e" + b64_packet(b"\x01\x02\x03\x04")).status_code == 200
    assert p.collect(2) == ["4hello", "bAQIDBA=="]


def test_polling_heartbeat_ping_cadence(base):
    # The server pings ("2") every pingInterval; each pong ("3") restarts the interval.
    p = Polling(base)
    p.handshake()
    start = time.monotonic()
    pings = []
    while len(pings) < 3 and time.monotonic() - start < 3:
        r = p.get()
        assert r.status_code == 200
        for packet in decode_payload(r.text):
            if packet == "2":
                pings.append(time.monotonic() - start)
                assert p.post("3").status_code == 200
    assert len(pings) == 3, pings
    gaps = [b - a for a, b in zip([0] + pings, pings)]
    for gap in gaps:
        assert PING_INTERVAL - 0.1 <= gap <= PING_INTERVAL + SLACK, gaps


def test_polling_session_expires_without_pong(base):
    p = Polling(base)
    p.handshake()
    time.sleep(PING_INTERVAL + PING_TIMEOUT + SLACK)
    r = p.get()
    assert r.status_code == 400, r.text


def test_polling_session_alive_before_timeout(base):
    # Counterpart of the expiry test: before pingInterval+pingTimeout the session must still live.
    p = Polling(base)
    p.handshake()
    time.sleep(PING_INTERVAL / 2)
    r = p.get()
    assert r.status_code == 200, r.text


def test_polling_payload_over_max_is_413(base):
    p = Polling(base)
    p.handshake()
    body = "4" + "a" * MAX_PAYLOAD  # one byte over maxPayload
    try:
        r = p.post(body)
        status = r.status_code
    except requests.ConnectionError:
        status = None  # the server may also drop the connection after answering
    assert status == 413
    # The server keeps serving new sessions afterwards.
    assert Polling(base).handshake()["sid"]


def test_polling_payload_at_max_is_accepted(base):
    p = Polling(base)
    p.handshake()
    text = "a" * (MAX_PAYLOAD - 1)
    assert p.post("4" + text).status_code == 200
    assert p.collect(1) == ["4" + text]


def test_concurrent_polls_close_the_session(base):
    p = Polling(base)
    p.handshake()
    # Drain until a GET would block, so the first GET below stays pending.
    first = {}

    def pending_get():
        first["response"] = p.get(timeout=5)

    t = threading.Thread(target=pending_get)
    t.start()
    time.sleep(0.1)
    second = p.get()
    t.join(5)
    assert second.status_code == 400
    assert first["response"].status_code == 200
    assert decode_payload(first["response"].text)[-1] == "1"  # close packet
    assert p.get().status_code == 400  # the session is gone


def test_close_packet_ends_polling_session(base):
    p = Polling(base)
    p.handshake()
    assert p.post("1").status_code == 200
    time.sleep(0.1)
    assert p.get().status_code == 400


# --- errors: exact bodies as Node's engine.io -------------------------------------------------

ERROR_CASES = {
    # name: (method, query, Node's code, Node's message)
    "missing_eio": ("GET", "transport=polling", 5, "Unsupported protocol version"),
    "eio3": ("GET", "EIO=3&transport=polling", 5, "Unsupported protocol version"),
    "unknown_transport": ("GET", "EIO=4&transport=tobi", 0, "Transport unknown"),
    "missing_transport": ("GET", "EIO=4", 0, "Transport unknown"),
    "unknown_sid": ("GET", "EIO=4&transport=polling&sid=nope", 1, "Session ID unknown"),
    "post_unknown_sid": ("POST", "EIO=4&transport=polling&sid=nope", 1, "Session ID unknown"),
    "handshake_with_post": ("POST", "EIO=4&transport=polling", 2, "Bad handshake method"),
    # transport=websocket over plain HTTP (no Upgrade header) cannot open a session
    "websocket_without_upgrade": ("GET", "EIO=4&transport=websocket", 3, "Bad request"),
}


def error_request(base, case):
    method, query, _, _ = ERROR_CASES[case]
    return requests.request(method, base + "?" + query, data="" if method == "POST" else None,
                            timeout=5)


@pytest.mark.parametrize("case", ERROR_CASES)
def test_error_status(base, case):
    r = error_request(base, case)
    assert r.status_code == 400, (r.status_code, r.text)


@pytest.mark.parametrize("case", ERROR_CASES)
def test_error_body_as_node(base, case):
    _, _, code, message = ERROR_CASES[case]
    expect_error(error_request(base, case), code, message)


def test_transport_mismatch_is_bad_request(base):
    # A polling session's sid used with transport=websocket, without a WebSocket upgrade.
    p = Polling(base)
    p.handshake()
    r = requests.get(base + f"?EIO=4&transport=websocket&sid={p.sid}", timeout=5)
    expect_error(r, 3, "Bad request")


# --- raw WebSocket -------------------------------------------------------------------------

def test_websocket_text_and_binary_echo(ws_base):
    ws = ws_connect(ws_base)
    try:
        assert ws.recv().startswith("0")
        ws.send("4hello ☃")
        assert ws.recv() == "4hello ☃"
        ws.send_binary(b"\x01\x02\x03\x04")
        opcode, data = ws.recv_data()
        assert opcode == 2 and data == b"\x01\x02\x03\x04"  # binary frame, no "b" prefix
    finally:
        ws.close()


def test_websocket_unknown_transport_refused(ws_base):
    # Node checks the transport before upgrading: "HTTP/1.1 400 Bad Request", body "Transport unknown".
    try:
        websocket.create_connection(ws_base + "?EIO=4&transport=tobi", timeout=3)
        pytest.fail("upgrade with an unknown transport was accepted")
    except websocket.WebSocketBadStatusException as e:
        assert e.status_code == 400


def test_websocket_eio3_refused(ws_base):
    # Node finds EIO=3 unsupported only after the upgrade: either a 400 or a close, never an open.
    assert ws_refused_or_closed(ws_base + "?EIO=3&transport=websocket")


def test_websocket_unknown_sid_refused(ws_base):
    assert ws_refused_or_closed(ws_base + "?EIO=4&transport=websocket&sid=nope")


def test_websocket_ping_timeout_closes(ws_base):
    # A client that never answers pings is dropped ~pingInterval+pingTimeout after the handshake.
    ws = ws_connect(ws_base)
    pings = []
    try:
        assert ws.recv().startswith("0")
        waited, _ = ws_wait_closed(ws, PING_INTERVAL + PING_TIMEOUT + 2 * SLACK,
                                   on_packet=pings.append)
    finally:
        ws.close()
    assert pings and pings[0] in ("2", b"2")
    assert waited >= PING_INTERVAL + PING_TIMEOUT - 0.1


def test_websocket_pong_keeps_session(ws_base):
    ws = ws_connect(ws_base)
    try:
        assert ws.recv().startswith("0")
        start = time.monotonic()
        pings = 0
        while time.monotonic() - start < 1.2:
            msg = ws.recv()
            if msg == "2":
                pings += 1
                ws.send("3")
        ws.send("4alive")
        while (msg := ws.recv()) == "2":
            ws.send("3")
        assert msg == "4alive"
        assert pings >= 3
    finally:
        ws.close()


def test_upgrade_from_polling(base, ws_base):
    p = Polling(base)
    p.handshake()
    ws = ws_connect(ws_base, sid=p.sid)
    try:
        ws.send("2probe")
        assert ws.recv() == "3probe"
        # The pending poll is ended with a noop so the client can finish the upgrade.
        r = p.get()
        assert r.status_code == 200
        assert "6" in decode_payload(r.text)
        ws.send("5")
        ws.send("4over websocket")
        assert ws_recv_message(ws) == "4over websocket"
        # After the upgrade, polling with the same sid is a transport mismatch.
        expect_error(p.get(), 3, "Bad request")
    finally:
        ws.close()


# --- HTTP details: CORS and compression ------------------------------------------------------

def test_cors_headers_on_polling(base):
    r = requests.get(base + "?EIO=4&transport=polling", timeout=5,
                     headers={"Origin": "http://example.com"})
    assert r.status_code == 200
    assert r.headers.get("Access-Control-Allow-Origin") in ("*", "http://example.com")


def test_cors_preflight(base):
    r = requests.options(base + "?EIO=4&transport=polling", timeout=5, headers={
        "Origin": "http://example.com",
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type",
    })
    assert r.status_code == 204
    assert r.headers.get("Access-Control-Allow-Origin") in ("*", "http://example.com")
    assert "POST" in r.headers.get("Access-Control-Allow-Methods", "")


def test_polling_response_gzip(base):
    p = Polling(base)
    p.handshake()
    text = "4" + "compress me " * 200  # well over the 1 KiB threshold
    assert p.post(text).status_code == 200
    deadline = time.monotonic() + 3
    while time.monotonic() < deadline:
        r = p.get(headers={"Accept-Encoding": "gzip"}, stream=True)
        raw = r.raw.read(decode_content=False)
        if r.headers.get("Content-Encoding") == "gzip":
            body = gzip.decompress(raw).decode()
        else:
            body = raw.decode()
        if body == "2":
            p.post("3")
            continue
        assert r.headers.get("Content-Encoding") == "gzip", r.headers
        assert text in decode_payload(body)
        return
    pytest.fail("echo never arrived")


def test_small_polling_response_not_compressed(base):
    p = Polling(base)
    p.handshake()
    assert p.post("4tiny").status_code == 200
    r = p.get(headers={"Accept-Encoding": "gzip"})
    assert "Content-Encoding" not in r.headers
