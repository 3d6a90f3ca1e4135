"""Scale-out over Redis: two and three `conformance-server --cluster --redis URL` processes on one
real redis-server (Sources/ConformanceServer/ClusterSuite.swift), driven by python-socketio clients
over polling, WebSocket and upgrade, plus redis-py and msgpack (independent implementations) speaking
the Node adapter's wire protocol directly, as a Node server on the same Redis would."""
import base64
import json
import queue
import signal
import threading
import time

import msgpack
import pytest
import redis
import socketio

from project import is_python_reference, server_prefix, wait_until
from rawio import RawSocket
from redisproc import RedisServer

WAIT = 8.0
QUIET = 0.5


@pytest.fixture
def redis_server():
    server = RedisServer().start()
    yield server
    server.cleanup()


@pytest.fixture(params=["classic", "streams"])
def adapter(request):
    """Which Redis adapter the cluster runs: the classic pub/sub one, or the Redis Streams one."""
    return request.param


@pytest.fixture
def classic(adapter):
    """For tests of the classic adapter's own wire format (Node's captured bytes, allRooms)."""
    if adapter != "classic":
        pytest.skip("the classic adapter's wire format")


@pytest.fixture
def cluster(start_server, redis_server, request, adapter):
    """`cluster(n)` starts n servers on the same Redis and waits until each counts all of them."""
    if is_python_reference(request.config):
        pytest.skip("the python reference server has no --cluster mode")

    def start(n=2, key=None):
        argv = server_prefix(request.config) + ["--cluster", "--redis", redis_server.url]
        if adapter == "streams":
            argv.append("--streams")
        if key:
            argv += ["--key", key]
        servers = [start_server(argv, name=f"cluster-{i}") for i in range(n)]
        wait_until(lambda: numsub(redis_server, key or "socket.io", adapter=adapter) == n, f"{n} servers subscribed")
        return servers
    return start


def numsub(server: RedisServer, key="socket.io", nsp="/", adapter="classic") -> int:
    """How many servers a request waits for: subscribers of the classic request channel, or of the
    streams adapter's public channel."""
    channel = f"{key}-request#{nsp}#" if adapter == "classic" else f"{key}#{nsp}#"
    r = redis.Redis(port=server.port, socket_timeout=2)
    try:
        return dict(r.pubsub_numsub(channel))[channel.encode()]
    finally:
        r.close()




class Peer:
    """A python-socketio client recording events; `answers[event]` replies to server acks."""

    def __init__(self, server, transports, auth=None, answer=None):
        self.events: dict[str, queue.Queue] = {}
        self.lock = threading.Lock()
        self.disconnected = threading.Event()
        self.sio = socketio.Client(reconnection=False)
        self.answer = answer
        self.sio.on("*", self._on_event)
        self.sio.on("disconnect", lambda *a: self.disconnected.set())
        self.sio.connect(server.url, transports=transports, auth=auth, wait_timeout=WAIT)

    def _on_event(self, event, *args):
        self.queue(event).put(args)
        if event == "q" and self.answer is not None:
            return self.answer(*args)
        return None

    def queue(self, event) -> queue.Queue:
        with self.lock:
            return self.events.setdefault(event, queue.Queue())

    def next(self, event, timeout=WAIT):
        return self.queue(event).get(timeout=timeout)

    def nothing(self, event, quiet=QUIET):
        try:
            got = self.queue(event).get(timeout=quiet)
        except queue.Empty:
            return True
        raise AssertionError(f"unexpected {event}: {got}")

    def call(self, event, *args, timeout=WAIT):
        return self.sio.call(event, args if len(args) != 1 else args[0], timeout=timeout)

    @property
    def sid(self):
        return self.sio.get_sid()

    def close(self):
        self.sio.disconnect()


@pytest.fixture
def peers():
    made: list[Peer] = []

    def make(server, transports, **kw):
        peer = Peer(server, transports, **kw)
        made.append(peer)
        return peer
    yield make
    for peer in made:
        try:
            peer.close()
        except Exception:
            pass


