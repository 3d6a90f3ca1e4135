"""Admission limits of the bare Engine.IO mode, seen from raw sockets bound to distinct loopback
addresses (Linux routes all of 127/8 over lo) and from python-engineio's client: connections per
address (503), handshakes per second per address (429, Node's body with code 4) and the session cap
(503). Each limit is checked at the limit, one past it, and from another address."""
import json
import socket
import time

import engineio
import pytest

HANDSHAKE = "GET /engine.io/?EIO=4&transport=polling HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: {}\r\n\r\n"


def connect_from(source: str, port: int) -> socket.socket:
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.settimeout(5)
    s.bind((source, 0))
    s.connect(("127.0.0.1", port))
    return s


def read_response(s: socket.socket) -> tuple[int, dict, str]:
    """One response: status, headers (lower-case names) and body (Content-Length framed or to EOF)."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = s.recv(65536)
        if not chunk:
            break
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode().split("\r\n")
    headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
    if "content-length" in headers:
        while len(body) < int(headers["content-length"]):
            chunk = s.recv(65536)
            if not chunk:
                break
            body += chunk
    else:
        while chunk := s.recv(65536):
            body += chunk
    return int(lines[0].split(" ")[1]), headers, body.decode()


def handshake_from(source: str, port: int) -> tuple[int, dict, str]:
    with connect_from(source, port) as s:
        s.sendall(HANDSHAKE.format("close").encode())
        return read_response(s)


def test_connections_per_address_at_the_limit_and_one_past(limited_engineio_server):
    server = limited_engineio_server("--max-connections-per-address", "3")
    held = []
    for _ in range(3):  # at the limit: served, kept open
        s = connect_from("127.0.0.3", server.port)
        s.sendall(HANDSHAKE.format("keep-alive").encode())
        assert read_response(s)[0] == 200
        held.append(s)
    with connect_from("127.0.0.3", server.port) as fourth:  # one past: 503 before reading anything
        status, headers, body = read_response(fourth)
        assert status == 503, body
        assert headers["retry-after"] == "1"
        assert "too many connections from your address (limit 3)" in body
    assert handshake_from("127.0.0.4", server.port)[0] == 200  # another address
    held.pop().close()
    deadline = time.monotonic() + 3
    while time.monotonic() < deadline:  # the freed slot is taken again once the server saw the close
        status = handshake_from("127.0.0.3", server.port)[0]
        if status == 200:
            break
        time.sleep(0.05)
    assert status == 200
    for s in held:
        s.close()


def test_handshakes_per_second_per_address_at_the_limit_and_one_past(limited_engineio_server):
    server = limited_engineio_server("--max-handshakes-per-second-per-address", "3")
    for _ in range(3):
        assert handshake_from("127.0.0.5", server.port)[0] == 200
    status, headers, body = handshake_from("127.0.0.5", server.port)
    assert status == 429
    assert headers["content-type"] == "application/json"
    assert json.loads(body) == {"code": 4, "message": "Too many handshakes from your address (limit 3 per second); retry later"}
    assert handshake_from("127.0.0.6", server.port)[0] == 200  # another address has its own budget
    time.sleep(0.4)  # a third of a second refills one handshake
    assert handshake_from("127.0.0.5", server.port)[0] == 200


def test_python_engineio_client_over_the_handshake_rate_cannot_connect(limited_engineio_server):
    server = limited_engineio_server("--max-handshakes-per-second-per-address", "1")
    first = engineio.Client()
    first.connect(server.url, transports=["polling"], engineio_path="engine.io")
    second = engineio.Client()
    try:
        with pytest.raises(engineio.exceptions.ConnectionError):
            second.connect(server.url, transports=["polling"], engineio_path="engine.io")
    finally:
        first.disconnect()


def test_sessions_are_capped_for_every_address(limited_engineio_server):
    server = limited_engineio_server("--max-sessions", "3")
    sids = []
    for source in ["127.0.0.7", "127.0.0.7", "127.0.0.8"]:
        status, _, body = handshake_from(source, server.port)
        assert status == 200
        sids.append(json.loads(body[1:])["sid"])
    for source in ["127.0.0.7", "127.0.0.9"]:
        status, _, body = handshake_from(source, server.port)
        assert status == 503
        assert json.loads(body) == {"code": 4, "message": "The server is at its session limit (3); retry later"}
    with connect_from("127.0.0.7", server.port) as s:  # the client closes one session
        s.sendall((f"POST /engine.io/?EIO=4&transport=polling&sid={sids[0]} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                   "Content-Length: 1\r\nConnection: close\r\n\r\n1").encode())
        assert read_response(s)[0] == 200
    assert handshake_from("127.0.0.9", server.port)[0] == 200
    assert handshake_from("127.0.0.9", server.port)[0] == 503
