"""Bad peers beside the soak's clients: malformed HTTP, Engine.IO and Socket.IO input, WebSocket
connections reset mid-frame, and slow-loris heads that never finish. Each touches only its own
connection; the server must answer or drop it and keep everybody else's session intact."""
import base64
import json
import os
import random
import socket
import struct
import threading
import time
from collections import Counter


def _connect(port: int, timeout: float = 3.0) -> socket.socket:
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    s.settimeout(timeout)
    return s


def _reset(s: socket.socket) -> None:
    """Abortive close: the peer gets an RST, not a FIN."""
    try:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    except OSError:
        pass
    s.close()


def _read_head(s: socket.socket) -> bytes:
    data = b""
    while b"\r\n\r\n" not in data and len(data) < 65536:
        chunk = s.recv(4096)
        if not chunk:
            break
        data += chunk
    return data


def _http(port: int, raw: bytes) -> bytes:
    s = _connect(port)
    try:
        s.sendall(raw)
        return _read_head(s)
    finally:
        s.close()


def _polling_sid(port: int) -> str:
    head_and_body = _http(port, b"GET /socket.io/?EIO=4&transport=polling HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    body = head_and_body.split(b"\r\n\r\n", 1)[1]
    return json.loads(body[1:body.index(b"}") + 1])["sid"]


def _post(port: int, sid: str, body: bytes) -> bytes:
    return _http(port, (f"POST /socket.io/?EIO=4&transport=polling&sid={sid} HTTP/1.1\r\nHost: x\r\n"
                        f"Content-Type: text/plain\r\nContent-Length: {len(body)}\r\nConnection: close\r\n\r\n").encode() + body)


def _frame(payload: bytes, opcode: int = 1, masked: bool = True, fin: bool = True) -> bytes:
    head = bytes([(0x80 if fin else 0) | opcode])
    n = len(payload)
    mask_bit = 0x80 if masked else 0
    if n < 126:
        head += bytes([mask_bit | n])
    elif n < 65536:
        head += bytes([mask_bit | 126]) + struct.pack("!H", n)
    else:
        head += bytes([mask_bit | 127]) + struct.pack("!Q", n)
    if not masked:
        return head + payload
    key = os.urandom(4)
    return head + key + bytes(b ^ key[i % 4] for i, b in enumerate(payload))


def _websocket(port: int) -> socket.socket:
    """A raw WebSocket with an open Engine.IO session and a Socket.IO CONNECT answered."""
    s = _connect(port)
    key = base64.b64encode(os.urandom(16)).decode()
    s.sendall((f"GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n"
               f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n").encode())
    head = _read_head(s)
    if b" 101 " not in head.split(b"\r\n", 1)[0]:
        raise OSError(f"no upgrade: {head[:80]!r}")
    s.sendall(_frame(b"40"))
    return s


# Each attack returns a short label of what happened, for the figures.
def bad_request_line(port):
    return _http(port, b"GET /socket.io/?EIO=4 HTTP/9.9 garbage\r\n\r\n")[:12].decode(errors="replace")


def bad_header(port):
    return _http(port, b"GET /socket.io/?EIO=4&transport=polling HTTP/1.1\r\nHost x\r\n\r\n")[:12].decode(errors="replace")


def huge_header(port):
    return _http(port, b"GET / HTTP/1.1\r\nX-Big: " + b"a" * 20000 + b"\r\n\r\n")[:12].decode(errors="replace")


def bad_content_length(port):
    return _http(port, b"POST /socket.io/?EIO=4&transport=polling HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\nabc")[:12].decode(errors="replace")


def bad_engine_packet(port):
    return _post(port, _polling_sid(port), b"9nonsense")[:12].decode(errors="replace")


def bad_base64(port):
    return _post(port, _polling_sid(port), b"b%%%not-base64")[:12].decode(errors="replace")


def bad_socketio_json(port):
    s = _websocket(port)
    try:
        s.sendall(_frame(b'42["unterminated'))
        time.sleep(0.05)
    finally:
        s.close()
    return "ws-bad-json"


def unmasked_frame(port):
    s = _websocket(port)
    try:
        s.sendall(_frame(b'42["m"]', masked=False))
        time.sleep(0.05)
    finally:
        s.close()
    return "ws-unmasked"


def reset_mid_frame(port):
    s = _websocket(port)
    whole = _frame(b'42["send","r0",' + b'"x"' * 200 + b"]")
    s.sendall(whole[: len(whole) // 2])
    _reset(s)
    return "ws-rst-mid-frame"


def reset_mid_poll(port):
    sid = _polling_sid(port)
    s = _connect(port)
    s.sendall(f"GET /socket.io/?EIO=4&transport=polling&sid={sid} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
    time.sleep(0.02)
    _reset(s)
    return "poll-rst"


ATTACKS = [bad_request_line, bad_header, huge_header, bad_content_length, bad_engine_packet, bad_base64,
           bad_socketio_json, unmasked_frame, reset_mid_frame, reset_mid_poll]


class Vandal:
    """Runs attacks against the ports it is given and keeps up to `loris` slow heads open."""

    def __init__(self, ports_fn, seed: int, loris: int = 10, interval: float = 0.1):
        self.ports_fn = ports_fn
        self.rnd = random.Random(seed)
        self.loris_max = loris
        self.interval = interval
        self.counts = Counter()
        self.running = threading.Event()
        self.threads: list[threading.Thread] = []
        self.loris: list[tuple[socket.socket, int]] = []  # socket, bytes of the head sent

    def start(self) -> None:
        self.running.set()
        self.threads = [threading.Thread(target=self._attacks, daemon=True),
                        threading.Thread(target=self._slow_loris, daemon=True)]
        for t in self.threads:
            t.start()

    def stop(self) -> None:
        self.running.clear()
        for t in self.threads:
            t.join()
        for s, _ in self.loris:
            s.close()
        self.loris.clear()

    def _attacks(self) -> None:
        while self.running.is_set():
            ports = self.ports_fn()
            if ports:
                attack = self.rnd.choice(ATTACKS)
                try:
                    attack(self.rnd.choice(ports))
                    self.counts[attack.__name__] += 1
                except OSError:
                    self.counts["refused-or-reset"] += 1  # a server being restarted, or a drop we provoked
                except Exception:
                    self.counts["other-error"] += 1
            time.sleep(self.interval)

    def _slow_loris(self) -> None:
        """Heads sent one byte at a time, never finished: the server must drop each after headerTimeout."""
        head = b"GET /socket.io/?EIO=4&transport=polling HTTP/1.1\r\nHost: x\r\nX-Slow: "
        while self.running.is_set():
            ports = self.ports_fn()
            while ports and len(self.loris) < self.loris_max:
                try:
                    s = _connect(self.rnd.choice(ports))
                    s.setblocking(False)
                    self.loris.append((s, 0))
                    self.counts["loris-opened"] += 1
                except OSError:
                    break
            alive = []
            for s, sent in self.loris:
                try:
                    s.send(head[sent:sent + 1] if sent < len(head) else b"a")
                    closed = s.recv(1) is not None  # any answer (408, 431) or b"" means the server ended it
                except BlockingIOError:
                    closed = False
                except OSError:
                    closed = True
                if closed:
                    s.close()
                    self.counts["loris-dropped-by-server"] += 1
                else:
                    alive.append((s, sent + 1))
            self.loris = alive
            time.sleep(0.25)
