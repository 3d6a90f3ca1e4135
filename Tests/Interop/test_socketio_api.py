"""The Socket.IO server API (middlewares, namespaces, rooms, broadcasts, acks, utilities, disconnect
reasons) driven by python-socketio's client against `conformance-server --api-suite`
(Sources/ConformanceServer/ApiSuite.swift): each client event there calls one API, and the tests
assert on what every peer actually received.

Reasons as each side names them: the server records Node's strings ("client namespace disconnect",
...); python-socketio's client reports its own ("server disconnect", "client disconnect", ...)."""
import json
import queue
import threading
import time

import pytest
import socketio

from ordered_clients import OrderedClient
from rawio import Polling, RawSocket, ws_connect

WAIT = 5.0      # bound for anything that should happen
QUIET = 0.4     # how long "nothing arrives" is watched
PING_DEADLINE = 0.3 + 0.2  # pingInterval + pingTimeout of the api suite



class Peer:
    """A python-socketio client that records events per namespace and event name, can answer
    server acks (`answers`), and records disconnects and connect errors with their data."""

    def __init__(self, transports):
        self.transports = transports
        self.sio = OrderedClient(reconnection=False)
        self.events: dict[str, queue.Queue] = {}
        self.answers: dict[str, object] = {}
        self.disconnects: queue.Queue = queue.Queue()
        self.connect_errors: queue.Queue = queue.Queue()
        self.lock = threading.Lock()
        self.sio.on("*", self._on_event, namespace="*")
        self.sio.on("disconnect", self._on_disconnect, namespace="*")
        self.sio.on("connect_error", lambda ns, data=None: self.connect_errors.put((ns, data)),
                    namespace="*")

    def _on_event(self, event, namespace, *args):
        self.queue(event, namespace).put(args)
        answer = self.answers.get(event)
        # python-socketio acks with whatever the handler returns; a tuple means several arguments.
        return answer(*args) if answer else None

    def _on_disconnect(self, namespace, reason=None):
        self.disconnects.put((namespace, reason))

    def queue(self, event, namespace="/") -> queue.Queue:
        with self.lock:
            return self.events.setdefault(f"{namespace} {event}", queue.Queue())

    def connect(self, server, auth=None, namespaces=("/",)):
        self.sio.connect(server.url, auth=auth, transports=self.transports,
                         namespaces=list(namespaces), socketio_path="socket.io", wait_timeout=WAIT)
        return self

    def sid(self, namespace="/") -> str:
        return self.sio.get_sid(namespace)

    def call(self, event, *args, namespace="/"):
        return self.sio.call(event, args, namespace=namespace, timeout=WAIT)

    def emit(self, event, *args, namespace="/"):
        self.sio.emit(event, args, namespace=namespace)

    def next(self, event, namespace="/", timeout=WAIT):
        try:
            return self.queue(event, namespace).get(timeout=timeout)
        except queue.Empty:
            raise AssertionError(f"no {event!r} in {namespace} within {timeout}s") from None

    def nothing(self, event, namespace="/", within=QUIET):
        try:
            got = self.queue(event, namespace).get(timeout=within)
        except queue.Empty:
            return
        raise AssertionError(f"unexpected {event!r} in {namespace}: {got!r}")

    def next_disconnect(self, timeout=WAIT):
        try:
            return self.disconnects.get(timeout=timeout)
        except queue.Empty:
            raise AssertionError(f"not disconnected within {timeout}s") from None


@pytest.fixture
def peers(api_server, transports):
    """`peers(n)`: n clients connected to `/` with the parametrized transports."""
    made: list[Peer] = []

    def make(n=1, auth=None, namespaces=("/",), connect=True):
        batch = []
        for i in range(n):
            p = Peer(transports)
            made.append(p)
            if connect:
                p.connect(api_server, auth=auth, namespaces=namespaces)
            batch.append(p)
        return batch

    yield make
    for p in made:
        p.sio.disconnect()


def server_disconnect_record(witness: Peer, sid: str, deadline=WAIT):
    """The server's record of why `sid` left (asked through another client), once there is one."""
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        record = witness.call("last-disconnect", sid)
        if record:
            return record
        time.sleep(0.05)
    raise AssertionError(f"the server recorded no disconnect of {sid} within {deadline}s")


# --- middlewares and namespaces ------------------------------------------------------------

