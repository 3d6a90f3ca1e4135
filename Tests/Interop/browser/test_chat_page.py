"""The chat page in headless Chromium with the stock Socket.IO client, against the chat server
under test (see conftest.py). Every assertion is about what the page shows."""
import pytest
import requests
from selenium.common.exceptions import NoAlertPresentException
from selenium.webdriver.common.by import By

from chatpage import ChatPage

INJECTION = "<img src=x onerror=alert(1)><b>bold</b>"
TOO_LONG = "Message too long (max 1000 characters)"
TOO_FAST = "You are sending messages too fast; wait a moment"


@pytest.fixture
def pages(chat_server, open_browser):
    """Factory: pages(n, polling=False) -> n pages open on the chat server, not yet joined."""
    def factory(count, polling=False, **size):
        return [ChatPage(open_browser(**size), f"page{i}").open(chat_server.url, polling)
                for i in range(count)]
    return factory


def join_two(pages, polling=False):
    alice, bob = pages(2, polling)
    alice.join("Alice")
    alice.wait_system("Alice joined (1 online)")
    bob.join("Bob")
    bob.wait_system("Bob joined (2 online)")
    alice.wait_system("Bob joined (2 online)")
    return alice, bob


def exchange_messages(alice, bob):
    alice.send("hello from Alice")
    seen_by_bob = bob.wait_message("hello from Alice")
    assert seen_by_bob["name"] == "Alice"
    assert not seen_by_bob["own"] and not seen_by_bob["ownClass"]
    seen_by_alice = alice.wait_message("hello from Alice")
    assert seen_by_alice["name"] == "Alice"
    assert seen_by_alice["own"] and seen_by_alice["ownClass"], "own message not marked as own"
    assert seen_by_alice["time"], "message shows no time"
    bob.send("hi Alice")
    assert alice.wait_message("hi Alice")["name"] == "Bob"


def test_two_users_join_and_chat(pages):
    alice, bob = join_two(pages)
    for page in (alice, bob):
        page.wait(lambda p=page: p.rooms().get("general") == 2, "general with 2 members in the room list")
        assert page.text("current-room") == "#general"
        page.wait_text("online-count", "2 online")
    exchange_messages(alice, bob)
    # By default the stock client upgrades from polling to WebSocket.
    alice.wait_text("transport", "websocket")


def test_polling_only_transport(pages):
    alice, bob = join_two(pages, polling=True)
    for page in (alice, bob):
        assert page.text("transport") == "polling"
    exchange_messages(alice, bob)
    assert alice.text("transport") == "polling" and bob.text("transport") == "polling"


@pytest.mark.parametrize("polling", [False, True], ids=["default", "polling"])
def test_typing_indicator_shown_to_others_only(pages, polling):
    alice, bob = join_two(pages, polling)
    alice.type("I am wri")
    bob.wait_text("typing", "Alice is typing…")
    assert alice.text("typing") == "", "the typist sees their own typing indicator"
    alice.driver.find_element(By.ID, "send-button").click()
    bob.wait_message("I am wri")
    bob.wait_text("typing", "")


@pytest.mark.parametrize("polling", [False, True], ids=["default", "polling"])
def test_rooms_keep_messages_apart(pages, polling):
    alice, bob = join_two(pages, polling)
    alice.go_to_room("dev")
    bob.wait_system("Alice left (1 online)")
    for page in (alice, bob):
        page.wait(lambda p=page: p.rooms() == {"general": 1, "dev": 1}, "counts general=1, dev=1")
    alice.wait_text("online-count", "1 online")

    alice.send("secret in dev")
    alice.wait_message("secret in dev")
    # Bob's own echo travels after anything sent to him for Alice's message: if that had
    # leaked into general, it would be on Bob's page by the time his echo is.
    bob.send("still in general")
    bob.wait_message("still in general")
    assert "secret in dev" not in [m["text"] for m in bob.messages()]
    assert "still in general" not in [m["text"] for m in alice.messages()]

    bob.click_room("dev")
    alice.wait_system("Bob joined (2 online)")
    for page in (alice, bob):
        page.wait(lambda p=page: p.rooms() == {"general": 0, "dev": 2}, "counts general=0, dev=2")
    bob.send("bob in dev")
    alice.wait_message("bob in dev")


