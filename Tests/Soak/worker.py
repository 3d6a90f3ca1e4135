"""One soak worker process: a group of python-socketio clients (threaded `socketio.Client`, reconnecting by
themselves) driven by JSON lines on stdin, answering on stdout. The coordinator kills whole workers with
SIGKILL; WebSocket clients set SO_LINGER 0, so the kernel resets their connections (RST) when it happens.

Each client records every "m" message it gets, keyed by the message's epoch, sender and number, along
with its connection generation (how many times it connected), so the coordinator can tell apart the
clients that stayed connected through a calm epoch.

  {"op": "verify"}                       ask each connected client's rooms from its server; answer status
  {"op": "chaos", "on": true|false}      start / stop random joins, leaves, emits and echoes (stop waits)
  {"op": "send", "epoch": E, "plan": [[cid, room, n, ack], ...], "echoes": K}
                                         emit the plan (ack: wait for the server's ack), K echoes per sender
  {"op": "report", "epoch": E}           per client: gen, connected, received [[sender, n, count], ...]
  {"op": "stop"}                         disconnect every client and exit
"""
import json
import os
import random
import socket
import struct
import sys
import threading
import time
from collections import Counter

import socketio

ACK_TIMEOUT = 10.0
out_lock = threading.Lock()


def answer(obj) -> None:
    with out_lock:
        sys.stdout.write(json.dumps(obj) + "\n")
        sys.stdout.flush()


class Peer:
    def __init__(self, cid: str, url: str, transports: list[str], rooms: set[str], all_rooms: list[str]):
        self.cid, self.url, self.transports = cid, url, transports
        self.rooms = set(rooms)  # what we want; sent in auth on every (re)connect
        self.server_rooms: list[str] | None = None
        self.all_rooms = all_rooms
        self.lock = threading.Lock()
        self.gen = 0
        self.connected = False
        self.received: dict[int, Counter] = {}  # epoch -> Counter[(sender, n, gen)]
        self.chaos_received = 0
        self.duplicates_in_chaos = 0
        self.seen_chaos: set = set()
        self.disconnects = Counter()  # by the reason python-socketio gives
        self.connecting = False
        self.connect_failures = 0
        self.last_error = ""
        self.sio = socketio.Client(reconnection=True, reconnection_delay=0.3, reconnection_delay_max=1.0,
                                   request_timeout=5)
        self.sio.on("connect", self._on_connect)
        self.sio.on("disconnect", self._on_disconnect)
        self.sio.on("m", self._on_message)

    def auth(self):
        with self.lock:
            return {"rooms": sorted(self.rooms)}

    def _on_connect(self):
        with self.lock:
            self.gen += 1
            self.connected = True
        self._abortive_close_on_exit()

    def _on_disconnect(self, reason=None):
        with self.lock:
            self.connected = False
            self.disconnects[str(reason)] += 1

    def _abortive_close_on_exit(self):
        ws = getattr(self.sio.eio, "ws", None)
        sock = getattr(ws, "sock", None) if ws else None
        if sock is not None:
            try:
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            except OSError:
                pass

    def _on_message(self, payload):
        if not isinstance(payload, dict):
            return
        key = (payload.get("s"), payload.get("n"))
        epoch = payload.get("e", -1)
        with self.lock:
            gen = self.gen
            if epoch < 0:
                self.chaos_received += 1
                # The same message twice on one connection is a bug even in chaos.
                if (key, gen) in self.seen_chaos:
                    self.duplicates_in_chaos += 1
                self.seen_chaos.add((key, gen))
            else:
                self.received.setdefault(epoch, Counter())[(key[0], key[1], gen)] += 1

    def ensure_connected(self) -> bool:
        """What an app does beside the client's own reconnection: connect again when the client will not
        (first connect failed, the server said disconnect, as a SIGTERM'd server does, or the library's
        reconnect task gave up). Returns True when it started a connect."""
        if self.connecting or self.sio.connected:
            return False
        task = self.sio._reconnect_task
        if task is not None and task.is_alive():
            return False
        self.connecting = True
        threading.Thread(target=self._connect_once, daemon=True).start()
        return True

    def _connect_once(self) -> None:
        try:
            self.sio._reconnect_task = None
            self.sio.connect(self.url, transports=self.transports, auth=self.auth, wait_timeout=5)
        except Exception as e:
            self.connect_failures += 1
            self.last_error = str(e)[:200]
        finally:
            self.connecting = False

    def call(self, event, *args):
        return self.sio.call(event, args if len(args) != 1 else args[0], timeout=ACK_TIMEOUT)