def test_middleware_rejects_with_message_and_data(api_server, peers):
    bad, = peers(connect=False)
    with pytest.raises(socketio.exceptions.ConnectionError):
        bad.connect(api_server, auth={"token": "bad"})
    assert bad.connect_errors.get(timeout=WAIT) == \
        ("/", {"message": "not authorized", "data": {"reason": "bad token", "code": 42}})
    assert not bad.sio.connected

    good, = peers(auth={"token": "fine"})
    assert good.call("whoami")["auth"] == {"token": "fine"}
    assert good.connect_errors.empty()


def test_handshake_fields(api_server, transports):
    p = Peer(transports)
    before = time.time() * 1000
    p.sio.connect(api_server.url + "/?room=blue&n=1", headers={"X-Team": "ops"}, auth={"k": 1},
                  transports=transports, socketio_path="socket.io", wait_timeout=WAIT)
    try:
        info = p.call("handshake")
        assert p.call("whoami")["auth"] == {"k": 1}
    finally:
        p.sio.disconnect()
    assert info["headers"]["x-team"] == "ops"
    assert info["headers"]["host"] == f"127.0.0.1:{api_server.port}"
    assert info["query"]["room"] == "blue" and info["query"]["n"] == "1"
    assert info["query"]["EIO"] == "4" and info["query"]["transport"] == transports[0]
    assert info["address"] == "127.0.0.1"
    assert info["url"].startswith("/socket.io/?") and "room=blue" in info["url"]
    assert before - 1000 <= info["issued"] <= time.time() * 1000 + 1000
    assert info["time"].endswith("GMT+0000 (Coordinated Universal Time)")


def test_middleware_enriches_socket_data(peers):
    alice, = peers(auth={"name": "alice"})
    anon, = peers()
    found = {s["id"]: s["data"] for s in anon.call("fetch", "*")}
    assert found == {alice.sid(): {"name": "alice"}, anon.sid(): None}


def test_namespace_middleware(api_server, peers):
    user, = peers(connect=False)
    with pytest.raises(socketio.exceptions.ConnectionError):
        user.connect(api_server, auth={"role": "user"}, namespaces=("/admin",))
    assert user.connect_errors.get(timeout=WAIT) == \
        ("/admin", {"message": "admin only", "data": {"role": "user"}})

    admin, = peers(auth={"role": "admin"}, namespaces=("/admin",))
    assert admin.next("welcome", "/admin") == ("/admin",)
    info = admin.call("whoami", namespace="/admin")
    assert info["namespace"] == "/admin" and info["id"] == admin.sid("/admin")


def test_namespace_middleware_does_not_affect_main_namespace(api_server, peers):
    # One connection, two namespaces: `/` accepts, `/admin` refuses; only /admin reports an error.
    p, = peers(connect=False)
    with pytest.raises(socketio.exceptions.ConnectionError):
        p.connect(api_server, auth={"role": "guest"}, namespaces=("/", "/admin"))
    assert p.connect_errors.get(timeout=WAIT)[0] == "/admin"
    assert p.connect_errors.empty()


def test_dynamic_namespace(api_server, peers):
    a, b = peers(2, namespaces=("/team-1",))
    c, = peers(namespaces=("/team-22",))
    assert a.next("welcome", "/team-1") == ("/team-1",)
    assert c.next("welcome", "/team-22") == ("/team-22",)
    assert c.call("whoami", namespace="/team-22")["namespace"] == "/team-22"

    # Each child namespace is its own world: a broadcast in /team-1 stays there.
    assert a.call("broadcast", "go team", namespace="/team-1") is True
    assert b.next("broadcast-message", "/team-1") == ("go team",)
    c.nothing("broadcast-message", "/team-22")
    a.nothing("broadcast-message", "/team-1")


def test_dynamic_namespace_pattern_must_match_whole_name(api_server, peers):
    p, = peers(connect=False)
    with pytest.raises(socketio.exceptions.ConnectionError):
        p.connect(api_server, namespaces=("/team-1x",))
    assert p.connect_errors.get(timeout=WAIT) == ("/team-1x", {"message": "Invalid namespace"})


def test_dynamic_namespace_parent_middleware(api_server, peers):
    p, = peers(connect=False)
    with pytest.raises(socketio.exceptions.ConnectionError):
        p.connect(api_server, auth={"team": "closed"}, namespaces=("/team-5",))
    assert p.connect_errors.get(timeout=WAIT) == ("/team-5", {"message": "team closed"})