def test_broadcast_and_rooms_reach_every_server(cluster, peers, transports):
    a, b = cluster(2)
    on_a = peers(a, transports)
    on_b = peers(b, transports, auth={"room": "r1"})
    also_b = peers(b, transports)
    on_a.sio.emit("broadcast", ("news", {"n": 1, "bin": b"\x00\xff"}))
    for peer in (on_a, on_b, also_b):
        assert peer.next("news") == ({"n": 1, "bin": b"\x00\xff"},)
    on_a.sio.emit("to", ("r1", "room-news", [1, "two", None]))
    assert on_b.next("room-news") == ([1, "two", None],)
    also_b.nothing("room-news")
    on_a.nothing("room-news")


def test_count_rooms_and_server_count_span_three_servers(cluster, peers, transports, adapter):
    servers = cluster(3)
    clients = [peers(s, transports, auth={"room": f"room-{i}"}) for i, s in enumerate(servers)]
    clients.append(peers(servers[0], transports))
    for c in clients:
        assert c.call("count") == 4
        assert c.call("serverCount") == 3
    rooms = clients[1].call("rooms")
    if adapter == "streams":  # the ClusterAdapter protocol has no allRooms request: this server's rooms
        assert set(rooms) == {"room-1", clients[1].sid}
        return
    assert {"room-0", "room-1", "room-2"} <= set(rooms)
    assert {c.sid for c in clients} <= set(rooms)  # every socket's own room, on every server


def test_fetch_sockets_sees_remote_rooms_and_data_and_reaches_them(cluster, peers, transports):
    a, b = cluster(2)
    here = peers(a, transports)
    there = peers(b, transports, auth={"room": "blue"})
    found = here.call("fetch", "blue")
    assert [s["id"] for s in found] == [there.sid]
    assert found[0]["rooms"] == sorted([there.sid, "blue"])
    assert found[0]["data"] == {"port": b.port}
    assert found[0]["local"] is False
    assert here.call("remoteEmit", there.sid, "direct", {"via": "RemoteSocket"}) is True
    assert there.next("direct") == ({"via": "RemoteSocket"},)
    here.nothing("direct")


def test_sockets_join_leave_and_disconnect_across_servers(cluster, peers, transports):
    a, b = cluster(2)
    here = peers(a, transports)
    there = peers(b, transports)
    assert here.call("socketsJoin", "green", there.sid) is True
    wait_until(lambda: "green" in here.call("fetch", there.sid)[0]["rooms"], "remote join")
    here.sio.emit("to", ("green", "g", 1))
    assert there.next("g") == (1,)
    here.nothing("g")
    assert here.call("socketsLeave", "green", there.sid) is True
    wait_until(lambda: "green" not in here.call("fetch", there.sid)[0]["rooms"], "remote leave")
    assert here.call("disconnectRoom", there.sid) is True
    assert there.disconnected.wait(WAIT)
    wait_until(lambda: here.call("count") == 1, "count after remote disconnect")


def test_server_side_emit_reaches_the_other_servers_only(cluster, peers):
    a, b, c = cluster(3)
    sender = peers(a, ["websocket"])
    sender.sio.emit("serverSideEmit", {"hello": "from-a", "list": [1, 2.5, True]})
    line = 'serverSideEmit received ping {"hello":"from-a","list":[1,2.5,true]}'
    wait_until(lambda: line in b.output() and line in c.output(), "the ping on b and c")
    time.sleep(QUIET)
    assert line not in a.output()


def test_server_side_emit_with_ack_collects_every_other_server(cluster, peers):
    a, b, c = cluster(3)
    sender = peers(a, ["websocket"])
    answer = sender.call("serverSideEmitWithAck", "x?")
    assert answer["err"] is False
    assert sorted(r["pong"] for r in answer["res"]) == sorted([b.port, c.port])
    assert all(r["x"] == "x?" for r in answer["res"])


