"""`conformance-server --soak`, the server the chaos soak drives (Tests/Soak): its room events and its
/soak/stats figures, checked with python-socketio and requests."""
import signal
import subprocess
import sys
import time

import pytest
import requests
import socketio

from project import is_python_reference, server_prefix


@pytest.fixture
def soak_server(start_server, request):
    if is_python_reference(request.config):
        pytest.skip("the python reference server has no --soak mode")
    return start_server(server_prefix(request.config) + ["--soak", "--ping-interval-ms", "300",
                                                         "--ping-timeout-ms", "300"])


def stats(server, disconnects=False):
    got = requests.get(server.url + "/soak/stats", timeout=5).json()
    return got if disconnects else {k: v for k, v in got.items() if k != "disconnects"}


def test_rooms_from_auth_join_leave_and_send(soak_server, transports):
    a = socketio.Client(reconnection=False)
    b = socketio.Client(reconnection=False)
    got = []
    b.on("m", lambda p: got.append(p))
    a.connect(soak_server.url, transports=transports, auth={"rooms": ["r1", "r2"]}, wait_timeout=5)
    b.connect(soak_server.url, transports=transports, auth={"rooms": ["r2"]}, wait_timeout=5)
    try:
        assert a.call("rooms", timeout=5) == ["r1", "r2"]
        assert a.call("join", "r3", timeout=5) == ["r1", "r2", "r3"]
        assert a.call("leave", "r1", timeout=5) == ["r2", "r3"]
        assert a.call("echo", {"x": [1, None]}, timeout=5) == {"x": [1, None]}
        assert stats(soak_server, disconnects=True) == {"sessions": 2, "sockets": 2, "rooms": 4, "disconnects": {}}  # r2, r3 and each socket's own
        assert a.call("send", ("r3", {"n": 1}), timeout=5) is True   # b is not in r3
        assert a.call("send", ("r2", {"n": 2}), timeout=5) is True
        deadline = time.monotonic() + 5
        while not got and time.monotonic() < deadline:
            time.sleep(0.02)
        time.sleep(0.2)
        assert got == [{"n": 2}]
    finally:
        a.disconnect()
        b.disconnect()


def test_stats_return_to_zero_when_a_client_freezes(soak_server):
    # A client process stopped with SIGSTOP keeps its connection open and answers nothing: only the
    # heartbeat (300 + 300 ms) can end its session.
    child = subprocess.Popen([sys.executable, "-c", f"""
import socketio, time
c = socketio.Client(reconnection=False)
c.connect('{soak_server.url}', transports=['websocket'], auth={{'rooms': ['r']}}, wait_timeout=5)
print('connected', flush=True)
time.sleep(60)"""], stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout.readline().strip() == "connected"
        assert stats(soak_server) == {"sessions": 1, "sockets": 1, "rooms": 2}
        child.send_signal(signal.SIGSTOP)
        deadline = time.monotonic() + 3
        while stats(soak_server) != {"sessions": 0, "sockets": 0, "rooms": 0}:
            assert time.monotonic() < deadline, stats(soak_server)
            time.sleep(0.05)
        assert stats(soak_server, disconnects=True)["disconnects"] == {"ping timeout": 1}
    finally:
        child.kill()
        child.wait()
