"""Connection state recovery with the stock client (socket.io-client 4.8.1, the client that implements
it) in headless Chromium, against `conformance-server --recovery` (Sources/ConformanceServer/RecoverySuite.swift).

The page loads the client from the server (`/socket.io/socket.io.js`) and keeps a log of what its
socket saw; the tests assert on that log: `recovered === true`, the same id and rooms, every tick once
and in order (the missed ones replayed), over WebSocket and polling, whichever side cut the transport."""
import json
import os
import subprocess
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]
SERVER = REPO / ".build" / os.environ.get("SWIFT_BUILD_CONFIG", "debug") / "conformance-server"
WAIT = 15.0


def free_port():
    import socket
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def recovery_server(tmp_path):
    """Factory: recovery_server(*flags) -> base URL of a running `conformance-server --recovery`."""
    started = []

    def start(*flags):
        port = free_port()
        log = open(tmp_path / f"server{len(started)}.log", "wb")
        process = subprocess.Popen([str(SERVER), "--recovery", "--port", str(port), *flags], cwd=REPO,
                                   stdout=log, stderr=subprocess.STDOUT)
        started.append((process, log))
        deadline = time.monotonic() + 20
        import socket
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                return f"http://127.0.0.1:{port}"
            except OSError:
                assert process.poll() is None, (tmp_path / "server0.log").read_text()
                time.sleep(0.05)
        pytest.fail("conformance-server --recovery did not start")

    yield start
    for process, log in started:
        process.terminate()
        process.wait(timeout=10)
        log.close()


class Page:
    """A page on the server's origin with one stock-client socket and a log of what it saw."""

    def __init__(self, driver, base, transport, **client_options):
        self.driver = driver
        driver.get(base + "/healthz")
        driver.set_script_timeout(WAIT)
        driver.execute_async_script("""
            const done = arguments[arguments.length - 1];
            const script = document.createElement("script");
            script.src = "/socket.io/socket.io.js";
            script.onload = () => done(true);
            document.head.appendChild(script);""")
        options = {"transports": [transport], "reconnectionDelay": 200, "reconnectionDelayMax": 400, **client_options}
        self.js("""
            window.log = [];
            window.sock = io("/", arguments[0]);
            sock.on("connect", () => log.push({connect: sock.id, recovered: sock.recovered, t: performance.now()}));
            sock.on("disconnect", (reason) => log.push({disconnect: reason, t: performance.now()}));
            sock.on("tick", (i) => log.push({tick: i, t: performance.now()}));""", options)
        self.wait(lambda: self.connects(), "first connect")

    def js(self, script, *args):
        return self.driver.execute_script(script, *args)

    def call(self, event, *args):
        """Emits with an ack and returns the ack's argument."""
        return self.driver.execute_async_script("""
            const done = arguments[arguments.length - 1];
            sock.timeout(5000).emit(arguments[0], ...arguments[1], (err, value) => done(err ? {error: String(err)} : value));""",
            event, list(args))

    def log(self):
        return self.js("return log")

    def connects(self):
        return [e for e in self.log() if "connect" in e]

    def ticks(self):
        return [e["tick"] for e in self.log() if "tick" in e]

    def wait(self, check, what, timeout=WAIT):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            value = check()
            if value:
                return value
            time.sleep(0.05)
        raise AssertionError(f"timed out waiting for {what}; page log: {json.dumps(self.log())}")


def cut(page, side):
    if side == "page":
        page.js("sock.io.engine.close()")
    else:
        page.js("sock.emit('cut')")


