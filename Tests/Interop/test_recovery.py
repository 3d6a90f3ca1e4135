"""Connection state recovery on the wire, and drain, against `conformance-server --recovery`
(Sources/ConformanceServer/RecoverySuite.swift). python-socketio does not implement recovery, so the
protocol bits are checked with raw packets (rawio.RawSocket over websocket-client): the pid in the
CONNECT answer, offsets appended to eligible events, a CONNECT carrying pid/offset. Drain is checked with
python-socketio clients: the transport closed under them (not "io server disconnect") spread over the window, 503 for
new handshakes and on /readyz meanwhile."""
import json
import signal
import threading
import time

import pytest
import requests
import socketio

from project import server_prefix, is_python_reference
from rawio import RawSocket

WAIT = 5.0


@pytest.fixture
def recovery_server(start_server, request):
    if is_python_reference(request.config):
        pytest.skip("the python reference server has no --recovery mode")

    def start(*flags):
        return start_server(server_prefix(request.config) + ["--recovery", *flags], name="recovery-server")
    return start


def connect(server, auth=None):
    raw = RawSocket(server.ws_url + "/socket.io/")
    raw.send("0" + (json.dumps(auth) if auth is not None else ""))
    reply = raw.recv()
    assert reply.startswith("0{"), reply
    return raw, json.loads(reply[1:])


def event(raw):
    packet = raw.recv()
    assert packet.startswith("2["), packet
    return json.loads(packet[1:])


def test_connect_answer_carries_a_pid_and_events_an_offset(recovery_server):
    server = recovery_server()
    a, info = connect(server)
    assert set(info) == {"sid", "pid"}
    assert len(info["sid"]) == 20 and len(info["pid"]) == 20 and info["sid"] != info["pid"]
    a.send('20["join","r"]')
    assert a.recv() == "30[true]"  # an ack: no offset
    a.send('2["tick","r",2,10]')
    first, second = event(a), event(a)
    assert first[:2] == ["tick", 1] and second[:2] == ["tick", 2]
    assert isinstance(first[2], str) and isinstance(second[2], str) and first[2] != second[2]
    a.send('2["private",1]')  # socket.emit: an offset too
    private = event(a)
    assert private[:2] == ["private", 1] and len(private) == 3
    a.close()


def test_a_connect_with_pid_and_offset_gets_its_socket_back_with_what_it_missed(recovery_server):
    server = recovery_server()
    a, info = connect(server)
    a.send('20["join","r"]')
    a.recv()
    b, _ = connect(server)
    b.send('2["tick","r",1,0]')
    offset = event(a)[-1]
    a.close()  # transport close: recoverable
    time.sleep(0.2)
    b.send('2["tick","r",3,0]')
    time.sleep(0.3)

    back, again = connect(server, {"pid": info["pid"], "offset": offset})
    assert again == info  # same sid, same pid
    replayed = [event(back) for _ in range(3)]
    assert [e[1] for e in replayed] == [1, 2, 3]
    assert len({e[2] for e in replayed} | {offset}) == 4
    back.send('21["whoami"]')
    whoami = json.loads(back.recv()[2:])[0]
    assert whoami["recovered"] is True and whoami["rooms"] == sorted(["r", info["sid"]])
    back.close(); b.close()


def test_an_unknown_pid_or_a_bad_offset_gets_a_new_session(recovery_server):
    server = recovery_server()
    a, info = connect(server)
    a.close()
    time.sleep(0.2)
    bad, fresh = connect(server, {"pid": info["pid"], "offset": "not-an-offset"})
    assert fresh["sid"] != info["sid"]
    other, fresh2 = connect(server, {"pid": "x" * 20})
    assert fresh2["sid"] != info["sid"]
    other.send('21["stats"]')
    assert json.loads(other.recv()[2:])[0] == {"recovered": 0, "failed": 2}
    bad.close(); other.close()


