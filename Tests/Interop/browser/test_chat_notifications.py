"""`/notifications` and `POST /api/notify` from outside the page: a subscription lives only as long as
the chat membership that allowed it (raw packets, since the order is the point), and the HTTP API
answers every refusal with its own status (requests)."""
import json
import shutil
import subprocess
import time

import pytest
import requests

from chatclients import RawChat, non_loopback_address, notify, subscribed

TOKEN = "s3cret-token"
NOTIFY_PAYLOAD = "2/notifications,"


def no_notification(raw, wait=0.5):
    """Reads what `raw` gets for `wait` seconds: fails on a notification packet."""
    deadline = time.monotonic() + wait
    while (left := deadline - time.monotonic()) > 0:
        try:
            packet = raw.recv(timeout=left)
        except Exception:  # the timeout, or a connection the server closed
            return
        assert not packet.startswith(NOTIFY_PAYLOAD), f"got someone else's notification: {packet}"


def wait_subscribed(server, user, token=TOKEN):
    deadline = time.monotonic() + 5
    while not subscribed(server, user, token):
        assert time.monotonic() < deadline, f"{user}'s /notifications socket never counted"
        time.sleep(0.05)


# ---- a subscription ends with the membership ---------------------------------------------------

def test_leaving_the_chat_namespace_ends_the_subscription(chat_server):
    """The hole of issue 9: join as Alice, subscribe, DISCONNECT `/` only (the name is free again),
    then the real Alice joins: her notifications must not reach the first connection."""
    first, real = RawChat(chat_server), RawChat(chat_server)
    try:
        first.join("Alice")
        assert first.notifications("Alice").startswith('0/notifications,{"sid":')
        first.send("1")  # DISCONNECT from `/` only: the Engine.IO connection stays
        assert first.until_namespace() == "1/notifications,", "the server did not end the subscription"

        real.join("alice")  # names ignore case: the same user
        assert real.notifications("alice").startswith('0/notifications,{"sid":')
        assert first.notifications("Alice").startswith("4/notifications,"), "no membership, no subscription"
        assert notify(chat_server, "Alice", "for the real Alice").status_code == 200
        received = json.loads(real.until_namespace()[len(NOTIFY_PAYLOAD):])
        assert received[1]["message"] == "for the real Alice"
        no_notification(first)
    finally:
        first.close()
        real.close()


@pytest.mark.parametrize("attempt", range(10))
def test_a_subscription_racing_the_leave_does_not_survive_it(chat_server, attempt):
    """CONNECT /notifications and DISCONNECT / back to back: whichever the server handles first, the
    socket ends up out of the user's room (refused, or admitted and then disconnected)."""
    first, real = RawChat(chat_server), RawChat(chat_server)
    try:
        first.join("Alice")
        first.ws.send('40/notifications,{"user":"Alice"}')
        first.send("1")
        answer = first.until_namespace()
        if answer.startswith("0/"):
            assert first.until_namespace() == "1/notifications,"
        else:
            assert answer.startswith("4/notifications,"), answer
        real.join("Alice")
        real.notifications("Alice")
        assert notify(chat_server, "Alice", "mine").status_code == 200
        assert json.loads(real.until_namespace()[len(NOTIFY_PAYLOAD):])[1]["message"] == "mine"
        no_notification(first, wait=0.2)
    finally:
        first.close()
        real.close()


def test_closing_the_connection_frees_the_name_and_its_notifications(start_server):
    server = start_server("--notify-token", TOKEN)
    first = RawChat(server)
    first.join("Alice")
    first.notifications("Alice")
    wait_subscribed(server, "Alice")
    first.close()
    deadline = time.monotonic() + 5
    while notify(server, "Alice", "anyone?", token=TOKEN).json()["delivered"] != 0:
        assert time.monotonic() < deadline, "the closed connection still counts as subscribed"
        time.sleep(0.05)


# ---- POST /api/notify ------------------------------------------------------------------------------

def post(server, body, content_type="application/json", **headers):
    data = body if isinstance(body, (bytes, str)) else json.dumps(body)
    if content_type:
        headers["Content-Type"] = content_type
    return requests.post(f"{server.url}/api/notify", data=data, headers=headers, timeout=5)


def test_the_readme_curl_example_works(chat_server):
    curl = shutil.which("curl")
    if not curl:
        pytest.skip("curl is not installed")
    alice = RawChat(chat_server)
    try:
        alice.join("Alice")
        alice.notifications("Alice")
        # Word for word as in README.md, with the test's port.
        result = subprocess.run(
            [curl, "-sS", "-X", "POST", f"localhost:{chat_server.port}/api/notify", "-H", "Content-Type: application/json",
             "-d", '{"user": "Alice", "message": "Build done"}'], capture_output=True, text=True, timeout=10)
        assert result.returncode == 0 and json.loads(result.stdout) == {"ok": True}, result
        assert json.loads(alice.until_namespace()[len(NOTIFY_PAYLOAD):])[1]["message"] == "Build done"
    finally:
        alice.close()