def test_conversation_scrolls_to_the_newest_message(pages):
    alice, bob = pages(2, width=900, height=500)
    alice.join("Alice")
    bob.join("Bob")
    alice.wait_system("Bob joined (2 online)")
    for number in range(5):  # the rate limit's worth; long enough to overflow a 500 px window
        alice.send(f"line {number} " + "word " * 120)
    last = "line 4 " + "word " * 120
    for page in (alice, bob):
        page.wait_message(last.strip())
        geometry = page.js("""const list = document.getElementById('messages');
            const newest = list.lastElementChild.getBoundingClientRect(), box = list.getBoundingClientRect();
            return {overflow: list.scrollHeight - list.clientHeight,
                    gap: list.scrollHeight - list.clientHeight - list.scrollTop,
                    newestBottom: newest.bottom, boxBottom: box.bottom};""")
        assert geometry["overflow"] > 0, f"[{page.label}] the conversation does not overflow: {geometry}"
        assert geometry["gap"] <= 2, f"[{page.label}] not scrolled to the newest message: {geometry}"
        assert geometry["newestBottom"] <= geometry["boxBottom"] + 1, geometry


def test_user_text_is_not_interpreted_as_html(pages):
    alice, bob = join_two(pages)
    alice.send(INJECTION)
    for page in (alice, bob):
        shown = page.wait_message(INJECTION)
        assert shown["text"] == INJECTION
        assert shown["childTags"] == [], f"markup was rendered: {shown['childTags']}"
        assert not page.driver.find_elements(By.CSS_SELECTOR, "#messages b, #messages img")
        with pytest.raises(NoAlertPresentException):
            page.driver.switch_to.alert.text


def test_message_length_limit(pages):
    alice, bob = join_two(pages)
    field = alice.driver.find_element(By.ID, "message-input")
    field.send_keys("x" * 1005)
    assert len(field.get_property("value")) == 1000, "the input lets more than 1000 characters in"
    alice.driver.find_element(By.ID, "send-button").click()
    assert bob.wait_message("x" * 1000)["name"] == "Alice"

    # A client without the page's limit: the server must refuse, and the page shows why.
    alice.js("const f = document.getElementById('message-input'); f.removeAttribute('maxlength');"
             "f.value = 'y'.repeat(1001); f.dispatchEvent(new Event('input'));")
    alice.driver.find_element(By.ID, "send-button").click()
    alice.wait_text("message-error", TOO_LONG)
    assert len(field.get_property("value")) == 1001, "a refused message should stay in the input"
    alice.send("after the long one")
    bob.wait_message("after the long one")
    assert not any(m["text"].startswith("y") for m in bob.messages() + alice.messages())


def test_rate_limit_error_is_shown(pages):
    (alice,) = pages(1)
    alice.join("Alice")
    for number in range(5):
        alice.send(f"quick {number}")
    alice.send("one too many", expect_ok=False)
    alice.wait_text("message-error", TOO_FAST)
    assert "one too many" not in [m["text"] for m in alice.messages()]


def test_join_errors_are_shown(pages):
    alice, bob = pages(2)
    alice.join("Alice")
    for bad in ("ALICE", "<script>", "x" * 33):
        field = bob.driver.find_element(By.ID, "name-input")
        bob.js("arguments[0].removeAttribute('maxlength')", field)
        field.clear()
        field.send_keys(bad)
        bob.driver.find_element(By.ID, "join-button").click()
        bob.wait(lambda: bob.text("join-error") != "", f"a join error for {bad!r}")
        assert bob.visible("join-screen") and not bob.visible("chat-screen")
        bob.js("document.getElementById('join-error').textContent = ''")
    bob.join("Bob")
    alice.wait_system("Bob joined (2 online)")