def test_broadcast_acks_are_collected_from_every_server(cluster, peers, transports):
    a, b = cluster(2)
    asker = peers(a, transports, answer=lambda x: {"from": "a1", "x": x})
    remote1 = peers(b, transports, answer=lambda x: {"from": "b1", "x": x})
    remote2 = peers(b, transports, answer=lambda x: {"from": "b2", "x": x})
    result = asker.call("ackAll", {"ask": "A"})
    assert result["err"] is False
    assert sorted(r["from"] for r in result["res"]) == ["a1", "b1", "b2"]
    assert all(r["x"] == {"ask": "A"} for r in result["res"])
    assert remote1.next("q") == ({"ask": "A"},)
    assert remote2.next("q") == ({"ask": "A"},)


def test_broadcast_acks_time_out_with_the_answers_so_far(cluster, peers):
    a, b = cluster(2)
    asker = peers(a, ["websocket"], answer=lambda x: "a")
    silent = RawSocket(b.ws_url + "/socket.io/")  # python-socketio always acks; a raw client need not
    silent.connect()
    try:
        wait_until(lambda: asker.call("count") == 2, "both sockets")
        started = time.monotonic()
        result = asker.call("ackAll", 1)
        assert result == {"err": True, "res": ["a"]}
        assert 1.8 <= time.monotonic() - started < 5
        question = silent.recv()  # it was asked, with an ack id of b's own
        assert question.startswith("2") and question.endswith('["q",1]') and question[1:-7].isdigit(), question
    finally:
        silent.close()


def test_kill_9_of_a_server_mid_ack_and_after(cluster, peers, redis_server, adapter):
    a, b = cluster(2)
    asker = peers(a, ["websocket"], answer=lambda x: "a")
    slow = peers(b, ["websocket"], answer=lambda x: (time.sleep(1.0), "late")[1])
    box = {}
    t = threading.Thread(target=lambda: box.setdefault("r", asker.call("ackAll", 1)))
    t.start()
    slow.next("q")          # b's client got the question: b already counted it
    b.proc.send_signal(signal.SIGKILL)
    t.join(WAIT)
    assert box["r"]["err"] is True and box["r"]["res"] == ["a"]
    # Redis drops the dead server's subscription at once: nobody waits for it any more.
    wait_until(lambda: numsub(redis_server, adapter=adapter) == 1, "the dead server to leave NUMSUB")
    started = time.monotonic()
    assert asker.call("count") == 1
    assert asker.call("serverCount") == 1
    assert time.monotonic() - started < 2


def test_redis_restart_under_a_running_cluster(cluster, peers, redis_server, adapter):
    a, b = cluster(2)
    on_a = peers(a, ["websocket"])
    on_b = peers(b, ["websocket"])
    redis_server.kill()
    # Local sockets keep working; the cross-server part is dropped, and requests fail fast.
    on_a.sio.emit("broadcast", ("while-down", 1))
    assert on_a.next("while-down") == (1,)
    on_b.nothing("while-down")
    started = time.monotonic()
    assert on_a.call("count") == -1
    assert time.monotonic() - started < 2
    redis_server.start()
    wait_until(lambda: numsub(redis_server, adapter=adapter) == 2, "both servers to resubscribe", timeout=15)
    wait_until(lambda: on_a.call("count") == 2, "count to come back", timeout=10)
    on_a.sio.emit("broadcast", ("after", 2))
    assert on_b.next("after") == (2,)
    assert on_a.next("after") == (2,)
    for s in (a, b):
        assert s.proc.poll() is None


# ---- The wire protocol, spoken by an independent Redis client and msgpack codec ----

NODE_BROADCAST = bytes.fromhex(
    "93a65141364d514983a47479706502a46461746192a362633183a16ba666726f6d2d41a16e01a46c6973749401a374776fc0c3"
    "a36e7370a12f83a5726f6f6d7390a665786365707490a5666c61677380")