def test_without_a_token_the_answer_does_not_tell_who_is_online(chat_server):
    alice = RawChat(chat_server)
    try:
        alice.join("Alice")
        alice.notifications("Alice")
        online, nobody = notify(chat_server, "Alice", "hi"), notify(chat_server, "Nobody", "hi")
        assert (online.status_code, online.content) == (nobody.status_code, nobody.content)
        assert online.status_code == 200 and online.json() == {"ok": True}
    finally:
        alice.close()


@pytest.mark.parametrize("content_type", [None, "text/plain", "application/x-www-form-urlencoded",
                                          "multipart/form-data; boundary=x", "application/jsonp", "text/json"])
def test_a_body_that_is_not_declared_json_is_415(chat_server, content_type):
    response = post(chat_server, {"user": "Alice", "message": "hi"}, content_type)
    assert response.status_code == 415
    assert response.json() == {"error": "Content-Type must be application/json"}


def test_json_with_parameters_or_other_case_is_accepted(chat_server):
    for content_type in ("application/json; charset=utf-8", "Application/JSON"):
        assert post(chat_server, {"user": "Alice", "message": "hi"}, content_type).status_code == 200


@pytest.mark.parametrize("body, error", [
    ("not json", 'Expected a JSON body {"user": string, "message": string}'),
    ({}, None), ({"user": "Alice"}, None), ({"user": 3, "message": "x"}, None), (["Alice", "x"], None),
    ({"user": "Alice", "message": "   "}, "Message is empty"),
    ({"user": "Alice", "message": "x" * 1001}, "Message too long (max 1000 characters)"),
    ({"user": "<b>", "message": "x"}, None), ({"user": "x" * 33, "message": "x"}, None),
], ids=["not-json", "empty", "no-message", "number-user", "array", "blank", "1001-chars", "markup-user", "long-user"])
def test_a_bad_shape_or_a_message_past_the_chat_limits_is_400(chat_server, body, error):
    response = post(chat_server, body)
    assert response.status_code == 400 and response.json()["error"]
    if error:
        assert response.json() == {"error": error}


def test_a_message_of_exactly_1000_characters_is_delivered(chat_server):
    alice = RawChat(chat_server)
    try:
        alice.join("Alice")
        alice.notifications("Alice")
        assert notify(chat_server, "Alice", "é" * 1000).status_code == 200
        assert json.loads(alice.until_namespace()[len(NOTIFY_PAYLOAD):])[1]["message"] == "é" * 1000
    finally:
        alice.close()


def padded(size):
    """A valid notification body of exactly `size` bytes (JSON allows the spaces)."""
    body = b'{"user": "Alice", "message": "hi"}'
    return body + b" " * (size - len(body))


@pytest.mark.parametrize("limit", [None, 200], ids=["default-16384", "option-200"])
def test_a_body_past_the_size_limit_is_413(start_server, limit):
    server = start_server(*(["--notify-max-bytes", str(limit)] if limit else []))
    size = limit or 16384
    assert post(server, padded(size)).status_code == 200, "exactly the limit"
    response = post(server, padded(size + 1))
    assert response.status_code == 413 and response.json() == {"error": f"Body too large (max {size} bytes)"}


def test_more_than_the_rate_is_429_with_retry_after(start_server):
    server = start_server("--notify-rate", "3/2")
    # Requests refused for what they carry count too: hammering with guesses costs the same.
    assert post(server, "junk", "text/plain").status_code == 415
    for _ in range(2):
        assert notify(server, "Alice", "hi").status_code == 200
    refused = notify(server, "Alice", "hi")
    assert refused.status_code == 429 and refused.json()["error"].startswith("Too many notifications")
    retry = int(refused.headers["Retry-After"])
    assert 1 <= retry <= 2
    # The rate comes before every other check: nothing else is learnt while refused.
    assert post(server, "junk", "text/plain").status_code == 429
    time.sleep(retry)
    assert notify(server, "Alice", "again").status_code == 200


def test_the_default_rate_is_30_a_minute(chat_server):
    for number in range(30):
        assert notify(chat_server, "Alice", f"n{number}").status_code == 200, number
    refused = notify(chat_server, "Alice", "one more")
    assert refused.status_code == 429 and 1 <= int(refused.headers["Retry-After"]) <= 60


