"""Rooms and what entering one shows, as python-socketio sees the chat: room names ignore case, a room
keeps its last messages for whoever comes (back), switching rooms is not announced, and a request of
the wrong shape is answered in words."""
import pytest

from chatclients import Client


def joined(clients, name, server=None):
    client = clients(server) if server else clients()
    assert client.call("join", {"name": name})["ok"] is True
    return client


def texts(history):
    return [message["text"] for message in history]


def test_room_names_ignore_case_and_keep_the_first_spelling(clients):
    alice, bob = joined(clients, "Alice"), joined(clients, "Bob")
    created = alice.call("join room", {"room": "Dev Ops"})
    assert created["room"] == "Dev Ops"
    entered = bob.call("join room", {"room": "  dEV oPS "})
    assert entered["room"] == "Dev Ops", "another spelling is the same room, shown as first created"
    assert entered["rooms"] == [{"name": "general", "count": 0}, {"name": "Dev Ops", "count": 2}]
    assert entered["online"] == 2

    alice.call("chat message", {"text": "one room"})
    assert bob.next("chat message")["room"] == "Dev Ops"
    assert alice.call("join room", {"room": "GENERAL"})["room"] == "general", "the lobby too"
    assert alice.call("join room", {"room": "General"})["rooms"][0] == {"name": "general", "count": 1}

    # Empty, the room is gone; whoever creates it next names it.
    bob.call("join room", {"room": "general"})
    assert bob.call("join room", {"room": "DEV OPS"})["room"] == "DEV OPS"


def test_a_chat_room_cannot_reach_a_socket_by_its_id(clients):
    """A socket's own room is its id; a chat room of that name must not include it."""
    alice, bob = joined(clients, "Alice"), joined(clients, "Bob")
    bob_id = bob.sio.get_sid("/")
    if not all(c.isalnum() or c in " _-" for c in bob_id):
        pytest.skip(f"this socket id ({bob_id}) is not a valid room name anyway")
    assert alice.call("join room", {"room": bob_id})["ok"] is True
    alice.call("chat message", {"text": "for the room only"})
    assert alice.next("chat message")["text"] == "for the room only"
    bob.none("chat message")


def events_until_own_message(client, text):
    """Sends `text` and returns every event the client got before its echo: the chat emits in the
    order of its changes, so that is everything the changes before the message caused."""
    assert client.call("chat message", {"text": text}) == {"ok": True}
    seen = []
    while (event := client.events.get(timeout=5)) != ("chat message", event[1]) or event[1]["text"] != text:
        seen.append(event[0])
    return seen


def test_switching_rooms_is_not_announced(clients):
    alice, bob = joined(clients, "Alice"), joined(clients, "Bob")
    assert alice.next("user joined") == {"name": "Alice", "room": "general", "online": 1}
    assert alice.next("user joined") == {"name": "Bob", "room": "general", "online": 2}
    for room in ("dev", "general", "dev"):
        assert bob.call("join room", {"room": room})["ok"] is True
    # The room list says where everyone is; nobody gets a line for each switch.
    assert "user left" not in events_until_own_message(alice, "after the switches")
    bob_saw = events_until_own_message(bob, "bob in dev")
    assert bob_saw.count("user joined") == 1 and "user left" not in bob_saw, bob_saw  # his own join only
    # Leaving the chat is still announced, in the room the member was in.
    carol = joined(clients, "Carol")
    carol.call("join room", {"room": "dev"})
    carol.close()
    assert bob.next("user left") == {"name": "Carol", "room": "dev", "online": 1}


def test_entering_a_room_shows_its_recent_messages(clients):
    alice, bob = joined(clients, "Alice"), joined(clients, "Bob")
    alice.call("chat message", {"text": "in general"})
    dev = bob.call("join room", {"room": "dev"})
    assert dev["history"] == []
    bob.call("chat message", {"text": "in dev"})
    alice.call("chat message", {"text": "while Bob was away"})

    back = bob.call("join room", {"room": "general"})
    assert texts(back["history"]) == ["in general", "while Bob was away"]
    message = back["history"][0]
    assert set(message) == {"id", "name", "text", "ts", "room", "from"} and message["name"] == "Alice"
    assert texts(alice.call("join room", {"room": "DEV"})["history"]) == ["in dev"]

    # A newcomer sees the lobby's history in the join answer.
    carol = clients()
    assert texts(carol.call("join", {"name": "Carol"})["history"]) == ["in general", "while Bob was away"]


def test_a_room_keeps_its_last_50_messages(clients, chat_server):
    """The default limit, exactly at it and one past it. Each member may send 5 messages in 5 s."""
    posters = [joined(clients, f"Poster{number}") for number in range(11)]
    sent = []
    for poster in posters:
        for _ in range(5):
            if len(sent) == 50:
                break
            sent.append(f"message {len(sent) + 1}")
            assert poster.call("chat message", {"text": sent[-1]}) == {"ok": True}
    reader = clients()
    assert texts(reader.call("join", {"name": "Reader"})["history"]) == sent
    sent.append("message 51")
    assert posters[-1].call("chat message", {"text": sent[-1]}) == {"ok": True}
    assert texts(reader.call("join room", {"room": "general"})["history"]) == sent[1:]


def test_history_length_is_an_option(start_server, clients):
    server = start_server("--history", "3")
    alice = joined(clients, "Alice", server)
    for number in range(4):
        alice.call("chat message", {"text": f"m{number}"})
    bob = clients(server)
    assert texts(bob.call("join", {"name": "Bob"})["history"]) == ["m1", "m2", "m3"]
    off = start_server("--history", "0")
    carol = joined(clients, "Carol", off)
    carol.call("chat message", {"text": "not kept"})
    assert clients(off).call("join", {"name": "Dan"})["history"] == []


def test_history_keeps_a_bounded_number_of_rooms(start_server, clients):
    server = start_server("--history-rooms", "2")
    alice = joined(clients, "Alice", server)
    for room in ("one", "two", "three"):  # "one" is the quietest when "three" arrives
        alice.call("join room", {"room": room})
        alice.call("chat message", {"text": f"in {room}"})
    assert alice.call("join room", {"room": "one"})["history"] == []
    assert texts(alice.call("join room", {"room": "two"})["history"]) == ["in two"]
    assert texts(alice.call("join room", {"room": "three"})["history"]) == ["in three"]


@pytest.mark.parametrize("payload", [{"text": 5}, {"text": ["hi"]}, {}, "hi", [], None, {"message": "hi"}],
                         ids=["number", "array", "no-text", "string", "list", "null", "other-key"])
def test_a_message_of_the_wrong_shape_is_invalid(clients, payload):
    alice = joined(clients, "Alice")
    assert alice.call("chat message", payload) == {"ok": False, "error": "Invalid message"}


def test_an_empty_message_is_empty(clients):
    alice = joined(clients, "Alice")
    for text in ("", "   ", "\n\t"):
        assert alice.call("chat message", {"text": text}) == {"ok": False, "error": "Message is empty"}
