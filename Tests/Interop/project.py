"""What the interop tests share: where the package is, where its executables are built, and the
transport choices every client test runs over. A plain module, since `from conftest import` could
find the browser folder's conftest instead."""
import os
import shlex
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
REFERENCE = Path(__file__).resolve().parent / "reference_servers" / "conformance_server.py"


def swift_binary(name: str) -> Path:
    """One of the package's executables in the build folder (env SWIFT_BUILD_CONFIG, default debug)."""
    return ROOT / ".build" / os.environ.get("SWIFT_BUILD_CONFIG", "debug") / name


# The client transport lists a test runs over: polling only, WebSocket only, polling upgraded.
TRANSPORTS = {
    "polling": ["polling"],
    "websocket": ["websocket"],
    "upgrade": ["polling", "websocket"],
}


def server_prefix(config) -> list[str]:
    cmd = config.getoption("--server-cmd").strip()
    if cmd == "python-reference":
        return [sys.executable, str(REFERENCE)]
    if cmd:
        return shlex.split(cmd)
    return [str(swift_binary("conformance-server"))]


def is_python_reference(config) -> bool:
    return config.getoption("--server-cmd").strip() == "python-reference"


def wait_until(check, what, timeout=8.0):
    """Polls `check` until it is true, failing with `what` after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")