def test_a_namespace_disconnect_is_not_recoverable(recovery_server):
    server = recovery_server()
    a, info = connect(server)
    a.send("1")  # client namespace disconnect: the client left on purpose
    time.sleep(0.2)
    a.close()
    b, again = connect(server, {"pid": info["pid"], "offset": "0"})
    assert again["sid"] != info["sid"]
    b.close()


# python-engineio's names for the end of each transport, as Node's engine.io closes them: a WebSocket
# closed under it, a poll answered with an Engine.IO close packet ("server disconnect", engine level).
# Never python-socketio's "io server disconnect", which a Socket.IO DISCONNECT packet would give and
# after which clients stay away.
CLOSED = {"websocket": "transport error", "polling": "server disconnect"}


@pytest.mark.parametrize("transport", ["websocket", "polling"])
def test_drain_closes_transports_spread_over_the_window_and_refuses_new_handshakes(recovery_server, transport):
    window = 3.0
    server = recovery_server("--drain-seconds", str(window))
    count = 6
    closed = {}
    lock = threading.Lock()
    clients = []
    for i in range(count):
        client = socketio.Client(reconnection=False)

        def on_disconnect(reason=None, i=i):
            with lock:
                closed[i] = (time.monotonic(), reason)
        client.on("disconnect", on_disconnect)
        client.connect(server.url, transports=[transport], wait_timeout=WAIT)
        clients.append(client)
    assert requests.get(server.url + "/readyz", timeout=WAIT).status_code == 200

    start = time.monotonic()
    server.proc.send_signal(signal.SIGTERM)
    deadline = start + WAIT
    while requests.get(server.url + "/readyz", timeout=WAIT).status_code != 503:
        assert time.monotonic() < deadline, "readyz never said 503"
        time.sleep(0.02)
    assert requests.get(server.url + "/healthz", timeout=WAIT).status_code == 200
    refused = requests.get(server.url + "/socket.io/?EIO=4&transport=polling", timeout=WAIT)
    assert refused.status_code == 503, refused.text

    while len(closed) < count and time.monotonic() < start + window + WAIT:
        time.sleep(0.02)
    assert len(closed) == count, closed
    assert {reason for _, reason in closed.values()} == {CLOSED[transport]}
    offsets = sorted(at - start for at, _ in closed.values())
    # Six closes at 1/12, 3/12, ... 11/12 of the window: spread over it, not all at once.
    assert offsets[0] >= window / 12 - 0.15
    assert offsets[-1] - offsets[0] >= window * 0.6
    gaps = [b - a for a, b in zip(offsets, offsets[1:])]
    assert max(gaps) < window / count * 2.5, gaps
    server.proc.wait(timeout=WAIT)
    for client in clients:
        client.disconnect()


def test_the_chat_drains_on_sigterm_with_drain_seconds(start_server, request):
    if is_python_reference(request.config):
        pytest.skip("the chat binary is ours")
    from project import swift_binary
    server = start_server([str(swift_binary("chat")), "--host", "127.0.0.1", "--web", "web",
                           "--drain-seconds", "2"], name="chat")
    client = socketio.Client(reconnection=False)
    reasons = []
    client.on("disconnect", lambda reason=None: reasons.append((time.monotonic(), reason)))
    client.connect(server.url, transports=["websocket"], wait_timeout=WAIT)
    start = time.monotonic()
    server.proc.send_signal(signal.SIGTERM)
    deadline = start + WAIT
    while requests.get(server.url + "/readyz", timeout=WAIT).status_code != 503:
        assert time.monotonic() < deadline, "readyz never said 503"
        time.sleep(0.02)
    assert server.proc.wait(timeout=2 + WAIT) == 0
    elapsed = time.monotonic() - start
    assert 1.8 <= elapsed <= 2 + 3, elapsed  # the whole window, then a prompt exit
    assert [reason for _, reason in reasons] == ["transport error"]
    assert 0.5 <= reasons[0][0] - start <= 1.7  # one client: closed mid-window
    client.disconnect()