def test_parent_namespace_emit_reaches_every_child(peers):
    one, = peers(namespaces=("/team-1",))
    two, = peers(namespaces=("/team-2",))
    main, = peers()
    assert one.call("all-teams", "hi", namespace="/team-1") is True
    assert one.next("team-news", "/team-1") == ("/team-1", "hi")
    assert two.next("team-news", "/team-2") == ("/team-1", "hi")
    main.nothing("team-news")


# --- rooms and broadcasts ------------------------------------------------------------------

def test_join_and_leave_ack_current_rooms(peers):
    p, = peers()
    sid = p.sid()
    assert p.call("rooms") == [sid]
    assert p.call("join", "b") == sorted([sid, "b"])
    assert p.call("join", ["c", "a"]) == sorted([sid, "a", "b", "c"])
    assert p.call("leave", "b") == sorted([sid, "a", "c"])
    assert p.call("leave", "not-joined") == sorted([sid, "a", "c"])


def test_to_room_reaches_members_only(peers):
    a, b, outsider = peers(3)
    a.call("join", "r")
    b.call("join", "r")
    assert outsider.call("to-room", "r", 1, "x", {"k": [True]}) is True
    assert a.next("room-message") == (1, "x", {"k": [True]})
    assert b.next("room-message") == (1, "x", {"k": [True]})
    outsider.nothing("room-message")


def test_to_room_after_leave(peers):
    a, b = peers(2)
    a.call("join", "r")
    b.call("join", "r")
    a.call("leave", "r")
    b.call("to-room", "r", "after")
    assert b.next("room-message") == ("after",)  # io.to includes the sender
    a.nothing("room-message")


def test_to_several_rooms_reaches_each_socket_once(peers):
    both, second, outsider = peers(3)
    both.call("join", ["r1", "r2"])
    second.call("join", "r2")
    outsider.call("to-room", ["r1", "r2"], "union")
    assert both.next("room-message") == ("union",)
    assert second.next("room-message") == ("union",)
    both.nothing("room-message")  # not a second copy
    second.nothing("room-message", within=0)
    outsider.nothing("room-message", within=0)


def test_socket_to_room_excludes_sender(peers):
    sender, member = peers(2)
    sender.call("join", "r")
    member.call("join", "r")
    sender.call("socket-to-room", "r", "psst")
    assert member.next("room-message") == ("psst",)
    sender.nothing("room-message")


def test_broadcast_excludes_sender(peers):
    sender, *others = peers(3)
    assert sender.call("broadcast", "hello", 2) is True
    for p in others:
        assert p.next("broadcast-message") == ("hello", 2)
    sender.nothing("broadcast-message")


def test_except_room(peers):
    muted, sender, other = peers(3)
    muted.call("join", "muted")
    sender.call("except", "muted", "hi")
    assert sender.next("except-message") == ("hi",)  # io.except includes the sender
    assert other.next("except-message") == ("hi",)
    muted.nothing("except-message")


def test_to_room_except_room(peers):
    kept, excluded, outsider = peers(3)
    kept.call("join", "r")
    excluded.call("join", ["r", "x"])
    outsider.call("join", "x")
    outsider.call("to-except", "r", "x", "only-kept")
    assert kept.next("to-except-message") == ("only-kept",)
    excluded.nothing("to-except-message")
    outsider.nothing("to-except-message", within=0)


def test_except_socket_id_as_room(peers):
    a, b = peers(2)
    a.call("except", b.sid(), "not b")
    assert a.next("except-message") == ("not b",)
    b.nothing("except-message")


# --- acknowledgements from clients ---------------------------------------------------------

def test_server_emit_with_ack_gets_reply(peers):
    p, = peers()
    p.answers["question"] = lambda *args: {"got": list(args)}
    p.emit("ask-client", 2000)
    assert p.next("question") == (1, "two")
    assert p.next("ask-result") == ([{"got": [1, "two"]}],)


def test_server_emit_with_ack_multiple_reply_args(peers):
    p, = peers()
    p.answers["question"] = lambda *args: ("a", 2, None)
    p.emit("ask-client", 2000)
    assert p.next("ask-result") == (["a", 2, None],)


