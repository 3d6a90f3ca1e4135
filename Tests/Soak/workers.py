"""The coordinator's side of a worker process (worker.py): start it, send it a command, wait for the
answer, kill it with SIGKILL."""
import json
import os
import queue
import signal
import subprocess
import sys
import threading
from pathlib import Path

HERE = Path(__file__).resolve().parent


class WorkerDied(Exception):
    pass


class WorkerProc:
    def __init__(self, spec: dict):
        self.spec = spec
        self.cids = [f"c{spec['first'] + i}" for i in range(spec["clients"])]
        self.answers: queue.Queue = queue.Queue()
        self.proc = subprocess.Popen([sys.executable, str(HERE / "worker.py"), json.dumps(spec)],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                     text=True, bufsize=1)
        self.lock = threading.Lock()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.proc.stdout:
            try:
                self.answers.put(json.loads(line))
            except ValueError:
                pass
        self.answers.put(None)

    def wait_started(self, timeout: float) -> dict:
        return self._next("started", timeout)

    def _next(self, op: str, timeout: float) -> dict:
        while True:
            try:
                got = self.answers.get(timeout=timeout)
            except queue.Empty:
                raise WorkerDied(f"worker {self.spec['first']} did not answer {op} within {timeout}s")
            if got is None:
                raise WorkerDied(f"worker {self.spec['first']} exited")
            if got.get("op") == op:
                return got

    def request(self, cmd: dict, timeout: float = 60.0) -> dict:
        with self.lock:
            try:
                self.proc.stdin.write(json.dumps(cmd) + "\n")
                self.proc.stdin.flush()
            except (BrokenPipeError, OSError) as e:
                raise WorkerDied(str(e))
            return self._next(cmd["op"], timeout)

    def kill(self) -> None:
        """SIGKILL: the kernel closes every socket of its clients at once (RST for the WebSocket ones)."""
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=10)


def in_parallel(workers: list, cmd_of, timeout: float = 60.0) -> dict:
    """Sends each worker its command at once; returns worker -> answer (None for one that died)."""
    results: dict = {}

    def run(w):
        try:
            results[w] = w.request(cmd_of(w), timeout=timeout)
        except WorkerDied:
            results[w] = None
    threads = [threading.Thread(target=run, args=(w,), daemon=True) for w in workers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results
