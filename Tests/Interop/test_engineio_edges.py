"""Engine.IO v4 at its edges, against the bare Engine.IO mode: allowRequest's 403 (code 4) seen by
python-engineio's client, maxPayload exactly at and one over on the WebSocket (close 1009), and the
upgrade's lock-out of a second WebSocket with the same sid."""
import time

import engineio
import pytest
import requests
import websocket

from rawio import Polling, decode_payload, ws_connect, ws_recv_message, ws_refused_or_closed, ws_wait_closed

MAX_PAYLOAD = 1_000_000
FORBIDDEN = {"code": 4, "message": "Forbidden"}


# --- allowRequest: 403 with {"code":4,"message":"Forbidden"} -----------------------------------

def test_refused_handshake_is_403_forbidden(refusing_engineio_server):
    url = refusing_engineio_server.url + "/engine.io/?EIO=4&transport=polling"
    refused = requests.get(url, headers={"X-Refuse": "1"}, timeout=5)
    assert refused.status_code == 403
    assert refused.headers["Content-Type"].startswith("application/json")
    assert refused.json() == FORBIDDEN
    assert requests.get(url, timeout=5).status_code == 200  # the hook refuses only what it should


def test_python_engineio_client_sees_forbidden(refusing_engineio_server):
    client = engineio.Client()
    with pytest.raises(engineio.exceptions.ConnectionError) as refused:
        client.connect(refusing_engineio_server.url, transports=["polling"], engineio_path="engine.io",
                       headers={"X-Refuse": "1"})
    assert "403" in str(refused.value.args[0])
    assert refused.value.args[1] == FORBIDDEN
    # Without the header the same client connects.
    client = engineio.Client()
    client.connect(refusing_engineio_server.url, transports=["polling"], engineio_path="engine.io")
    client.disconnect()


def test_refused_websocket_handshake_is_400_with_the_message(refusing_engineio_server):
    # Node's abortUpgrade answers every refused upgrade with a plain 400 carrying the message.
    url = refusing_engineio_server.ws_url + "/engine.io/?EIO=4&transport=websocket"
    with pytest.raises(websocket.WebSocketBadStatusException) as refused:
        websocket.create_connection(url, timeout=3, header=["X-Refuse: 1"])
    assert refused.value.status_code == 400
    assert b"Forbidden" in (refused.value.resp_body or b"")


# --- maxPayload on the WebSocket: exactly at is fine, one over closes with 1009 ----------------

def test_websocket_message_of_exactly_max_payload_is_echoed(ws_base):
    ws = ws_connect(ws_base)
    try:
        assert ws.recv().startswith("0")
        text = "4" + "a" * (MAX_PAYLOAD - 1)
        ws.send(text)
        assert ws_recv_message(ws) == text
    finally:
        ws.close()


def test_websocket_message_one_over_max_payload_closes_1009(ws_base):
    ws = ws_connect(ws_base)
    try:
        assert ws.recv().startswith("0")
        ws.send("4" + "a" * MAX_PAYLOAD)
        _, code = ws_wait_closed(ws, 3)
        assert code == 1009
    finally:
        ws.close()


def test_python_engineio_client_over_max_payload_is_disconnected(engineio_server):
    client = engineio.Client()
    gone = []
    client.on("disconnect", lambda *a: gone.append(time.monotonic()))
    client.connect(engineio_server.url, transports=["websocket"], engineio_path="engine.io")
    client.send("a" * MAX_PAYLOAD)  # with its type byte, one over
    deadline = time.monotonic() + 3
    while not gone and time.monotonic() < deadline:
        time.sleep(0.05)
    assert gone, "the server kept a session whose client sent more than maxPayload"
    client.disconnect()


# --- after an upgrade, the sid belongs to its WebSocket ---------------------------------------

def test_second_websocket_with_an_upgraded_sid_is_refused(base, ws_base):
    p = Polling(base)
    p.handshake()
    ws = ws_connect(ws_base, sid=p.sid)
    try:
        ws.send("2probe")
        assert ws.recv() == "3probe"
        assert "6" in decode_payload(p.get().text)
        ws.send("5")
        assert ws_refused_or_closed(ws_base + f"?EIO=4&transport=websocket&sid={p.sid}")
        ws.send("4still mine")
        assert ws_recv_message(ws) == "4still mine"
    finally:
        ws.close()
