"""Fixtures that start the server under test as a subprocess on 127.0.0.1.

Which server: `--server-cmd` (or env SERVER_CMD), a command prefix to which the fixture appends
`--port N` (and `--engine-io` for the bare Engine.IO mode). Default: our Swift binary
`.build/<config>/conformance-server` (env SWIFT_BUILD_CONFIG, default debug). The special value
`python-reference` runs Tests/Interop/reference_servers/conformance_server.py, built on
python-engineio / python-socketio, to check that the assertions match a real implementation.
"""
import os
import shlex
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent

sys.path.insert(0, str(HERE))
import known_differences  # noqa: E402
from project import ROOT, TRANSPORTS, is_python_reference, server_prefix, swift_binary  # noqa: E402


def pytest_addoption(parser):
    parser.addoption(
        "--server-cmd",
        default=os.environ.get("SERVER_CMD", ""),
        help="command prefix of the conformance server under test ('python-reference' for the "
        "python-socketio reference); default: the Swift conformance-server binary",
    )


def pytest_report_header(config):
    return f"server under test: {shlex.join(server_prefix(config))}"


def pytest_collection_modifyitems(config, items):
    # Tests that check Node behaviour python-socketio does not share are expected to fail
    # against the python reference (not strict: we still see when one passes).
    if not is_python_reference(config):
        return
    for item in items:
        reason = known_differences.PYTHON_REFERENCE.get(item.name) or \
            known_differences.PYTHON_REFERENCE.get(item.originalname)
        if reason:
            item.add_marker(pytest.mark.xfail(reason=f"python reference: {reason}", strict=False))


def free_port() -> int:
    """A port the kernel just handed out on 127.0.0.1 (closed again for the server to take)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_listening(port: int, proc: subprocess.Popen, deadline_s: float) -> None:
    deadline = time.monotonic() + deadline_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with code {proc.returncode} before listening")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"server did not accept connections on port {port} within {deadline_s}s")


class RunningServer:
    """A subprocess listening on 127.0.0.1:port; its output goes to a log file."""

    def __init__(self, argv: list[str], port: int, name: str):
        self.argv = argv
        self.port = port
        self.name = name
        self.log = tempfile.NamedTemporaryFile(prefix=f"{name}-", suffix=".log", delete=False)
        self.proc = subprocess.Popen(
            argv, stdin=subprocess.DEVNULL, stdout=self.log, stderr=subprocess.STDOUT, cwd=ROOT
        )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}"

    def output(self) -> str:
        self.log.flush()
        return Path(self.log.name).read_text(errors="replace")[-20000:]

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=3)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=3)
        self.log.close()

    def cleanup(self) -> None:
        try:
            os.unlink(self.log.name)
        except OSError:
            pass


@pytest.fixture
def start_server(request):
    """Starts `argv + ['--port', N]` (any executable), waits until it listens, stops it after."""
    started: list[RunningServer] = []

    def start(argv: list[str], name: str = "server", ready_timeout: float = 15.0) -> RunningServer:
        port = free_port()
        server = RunningServer(list(argv) + ["--port", str(port)], port, name)
        started.append(server)
        try:
            wait_until_listening(port, server.proc, ready_timeout)
        except RuntimeError as e:
            raise RuntimeError(f"{e}\ncommand: {shlex.join(server.argv)}\n{server.output()}")
        return server

    request.node.started_servers = started
    yield start
    for server in started:
        server.stop()
    failed = getattr(request.node, "rep_call", None)
    if not (failed and failed.failed):
        for server in started:
            server.cleanup()


@pytest.fixture
def engineio_server(start_server, request):
    """The conformance server in bare Engine.IO mode (path /engine.io/, echo)."""
    return start_server(server_prefix(request.config) + ["--engine-io"], name="engineio-server")


@pytest.fixture(params=list(TRANSPORTS))
def transports(request):
    """Each client transport list in turn (see project.TRANSPORTS)."""
    return TRANSPORTS[request.param]


@pytest.fixture
def base(engineio_server):
    """The bare Engine.IO endpoint over HTTP."""
    return engineio_server.url + "/engine.io/"


@pytest.fixture
def ws_base(engineio_server):
    """The bare Engine.IO endpoint over WebSocket."""
    return engineio_server.ws_url + "/engine.io/"


@pytest.fixture
def socketio_server(start_server, request):
    """The conformance server in Socket.IO mode (path /socket.io/)."""
    return start_server(server_prefix(request.config), name="socketio-server")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    # Keep the call report for teardown, and attach each server's output to a failure.
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)
    if report.failed:
        for server in getattr(item, "started_servers", []):
            report.sections.append(
                (f"{server.name} output ({shlex.join(server.argv)})", server.output() or "(none)")
            )


@pytest.fixture
def api_server(start_server, request):
    """The conformance server's --api-suite mode: the server API exposed as events (path /socket.io/,
    see Sources/ConformanceServer/ApiSuite.swift). The python reference has no such mode."""
    if is_python_reference(request.config):
        pytest.skip("the python reference server has no --api-suite mode")
    return start_server(server_prefix(request.config) + ["--api-suite"], name="api-server")


@pytest.fixture
def deflate_server(start_server, request):
    """The bare Engine.IO mode offering permessage-deflate (RFC 7692). The python reference has no such
    switch."""
    if is_python_reference(request.config):
        pytest.skip("the python reference server has no --per-message-deflate switch")
    return start_server(server_prefix(request.config) + ["--engine-io", "--per-message-deflate"],
                        name="engineio-deflate-server")


@pytest.fixture
def refusing_engineio_server(start_server, request):
    """The bare Engine.IO mode whose allowRequest refuses handshakes carrying `X-Refuse` (403, code 4).
    The python reference has no such switch."""
    if is_python_reference(request.config):
        pytest.skip("the python reference server has no --refuse-header switch")
    return start_server(server_prefix(request.config) + ["--engine-io", "--refuse-header", "X-Refuse"],
                        name="engineio-refusing-server")


@pytest.fixture
def limited_engineio_server(start_server, request):
    """Starts the bare Engine.IO mode with admission-limit flags: `limited_engineio_server("--max-sessions", "3")`.
    The python reference has no such switches."""
    if is_python_reference(request.config):
        pytest.skip("the python reference server has no admission-limit switches")

    def start(*flags: str) -> RunningServer:
        return start_server(server_prefix(request.config) + ["--engine-io", *flags], name="engineio-limited-server")
    return start