@pytest.mark.parametrize("how", ["flag", "environment"])
def test_with_a_token_the_bearer_is_required(start_server, how):
    server = start_server("--notify-token", TOKEN) if how == "flag" else \
        start_server(env={"CHAT_NOTIFY_TOKEN": TOKEN})
    for headers in ({}, {"Authorization": f"Bearer {TOKEN}x"}, {"Authorization": f"Bearer {TOKEN[:-1]}"},
                    {"Authorization": TOKEN}, {"Authorization": f"Basic {TOKEN}"}):
        response = requests.post(f"{server.url}/api/notify", json={"user": "Alice", "message": "hi"},
                                 headers=headers, timeout=5)
        assert response.status_code == 401, headers
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
        assert response.json() == {"error": "A valid bearer token is required"}
    alice = RawChat(server)
    try:
        alice.join("Alice")
        alice.notifications("Alice")
        wait_subscribed(server, "Alice")
        # The token holder is trusted with the count.
        assert notify(server, "Alice", "hi", token=TOKEN).json() == {"ok": True, "delivered": 1}
        assert notify(server, "Nobody", "hi", token=TOKEN).json() == {"ok": True, "delivered": 0}
    finally:
        alice.close()


class SourceAddress(requests.adapters.HTTPAdapter):
    """Sends from `address`: with the server on 127.0.0.1, a caller that is not loopback."""

    def __init__(self, address):
        self.address = address
        super().__init__()

    def init_poolmanager(self, *args, **kwargs):
        kwargs["source_address"] = (self.address, 0)
        super().init_poolmanager(*args, **kwargs)


def from_outside():
    address = non_loopback_address()
    if not address:
        pytest.skip("this machine has no address besides loopback to call from")
    return from_address(address)


def from_address(address):
    session = requests.Session()
    session.mount("http://", SourceAddress(address))
    return session


def test_each_loopback_address_has_its_own_rate(start_server):
    server = start_server("--notify-rate", "2/60")
    url, body = f"{server.url}/api/notify", {"user": "Alice", "message": "hi"}
    first, second = from_address("127.0.0.2"), from_address("127.0.0.3")
    for _ in range(2):
        assert first.post(url, json=body, timeout=5).status_code == 200
    assert first.post(url, json=body, timeout=5).status_code == 429
    assert second.post(url, json=body, timeout=5).status_code == 200, "held back by another address"


def test_the_rate_limit_tracks_a_bounded_number_of_callers(start_server):
    """--notify-callers 3: three addresses inside their window are tracked; a fourth is refused until
    one of them goes idle, so a crowd of addresses cannot grow the table."""
    server = start_server("--notify-callers", "3", "--notify-rate", "5/2")
    url, body = f"{server.url}/api/notify", {"user": "Alice", "message": "hi"}
    for number in (2, 3, 4):  # exactly the limit
        assert from_address(f"127.0.0.{number}").post(url, json=body, timeout=5).status_code == 200
    refused = from_address("127.0.0.5").post(url, json=body, timeout=5)
    assert refused.status_code == 429 and refused.headers["Retry-After"] == "2", "one past the limit"
    assert from_address("127.0.0.2").post(url, json=body, timeout=5).status_code == 200, "tracked ones go on"
    time.sleep(2.1)  # every tracked caller's window has passed: they are forgotten
    assert from_address("127.0.0.5").post(url, json=body, timeout=5).status_code == 200


def test_without_a_token_only_loopback_callers_are_accepted(chat_server):
    outside = from_outside()
    response = outside.post(f"{chat_server.url}/api/notify", json={"user": "Alice", "message": "hi"}, timeout=5)
    assert response.status_code == 403 and "this machine only" in response.json()["error"]
    # A page whose own DNS name points at 127.0.0.1 (DNS rebinding) comes from loopback, under its name.
    rebound = post(chat_server, {"user": "Alice", "message": "hi"}, Host=f"evil.example:{chat_server.port}")
    assert rebound.status_code == 403
    for host in (f"localhost:{chat_server.port}", f"127.0.0.1:{chat_server.port}", "[::1]"):
        assert post(chat_server, {"user": "Alice", "message": "hi"}, Host=host).status_code == 200, host


def test_with_a_token_any_address_may_call_and_each_has_its_own_rate(start_server):
    outside = from_outside()
    server = start_server("--notify-token", TOKEN, "--notify-rate", "2/60")
    url, auth = f"{server.url}/api/notify", {"Authorization": f"Bearer {TOKEN}"}
    for _ in range(2):
        assert notify(server, "Alice", "hi", token=TOKEN).status_code == 200
    assert notify(server, "Alice", "hi", token=TOKEN).status_code == 429
    assert outside.post(url, json={"user": "Alice", "message": "hi"}, headers=auth, timeout=5).json() == \
        {"ok": True, "delivered": 0}, "another address is not held back by the first one's rate"
    assert outside.post(url, json={"user": "Alice", "message": "hi"}, timeout=5).status_code == 401