def test_server_emit_with_ack_times_out(peers):
    p, = peers()
    # python-socketio always acks once its handler returns: a slow handler answers too late.
    p.answers["question"] = lambda *args: time.sleep(1.0) or "late"
    started = time.monotonic()
    p.emit("ask-client", 200)
    assert p.next("ask-result") == ({"error": "timeout"},)
    assert time.monotonic() - started < 1.0
    # The late reply is dropped without harm: the socket keeps working.
    time.sleep(1.0)
    assert p.call("rooms") == [p.sid()]


def test_server_emit_with_ack_times_out_raw(api_server):
    # A client that never answers at all; also pins the wire format of an event asking for an ack.
    ws = ws_connect(api_server.ws_url + "/socket.io/")
    try:
        assert ws.recv().startswith("0")
        ws.send("40")
        assert ws.recv().startswith("40{")
        ws.send('42["ask-client",200]')
        got = []
        deadline = time.monotonic() + WAIT
        while time.monotonic() < deadline and not any("ask-result" in m for m in got):
            msg = ws.recv()
            if msg == "2":
                ws.send("3")
            else:
                got.append(msg)
        question = got[0]
        assert question.startswith("42") and question.endswith('["question",1,"two"]'), got
        assert question[2:-len('["question",1,"two"]')].isdigit(), question  # the ack id
        assert got[-1] == '42["ask-result",{"error":"timeout"}]', got
    finally:
        ws.close()


def test_broadcast_ack_collects_every_reply(peers):
    clients = peers(3)
    for i, p in enumerate(clients):
        p.answers["question-all"] = lambda asker, i=i: f"peer-{i}"
    replies = clients[0].call("ask-all", 3000)
    assert sorted(replies) == ["peer-0", "peer-1", "peer-2"]
    for p in clients:  # the asker's own id travels as the argument
        assert p.next("question-all") == (clients[0].sid(),)


def test_broadcast_ack_timeout_keeps_partial_replies(peers):
    fast, slow, other = peers(3)
    fast.answers["question-all"] = lambda _: "fast"
    other.answers["question-all"] = lambda _: "other"
    slow.answers["question-all"] = lambda _: time.sleep(1.5) or "slow"
    started = time.monotonic()
    result = fast.call("ask-all", 300)
    assert time.monotonic() - started < 1.5
    assert result["error"] == "timeout"
    assert sorted(result["responses"]) == ["fast", "other"]


# --- server utilities ----------------------------------------------------------------------

def test_fetch_sockets(peers):
    a, b, c = peers(3)
    a.call("join", "r")
    b.call("join", ["r", "s"])
    found = c.call("fetch", "r")
    assert [s["id"] for s in found] == sorted([a.sid(), b.sid()])
    rooms = {s["id"]: s["rooms"] for s in found}
    assert rooms[b.sid()] == sorted([b.sid(), "r", "s"])
    assert sorted(s["id"] for s in c.call("fetch", "*")) == sorted(p.sid() for p in (a, b, c))
    assert c.call("fetch", "empty-room") == []


def test_remote_socket_emit(peers):
    a, b, c = peers(3)
    a.call("join", "r")
    b.call("join", "r")
    assert c.call("direct", "r") is True
    assert a.next("direct") == (a.sid(),)
    assert b.next("direct") == (b.sid(),)
    c.nothing("direct")


def test_sockets_join_and_leave(peers):
    a, b, c = peers(3)
    a.call("join", "r")
    b.call("join", "r")
    assert c.call("sockets-join", "r", ["vip", "vip2"]) is True
    assert a.call("rooms") == sorted([a.sid(), "r", "vip", "vip2"])
    c.call("to-room", "vip", "for vips")
    assert a.next("room-message") == ("for vips",)
    assert b.next("room-message") == ("for vips",)
    c.nothing("room-message")

    assert c.call("sockets-leave", "r", "vip") is True
    assert b.call("rooms") == sorted([b.sid(), "r", "vip2"])
    c.call("to-room", "vip", "nobody")
    a.nothing("room-message")
    b.nothing("room-message", within=0)


def test_sockets_join_by_socket_id(peers):
    a, b = peers(2)
    b.call("sockets-join", a.sid(), "picked")
    assert a.call("rooms") == sorted([a.sid(), "picked"])
    assert b.call("rooms") == [b.sid()]


