"""The chat server without a browser: how it serves the stock client and web/, and the chat protocol
as an independent client (python-socketio) sees it. Runs against the same server as the page tests
(see conftest.py: the Swift `chat` binary by default)."""
import gzip
import http.client
import json
import os
import signal
import time

import pytest
import requests
import socketio

from chatclients import Client, RawChat, notify

BANNER = b"Socket.IO v4.8.1"
# The python reference server (CHAT_SERVER_CMD) serves the client as a plain file, without --client-dir.
ours_only = pytest.mark.skipif(bool(os.environ.get("CHAT_SERVER_CMD")),
                               reason="serveClient's caching and --client-dir are our server's, not the reference's")


def raw_get(server, target, headers=None):
    """GET with the target sent exactly as given (no client-side normalisation of `..`)."""
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
    try:
        connection.putrequest("GET", target, skip_accept_encoding=True)
        for name, value in (headers or {}).items():
            connection.putheader(name, value)
        connection.endheaders()
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


# ---- the stock client -----------------------------------------------------------------

@ours_only
@pytest.mark.parametrize("name", ["socket.io.js", "socket.io.min.js"])
def test_client_is_served_with_caching_headers(chat_server, name):
    status, headers, body = raw_get(chat_server, f"/socket.io/{name}")
    assert status == 200
    assert headers["Content-Type"].startswith("application/javascript")
    assert BANNER in body[:200]
    assert headers["Cache-Control"] and headers["ETag"]

    status, again, body = raw_get(chat_server, f"/socket.io/{name}", {"If-None-Match": headers["ETag"]})
    assert status == 304 and body == b"" and again["ETag"] == headers["ETag"]
    status, _, _ = raw_get(chat_server, f"/socket.io/{name}", {"If-None-Match": '"something-else"'})
    assert status == 200

    status, zipped, body = raw_get(chat_server, f"/socket.io/{name}", {"Accept-Encoding": "gzip"})
    assert status == 200 and zipped["Content-Encoding"] == "gzip"
    assert BANNER in gzip.decompress(body)[:200]


def test_only_client_files_are_served_under_the_engine_path(chat_server):
    for target in ("/socket.io/socket.io.msgpack.min.js", "/socket.io/../Package.swift", "/socket.io/app.js"):
        status, _, _ = raw_get(chat_server, target)
        assert status in (400, 404), target
    # The Engine.IO endpoint itself is untouched.
    response = requests.get(f"{chat_server.url}/socket.io/?EIO=4&transport=polling", timeout=5)
    assert response.status_code == 200 and response.text.startswith("0{")


@ours_only
def test_missing_client_answers_404_with_a_hint(start_server, tmp_path):
    server = start_server("--client-dir", str(tmp_path / "nowhere"))
    status, _, body = raw_get(server, "/socket.io/socket.io.js")
    assert status == 404 and b"fetch-client" in body
    assert "fetch-client" in server.log_path.read_text()
    assert requests.get(server.url + "/", timeout=5).status_code == 200


# ---- web/ ---------------------------------------------------------------------------------

def test_web_files_have_their_types(chat_server):
    expected = {"/": "text/html", "/index.html": "text/html", "/app.js": "javascript", "/style.css": "text/css"}
    for path, kind in expected.items():
        response = requests.get(chat_server.url + path, timeout=5)
        assert response.status_code == 200 and kind in response.headers["Content-Type"], path


def test_paths_cannot_leave_the_web_folder(start_server, tmp_path):
    web = tmp_path / "web"
    web.mkdir()
    (web / "index.html").write_text("<p>inside</p>")
    (tmp_path / "secret.txt").write_text("outside")
    os.symlink(tmp_path / "secret.txt", web / "link.txt")
    os.symlink(tmp_path, web / "up")
    server = start_server("--web", str(web))
    assert raw_get(server, "/")[2] == b"<p>inside</p>"
    for target in ("/../secret.txt", "/%2e%2e/secret.txt", "/%2E%2E%2Fsecret.txt", "/..%2fsecret.txt",
                   "/link.txt", "/up/secret.txt", "//" + str(tmp_path / "secret.txt").lstrip("/"),
                   "/%2F" + str(tmp_path / "secret.txt").lstrip("/"), "/..\\secret.txt"):
        status, _, body = raw_get(server, target)
        assert status in (400, 404) and b"outside" not in body, target


# ---- the protocol, as python-socketio sees it ----------------------------------------------

