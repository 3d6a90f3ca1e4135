"""Socket.IO v5 conformance: python-socketio's client (polling, websocket, upgrade) and raw
Engine.IO frames against the server's Socket.IO mode (path /socket.io/, pingInterval 300,
pingTimeout 200, maxPayload 1e6, connectTimeout 1000 ms, CORS *; namespaces / and /custom emit
"auth" on connect, echo "message" as "message-back", ack "message-with-ack")."""
import json
import queue
import threading
import time

import pytest
import socketio

from ordered_clients import OrderedClient
from rawio import RawSocket, ws_connect, ws_wait_closed

CONNECT_TIMEOUT = 1.0
SLACK = 0.5


# Values whose JSON types must survive the round trip: 1 stays int, True stays bool.
TYPED_ARGS = (
    1, -42, 2**53 - 1, 2.5, -0.125, True, False, None, "",
    "ünïcödé ☃ 🚀 \"quoted\" \\ back\nslash",
    [], {}, [1, [2, [3, {"deep": [True, None, 1.5]}]]],
    {"nested": {"list": [1, "two", 3.0e10], "empty": {}, "unicode": "日本語"}},
)


class Client:
    """python-socketio client recording the events it receives, per event name."""

    def __init__(self):
        self.sio = OrderedClient(reconnection=False)
        self.events: dict[str, queue.Queue] = {}
        self.disconnected = threading.Event()
        self.sio.on("*", self._record, namespace="*")
        self.sio.on("disconnect", lambda *a: self.disconnected.set(), namespace="*")

    def _record(self, event, namespace, *args):
        self.queue(event, namespace).put(args)

    def queue(self, event, namespace="/") -> queue.Queue:
        return self.events.setdefault(f"{namespace} {event}", queue.Queue())

    def next(self, event, namespace="/", timeout=5):
        return self.queue(event, namespace).get(timeout=timeout)

    def connect(self, server, transports, auth=None, namespaces=("/",)):
        self.sio.connect(server.url, auth=auth, transports=transports,
                         namespaces=list(namespaces), socketio_path="socket.io", wait_timeout=5)


@pytest.fixture
def client():
    clients = []

    def make():
        c = Client()
        clients.append(c)
        return c

    yield make
    for c in clients:
        c.sio.disconnect()


# --- with python-socketio's client --------------------------------------------------------

def test_connect_emits_auth(socketio_server, client, transports):
    c = client()
    auth = {"token": "abc", "n": 1, "ok": True}
    c.connect(socketio_server, transports, auth=auth)
    assert c.next("auth") == (auth,)


def test_connect_without_auth(socketio_server, client, transports):
    # With no auth the CONNECT packet has no payload; Node's handshake.auth is then {}.
    c = client()
    c.connect(socketio_server, transports)
    assert c.next("auth") == ({},)


def test_message_echo_keeps_types(socketio_server, client, transports):
    c = client()
    c.connect(socketio_server, transports)
    c.sio.emit("message", TYPED_ARGS)
    back = c.next("message-back")
    assert back == TYPED_ARGS
    assert [type(v) for v in back] == [type(v) for v in TYPED_ARGS]
    assert type(back[0]) is int and type(back[3]) is float and type(back[5]) is bool


def test_message_echo_single_and_no_args(socketio_server, client, transports):
    c = client()
    c.connect(socketio_server, transports)
    c.sio.emit("message", "only")
    assert c.next("message-back") == ("only",)
    c.sio.emit("message")
    assert c.next("message-back") == ()


def test_binary_echo(socketio_server, client, transports):
    c = client()
    c.connect(socketio_server, transports)
    blob = bytes(range(256))
    args = (blob, {"meta": "x", "inner": [b"\x00\xff", {"more": b"bin"}]}, "text", b"")
    c.sio.emit("message", args)
    back = c.next("message-back")
    assert back == args
    assert type(back[0]) is bytes and type(back[1]["inner"][0]) is bytes


def test_ack_with_call(socketio_server, client, transports):
    c = client()
    c.connect(socketio_server, transports)
    assert c.sio.call("message-with-ack", "one", timeout=5) == "one"
    result = c.sio.call("message-with-ack", (1, 2.5, True, {"k": [None]}), timeout=5)
    assert tuple(result) == (1, 2.5, True, {"k": [None]})
    assert [type(v) for v in result] == [int, float, bool, dict]


def test_ack_with_binary(socketio_server, client, transports):
    c = client()
    c.connect(socketio_server, transports)
    result = c.sio.call("message-with-ack", (b"\x01\x02", "t"), timeout=5)
    assert tuple(result) == (b"\x01\x02", "t")