def test_a_node_servers_broadcast_bytes_reach_our_clients(cluster, peers, redis_server, classic):
    """The bytes a Node server (socket.io 4.8.3, redis-adapter 8.3.0) published for io.emit("bc1", ...),
    captured (shared/reference/redis-wire-samples.md), replayed on our cluster's Redis."""
    a, b = cluster(2)
    on_a = peers(a, ["polling"])
    on_b = peers(b, ["websocket"])
    r = redis.Redis(port=redis_server.port)
    assert r.publish("socket.io#/#", NODE_BROADCAST) == 2
    expected = ({"k": "from-A", "n": 1, "list": [1, "two", None, True]},)
    assert on_a.next("bc1") == expected
    assert on_b.next("bc1") == expected


def test_our_broadcasts_are_what_a_node_server_decodes(cluster, peers, redis_server, classic):
    a, = cluster(1)
    client = peers(a, ["websocket"], auth={"room": "r1"})
    sub = redis.Redis(port=redis_server.port).pubsub()
    sub.psubscribe("socket.io#/#*")
    wait_until(lambda: numsub(redis_server) == 1, "server up")
    time.sleep(0.2)
    client.sio.emit("to", ("r1", "rm", {"room": "r1", "bin": b"\x01\x02"}))
    client.next("rm")
    message = wait_message(sub, "pmessage")
    assert message["channel"] == b"socket.io#/#r1#"
    uid, packet, opts = msgpack.unpackb(message["data"], raw=False)
    assert len(uid) == 6 and uid.isalnum()
    assert packet == {"type": 2, "data": ["rm", {"room": "r1", "bin": b"\x01\x02"}], "nsp": "/"}
    assert opts == {"rooms": ["r1"], "except": [], "flags": {}}


def wait_message(sub, kind, timeout=WAIT):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        message = sub.get_message(timeout=0.2)
        if message and message["type"] == kind:
            return message
    raise AssertionError(f"no {kind} within {timeout}s")


def test_answers_a_node_servers_broadcast_with_ack(cluster, peers, redis_server, classic):
    """A Node server's io.timeout(2000).emit("q", ..., cb) request: every server answers with its client
    count (JSON, type 8), then each client's ack (msgpack, type 9), on the response channel."""
    a, = cluster(1)
    peers(a, ["websocket"], answer=lambda x: {"from": "swift", "x": x})
    r = redis.Redis(port=redis_server.port)
    sub = r.pubsub()
    sub.subscribe("socket.io-response#/#")
    wait_message(sub, "subscribe")
    request = msgpack.packb({"uid": "NoDe01", "requestId": "Req123", "type": 7,
                             "packet": {"type": 2, "data": ["q", {"ask": "A"}], "nsp": "/"},
                             "opts": {"rooms": [], "except": [], "flags": {"timeout": 2000}}})
    r.publish("socket.io-request#/#", request)
    count = wait_message(sub, "message")["data"]
    assert count.startswith(b"{")
    assert json.loads(count) == {"type": 8, "requestId": "Req123", "clientCount": 1}
    ack = msgpack.unpackb(wait_message(sub, "message")["data"], raw=False)
    assert ack == {"type": 9, "requestId": "Req123", "packet": {"from": "swift", "x": {"ask": "A"}}}


def test_answers_a_node_servers_fetch_sockets_and_all_rooms(cluster, peers, redis_server, classic):
    a, = cluster(1)
    client = peers(a, ["websocket"], auth={"room": "lobby"})
    r = redis.Redis(port=redis_server.port)
    sub = r.pubsub()
    sub.subscribe("socket.io-response#/#")
    wait_message(sub, "subscribe")
    r.publish("socket.io-request#/#", json.dumps(
        {"uid": "NoDe01", "requestId": "Fetch1", "type": 5, "opts": {"rooms": ["lobby"], "except": []}}))
    answer = json.loads(wait_message(sub, "message")["data"])
    assert answer["requestId"] == "Fetch1"
    [socket] = answer["sockets"]
    assert socket["id"] == client.sid and sorted(socket["rooms"]) == sorted([client.sid, "lobby"])
    assert socket["data"] == {"port": a.port}
    assert socket["handshake"]["auth"] == {"room": "lobby"}
    assert socket["handshake"]["headers"]["host"].startswith("127.0.0.1")
    r.publish("socket.io-request#/#", json.dumps({"uid": "NoDe01", "requestId": "Rooms1", "type": 1}))
    rooms = json.loads(wait_message(sub, "message")["data"])
    assert rooms["requestId"] == "Rooms1" and {"lobby", client.sid} <= set(rooms["rooms"])


