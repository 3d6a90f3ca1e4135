"""Binary packets stay whole and in order across a polling -> WebSocket upgrade, under concurrency.

Raw clients (requests + websocket-client, every message read in order on one thread, unlike
python-socketio's client: see ordered_clients.py) upgrade the way the stock JavaScript client does:
they keep polling while the probe runs, pause, then send `5`. Meanwhile they make the server answer
`binary-echo` (an event and an ack, each a header and 3 attachments) before, during and after the
upgrade, with more answers queued than one poll carries (16 packets), so a packet's messages are
split between poll answers and the WebSocket. Everything each client received, poll answers first,
then WebSocket frames, must be exactly: event 0, ack 0, event 1, ack 1, ... each header followed by
its own attachments. Sessions run in parallel on 4 event loops of `conformance-server --api-suite`
(with a long heartbeat, so slow scheduling cannot end a session), for a bounded time."""
import base64
import json
import random
import threading
import time

import pytest
import requests
import websocket

from project import is_python_reference, server_prefix
from rawio import SEPARATOR, Polling, b64_packet, decode_payload, ws_connect

SESSIONS = 12       # clients at once
RUN_FOR = 6.0       # seconds of new sessions; each then finishes its own
WAIT = 5.0          # bound for any one answer
ROOMS_ACK = 1000    # first ack id of the `rooms` calls


def echo_args(i: int) -> list:
    return [bytes([i % 256]) + bytes(range(256)), {"nested": [b"\x00\xff", {"deep": b""}], "text": "t"}, i]


def encode_echo(i: int) -> list:
    """`binary-echo` with ack id i: the Engine.IO messages of one binary event (header, attachments)."""
    header = '["binary-echo",{"_placeholder":true,"num":0},{"nested":[{"_placeholder":true,"num":1},' \
             '{"deep":{"_placeholder":true,"num":2}}],"text":"t"},' + str(i) + "]"
    first, second, third = echo_args(i)[0], b"\x00\xff", b""
    return [f"53-{i}{header}", first, second, third]


def rebuild(value, attachments):
    if isinstance(value, list):
        return [rebuild(v, attachments) for v in value]
    if isinstance(value, dict):
        if value.get("_placeholder") is True:
            return attachments[value["num"]]
        return {k: rebuild(v, attachments) for k, v in value.items()}
    return value


def socketio_packets(messages: list) -> list:
    """Engine.IO messages in arrival order -> Socket.IO packets (kind, id, data). Fails on an attachment
    without a header waiting for it, or a text message where an attachment is due."""
    packets, header, attachments = [], None, []
    for m in messages:
        if isinstance(m, bytes):
            assert header is not None, f"attachment {m[:8]!r} with no header waiting for it"
            attachments.append(m)
        else:
            assert header is None, f"text {m[:40]!r} while {header[2] - len(attachments)} attachments were due"
            if m.startswith("3"):  # a plain ack (of `rooms`): complete in itself
                start = m.index("[")
                packets.append(("3", int(m[1:start]), json.loads(m[start:])))
                continue
            kind, dash = m[0], m.find("-")
            assert kind in "56", f"unexpected packet {m[:40]!r}"
            body = m[dash + 1:]
            start = body.index("[")
            header = (kind, int(body[:start]) if start else None, int(m[1:dash]), json.loads(body[start:]))
        if header is not None and len(attachments) == header[2]:
            packets.append((header[0], header[1], rebuild(header[3], attachments)))
            header, attachments = None, []
    assert header is None, f"{header[2] - len(attachments)} attachments never came"
    return packets