@pytest.mark.parametrize("close", [False, True], ids=["keep-connection", "close"])
def test_disconnect_sockets_in_room(peers, close):
    a, b, keeper = peers(3)
    a.call("join", "r")
    b.call("join", "r")
    sids = [a.sid(), b.sid()]
    assert keeper.call("disconnect-room", "r", close) is True
    for p in (a, b):
        namespace, reason = p.next_disconnect()
        assert namespace == "/" and reason == p.sio.reason.SERVER_DISCONNECT
    for sid in sids:
        record = server_disconnect_record(keeper, sid)
        assert record["reason"] == "server namespace disconnect"
        assert "r" in record["rooms"]
    assert keeper.call("fetch", "r") == []
    assert keeper.call("rooms") == [keeper.sid()]  # still connected
    keeper.nothing("disconnect")
    assert keeper.disconnects.empty()


# --- disconnect reasons on both sides ------------------------------------------------------

@pytest.mark.parametrize("close", [False, True], ids=["namespace", "close"])
def test_server_disconnects_socket(peers, close):
    p, witness = peers(2)
    sid = p.sid()
    p.call("join", "r")
    p.emit("disconnect-me", close)
    namespace, reason = p.next_disconnect()
    assert (namespace, reason) == ("/", p.sio.reason.SERVER_DISCONNECT)
    record = server_disconnect_record(witness, sid)
    assert record["reason"] == "server namespace disconnect"
    assert record["rooms"] == sorted([sid, "r"])  # disconnecting still saw the rooms
    assert record["roomsAfter"] == []             # disconnect sees them gone
    assert witness.call("fetch", "*") == [{"id": witness.sid(), "rooms": [witness.sid()], "data": None}]


def test_close_disconnects_every_namespace_of_the_connection(peers):
    p, = peers(namespaces=("/", "/team-3"))
    witness, = peers()
    sids = {"/": p.sid("/"), "/team-3": p.sid("/team-3")}
    p.emit("disconnect-me", True)
    seen = {p.next_disconnect()[0], p.next_disconnect()[0]}
    assert seen == {"/", "/team-3"}
    for sid in sids.values():
        assert server_disconnect_record(witness, sid)["reason"] == "server namespace disconnect"


def test_namespace_disconnect_keeps_other_namespaces(peers):
    p, = peers(namespaces=("/", "/team-4"))
    p.emit("disconnect-me", False, namespace="/team-4")
    assert p.next_disconnect() == ("/team-4", p.sio.reason.SERVER_DISCONNECT)
    assert p.call("rooms") == [p.sid("/")]  # `/` on the same connection still works


def test_client_namespace_disconnect_reason(peers):
    p, witness = peers(2)
    sid = p.sid()
    p.call("join", "room-x")
    # The Socket.IO DISCONNECT packet ("1" for `/`) through the client's own Engine.IO session, so
    # it surely leaves before anything else (see the next test for why not sio.disconnect()).
    p.sio.eio.send("1")
    record = server_disconnect_record(witness, sid)
    assert record["reason"] == "client namespace disconnect"
    assert record["rooms"] == sorted([sid, "room-x"])
    # Leaving the last namespace does not close the connection (as in Node).
    time.sleep(QUIET)
    assert p.sio.eio.state == "connected"


def test_client_disconnect_reason_python_socketio(peers):
    # python-engineio 4.15's disconnect() queues DISCONNECT and CLOSE for its writer thread, then
    # closes the WebSocket without waiting for it: the server sees the DISCONNECT only sometimes,
    # else the connection drop. Either way the socket must leave with one of those two reasons.
    p, witness = peers(2)
    sid = p.sid()
    p.sio.disconnect()
    reason = server_disconnect_record(witness, sid)["reason"]
    assert reason in ("client namespace disconnect", "transport close")
    assert witness.call("fetch", "*") == [{"id": witness.sid(), "rooms": [witness.sid()], "data": None}]


def test_transport_close_reason(peers):
    p, witness = peers(2)
    sid = p.sid()
    p.sio.eio.disconnect()  # closes the Engine.IO session without a Socket.IO DISCONNECT
    assert server_disconnect_record(witness, sid)["reason"] == "transport close"


def test_ping_timeout_reason_websocket(api_server, peers):
    witness, = peers()
    raw = RawSocket(api_server.ws_url + "/socket.io/")
    try:
        sid = raw.connect()
        # Never read (so never answer a ping) from here on.
        record = server_disconnect_record(witness, sid, deadline=PING_DEADLINE + WAIT)
        assert record["reason"] == "ping timeout"
    finally:
        raw.close()


