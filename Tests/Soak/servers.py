"""The processes the soak runs and restarts: two `conformance-server --soak` on one redis-server
(Tests/Interop/redisproc.py), each on a fixed port so clients reconnect to the same address after a
restart, and what /proc and /soak/stats say about them."""
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import redis
import requests

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(ROOT / "Tests" / "Interop"))
from redisproc import RedisServer, free_port  # noqa: E402,F401  (RedisServer: for soak.py)

SUBSCRIBED_CHANNELS = 3  # request, response and this server's own response channel, per namespace


class SoakServer:
    """One server process on a port it keeps over restarts; its output goes to one log for all lives."""

    def __init__(self, name: str, binary: Path, redis_url: str, ping_interval_ms: int, ping_timeout_ms: int,
                 streams: bool = False):
        self.name = name
        self.port = free_port()
        self.argv = [str(binary), "--soak", "--redis", redis_url, "--port", str(self.port),
                     "--ping-interval-ms", str(ping_interval_ms), "--ping-timeout-ms", str(ping_timeout_ms)]
        if streams:
            self.argv.append("--streams")
        self.log_path = Path(tempfile.mkdtemp(prefix=f"soak-{name}-")) / "server.log"
        self.proc: subprocess.Popen | None = None
        self.lives = 0
        self.crashes: list[str] = []  # exits we did not cause

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int:
        return self.proc.pid

    def start(self, timeout: float = 20.0) -> None:
        with open(self.log_path, "ab") as log:
            log.write(f"--- start {self.lives + 1}: {' '.join(self.argv)}\n".encode())
            self.proc = subprocess.Popen(self.argv, stdin=subprocess.DEVNULL, stdout=log,
                                         stderr=subprocess.STDOUT, cwd=ROOT)
        self.lives += 1
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.proc.returncode}:\n{self.output()}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f"{self.name} did not listen on {self.port}:\n{self.output()}")

    def check_alive(self) -> bool:
        """False (and the exit noted as a crash) when the process ended without us stopping it."""
        if self.proc is not None and self.proc.poll() is not None:
            self.crashes.append(f"{self.name} (pid {self.proc.pid}) exited with {self.proc.returncode}")
            self.proc = None
        return self.proc is not None

    def stop(self, sig=signal.SIGTERM, timeout: float = 10.0) -> int | None:
        if self.proc is None or self.proc.poll() is not None:
            return None
        self.proc.send_signal(sig)
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.crashes.append(f"{self.name} did not exit within {timeout}s of signal {sig}")
            self.proc.kill()
            return self.proc.wait(timeout=5)

    def stats(self) -> dict:
        return requests.get(self.url + "/soak/stats", timeout=5).json()

    def proc_figures(self) -> dict:
        return proc_figures(self.pid)

    def output(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-6000:]
        except OSError:
            return ""


def proc_figures(pid: int) -> dict:
    """Open descriptors (and how many are sockets) and resident memory, from /proc."""
    fd_dir = Path(f"/proc/{pid}/fd")
    fds = sockets = 0
    for entry in os.listdir(fd_dir):
        fds += 1
        try:
            if os.readlink(fd_dir / entry).startswith("socket:"):
                sockets += 1
        except OSError:
            pass  # closed while we looked
    rss_kib = 0
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            rss_kib = int(line.split()[1])
    return {"fds": fds, "socket_fds": sockets, "rss_kib": rss_kib}


def cluster_subscribed(redis_port: int, servers: int) -> bool:
    """Every server's subscriber is on Redis with its channels and pattern, and its publisher too."""
    r = redis.Redis(port=redis_port, socket_timeout=2, socket_connect_timeout=1)
    try:
        me = r.client_id()
        others = [c for c in r.client_list() if int(c["id"]) != me]
        subscribers = [c for c in others if int(c.get("sub", 0)) >= SUBSCRIBED_CHANNELS and int(c.get("psub", 0)) >= 1]
        return len(subscribers) == servers and len(others) == 2 * servers
    except (redis.RedisError, OSError):
        return False
    finally:
        r.close()