def test_join_rooms_messages_and_typing(clients):
    alice, bob = clients(), clients()
    assert alice.call("join", {"name": "  Alice "}) == {
        "ok": True, "name": "Alice", "room": "general", "rooms": [{"name": "general", "count": 1}], "online": 1,
        "history": []}
    assert alice.next("user joined") == {"name": "Alice", "room": "general", "online": 1}
    assert bob.next("rooms") == [{"name": "general", "count": 1}], "rooms goes to everyone"
    for bad in ({"name": "alice"}, {"name": ""}, {"name": "<b>"}, {"name": "x" * 33}, {"name": 5}, "Bob", []):
        reply = bob.call("join", bad)
        assert reply["ok"] is False and reply["error"], bad
    assert bob.call("join", {"name": "Bob"})["online"] == 2
    assert alice.next("user joined") == {"name": "Bob", "room": "general", "online": 2}

    bob.sio.emit("typing", True)
    assert alice.next("typing") == {"name": "Bob", "typing": True}
    bob.none("typing")

    assert alice.call("chat message", {"text": " hi "}) == {"ok": True}
    for client in (alice, bob):
        message = client.next("chat message")
        assert message["text"] == "hi" and message["name"] == "Alice" and message["room"] == "general"
        assert message["from"] == alice.sio.get_sid("/") and isinstance(message["ts"], int)
        assert abs(message["ts"] / 1000 - time.time()) < 60
    assert alice.call("chat message", {"text": "   "})["ok"] is False

    changed = bob.call("join room", {"room": "dev"})
    assert changed == {"ok": True, "room": "dev", "rooms": [{"name": "general", "count": 1}, {"name": "dev", "count": 1}],
                       "online": 1, "history": []}
    assert alice.until("rooms", changed["rooms"])
    assert bob.call("join room", {"room": "no/slash"})["ok"] is False
    alice.call("chat message", {"text": "general only"})
    bob.none("chat message")

    bob.close()
    assert alice.until("rooms", [{"name": "general", "count": 1}]), "empty rooms disappear"


def test_length_and_rate_limits(clients):
    alice = clients()
    alice.call("join", {"name": "Alice"})
    assert alice.call("chat message", {"text": "y" * 1001}) == {
        "ok": False, "error": "Message too long (max 1000 characters)"}
    assert alice.call("chat message", {"text": "é" * 1000}) == {"ok": True}
    for _ in range(4):
        assert alice.call("chat message", {"text": "quick"}) == {"ok": True}
    too_fast = {"ok": False, "error": "You are sending messages too fast; wait a moment"}
    assert alice.call("chat message", {"text": "one too many"}) == too_fast
    assert alice.call("chat message", {"text": "still too many"}) == too_fast


def test_connection_limit(start_server):
    server = start_server("--max-connections", "1")
    first = Client(server.url)
    second = socketio.Client(reconnection=False)
    refusals = []
    second.on("connect_error", refusals.append)
    try:
        with pytest.raises(socketio.exceptions.ConnectionError):
            second.connect(server.url, wait_timeout=5)
        assert refusals == [{"message": "Server is full (max 1 connections)"}]
    finally:
        first.close()
        second.disconnect()


def test_notifications_reach_only_the_joined_user(chat_server):
    """`/notifications` with auth {user} is for the member of that name on the same connection:
    anyone else naming the user is refused and is not in the user's room."""
    # Nobody joined as Alice yet: python-socketio's own client is refused with the reason.
    early = socketio.Client(reconnection=False)
    errors = []
    early.on("connect_error", errors.append, namespace="/notifications")
    with pytest.raises(socketio.exceptions.ConnectionError):
        early.connect(chat_server.url, namespaces=["/notifications"], auth={"user": "Alice"},
                      transports=["websocket"], wait_timeout=5)
    early.disconnect()
    assert errors == [{"message": "Join the chat as Alice on this connection first"}]

    # Raw frames for the rest: python-socketio CONNECTs every namespace at once, before any join.
    impostor, alice = RawChat(chat_server), RawChat(chat_server)
    try:
        refusal = '4/notifications,{"message":"Join the chat as Alice on this connection first"}'
        impostor.join("Mallory")
        assert impostor.notifications("Alice") == refusal
        alice.join("Alice")
        assert alice.notifications("Alice").startswith('0/notifications,{"sid":')

        response = notify(chat_server, "Alice", "done")
        assert response.status_code == 200 and response.json() == {"ok": True}
        notification = json.loads(alice.until_namespace()[len("2/notifications,"):])
        assert notification[0] == "notification" and notification[1]["message"] == "done"
    finally:
        for raw in (impostor, alice):
            raw.close()


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
@pytest.mark.parametrize("transport", ["polling", "websocket"])
def test_signal_tells_clients_and_exits_quickly(chat_server, transport, signum):
    client = Client(chat_server.url, transports=[transport])
    started = time.monotonic()
    chat_server.process.send_signal(signum)
    assert client.next("server shutting down") == {}
    assert client.disconnected.wait(5), "the connection was not closed"
    assert chat_server.process.wait(timeout=5) == 0
    assert time.monotonic() - started < 5
    chat_server.start()  # binds the same port at once
    assert requests.get(chat_server.url + "/", timeout=5).status_code == 200