@pytest.mark.parametrize("transport", ["websocket", "polling"])
@pytest.mark.parametrize("side", ["page", "server"])
def test_a_cut_connection_recovers_with_every_missed_tick_once_and_in_order(recovery_server, open_browser, transport, side):
    base = recovery_server()
    # A fixed 1 s before reconnecting: about 20 ticks are sent meanwhile and must be replayed.
    page = Page(open_browser(), base, transport, reconnectionDelay=1000, reconnectionDelayMax=1000,
                randomizationFactor=0)
    assert page.call("join", "r") is True
    before = page.call("whoami")
    assert before["recovered"] is False
    page.js("sock.emit('tick', 'r', 30, 50)")
    page.wait(lambda: len(page.ticks()) >= 5, "a few ticks")
    cut(page, side)
    page.wait(lambda: len(page.connects()) == 2, "the reconnect")
    page.wait(lambda: len(page.ticks()) >= 30, "every tick")
    time.sleep(0.3)  # a duplicate would arrive now

    assert page.ticks() == list(range(1, 31))
    connects = page.connects()
    assert connects[1]["recovered"] is True
    assert connects[1]["connect"] == connects[0]["connect"]
    after = page.call("whoami")
    assert after["id"] == before["id"]
    assert after["recovered"] is True
    assert after["rooms"] == before["rooms"] == sorted(["r", before["id"]])
    assert after["data"] == before["data"]  # the middleware was skipped: its run count is unchanged
    # The missed ticks arrive as one burst right after the reconnect (the replay), the rest live.
    log = page.log()
    reconnect = [e for e in log if "connect" in e][1]
    gone = next(e for e in log if "disconnect" in e)
    burst = [e["tick"] for e in log if "tick" in e and reconnect["t"] <= e["t"] < reconnect["t"] + 40]
    live_before = [e["tick"] for e in log if "tick" in e and e["t"] < gone["t"]]
    assert len(burst) >= 5, (burst, log)
    assert burst[0] == live_before[-1] + 1


@pytest.mark.parametrize("transport", ["websocket", "polling"])
def test_a_client_that_received_no_event_yet_is_recovered(recovery_server, open_browser, transport):
    base = recovery_server()
    page = Page(open_browser(), base, transport, reconnectionDelay=1000, reconnectionDelayMax=1000,
                randomizationFactor=0)
    assert page.call("join", "r") is True
    before = page.call("whoami")
    # A second socket of the page sends ticks to the room while the first one is away.
    page.js("window.other = io('/', {forceNew: true, transports: ['websocket']});")
    cut(page, "server")
    page.wait(lambda: any("disconnect" in e for e in page.log()), "the cut")
    page.js("other.emit('tick', 'r', 3, 20)")
    page.wait(lambda: len(page.connects()) == 2, "the reconnect")
    page.wait(lambda: len(page.ticks()) == 3, "the missed ticks")
    assert page.ticks() == [1, 2, 3]
    assert page.connects()[1]["recovered"] is True
    after = page.call("whoami")
    assert (after["id"], after["rooms"], after["recovered"]) == (before["id"], before["rooms"], True)


def test_a_session_expires_after_max_disconnection_duration(recovery_server, open_browser):
    base = recovery_server("--max-disconnection-ms", "1000")
    page = Page(open_browser(), base, "websocket", reconnectionDelay=2000, reconnectionDelayMax=2000,
                randomizationFactor=0)
    assert page.call("join", "r") is True
    before = page.call("whoami")
    cut(page, "server")
    page.wait(lambda: len(page.connects()) == 2, "the reconnect")
    assert page.connects()[1]["recovered"] is False
    after = page.call("whoami")
    assert after["id"] != before["id"]
    assert after["rooms"] == [after["id"]]
    assert page.call("stats")["failed"] == 1


def test_middlewares_run_again_when_not_skipped(recovery_server, open_browser):
    base = recovery_server("--run-middlewares")
    page = Page(open_browser(), base, "websocket")
    before = page.call("whoami")
    cut(page, "page")
    page.wait(lambda: len(page.connects()) == 2, "the reconnect")
    after = page.call("whoami")
    assert after["recovered"] is True and after["id"] == before["id"]
    assert after["data"]["middlewareRuns"] > before["data"]["middlewareRuns"]
