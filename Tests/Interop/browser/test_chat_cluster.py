"""The chat on two processes sharing a real redis-server (`chat --redis URL`), started by
scripts/cluster as a user would: one chat across processes. python-socketio clients talk to each
process directly (so which process is known); the stock client in Chromium goes through nginx with
TLS, two browsers pinned to different processes (relay.py gives the second another address)."""
import json
import time
from types import SimpleNamespace

import pytest
import requests
from chatclients import Client, RawChat
from chatpage import ChatPage
from clusterproc import Cluster
from project import swift_binary, wait_until

WAIT = 8


@pytest.fixture(scope="module")
def chat_cluster():
    cluster = Cluster([str(swift_binary("chat")), "--web", "web", "--client-dir", "vendor/client",
                       "--max-connections-per-address", "0", "--max-handshakes-per-second-per-address", "0"], nodes=2)
    yield cluster
    cluster.stop()


def node(cluster, i):
    return SimpleNamespace(url=f"http://127.0.0.1:{cluster.nodes[i]}", port=cluster.nodes[i])


def member(cluster, i, name):
    client = Client(node(cluster, i).url)
    answer = client.call("join", {"name": name})
    assert answer["ok"] is True, answer
    return client, answer




def test_names_are_unique_across_processes_and_freed_on_leave(chat_cluster):
    alice, _ = member(chat_cluster, 0, "Alice")
    other = Client(node(chat_cluster, 1).url)
    try:
        refused = other.call("join", {"name": "alice"})
        assert refused == {"ok": False, "error": 'The name "alice" is already taken'}
        alice.close()
        wait_until(lambda: other.call("join", {"name": "ALICE"})["ok"] is True, "the name to be free")
    finally:
        other.close()


def test_messages_typing_and_counts_cross_processes(chat_cluster):
    a, _ = member(chat_cluster, 0, "Ann")
    b, joined = member(chat_cluster, 1, "Ben")
    try:
        assert joined["online"] >= 2  # Ann, on the other process, is counted
        a.until("rooms", [{"name": "general", "count": 2}])
        b.until("rooms", [{"name": "general", "count": 2}])
        assert a.call("chat message", {"text": "hello from 0"})["ok"] is True
        message = b.next("chat message")
        assert message["name"] == "Ann" and message["text"] == "hello from 0"
        b.sio.emit("typing", True)
        assert a.next("typing") == {"name": "Ben", "typing": True}
        # A room made on one process is in the other's list, with its count.
        assert b.call("join room", {"room": "Ops"})["ok"] is True
        a.until("rooms", [{"name": "general", "count": 1}, {"name": "Ops", "count": 1}])
        assert a.call("join room", {"room": "ops"})["room"] == "Ops"
        b.until("rooms", [{"name": "general", "count": 0}, {"name": "Ops", "count": 2}])
    finally:
        a.close()
        b.close()


def test_history_is_kept_in_redis_for_every_process(chat_cluster):
    a, _ = member(chat_cluster, 0, "Hana")
    try:
        assert a.call("join room", {"room": "history-room"})["ok"] is True
        for i in range(3):
            assert a.call("chat message", {"text": f"m{i}"})["ok"] is True
        b, _ = member(chat_cluster, 1, "Hugo")
        moved = b.call("join room", {"room": "History-Room"})
        assert [m["text"] for m in moved["history"]] == ["m0", "m1", "m2"]
        assert moved["room"] == "history-room"
        b.close()
    finally:
        a.close()


def test_notify_on_either_process_reaches_the_member(chat_cluster):
    bob = RawChat(node(chat_cluster, 1))
    try:
        bob.join("Bob")
        assert bob.notifications("Bob").startswith("0/notifications,")
        time.sleep(0.3)
        reply = requests.post(f"{node(chat_cluster, 0).url}/api/notify",
                              json={"user": "bob", "message": "Build done"}, timeout=5)
        assert reply.status_code == 200, reply.text
        packet = bob.until_namespace()
        assert packet.startswith("2/notifications,")
        assert json.loads(packet[packet.index("["):])[1]["message"] == "Build done"
    finally:
        bob.close()


def test_two_browsers_on_different_processes_chat_through_nginx_with_tls(chat_cluster, open_browser):
    first = f"https://127.0.0.1:{chat_cluster.https}"
    relay = chat_cluster.relay_to_another_node("https")
    try:
        tess = ChatPage(open_browser(insecure=True), "tess").open(first).join("Tess")
        theo = ChatPage(open_browser(insecure=True), "theo").open(f"https://127.0.0.1:{relay.port}").join("Theo")
        tess.wait(lambda: tess.rooms().get("general") == 2, "both members counted")
        tess.send("across processes")
        theo.wait_message("across processes")
        theo.send("got it")
        tess.wait_message("got it")
        for page in (tess, theo):
            assert page.js("return location.protocol") == "https:"
            page.wait(lambda page=page: page.text("transport") == "websocket", "the upgrade through nginx")
    finally:
        relay.close()