def test_many_acks_in_flight(socketio_server, client, transports):
    # Ack ids must pair each answer with its question, also when many are outstanding.
    c = client()
    c.connect(socketio_server, transports)
    answers = queue.Queue()
    for i in range(20):
        c.sio.emit("message-with-ack", i, callback=lambda v, i=i: answers.put((i, v)))
    got = sorted(answers.get(timeout=5) for _ in range(20))
    assert got == [(i, i) for i in range(20)]


def test_custom_namespace(socketio_server, client, transports):
    c = client()
    auth = {"who": "custom"}
    c.connect(socketio_server, transports, auth=auth, namespaces=("/custom",))
    assert c.next("auth", "/custom") == (auth,)
    c.sio.emit("message", ("in custom", 7), namespace="/custom")
    assert c.next("message-back", "/custom") == ("in custom", 7)
    assert c.sio.call("message-with-ack", "ack", namespace="/custom", timeout=5) == "ack"


def test_two_namespaces_on_one_connection(socketio_server, client, transports):
    c = client()
    c.connect(socketio_server, transports, auth={"a": 1}, namespaces=("/", "/custom"))
    assert c.next("auth", "/") == ({"a": 1},)
    assert c.next("auth", "/custom") == ({"a": 1},)
    c.sio.emit("message", "root")
    c.sio.emit("message", "custom", namespace="/custom")
    assert c.next("message-back", "/") == ("root",)
    assert c.next("message-back", "/custom") == ("custom",)


def test_unknown_namespace_is_refused(socketio_server, client, transports):
    c = client()
    with pytest.raises(socketio.exceptions.ConnectionError):
        c.connect(socketio_server, transports, namespaces=("/nope",))


def test_stays_connected_through_heartbeats(socketio_server, client, transports):
    c = client()
    c.connect(socketio_server, transports)
    time.sleep(1.5)  # three ping intervals, and past connectTimeout
    assert not c.disconnected.is_set()
    assert c.sio.call("message-with-ack", "alive", timeout=5) == "alive"


# --- raw frames over a WebSocket ------------------------------------------------------------

@pytest.fixture
def raw(socketio_server):
    sockets = []

    def make():
        s = RawSocket(socketio_server.ws_url + "/socket.io/")
        sockets.append(s)
        return s

    yield make
    for s in sockets:
        s.close()


def test_raw_connect_packet(raw):
    s = raw()
    s.send("0")
    reply = s.recv()
    assert reply.startswith("0{"), reply
    assert isinstance(json.loads(reply[1:])["sid"], str)
    assert s.recv() == '2["auth",{}]'


def test_raw_connect_with_auth_payload(raw):
    s = raw()
    s.send('0{"token":"t","n":1.5}')
    assert s.recv().startswith("0{")
    assert s.recv() == '2["auth",{"token":"t","n":1.5}]'


def test_raw_unknown_namespace_error_as_node(raw):
    s = raw()
    s.send("0/nope,")
    assert s.recv() == '4/nope,{"message":"Invalid namespace"}'


def test_no_connect_within_connect_timeout_closes(raw):
    s = raw()
    waited, _ = s.wait_closed(CONNECT_TIMEOUT + 2 * SLACK)
    assert waited >= CONNECT_TIMEOUT - 0.1


def test_connect_in_time_is_not_closed(raw):
    s = raw()
    s.send('0{"k":1}')
    assert s.recv().startswith("0{")
    assert s.recv() == '2["auth",{"k":1}]'
    deadline = time.monotonic() + CONNECT_TIMEOUT + SLACK
    while time.monotonic() < deadline:  # keep answering pings meanwhile
        try:
            s.recv(timeout=0.1)
        except Exception:
            pass
    s.send('2["message","still",1]')
    assert s.recv() == '2["message-back","still",1]'


MALFORMED = {
    "reserved_event_name": '2["connect"]',
    "reserved_disconnecting": '2["disconnecting"]',
    "unknown_packet_type": "9",
    "event_payload_not_array": '2{"a":1}',
    "event_name_not_string": "2[{}]",
    "broken_json": '2["message",',
    "binary_attachments_not_number": '5x-["message",{"_placeholder":true,"num":0}]',
    "negative_ack_id": '2-1["message"]',
    "ack_payload_not_array": '31{"a":1}',
    "too_many_attachments": '511-["message",{"_placeholder":true,"num":0}]',
}


@pytest.mark.parametrize("case", MALFORMED)
def test_malformed_packet_closes_connection(raw, case):
    s = raw()
    s.send("0")
    assert s.recv().startswith("0{")
    s.send(MALFORMED[case])
    s.wait_closed(2.0)


def test_attachment_without_binary_packet_closes_connection(raw):
    s = raw()
    s.send("0")
    assert s.recv().startswith("0{")
    s.ws.send_binary(b"\x01\x02")
    s.wait_closed(2.0)
