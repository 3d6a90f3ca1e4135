"""What the interop tests share: where the package is, where its executables are built, and the
transport choices every client test runs over. A plain module, since `from conftest import` could
find the browser folder's conftest instead."""
import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def swift_binary(name: str) -> Path:
    """One of the package's executables in the build folder (env SWIFT_BUILD_CONFIG, default debug)."""
    return ROOT / ".build" / os.environ.get("SWIFT_BUILD_CONFIG", "debug") / name


# The client transport lists a test runs over: polling only, WebSocket only, polling upgraded.
TRANSPORTS = {
    "polling": ["polling"],
    "websocket": ["websocket"],
    "upgrade": ["polling", "websocket"],
}
