"""Where the package is and where its executables are built (shared by conftest and tests; a plain
module, since `from conftest import` could find the browser folder's conftest instead)."""
import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def swift_binary(name: str) -> Path:
    """One of the package's executables in the build folder (env SWIFT_BUILD_CONFIG, default debug)."""
    return ROOT / ".build" / os.environ.get("SWIFT_BUILD_CONFIG", "debug") / name