class UpgradingClient:
    """One session: polling, then an upgrade while polling goes on, then WebSocket."""

    def __init__(self, server, rng: random.Random):
        self.polling = Polling(server.url + "/socket.io/")
        self.ws_base = server.ws_url + "/socket.io/"
        self.rng = rng
        self.received: list = []     # Engine.IO messages (str or bytes), in arrival order
        self.sent = 0                # binary-echo events sent (ids 0..sent-1)
        self.rooms_calls = 0         # `rooms` calls sent (ack ids from ROOMS_ACK)
        self.paused = threading.Event()
        self.poller_failure: Exception | None = None

    def take(self, body: str):
        for packet in decode_payload(body):
            if packet.startswith("b"):
                self.received.append(base64.b64decode(packet[1:]))
            elif packet.startswith("40"):
                pass  # the CONNECT answer
            elif packet.startswith("4"):
                self.received.append(packet[1:])
            elif packet == "2":
                self.polling.post("3")

    def post_echoes(self, count: int):
        """`count` echoes in one payload, behind 0-3 `rooms` calls (their acks are one message each, so
        the echoes' messages fall anywhere relative to a poll's 16-packet limit)."""
        if count == 0:
            return
        records = []
        for _ in range(self.rng.randint(0, 3)):
            records.append(f'42{ROOMS_ACK + self.rooms_calls}["rooms"]')
            self.rooms_calls += 1
        for _ in range(count):
            header, *attachments = encode_echo(self.sent)
            records += ["4" + header] + [b64_packet(a) for a in attachments]
            self.sent += 1
        r = self.polling.post(SEPARATOR.join(records))
        assert r.status_code == 200, (r.status_code, r.text)

    def poll_until_paused(self):
        try:
            while not self.paused.is_set():
                r = self.polling.get(timeout=WAIT)
                assert r.status_code == 200, (r.status_code, r.text)
                self.take(r.text)
        except Exception as e:  # reported by run()
            self.poller_failure = e

    def run(self):
        rng = self.rng
        self.polling.handshake()
        assert self.polling.post("40").status_code == 200
        self.poll_until_connected()
        # Answers queued while no poll is held: up to 3 echoes = 24 messages, more than one poll carries.
        self.post_echoes(rng.randint(0, 3))
        poller = threading.Thread(target=self.poll_until_paused, daemon=True)
        if rng.random() < 0.5:
            poller.start()
        time.sleep(rng.random() * 0.01)
        ws = ws_connect(self.ws_base, self.polling.sid, timeout=WAIT)
        try:
            if rng.random() < 0.5:
                self.post_echoes(rng.randint(1, 2))  # answered on a poll, or on the WebSocket after 5
            ws.send("2probe")
            assert ws.recv() == "3probe"
            if not poller.is_alive():
                poller.start()
            if rng.random() < 0.5:
                self.post_echoes(1)  # after the probe, before 5: the server must keep it in order
            self.paused.set()
            poller.join(WAIT + 1)
            assert not poller.is_alive(), "the held poll was not released after the probe"
            if self.poller_failure:
                raise self.poller_failure
            ws.send("5")
            for _ in range(rng.randint(1, 2)):
                header, *attachments = encode_echo(self.sent)
                self.sent += 1
                ws.send("4" + header)
                for a in attachments:
                    ws.send_binary(a)
            self.read_websocket(ws)
        finally:
            ws.close()

    def poll_until_connected(self):
        deadline = time.monotonic() + WAIT
        while time.monotonic() < deadline:
            r = self.polling.get(timeout=WAIT)
            assert r.status_code == 200, (r.status_code, r.text)
            self.take(r.text)
            if any(p.startswith("40") for p in decode_payload(r.text)):
                return
        raise AssertionError("no CONNECT answer")

    def read_websocket(self, ws):
        """Until every echo's event and ack (8 messages each) arrived."""
        ws.settimeout(WAIT)
        while len(self.received) < 8 * self.sent + self.rooms_calls:
            opcode, data = ws.recv_data()
            if opcode == websocket.ABNF.OPCODE_BINARY:
                self.received.append(data)
            else:
                text = data.decode()
                if text == "2":
                    ws.send("3")
                elif text.startswith("4"):
                    self.received.append(text[1:])

    def check(self):
        packets = socketio_packets(self.received)
        rooms_acks = [p[1] for p in packets if p[0] == "3"]
        assert rooms_acks == list(range(ROOMS_ACK, ROOMS_ACK + self.rooms_calls))
        expected = []
        for i in range(self.sent):
            expected += [("5", None, ["binary-echo", *echo_args(i)]), ("6", i, echo_args(i))]
        assert [p for p in packets if p[0] != "3"] == expected


@pytest.fixture
def stress_api_server(start_server, request):
    if is_python_reference(request.config):
        pytest.skip("the python reference server has no --api-suite mode")
    return start_server(server_prefix(request.config) + [
        "--api-suite", "--ping-interval", "20000", "--ping-timeout", "20000", "--loops", "4"],
        name="api-server")


def test_binary_packets_whole_and_in_order_across_upgrades(stress_api_server):
    failures: list[str] = []
    counts = [0]
    lock = threading.Lock()
    end = time.monotonic() + RUN_FOR

    def worker(seed: int):
        rng = random.Random(seed)
        while time.monotonic() < end:
            client = UpgradingClient(stress_api_server, rng)
            try:
                client.run()
                client.check()
            except (AssertionError, OSError, requests.RequestException, websocket.WebSocketException) as e:
                with lock:
                    failures.append(f"seed {seed}, sid {client.polling.sid}: {type(e).__name__}: {e}")
                return
            with lock:
                counts[0] += 1

    threads = [threading.Thread(target=worker, args=(seed,)) for seed in range(SESSIONS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(RUN_FOR + 4 * WAIT)
    assert not failures, failures[:3]
    assert counts[0] >= SESSIONS


@pytest.mark.parametrize("messages, complaint", [
    ([b"\x00", '51-["e",{"_placeholder":true,"num":0}]'], "no header waiting"),
    (['52-["e",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}]', b"\x00", '2["x"]'], "were due"),
    (['51-["e",{"_placeholder":true,"num":0}]'], "never came"),
])
def test_checker_rejects_split_or_reordered_packets(messages, complaint):
    with pytest.raises(AssertionError, match=complaint):
        socketio_packets(messages)
    assert socketio_packets(['61-7[{"_placeholder":true,"num":0}]', b"\x01"]) == [("6", 7, [b"\x01"])]
