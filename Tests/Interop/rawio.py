"""Raw Engine.IO v4 helpers over plain HTTP (requests) and websocket-client, for transport-level
checks that a full client library would hide."""
import base64
import json
import time

import requests
import websocket

SEPARATOR = "\x1e"  # record separator between packets of a polling payload
HTTP_TIMEOUT = 5


class Polling:
    """One raw long-polling session against `base` (e.g. http://127.0.0.1:N/engine.io/)."""

    def __init__(self, base: str):
        self.base = base
        self.sid = None
        self.open = None

    def url(self, **extra) -> str:
        query = {"EIO": "4", "transport": "polling"}
        if self.sid:
            query["sid"] = self.sid
        query.update(extra)
        return self.base + "?" + "&".join(f"{k}={v}" for k, v in query.items())

    def handshake(self) -> dict:
        r = requests.get(self.url(), timeout=HTTP_TIMEOUT)
        assert r.status_code == 200, (r.status_code, r.text)
        assert r.text.startswith("0"), r.text
        self.open = json.loads(r.text[1:])
        self.sid = self.open["sid"]
        return self.open

    def get(self, timeout=HTTP_TIMEOUT, **kw) -> requests.Response:
        return requests.get(self.url(), timeout=timeout, **kw)

    def post(self, body, **kw) -> requests.Response:
        data = body.encode() if isinstance(body, str) else body
        return requests.post(self.url(), data=data, timeout=HTTP_TIMEOUT,
                             headers={"Content-Type": "text/plain;charset=UTF-8"}, **kw)

    def collect(self, want: int, deadline_s: float = 5.0) -> list[str]:
        """Polls until `want` non-heartbeat packets arrived; answers pings so the session lives."""
        got: list[str] = []
        deadline = time.monotonic() + deadline_s
        while len(got) < want and time.monotonic() < deadline:
            r = self.get()
            assert r.status_code == 200, (r.status_code, r.text)
            for packet in decode_payload(r.text):
                if packet == "2":
                    assert self.post("3").status_code == 200
                elif packet != "6":  # noop
                    got.append(packet)
        return got


def decode_payload(body: str) -> list[str]:
    return body.split(SEPARATOR) if body else []


def b64_packet(data: bytes) -> str:
    return "b" + base64.b64encode(data).decode()


def ws_connect(ws_base: str, sid: str | None = None, timeout: float = 5.0) -> websocket.WebSocket:
    url = ws_base + "?EIO=4&transport=websocket" + (f"&sid={sid}" if sid else "")
    return websocket.create_connection(url, timeout=timeout)


def ws_wait_closed(ws: websocket.WebSocket, deadline_s: float, on_packet=None):
    """Reads frames until the server closes the connection. Returns (seconds waited, close code or
    None); raises AssertionError if still open at the deadline. on_packet sees each text/binary."""
    start = time.monotonic()
    while True:
        left = deadline_s - (time.monotonic() - start)
        if left <= 0:
            raise AssertionError(f"server did not close the WebSocket within {deadline_s}s")
        ws.settimeout(left)
        try:
            opcode, frame = ws.recv_data_frame(control_frame=True)
        except websocket.WebSocketTimeoutException:
            continue
        except (websocket.WebSocketConnectionClosedException, ConnectionError, OSError):
            return time.monotonic() - start, None
        if opcode == websocket.ABNF.OPCODE_CLOSE:
            code = int.from_bytes(frame.data[:2], "big") if len(frame.data) >= 2 else None
            return time.monotonic() - start, code
        if on_packet and opcode in (websocket.ABNF.OPCODE_TEXT, websocket.ABNF.OPCODE_BINARY):
            on_packet(frame.data)


def _fail_on_packet(data):
    raise AssertionError(f"got a packet: {data!r}")


def ws_refused_or_closed(url):
    """True when a WebSocket handshake is refused, or the socket closes before an open packet (Node
    switches protocols first and then closes; an AssertionError if any packet arrives)."""
    try:
        ws = websocket.create_connection(url, timeout=3)
    except websocket.WebSocketBadStatusException as e:
        return e.status_code == 400
    except (websocket.WebSocketException, OSError):
        return True
    try:
        ws_wait_closed(ws, 3, on_packet=_fail_on_packet)
        return True
    finally:
        ws.close()


def ws_recv_message(ws: websocket.WebSocket) -> str:
    """The next Engine.IO packet that is not a ping (answered) or a noop."""
    while (msg := ws.recv()) in ("2", "6"):
        if msg == "2":
            ws.send("3")
    return msg


class RawSocket:
    """Engine.IO over a raw WebSocket to `url` (e.g. ws://127.0.0.1:N/socket.io/), answering pings;
    yields Socket.IO packets, so a test controls exactly what goes on the wire and in what order."""

    def __init__(self, url: str):
        self.ws = ws_connect(url)
        opened = self.ws.recv()
        assert opened.startswith("0"), opened
        self.open = json.loads(opened[1:])

    def connect(self, namespace_packet: str = "0") -> str:
        """CONNECT to the main namespace (or send `namespace_packet`); returns the socket's sid."""
        self.send(namespace_packet)
        reply = self.recv()
        assert reply.startswith("0") and "{" in reply, reply
        return json.loads(reply[reply.index("{"):])["sid"]

    def send(self, sio_packet: str):
        self.ws.send("4" + sio_packet)

    def recv(self, timeout=5) -> str:
        self.ws.settimeout(timeout)
        while True:
            msg = self.ws.recv()
            if msg == "2":
                self.ws.send("3")
            elif msg.startswith("4"):
                return msg[1:]

    def wait_closed(self, deadline_s):
        return ws_wait_closed(self.ws, deadline_s, on_packet=self._pong)

    def _pong(self, data):
        if data in ("2", b"2"):
            self.ws.send("3")

    def close(self):
        self.ws.close()