def test_applies_the_node_emitters_messages(cluster, peers, redis_server, classic):
    """What @socket.io/redis-emitter publishes (uid "emitter", opts key order rooms/flags/except, utility
    requests without uid): our servers apply all of it."""
    a, b = cluster(2)
    here = peers(a, ["websocket"], auth={"room": "jobs"})
    there = peers(b, ["polling"])
    r = redis.Redis(port=redis_server.port)
    r.publish("socket.io#/#jobs#", msgpack.packb(
        ["emitter", {"type": 2, "data": ["job", 7], "nsp": "/"}, {"rooms": ["jobs"], "flags": {}, "except": []}]))
    assert here.next("job") == (7,)
    there.nothing("job")
    r.publish("socket.io-request#/#", json.dumps({"type": 2, "opts": {"rooms": [], "except": []}, "rooms": ["all"]}))
    wait_until(lambda: all("all" in s["rooms"] for s in here.call("fetch", None)), "emitter socketsJoin")
    r.publish("socket.io-request#/#", json.dumps({"uid": "emitter", "type": 6, "data": ["ping", "cron"]}))
    wait_until(lambda: 'serverSideEmit received ping "cron"' in a.output() and
             'serverSideEmit received ping "cron"' in b.output(), "emitter serverSideEmit")


def test_bad_bytes_from_redis_are_skipped(cluster, peers, redis_server, adapter):
    a, b = cluster(2)
    on_a = peers(a, ["websocket"])
    on_b = peers(b, ["websocket"])
    r = redis.Redis(port=redis_server.port)
    if adapter == "streams":
        for fields in ({"nsp": "/"}, {"uid": "x", "nsp": "/", "type": "3", "data": "!!not base64"},
                       {"uid": "x", "nsp": "/", "type": "3", "data": "{broken"}, {"uid": "x", "nsp": "/", "type": "99"},
                       {"uid": "x", "nsp": "/", "type": "3", "data": '{"packet": 7}'}):
            r.xadd("socket.io", fields)
    for channel in ("socket.io#/#", "socket.io-request#/#", "socket.io-response#/#"):
        for junk in (b"", b"\xc1", b"{not json", b"\x93\xa1x", msgpack.packb({"type": 99}),
                     msgpack.packb(["x", "not a packet", 3]), b"\xdf\xff\xff\xff\xff" + b"\x00" * 10,
                     b"[" * 100000, msgpack.packb({"uid": "z", "type": 7, "requestId": "r"})):
            r.publish(channel, junk)
    on_a.sio.emit("broadcast", ("still", "alive"))
    assert on_b.next("still") == ("alive",)
    assert on_a.call("count") == 2
    assert a.proc.poll() is None and b.proc.poll() is None


# ---- The Redis Streams adapter's wire format (@socket.io/redis-streams-adapter 0.3.x) ----

@pytest.fixture
def streams(adapter):
    if adapter != "streams":
        pytest.skip("the streams adapter's wire format")


