"""The benchmark itself: the bench contract holds for `sio-bench serve`, `sio-bench ceiling` and the
python-socketio floor server alike (python-socketio's client checks it), and `sio-bench load` accounts
exactly against all three.

These keep the numbers in the README's performance section honest: a contract one server does not
share, or a load generator that miscounts, would make every row meaningless. Against the python
server the load generator meets an implementation that is not ours. Small, bounded loads only; speed
is measured by scripts/bench, never here.
"""
import json
import socket
import struct
import subprocess
import sys
import threading

import pytest
import socketio

from project import ROOT, swift_binary

BENCH = swift_binary("sio-bench")
SERVERS = {
    "serve": [str(BENCH), "serve"],
    "ceiling": [str(BENCH), "ceiling"],
    "python": [sys.executable, str(ROOT / "Tests" / "Bench" / "python_server.py")],
}


def start_bench(start_server, kind):
    if kind != "python" and not BENCH.exists():
        pytest.fail(f"{BENCH} is missing: build it with `swift build --product sio-bench`")
    return start_server(SERVERS[kind], name=f"bench-{kind}")


@pytest.fixture(params=list(SERVERS))
def bench_server(request, start_server):
    return start_bench(start_server, request.param)


def connect(server):
    client = socketio.Client(reconnection=False)
    fans = []
    got_fan = threading.Event()

    @client.on("fan")
    def on_fan(payload):
        fans.append(payload)
        got_fan.set()

    client.connect(server.url, transports=["websocket"], wait_timeout=5)
    return client, fans, got_fan


def test_echo_acks_with_the_same_arguments(bench_server):
    client, _, _ = connect(bench_server)
    try:
        assert client.call("echo", ("a", 1, {"k": [True, None]}), timeout=5) == ("a", 1, {"k": [True, None]})
        assert client.call("echo", "single", timeout=5) == "single"
    finally:
        client.disconnect()


def test_fanout_reaches_every_member_sender_included(bench_server):
    sender, sender_fans, sender_got = connect(bench_server)
    receiver, receiver_fans, receiver_got = connect(bench_server)
    try:
        sender.emit("fanout", {"t": 12345, "pad": "x" * 16})
        assert receiver_got.wait(5) and sender_got.wait(5)
        assert receiver_fans == [{"t": 12345, "pad": "x" * 16}]
        assert sender_fans == [{"t": 12345, "pad": "x" * 16}]
    finally:
        sender.disconnect()
        receiver.disconnect()


def load(server, *args):
    result = subprocess.run(
        [str(BENCH), "load", "--port", str(server.port), "--server-pid", str(server.proc.pid),
         "--warmup", "0", "--duration", "0.5", *args],
        capture_output=True, text=True, timeout=60, cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("scenario, clients, extra", [
    ("fanout", 20, ["--window", "4"]),
    ("fanout", 20, ["--rate", "20"]),
    ("echo", 5, ["--window", "2"]),
], ids=["fanout-window", "fanout-rate", "echo"])
def test_load_accounts_exactly(bench_server, scenario, clients, extra):
    summary = load(bench_server, "--scenario", scenario, "--clients", str(clients), *extra)
    # A fan-out run adds its sender to the receivers.
    assert summary["connected"] == clients + (1 if scenario == "fanout" else 0)
    assert summary["expected"] > 0
    assert summary["delivered"] == summary["expected"]
    assert summary["lost"] == 0 and summary["malformed"] == 0 and summary["disconnects"] == 0
    assert 0 < summary["p50_ms"] <= summary["p99_ms"] <= summary["max_ms"]


def test_connect_scenario_holds_every_connection(bench_server):
    summary = load(bench_server, "--scenario", "connect", "--clients", "200", "--concurrency", "20")
    assert summary["connected"] == 200 and summary["connect_failed"] == 0
    assert summary["server_rss_kib"] > 0


@pytest.mark.parametrize("kind", ["serve", "python"])
def test_polling_scenario(start_server, kind):
    server = start_bench(start_server, kind)
    summary = load(server, "--scenario", "polling", "--clients", "50", "--concurrency", "5")
    assert summary["connected"] == 50 and summary["connect_failed"] == 0


def read_until_closed(s):
    """Everything the peer sends until it closes the connection (a timeout fails the test)."""
    received = b""
    while chunk := s.recv(4096):
        received += chunk
    return received


def test_ceiling_drops_oversized_input(start_server):
    """A request head that never ends, or a frame claiming 2^62 bytes, closes that connection only."""
    server = start_bench(start_server, "ceiling")
    with socket.create_connection(("127.0.0.1", server.port), timeout=5) as s:
        s.sendall(b"GET / HTTP/1.1\r\n" + b"X-Pad: " + b"a" * 20000)
        assert read_until_closed(s) == b""  # closed, nothing answered
    with socket.create_connection(("127.0.0.1", server.port), timeout=5) as s:
        s.sendall(b"GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n"
                  b"Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = s.recv(4096)
            assert chunk, "closed before answering the upgrade"
            head += chunk
        assert head.startswith(b"HTTP/1.1 101")
        s.sendall(bytes([0x81, 0xFF]) + struct.pack(">Q", 1 << 62) + b"\x00\x00\x00\x00")
        read_until_closed(s)
    # The server is still there for everyone else.
    client, _, _ = connect(server)
    assert client.call("echo", "still up", timeout=5) == "still up"
    client.disconnect()


def test_ceiling_closes_what_it_does_not_speak(start_server):
    """The ceiling is a measuring stick: a polling handshake is refused by closing, not half-answered."""
    server = start_bench(start_server, "ceiling")
    with socket.create_connection(("127.0.0.1", server.port), timeout=5) as s:
        s.sendall(b"GET /socket.io/?EIO=4&transport=polling HTTP/1.1\r\nHost: x\r\n\r\n")
        assert read_until_closed(s) == b""