def test_ping_timeout_reason_polling(api_server, peers):
    witness, = peers()
    raw = Polling(api_server.url + "/socket.io/")
    raw.handshake()
    assert raw.post("40").status_code == 200
    connect = raw.collect(1)
    sid = json.loads(connect[0][2:])["sid"]
    # Stop polling: the ping the server queues is never read, so never answered.
    record = server_disconnect_record(witness, sid, deadline=PING_DEADLINE + WAIT)
    assert record["reason"] == "ping timeout"


def test_parse_error_reason(api_server, peers):
    witness, = peers()
    raw = RawSocket(api_server.ws_url + "/socket.io/")
    try:
        sid = raw.connect()
        raw.send('2["broken",')
        assert server_disconnect_record(witness, sid)["reason"] == "parse error"
    finally:
        raw.close()


def test_transport_error_reason(api_server, peers):
    # A WebSocket protocol violation (an unmasked client frame): the server answers 1002 and the
    # socket leaves at once with "transport error", even though this peer never closes its side.
    witness, = peers()
    raw = RawSocket(api_server.ws_url + "/socket.io/")
    try:
        sid = raw.connect()
        raw.ws.sock.send(b"\x81\x02" + b"42")  # FIN+text, length 2, no mask bit
        assert server_disconnect_record(witness, sid)["reason"] == "transport error"
    finally:
        raw.close()


def test_server_shutdown_disconnects_everyone(api_server, peers):
    clients = peers(2, namespaces=("/", "/team-8"))
    api_server.proc.terminate()
    for p in clients:
        seen = {p.next_disconnect()[0], p.next_disconnect()[0]}
        assert seen == {"/", "/team-8"}
    assert api_server.proc.wait(timeout=WAIT) == 0


# --- payloads ------------------------------------------------------------------------------

def test_binary_both_ways(peers):
    p, = peers()
    args = (bytes(range(256)), {"nested": [b"\x00\xff", {"deep": b""}], "text": "t"}, 3)
    assert p.call("binary-echo", *args) == args
    back = p.next("binary-echo")
    assert back == args and type(back[0]) is bytes and type(back[1]["nested"][0]) is bytes


def test_binary_broadcast_to_room(peers):
    a, b = peers(2)
    a.call("join", "bin")
    b.call("to-room", "bin", b"\x01\x02", {"x": b"\x03"})
    assert a.next("room-message") == (b"\x01\x02", {"x": b"\x03"})


def test_binary_in_client_ack_reply(peers):
    p, = peers()
    p.answers["question"] = lambda *args: b"\xde\xad"
    p.emit("ask-client", 2000)
    assert p.next("ask-result") == ([b"\xde\xad"],)


def test_multiple_args_and_reply_args(peers):
    p, = peers()
    assert p.call("multi-args", 1, "a", None, [2]) == (4, [2], None, "a", 1)
    assert p.call("multi-args") == 0


def test_on_any_sees_every_event(peers):
    p, = peers()
    p.emit("unhandled-1", 1)
    p.call("rooms")
    p.emit("unhandled-2")
    count, names = p.call("any-count")
    assert names == ["unhandled-1", "rooms", "unhandled-2", "any-count"]
    assert count == 4


def test_on_any_outgoing(peers):
    p, = peers()
    p.call("join", "r")
    p.call("to-room", "r", "x")
    p.call("binary-echo", 1)
    assert p.next("room-message") == ("x",)
    assert p.next("binary-echo") == (1,)
    assert p.call("outgoing") == ["room-message", "binary-echo"]  # ack replies are not events


def test_packet_middleware_rejects_event(peers):
    p, = peers()
    acked = threading.Event()
    p.sio.emit("forbidden", (), callback=lambda *a: acked.set())
    assert p.next("error-seen") == \
        ('event "forbidden" rejected by middleware: refused by the packet middleware',)
    assert not acked.wait(QUIET)  # the handler never ran
    assert p.call("rooms") == [p.sid()]  # and the socket stays usable


def test_volatile_events(peers, transports):
    p, = peers()
    p.emit("volatile", 5)
    assert p.next("volatile-done") == (5,)
    time.sleep(QUIET)  # python-socketio dispatches events on threads: let stragglers land
    ticks = []
    while not p.queue("volatile-tick").empty():
        ticks.append(p.queue("volatile-tick").get()[0])
    assert sorted(ticks) == sorted(set(ticks)) and set(ticks) <= set(range(5))
    if transports == ["websocket"]:
        assert sorted(ticks) == list(range(5))  # an idle WebSocket is always writable