def test_streams_broadcasts_are_stream_entries_node_reads(cluster, peers, redis_server, streams):
    a, = cluster(1)
    client = peers(a, ["websocket"], auth={"room": "r1"})
    r = redis.Redis(port=redis_server.port)
    client.sio.emit("to", ("r1", "plain", {"n": 1}))
    client.sio.emit("to", ("r1", "bin", {"b": b"\x01\x02"}))
    client.next("plain"), client.next("bin")
    wait_until(lambda: r.xlen("socket.io") >= 2, "two stream entries")
    entries = [fields for _, fields in r.xrange("socket.io")]
    plain, binary = [{k.decode(): v.decode() for k, v in e.items()} for e in entries[-2:]]
    assert plain["nsp"] == "/" and plain["type"] == "3" and len(plain["uid"]) == 16
    assert json.loads(plain["data"]) == {"packet": {"type": 2, "data": ["plain", {"n": 1}]},
                                         "opts": {"rooms": ["r1"], "except": [], "flags": {}}}
    # Binary goes as base64 msgpack, as the Node adapter writes it.
    data = msgpack.unpackb(base64.b64decode(binary["data"]), raw=False)
    assert data["packet"] == {"type": 2, "data": ["bin", {"b": b"\x01\x02"}]}


def test_streams_a_node_servers_entries_reach_our_clients(cluster, peers, redis_server, streams):
    a, b = cluster(2)
    on_a = peers(a, ["polling"], auth={"room": "jobs"})
    on_b = peers(b, ["websocket"])
    r = redis.Redis(port=redis_server.port)
    data = {"packet": {"type": 2, "data": ["job", {"n": 7}]}, "opts": {"rooms": ["jobs"], "except": [], "flags": {}}}
    r.xadd("socket.io", {"uid": "0123456789abcdef", "nsp": "/", "type": "3", "data": json.dumps(data)})
    assert on_a.next("job") == ({"n": 7},)
    on_b.nothing("job")
    binary = {"packet": {"type": 2, "data": ["blob", b"\x00\xff"]}, "opts": {"rooms": [], "except": [], "flags": {}}}
    r.xadd("socket.io", {"uid": "0123456789abcdef", "nsp": "/", "type": "3",
                         "data": base64.b64encode(msgpack.packb(binary)).decode()})
    assert on_a.next("blob") == (b"\x00\xff",)
    assert on_b.next("blob") == (b"\x00\xff",)


def test_streams_answers_a_node_servers_fetch_and_ack_requests(cluster, peers, redis_server, streams):
    a, = cluster(1)
    client = peers(a, ["websocket"], auth={"room": "lobby"}, answer=lambda x: {"from": "swift", "x": x})
    r = redis.Redis(port=redis_server.port)
    sub = r.pubsub()
    sub.subscribe("socket.io#/#fedcba9876543210#")  # the Node requester's private channel
    wait_message(sub, "subscribe")
    r.publish("socket.io#/#", msgpack.packb({"type": 7, "data": {"opts": {"rooms": ["lobby"], "except": [], "flags": {}},
                                                                 "requestId": "aa"}, "uid": "fedcba9876543210", "nsp": "/"}))
    answer = msgpack.unpackb(wait_message(sub, "message")["data"], raw=False)
    assert answer["type"] == 8 and answer["nsp"] == "/" and answer["data"]["requestId"] == "aa"
    [socket] = answer["data"]["sockets"]
    assert socket["id"] == client.sid and sorted(socket["rooms"]) == sorted([client.sid, "lobby"])
    r.publish("socket.io#/#", msgpack.packb({"type": 3, "data": {"packet": {"type": 2, "data": ["q", {"ask": 1}]},
                                                                 "requestId": "bb", "opts": {"rooms": [], "except": [], "flags": {"timeout": 2000}}},
                                            "uid": "fedcba9876543210", "nsp": "/"}))
    count = msgpack.unpackb(wait_message(sub, "message")["data"], raw=False)
    assert count["type"] == 11 and count["data"] == {"requestId": "bb", "clientCount": 1}
    ack = msgpack.unpackb(wait_message(sub, "message")["data"], raw=False)
    assert ack["type"] == 12 and ack["data"] == {"requestId": "bb", "packet": {"from": "swift", "x": {"ask": 1}}}
