"""The plain WebSocket endpoint (`io.webSocket("/ws")`) with Chromium's own `WebSocket`, as a page
that knows nothing of Socket.IO would use it. The server is `conformance-server --websocket`
(Sources/ConformanceServer/WebSocketSuite.swift); the page is its blank `GET /`."""
import os
import socket
import subprocess
import time
from pathlib import Path

import pytest

# Not `from conftest import`: in a whole run that can find Tests/Interop/conftest.py instead.
REPO = Path(__file__).resolve().parents[3]
BINARY = REPO / ".build" / os.environ.get("SWIFT_BUILD_CONFIG", "debug") / "conformance-server"

# Opens sockets to /ws and resolves once each is open; every event lands in window.events.
OPEN = """
const [count, done] = [arguments[0], arguments[arguments.length - 1]];
window.events = [];
window.sockets = [];
let opened = 0;
for (let i = 0; i < count; i++) {
  const ws = new WebSocket(`ws://${location.host}/ws`);
  ws.binaryType = "arraybuffer";
  ws.onopen = () => { if (++opened === count) done("open"); };
  ws.onmessage = (e) => window.events.push([i, typeof e.data === "string" ? e.data : Array.from(new Uint8Array(e.data))]);
  ws.onclose = (e) => { window.events.push([i, "close", e.code, e.reason, e.wasClean]); if (opened < count) done("closed " + e.code); };
  window.sockets.push(ws);
}
"""


class Server:
    def __init__(self, tmp_path, *flags):
        if not BINARY.exists():
            pytest.fail(f"{BINARY} not found: build it with `swift build`")
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = tmp_path / f"websocket-server-{self.port}.log"
        with open(self.log, "wb") as out:
            self.process = subprocess.Popen([str(BINARY), "--websocket", *[f.format(port=self.port) for f in flags],
                                             "--port", str(self.port)], cwd=REPO, stdout=out, stderr=subprocess.STDOUT)
        wait_for(lambda: "listening on" in self.output(), "the server to listen")

    def output(self):
        return self.log.read_text(errors="replace")

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=5)


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(condition, what, timeout=10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.02)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture
def ws_server(tmp_path):
    if os.environ.get("SERVER_CMD") == "python-reference":
        pytest.skip("the python reference server has no plain WebSocket endpoint")
    started = []

    def start(*flags):
        started.append(Server(tmp_path, *flags))
        return started[-1]
    yield start
    for server in started:
        server.stop()


def events(driver):
    return driver.execute_script("return window.events")


def wait_events(driver, predicate, what):
    wait_for(lambda: predicate(events(driver)), what)
    return events(driver)


def test_browser_websocket_echo_broadcast_and_close(ws_server, open_browser):
    server = ws_server("--ws-heartbeat-ms", "200,600")
    driver = open_browser()
    driver.get(server.url + "/")
    assert driver.execute_async_script(OPEN, 2) == "open"

    driver.execute_script("window.sockets[0].send('hello from chromium'); "
                          "window.sockets[0].send(new Uint8Array([0, 1, 254, 255]))")
    wait_events(driver, lambda e: [0, [0, 1, 254, 255]] in e, "the binary echo")
    assert events(driver)[:2] == [[0, "hello from chromium"], [0, [0, 1, 254, 255]]]

    driver.execute_script("window.sockets[1].send('broadcast:to every tab')")
    got = wait_events(driver, lambda e: sum(x[1] == "to every tab" for x in e) == 2, "the broadcast on both sockets")
    assert sorted(x[0] for x in got if x[1] == "to every tab") == [0, 1]

    # The heartbeat pings every 200 ms (600 ms to answer); Chromium answers by itself, so nothing is closed.
    time.sleep(1.0)
    driver.execute_script("window.sockets[0].send('count')")
    wait_events(driver, lambda e: [0, "count:2"] in e, "the count after several heartbeats")
    assert "ping timeout" not in server.output()

    # Closed by the server: the browser sees the code and reason.
    driver.execute_script("window.sockets[0].send('close:4003:server says bye')")
    closed = wait_events(driver, lambda e: any(x[1] == "close" for x in e), "the server's close")
    assert [0, "close", 4003, "server says bye", True] in closed
    # Closed by the browser: the server hears the code and reason.
    driver.execute_script("window.sockets[1].close(4004, 'tab closed')")
    wait_for(lambda: "closed 4004 tab closed" in server.output(), "the server to hear the browser's close")
    assert "closed 4003 server says bye" in server.output()


def test_browser_origin_is_checked(ws_server, open_browser):
    refusing = ws_server("--ws-allowed-origin", "https://app.example")
    driver = open_browser()
    driver.get(refusing.url + "/")
    assert driver.execute_async_script(OPEN, 1) == "closed 1006"  # the handshake got 403

    allowing = ws_server("--ws-allowed-origin", "http://127.0.0.1:{port}")
    driver.get(allowing.url + "/")
    assert driver.execute_async_script(OPEN, 1) == "open"
    driver.execute_script("window.sockets[0].send('same origin')")
    wait_events(driver, lambda e: [0, "same origin"] in e, "the echo")
