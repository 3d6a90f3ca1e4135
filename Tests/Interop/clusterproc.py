"""Runs `scripts/cluster` (redis-server + N servers + nginx with TLS) exactly as a user would, for the
nginx tests, and reads the ports it chose from its --ready-file."""
import json
import os
import shlex
import signal
import subprocess
import tempfile
import time
from pathlib import Path

import requests

from project import ROOT
from relay import Relay


class Cluster:
    def __init__(self, app: list[str], nodes: int = 2, extra: list[str] | None = None, timeout: float = 60):
        self.ready = Path(tempfile.mkdtemp(prefix="cluster-test-")) / "ready.json"
        argv = [str(ROOT / "scripts" / "cluster"), "--nodes", str(nodes), "--port", "0", "--tls-port", "0",
                "--app", shlex.join(app), "--ready-file", str(self.ready)]
        if extra:
            argv += ["--"] + extra
        self.log = tempfile.NamedTemporaryFile(prefix="cluster-", suffix=".log", delete=False)
        # Its own process group: stopping it stops redis, the nodes and nginx together.
        self.proc = subprocess.Popen(argv, cwd=ROOT, stdin=subprocess.DEVNULL, stdout=self.log,
                                     stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + timeout
        while not self.ready.exists():
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"scripts/cluster did not come up:\n{self.output()}")
            time.sleep(0.1)
        time.sleep(0.05)
        info = json.loads(self.ready.read_text())
        self.http, self.https, self.redis, self.nodes, self.state = (
            info["http"], info["https"], info["redis"], info["nodes"], info["state"])

    def node_of(self, base_url: str) -> str:
        """Which process nginx sends this client to (its X-Cluster-Node header)."""
        r = requests.get(base_url + "/socket.io/?EIO=4&transport=polling", verify=f"{self.state}/cert.pem", timeout=5)
        return r.headers["X-Cluster-Node"]

    def relay_to_another_node(self, scheme: str = "http") -> Relay:
        """A relay from some 127.0.0.N (N ≥ 2) that nginx sends to another process than clients coming
        directly from 127.0.0.1: two clients pinned to different processes, as two machines would be."""
        port = self.https if scheme == "https" else self.http
        direct = self.node_of(f"{scheme}://127.0.0.1:{port}")
        for n in range(2, 60):
            relay = Relay(port, f"127.0.0.{n}")
            if self.node_of(f"{scheme}://127.0.0.1:{relay.port}") != direct:
                return relay
            relay.close()
        raise AssertionError("no loopback address hashed to another process")

    def node_log(self, i: int) -> str:
        try:
            return (Path(self.state) / f"node{i + 1}.log").read_text(errors="replace")
        except OSError:
            return ""

    def output(self) -> str:
        self.log.flush()
        return Path(self.log.name).read_text(errors="replace")[-8000:]

    def stop(self):
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=5)