def rejoined(page):
    """Names announced as joined after the page's last "Disconnected" line."""
    lines = page.system_lines()
    last_drop = max(i for i, line in enumerate(lines) if line.startswith("Disconnected"))
    return {line.split(" joined (")[0] for line in lines[last_drop:] if " joined (" in line}


def test_reconnects_after_server_restart(chat_server, pages):
    alice, bob = join_two(pages)
    chat_server.stop()
    alice.wait_system("Server is shutting down…")
    for page in (alice, bob):
        page.wait(lambda p=page: p.status() in ("reconnecting", "offline"), "status reconnecting/offline")
        assert page.visible("chat-screen")
    chat_server.start()
    for page in (alice, bob):
        page.wait(lambda p=page: p.status() == "connected", "status connected again", timeout=20)
    # Both pages re-join by themselves with their names, in whichever order.
    for page, name in ((alice, "Alice"), (bob, "Bob")):
        page.wait(lambda p=page, n=name: n in rejoined(p), f"{name} re-joined", timeout=20)
        page.wait(lambda p=page: p.rooms().get("general") == 2, "both members back in general")
    alice.send("after restart")
    assert bob.wait_message("after restart")["name"] == "Alice"
    # The page's /notifications socket came back too, admitted once Alice had re-joined.
    notify = f"{chat_server.url}/api/notify"
    alice.wait(lambda: requests.post(notify, json={"user": "Alice", "message": "back"}, timeout=5)
               .json()["delivered"] == 1, "Alice's /notifications socket back in room user:Alice")
    alice.wait(lambda: alice.js("return document.querySelector('[data-testid=notification] .notification-text')"
                                "?.textContent") == "back", "the notification after the restart")


def test_notifications_from_http_api(chat_server, pages):
    (alice,) = pages(1)
    alice.join("Alice")
    notify = f"{chat_server.url}/api/notify"
    # The page opens /notifications right after joining; wait until the server counts it.
    alice.wait(lambda: requests.post(notify, json={"user": "Alice", "message": "warm-up"}, timeout=5)
               .json()["delivered"] == 1, "the /notifications socket to be in room user:Alice")
    response = requests.post(notify, json={"user": "Alice", "message": "Build <b>done</b>"}, timeout=5)
    assert response.status_code == 200 and response.json() == {"delivered": 1}
    alice.wait(lambda: alice.js("return document.querySelector('[data-testid=notification] .notification-text')"
                                "?.textContent") == "Build <b>done</b>", "the notification in the list")
    assert not alice.driver.find_elements(By.CSS_SELECTOR, "#notifications b, #toast b")
    assert requests.post(notify, json={"user": "Nobody", "message": "x"}, timeout=5).json() == {"delivered": 0}
    for bad in ({}, {"user": "Alice"}, {"user": 3, "message": "x"}):
        response = requests.post(notify, json=bad, timeout=5)
        assert response.status_code == 400 and "error" in response.json(), bad
    response = requests.post(notify, data="not json", headers={"Content-Type": "application/json"}, timeout=5)
    assert response.status_code == 400


def test_full_server_refusal_is_shown(start_server, open_browser):
    server = start_server("--max-connections", "1")
    ChatPage(open_browser(), "first").open(server.url)
    second = ChatPage(open_browser(), "second")
    second.driver.get(server.url + "/")
    second.wait_text("connection-error", "Server is full (max 1 connections)")
    second.wait(lambda: second.status() == "offline", "status offline")


def test_readable_on_a_phone(pages):
    (alice,) = pages(1, width=375, height=740)
    alice.join("Alice")
    alice.send("a-very-long-word-" * 20)
    alice.wait_message("a-very-long-word-" * 20)
    overflow = alice.js("return document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"page is {overflow}px wider than a 375px screen"
    assert alice.driver.find_element(By.ID, "room-list").is_displayed()
    # The input stays on screen without scrolling the page.
    bottom = alice.js("return document.getElementById('send-button').getBoundingClientRect().bottom")
    assert alice.driver.find_element(By.ID, "message-input").is_displayed() and bottom <= alice.js("return window.innerHeight")
