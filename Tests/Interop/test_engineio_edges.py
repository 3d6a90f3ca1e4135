"""Engine.IO v4 at its edges, against the bare Engine.IO mode: allowRequest's 403 (code 4) seen by
python-engineio's client, maxPayload exactly at and one over on the WebSocket (close 1009), and the
upgrade's lock-out of a second WebSocket with the same sid, the client's close while a poll is held,
and polling racing the upgrade's `5`."""
import socket
import threading
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


# --- closing from the client; polling racing the upgrade ---------------------------------------

def test_client_close_packet_releases_the_held_poll_with_a_noop(base):
    """Node's polling transport answers a held poll with a noop when the client closes; a close
    packet goes out only when the server closes the session."""
    p = Polling(base)
    p.handshake()
    held = {}
    t = threading.Thread(target=lambda: held.setdefault("response", p.get()))
    t.start()
    time.sleep(0.2)  # the GET is held: nothing is queued for it
    assert p.post("1").status_code == 200
    t.join(5)
    assert held["response"].status_code == 200
    assert held["response"].text == "6"
    assert p.get().status_code == 400  # the session is gone


def _race_poll_against_upgrade(base, ws_base, method: str) -> str:
    """One session: probe, then `5` on the WebSocket and at once an HTTP request with the sid on an
    already open connection. Returns the status and body the request got."""
    p = Polling(base)
    p.handshake()
    host, port = base.split("//")[1].split("/")[0].split(":")
    http = socket.create_connection((host, int(port)), timeout=5)
    ws = ws_connect(ws_base, sid=p.sid)
    try:
        ws.send("2probe")
        assert ws.recv() == "3probe"
        body = "4after upgrade" if method == "POST" else ""
        request = (f"{method} /engine.io/?EIO=4&transport=polling&sid={p.sid} HTTP/1.1\r\n"
                   f"Host: {host}\r\nContent-Length: {len(body)}\r\nConnection: close\r\n\r\n{body}")
        ws.send("5")
        http.sendall(request.encode())
        answer = b""
        while chunk := http.recv(65536):
            answer += chunk
        head, _, payload = answer.partition(b"\r\n\r\n")
        return head.split(b" ")[1].decode() + " " + payload.decode()
    finally:
        ws.close()
        http.close()


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_polling_sent_right_after_the_upgrade_packet_is_refused_every_time(base, ws_base, method):
    """Many sessions, four at a time: every request sent after `5` gets 400 code 3, whichever of the
    server's loops reads it first (a 200 means it was held or accepted before the switch)."""
    outcomes = {}
    lock = threading.Lock()

    def worker():
        for _ in range(40):
            outcome = _race_poll_against_upgrade(base, ws_base, method)
            with lock:
                outcomes[outcome] = outcomes.get(outcome, 0) + 1

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(50)
    assert outcomes == {'400 {"code":3,"message":"Bad request"}': 160}, outcomes


# --- method names are case-sensitive ----------------------------------------------------------

@pytest.mark.parametrize("method", ["post", "get", "Post"])
def test_a_method_name_in_the_wrong_case_is_501(base, method):
    """RFC 9110: methods are case-sensitive; an unknown one is refused (we answer 501 as §9.1 asks;
    aiohttp, like Node's parser, 400), never given a POST's or GET's answer."""
    p = Polling(base)
    p.handshake()
    host, port = base.split("//")[1].split("/")[0].split(":")
    with socket.create_connection((host, int(port)), timeout=5) as s:
        s.sendall(f"{method} /engine.io/?EIO=4&transport=polling&sid={p.sid} HTTP/1.1\r\n"
                  f"Host: {host}\r\nContent-Length: 2\r\n\r\n4x".encode())
        answer = b""
        while chunk := s.recv(65536):
            answer += chunk
    assert answer.split(b" ")[1] in (b"400", b"501"), answer[:200]
    assert p.post("4still here").status_code == 200  # the session was not touched
