"""The plain WebSocket endpoint (`io.webSocket("/ws")`) against independent clients: websocket-client
(blocking, sees raw frames and close codes) and aiohttp (permessage-deflate, automatic pongs), with
`conformance-server --websocket` (Sources/ConformanceServer/WebSocketSuite.swift) as the server. The
server prints `closed <code> <reason>` for every connection it saw end, which is how these tests learn
what the server heard."""
import asyncio
import socket
import time

import aiohttp
import pytest
import socketio
import websocket

from project import is_python_reference, swift_binary

OP_TEXT, OP_BINARY, OP_CLOSE, OP_PING, OP_PONG = 0x1, 0x2, 0x8, 0x9, 0xA


@pytest.fixture
def ws_server(start_server, request):
    """Factory: ws_server(*flags) -> conformance-server --websocket with those flags (Swift only)."""
    if is_python_reference(request.config):
        pytest.skip("the python reference server has no plain WebSocket endpoint")

    def start(*flags: str):
        return start_server([str(swift_binary("conformance-server")), "--websocket", *flags], name="websocket-server")
    return start


def connect(server, path="/ws", **options):
    return websocket.create_connection(f"{server.ws_url}{path}", timeout=5, **options)


def wait_for(condition, timeout=5.0, what="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.02)
    raise AssertionError(f"timed out waiting for {what}")


def wait_for_log(server, line, timeout=5.0):
    wait_for(lambda: line in server.output().splitlines(), timeout, f"server line {line!r}")


def read_close(ws):
    """Raw frames (pings not answered) until the close frame; returns (code, reason, frames before it)."""
    before = []
    while True:
        frame = ws.recv_frame()
        opcode = frame.opcode
        if opcode == OP_CLOSE:
            data = frame.data
            code = int.from_bytes(data[:2], "big") if len(data) >= 2 else None
            return code, data[2:].decode(), before
        before.append((opcode, frame.data))


def upgrade_status(server, path="/ws", headers=()):
    """The status line's code of a raw upgrade request."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=5) as s:
        request = (f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                   "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n")
        s.sendall((request + "".join(f"{h}\r\n" for h in headers) + "\r\n").encode())
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = s.recv(4096)
            if not chunk:
                break
            head += chunk
        return int(head.split(b" ", 2)[1])


def test_text_and_binary_messages_come_back(ws_server):
    server = ws_server()
    ws = connect(server)
    for text in ["hello", "é€😀" * 1000, "x" * 100_000, ""]:
        ws.send(text)
        assert ws.recv() == text
    # A fragmented text message, with a ping between its fragments, comes back whole.
    ws.send_frame(websocket.ABNF.create_frame("frag", OP_TEXT, fin=0))
    ws.ping(b"between")
    ws.send_frame(websocket.ABNF.create_frame("mented é".encode(), 0x0, fin=1))
    opcode, frame = ws.recv_data_frame(True)
    assert (opcode, frame.data) == (OP_PONG, b"between")
    assert ws.recv() == "fragmented é"
    for payload in [b"\x00\xff\x10", bytes(range(256)) * 400]:
        ws.send_binary(payload)
        opcode, data = ws.recv_data()
        assert (opcode, data) == (OP_BINARY, payload)
    ws.close()


def test_broadcast_reaches_every_connection(ws_server):
    server = ws_server()
    clients = [connect(server) for _ in range(4)]
    clients[0].send("count")
    assert clients[0].recv() == "count:4"
    clients[1].send("broadcast:news for all")
    for ws in clients:
        assert ws.recv() == "news for all"
    clients[2].send("broadcast-binary:bytes for all")
    for ws in clients:
        assert ws.recv_data() == (OP_BINARY, b"bytes for all")
    clients[3].close()
    wait_for_log(server, "closed 1000 ")
    clients[0].send("broadcast:three left")
    for ws in clients[:3]:
        assert ws.recv() == "three left"
    for ws in clients[:3]:
        ws.close()


def test_ping_and_pong_both_ways(ws_server):
    server = ws_server()
    ws = connect(server)
    # Server → client: websocket-client answers the ping inside recv(); the server reports the pong.
    ws.send("ping:are you there")
    assert ws.recv() == "pong:are you there"
    # Client → server: the server answers with the same payload.
    ws.ping(b"client ping")
    opcode, frame = ws.recv_data_frame(True)
    assert (opcode, frame.data) == (OP_PONG, b"client ping")
    ws.send("ping:" + "p" * 126)  # over a control frame's 125 bytes: refused with the typed error
    assert ws.recv().startswith("error:ping payload is 126 bytes")
    ws.close()


def test_server_close_carries_code_and_reason(ws_server):
    server = ws_server()
    ws = connect(server)
    ws.send("close:4001:work done")
    code, reason, _ = read_close(ws)
    assert (code, reason) == (4001, "work done")
    wait_for_log(server, "closed 4001 work done")
    ws.close()


def test_client_close_code_and_reason_reach_the_server(ws_server):
    server = ws_server()
    ws = connect(server)
    ws.send_close(status=4002, reason=b"client leaves")
    code, reason, _ = read_close(ws)
    assert code == 4002  # the server echoes the peer's code
    wait_for_log(server, "closed 4002 client leaves")
    # A close frame without a code is reported as 1005, a vanished peer as 1006.
    silent = connect(server)
    silent.send_frame(websocket.ABNF.create_frame(b"", OP_CLOSE))
    wait_for_log(server, "closed 1005 ")
    dropped = connect(server)
    dropped.sock.close()
    wait_for_log(server, "closed 1006 ")


def test_close_codes_that_cannot_be_sent_are_refused(ws_server):
    server = ws_server()
    ws = connect(server)
    for code in ["1006", "1005", "999", "5000"]:
        ws.send(f"close:{code}:x")
        assert ws.recv().startswith(f"error:close code {code} cannot be sent")
    ws.send("close:1000:" + "r" * 124)
    assert ws.recv() == "error:close reason is 124 bytes of UTF-8; at most 123 fit in a close frame"
    ws.send("close:1000:" + "r" * 123)
    assert read_close(ws)[:2] == (1000, "r" * 123)


def test_message_at_the_limit_passes_and_one_more_byte_closes_1009(ws_server):
    server = ws_server("--ws-max-message-bytes", "65536")
    ws = connect(server)
    ws.send("a" * 65536)
    assert ws.recv() == "a" * 65536
    ws.send_binary(b"b" * 65536)
    assert ws.recv_data() == (OP_BINARY, b"b" * 65536)
    ws.send("c" * 65537)
    code, _, _ = read_close(ws)
    assert code == 1009
    wait_for_log(server, "closed 1009 message exceeds the 65536-byte limit")
    # Fragments count together.
    ws = connect(server)
    ws.send_frame(websocket.ABNF.create_frame(b"d" * 40_000, OP_BINARY, fin=0))
    ws.send_frame(websocket.ABNF.create_frame(b"d" * 25_537, 0x0, fin=1))
    assert read_close(ws)[0] == 1009


def test_upgrades_elsewhere_are_refused(ws_server):
    server = ws_server()
    with pytest.raises(websocket.WebSocketBadStatusException) as refused:
        connect(server, "/nowhere")
    assert refused.value.status_code == 404
    with pytest.raises(websocket.WebSocketBadStatusException) as refused:
        connect(server, "/ws/deeper")
    assert refused.value.status_code == 404
    # Plain HTTP on the endpoint: 426 Upgrade Required.
    with socket.create_connection(("127.0.0.1", server.port), timeout=5) as s:
        s.sendall(b"GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        head = s.recv(4096)
    assert head.startswith(b"HTTP/1.1 426 ")
    assert b"upgrade: websocket" in head.lower()


def test_origin_check(ws_server):
    server = ws_server("--ws-allowed-origin", "https://app.example", "--ws-allowed-origin", "http://localhost:8080")
    assert upgrade_status(server, headers=["Origin: https://app.example"]) == 101
    assert upgrade_status(server, headers=["Origin: http://localhost:8080"]) == 101
    assert upgrade_status(server, headers=["Origin: https://evil.example"]) == 403
    assert upgrade_status(server, headers=["Origin: null"]) == 403
    assert upgrade_status(server) == 101  # no Origin: not a browser
    with pytest.raises(websocket.WebSocketBadStatusException) as refused:
        connect(server, origin="https://evil.example")
    assert refused.value.status_code == 403
    ok = connect(server, origin="https://app.example")
    ok.send("hi")
    assert ok.recv() == "hi"
    ok.close()


def test_max_connections_at_the_limit_and_one_past(ws_server):
    server = ws_server("--ws-max-connections", "3")
    held = [connect(server) for _ in range(3)]
    held[0].send("count")
    assert held[0].recv() == "count:3"
    with pytest.raises(websocket.WebSocketBadStatusException) as refused:
        connect(server)
    assert refused.value.status_code == 503
    assert b"at its connection limit (3)" in refused.value.resp_body
    held.pop().close()
    wait_for_log(server, "closed 1000 ")
    again = connect(server)  # the slot is free again
    again.send("count")
    assert again.recv() == "count:3"
    for ws in held + [again]:
        ws.close()


def test_max_connections_per_address_applies(ws_server):
    server = ws_server("--max-connections-per-address", "2")
    held = [connect(server) for _ in range(2)]
    with pytest.raises(websocket.WebSocketBadStatusException) as refused:
        connect(server)
    assert refused.value.status_code == 503
    for ws in held:
        ws.close()


def test_heartbeat_keeps_answering_peers_and_drops_silent_ones(ws_server):
    server = ws_server("--ws-heartbeat-ms", "200,600")
    silent = connect(server)  # reads nothing, so never answers a ping
    alive = connect(server)
    alive.settimeout(0.05)
    deadline = time.monotonic() + 1.5  # several intervals; recv() answers each ping by itself
    while time.monotonic() < deadline:
        try:
            alive.recv()
        except websocket.WebSocketTimeoutException:
            pass
    wait_for_log(server, "closed 1001 ping timeout")
    code, reason, before = read_close(silent)
    assert (code, reason) == (1001, "ping timeout")
    assert before and all(opcode == OP_PING for opcode, _ in before)
    alive.settimeout(5)
    alive.send("count")
    assert alive.recv() == "count:1"
    assert server.output().count("closed 1001 ping timeout") == 1
    alive.close()


def test_slow_consumer_is_dropped_with_1008(ws_server):
    server = ws_server("--ws-max-buffered-bytes", "262144")
    ws = websocket.WebSocket()
    ws.sock_opt.sockopt = [(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)]
    ws.connect(f"{server.ws_url}/ws", timeout=5)
    # Ask for echoes and never read them: the kernel's buffers fill, then our queue passes its limit.
    chunk = "e" * 60_000
    try:
        for _ in range(200):
            ws.send(chunk)
            if "closed 1008" in server.output():
                break
    except (BrokenPipeError, ConnectionResetError, websocket.WebSocketConnectionClosedException):
        pass
    wait_for_log(server, "closed 1008 the peer did not read its data (over 262144 bytes queued)")


def test_permessage_deflate_when_the_server_enables_it(ws_server):
    server = ws_server("--per-message-deflate")

    async def run():
        async with aiohttp.ClientSession() as session:
            async with session.ws_connect(f"{server.url}/ws", compress=15) as a, \
                    session.ws_connect(f"{server.url}/ws", compress=15) as b:
                big = "compress me " * 10_000
                await a.send_str(big)
                echoed = await a.receive_str(timeout=5)
                await a.send_str("broadcast:" + big)  # one prepared frame, deflated per connection
                got = [await a.receive_str(timeout=5), await b.receive_str(timeout=5)]
                return a.compress, echoed == big, got == [big, big]

    assert asyncio.run(run()) == (15, True, True)


def test_socketio_clients_share_the_port(ws_server):
    server = ws_server()
    ws = connect(server)
    client = socketio.SimpleClient()
    client.connect(server.url, transports=["websocket"])
    client.emit("message", "over socket.io")
    assert client.receive(timeout=5) == ["message-back", "over socket.io"]
    ws.send("over plain websocket")
    assert ws.recv() == "over plain websocket"
    client.disconnect()
    ws.close()


def test_server_shutdown_closes_with_1001(ws_server):
    server = ws_server()
    ws = connect(server)
    ws.send("count")
    assert ws.recv() == "count:1"
    server.proc.terminate()
    code, reason, _ = read_close(ws)
    assert (code, reason) == (1001, "server shutting down")
    server.proc.wait(timeout=5)
    assert "closed 1001 server shutting down" in server.output()
