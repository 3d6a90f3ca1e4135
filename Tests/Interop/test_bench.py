"""The benchmark itself: `sio-bench serve` and `sio-bench ceiling` implement the bench contract for an
independent client (python-socketio), and `sio-bench load` accounts exactly against both.

These keep the numbers in the README's performance section honest: a contract the python floor
server does not share, or a load generator that miscounts, would make every row meaningless.
Small, bounded loads only; speed is measured by scripts/bench, never here.
"""
import json
import os
import subprocess
import threading
from pathlib import Path

import pytest
import socketio

ROOT = Path(__file__).resolve().parents[2]
BENCH = ROOT / ".build" / os.environ.get("SWIFT_BUILD_CONFIG", "debug") / "sio-bench"


@pytest.fixture(params=["serve", "ceiling"])
def bench_server(request, start_server):
    if not BENCH.exists():
        pytest.fail(f"{BENCH} is missing: build it with `swift build --product sio-bench`")
    return start_server([str(BENCH), request.param], name=f"sio-bench-{request.param}")


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
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    return summary


@pytest.mark.parametrize("scenario", [
    ["--scenario", "fanout", "--clients", "20", "--window", "4"],
    ["--scenario", "fanout", "--clients", "20", "--rate", "20"],
    ["--scenario", "echo", "--clients", "5", "--window", "2"],
], ids=["fanout-window", "fanout-rate", "echo"])
def test_load_accounts_exactly(bench_server, scenario):
    summary = load(bench_server, *scenario)
    assert summary["connected"] == int(scenario[3]) + (1 if scenario[1] == "fanout" else 0)
    assert summary["expected"] > 0
    assert summary["delivered"] == summary["expected"]
    assert summary["lost"] == 0 and summary["malformed"] == 0 and summary["disconnects"] == 0
    assert 0 < summary["p50_ms"] <= summary["p99_ms"] <= summary["max_ms"]


def test_connect_scenario_holds_every_connection(bench_server):
    summary = load(bench_server, "--scenario", "connect", "--clients", "200", "--concurrency", "20")
    assert summary["connected"] == 200 and summary["connect_failed"] == 0
    assert summary["server_rss_kib"] > 0


def test_polling_scenario_against_the_real_server(start_server):
    server = start_server([str(BENCH), "serve"], name="sio-bench-serve")
    summary = load(server, "--scenario", "polling", "--clients", "50", "--concurrency", "5")
    assert summary["connected"] == 50 and summary["connect_failed"] == 0


def test_ceiling_drops_oversized_input(start_server):
    """A request head that never ends, or a frame claiming 2^62 bytes, closes that connection only."""
    import socket as sock
    import struct

    server = start_server([str(BENCH), "ceiling"], name="sio-bench-ceiling")
    with sock.create_connection(("127.0.0.1", server.port), timeout=5) as s:
        s.sendall(b"GET / HTTP/1.1\r\n" + b"X-Pad: " + b"a" * 20000)
        assert s.recv(100) == b""  # closed, nothing answered
    with sock.create_connection(("127.0.0.1", server.port), timeout=5) as s:
        s.sendall(b"GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n"
                  b"Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
        head = b""
        while b"\r\n\r\n" not in head:
            head += s.recv(4096)
        assert head.startswith(b"HTTP/1.1 101")
        s.sendall(bytes([0x81, 0xFF]) + struct.pack(">Q", 1 << 62) + b"\x00\x00\x00\x00")
        rest = b""
        while True:
            chunk = s.recv(4096)
            if not chunk:
                break
            rest += chunk
    # The server is still there for everyone else.
    client, _, _ = connect(server)
    assert client.call("echo", "still up", timeout=5) == "still up"
    client.disconnect()


def test_ceiling_closes_what_it_does_not_speak(start_server):
    """The ceiling is a measuring stick: a polling handshake is refused by closing, not half-answered."""
    import urllib.error
    import urllib.request

    server = start_server([str(BENCH), "ceiling"], name="sio-bench-ceiling")
    with pytest.raises((urllib.error.URLError, ConnectionError)):
        urllib.request.urlopen(f"{server.url}/socket.io/?EIO=4&transport=polling", timeout=5).read()