class Worker:
    def __init__(self, spec: dict):
        rnd = random.Random(spec["seed"])
        self.rnd = rnd
        self.all_rooms = spec["rooms"]
        self.peers: list[Peer] = []
        for i in range(spec["clients"]):
            index = spec["first"] + i
            cid = f"c{index}"
            url = spec["urls"][index % len(spec["urls"])]
            transports = [["polling"], ["websocket"], ["polling", "websocket"]][index % 3]
            rooms = set(rnd.sample(self.all_rooms, spec["rooms_per_client"]))
            self.peers.append(Peer(cid, url, transports, rooms, self.all_rooms))
        self.by_id = {p.cid: p for p in self.peers}
        self.chaos_on = threading.Event()
        self.chaos_thread: threading.Thread | None = None
        self.chaos_seq = 0
        self.chaos_counts = Counter()
        self.supervising = False

    def start(self) -> None:
        self.supervising = True
        threading.Thread(target=self.supervise, daemon=True).start()

    def supervise(self) -> None:
        first = True
        while self.supervising:
            for p in self.peers:
                if p.ensure_connected() and not first:
                    self.chaos_counts["app reconnects"] += 1
            first = False
            time.sleep(self.rnd.uniform(0.3, 0.7))

    def status(self) -> dict:
        return {p.cid: {"gen": p.gen, "connected": p.connected and p.sio.connected, "rooms": p.server_rooms,
                        "transport": p.sio.transport() if p.sio.connected else None,
                        "connect_failures": p.connect_failures, "last_error": p.last_error} for p in self.peers}

    def verify(self) -> dict:
        def ask(p: Peer):
            p.server_rooms = None
            if not (p.connected and p.sio.connected):
                return
            try:
                got = p.call("rooms")
                if isinstance(got, list):
                    p.server_rooms = sorted(got)
                    with p.lock:
                        p.rooms = set(got)
            except Exception:
                pass
        threads = [threading.Thread(target=ask, args=(p,), daemon=True) for p in self.peers]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        return self.status()

    # Chaos: random room changes and traffic nobody counts exactly.
    def chaos_loop(self) -> None:
        while self.chaos_on.is_set():
            p = self.rnd.choice(self.peers)
            if p.connected and p.sio.connected:
                self.chaos_once(p)
            time.sleep(self.rnd.uniform(0.02, 0.1))

    def chaos_once(self, p: Peer) -> None:
        action = self.rnd.choice(["join", "leave", "send", "send-ack", "echo"])
        self.chaos_counts[action] += 1
        try:
            if action == "join":
                got = p.call("join", self.rnd.choice(self.all_rooms))
                with p.lock:
                    p.rooms = set(got)
            elif action == "leave" and len(p.rooms) > 1:
                got = p.call("leave", self.rnd.choice(sorted(p.rooms)))
                with p.lock:
                    p.rooms = set(got)
            elif action.startswith("send"):
                self.chaos_seq += 1
                payload = {"e": -1, "s": p.cid, "n": self.chaos_seq, "r": self.rnd.choice(self.all_rooms)}
                if action == "send-ack":
                    p.call("send", payload["r"], payload)
                else:
                    p.sio.emit("send", (payload["r"], payload))
            elif action == "echo":
                x = {"x": self.rnd.random()}
                if p.call("echo", x) != x:
                    self.chaos_counts["echo-wrong"] += 1
        except Exception:
            self.chaos_counts["failed"] += 1  # timeouts and disconnects are what chaos is for

    def chaos(self, on: bool) -> dict:
        if on and not self.chaos_on.is_set():
            self.chaos_on.set()
            self.chaos_thread = threading.Thread(target=self.chaos_loop, daemon=True)
            self.chaos_thread.start()
        elif not on and self.chaos_on.is_set():
            self.chaos_on.clear()
            self.chaos_thread.join()
        counts, self.chaos_counts = dict(self.chaos_counts), Counter()  # each phase's own
        return {"counts": counts}

    def send(self, epoch: int, plan: list, echoes: int) -> dict:
        """Each sender's messages in order, then its echoes; senders in parallel."""
        by_sender: dict[str, list] = {}
        for cid, room, n, ack in plan:
            by_sender.setdefault(cid, []).append((room, n, ack))
        result = Counter()
        acked: list = []
        lock = threading.Lock()

        def run(cid: str, items: list):
            p = self.by_id[cid]
            for room, n, ack in items:
                payload = {"e": epoch, "s": cid, "n": n, "r": room}
                try:
                    if ack:
                        ok = p.call("send", room, payload) is True
                        with lock:
                            result["acked" if ok else "ack-wrong"] += 1
                            if ok:
                                acked.append([cid, n])
                    else:
                        p.sio.emit("send", (room, payload))
                        with lock:
                            result["emitted"] += 1
                except Exception:
                    with lock:
                        result["send-failed"] += 1
            for _ in range(echoes):
                x = {"echo": self.rnd.random(), "from": cid}
                try:
                    got = p.call("echo", x)
                    with lock:
                        result["echo-ok" if got == x else "echo-wrong"] += 1
                except Exception:
                    with lock:
                        result["echo-failed"] += 1
        threads = [threading.Thread(target=run, args=item, daemon=True) for item in by_sender.items()]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        return {"result": dict(result), "acked": acked}

    def report(self, epoch: int) -> dict:
        clients = {}
        for p in self.peers:
            with p.lock:
                got = p.received.get(epoch, Counter())
                clients[p.cid] = {"gen": p.gen, "connected": p.connected,
                                  "received": [[s, n, g, c] for (s, n, g), c in got.items()]}
        chaos = {"received": sum(p.chaos_received for p in self.peers),
                 "duplicates": sum(p.duplicates_in_chaos for p in self.peers),
                 "disconnects": dict(sum((p.disconnects for p in self.peers), Counter()))}
        return {"clients": clients, "chaos": chaos}

    def stop(self) -> None:
        self.supervising = False
        self.chaos(False)
        threads = [threading.Thread(target=p.sio.disconnect, daemon=True) for p in self.peers]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=5)


def main() -> None:
    spec = json.loads(sys.argv[1])
    worker = Worker(spec)
    worker.start()
    answer({"op": "started", "status": worker.status()})
    for line in sys.stdin:
        cmd = json.loads(line)
        op = cmd["op"]
        if op == "verify":
            answer({"op": op, "status": worker.verify()})
        elif op == "chaos":
            answer({"op": op, **worker.chaos(cmd["on"])})
        elif op == "send":
            answer({"op": op, **worker.send(cmd["epoch"], cmd["plan"], cmd.get("echoes", 0))})
        elif op == "report":
            answer({"op": op, **worker.report(cmd["epoch"])})
        elif op == "stop":
            worker.stop()
            answer({"op": op})
            break
    sys.stdout.flush()
    # Threads of clients that never connected may still be retrying: leave without waiting for them.
    os._exit(0)


if __name__ == "__main__":
    main()
