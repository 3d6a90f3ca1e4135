"""The chat page in headless Chromium with the stock Socket.IO client, against the chat server
under test (see conftest.py). Every assertion is about what the page shows."""
import pytest
from selenium.common.exceptions import NoAlertPresentException
from selenium.webdriver.common.by import By

from chatclients import notify, subscribed
from chatpage import ChatPage

INJECTION = "<img src=x onerror=alert(1)><b>bold</b>"
TOKEN = "page-test-token"  # the notify API tells the number of recipients to token holders only
TOO_LONG = "Message too long (max 1000 characters)"
TOO_FAST = "You are sending messages too fast; wait a moment"


@pytest.fixture
def pages(chat_server, open_browser):
    """Factory: pages(n, polling=False, server=chat_server, width=, height=) -> n pages open on the
    chat server, not yet joined."""
    def factory(count, polling=False, server=None, **size):
        return [ChatPage(open_browser(**size), f"page{i}").open((server or chat_server).url, polling)
                for i in range(count)]
    return factory


@pytest.fixture
def token_server(start_server):
    return start_server("--notify-token", TOKEN)


def wait_subscribed(page, server, user):
    """The page opens /notifications right after joining; waits until the server counts it."""
    page.wait(lambda: subscribed(server, user, TOKEN), f"the /notifications socket of {user}")


def notification_texts(page):
    return page.js("return [...document.querySelectorAll('[data-testid=notification] .notification-text')]"
                   ".map(e => e.textContent)")


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
    for page in (alice, bob):
        page.wait(lambda p=page: p.rooms() == {"general": 1, "dev": 1}, "counts general=1, dev=1")
    alice.wait_text("online-count", "1 online")

    assert bob.system_lines() == ["Bob joined (2 online)"], "Alice's switch was announced"
    alice.send("secret in dev")
    alice.wait_message("secret in dev")
    # Bob's own echo travels after anything sent to him for Alice's message: if that had
    # leaked into general, it would be on Bob's page by the time his echo is.
    bob.send("still in general")
    bob.wait_message("still in general")
    assert "secret in dev" not in [m["text"] for m in bob.messages()]
    assert "still in general" not in [m["text"] for m in alice.messages()]

    bob.click_room("dev")
    for page in (alice, bob):
        page.wait(lambda p=page: p.rooms() == {"general": 0, "dev": 2}, "counts general=0, dev=2")
    alice.wait_text("online-count", "2 online")
    bob.send("bob in dev")
    alice.wait_message("bob in dev")
    # Switching rooms changes the counts, and posts no "left" / "joined" lines.
    assert alice.system_lines() == [] and bob.system_lines() == [], (alice.system_lines(), bob.system_lines())


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


LOST = "Connection lost, reconnecting…"


def rejoined(page):
    """Names announced as joined after the page's last "Connection lost" line."""
    lines = page.system_lines()
    last_drop = max(i for i, line in enumerate(lines) if line == LOST)
    return {line.split(" joined (")[0] for line in lines[last_drop:] if " joined (" in line}


def test_reconnects_after_server_restart(token_server, pages):
    chat_server = token_server
    alice, bob = pages(2, server=chat_server)
    alice.join("Alice")
    bob.join("Bob")
    alice.wait_system("Bob joined (2 online)")
    chat_server.stop()
    alice.wait_system("Server is shutting down…")
    # In words: the client's own reason ("transport close") is not for users.
    alice.wait_system(LOST)
    assert not any("transport" in line or "disconnect" in line for line in alice.system_lines()), alice.system_lines()
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
    alice.wait_system("Reconnected")
    # The page's /notifications socket came back too, admitted once Alice had re-joined.
    wait_subscribed(alice, chat_server, "Alice")
    assert notify(chat_server, "Alice", "back", token=TOKEN).status_code == 200
    alice.wait(lambda: notification_texts(alice)[:1] == ["back"], "the notification after the restart")


def test_notifications_from_http_api(token_server, pages):
    (alice,) = pages(1, server=token_server)
    alice.join("Alice")
    # Empty, the panel says what it is for.
    assert alice.visible("notifications-empty")
    assert "outside the chat" in alice.text("notifications-empty")
    wait_subscribed(alice, token_server, "Alice")
    response = notify(token_server, "Alice", "Build <b>done</b>", token=TOKEN)
    assert response.status_code == 200 and response.json() == {"ok": True, "delivered": 1}
    alice.wait(lambda: notification_texts(alice)[:1] == ["Build <b>done</b>"], "the notification in the list")
    assert not alice.driver.find_elements(By.CSS_SELECTOR, "#notifications b, #toast b")
    assert not alice.visible("notifications-empty"), "the explanation stays next to a notification"


def test_room_names_ignore_case_on_the_page(pages):
    alice, bob = join_two(pages)
    alice.go_to_room("Dev")
    field = bob.driver.find_element(By.ID, "room-input")
    field.send_keys("DEV")
    bob.driver.find_element(By.ID, "room-button").click()
    bob.wait_in_room("Dev")  # shown as first created
    for page in (alice, bob):
        page.wait(lambda p=page: p.rooms() == {"general": 0, "Dev": 2}, "one room Dev with both")
    bob.send("same room")
    alice.wait_message("same room")


def test_coming_back_to_a_room_shows_its_recent_messages(pages):
    alice, bob = join_two(pages)
    alice.send("said before")
    bob.wait_message("said before")
    bob.go_to_room("dev")
    assert bob.messages() == [], "another room starts with its own (empty) history"
    alice.send("said while Bob was away")
    bob.send("alone in dev")
    bob.click_room("general")
    bob.wait(lambda: [m["text"] for m in bob.messages()] == ["said before", "said while Bob was away"],
             "general's recent messages")
    bob.go_to_room("dev")  # empty, it left the list, but its messages are kept
    bob.wait(lambda: [m["text"] for m in bob.messages()] == ["alone in dev"], "dev's recent message")
    assert bob.messages()[0]["own"], "own messages in the history stay marked as own"
    # A newcomer sees the lobby's recent messages too.
    (carol,) = pages(1)
    carol.join("Carol")
    carol.wait(lambda: [m["text"] for m in carol.messages()] == ["said before", "said while Bob was away"],
               "the lobby's history for a newcomer")
    assert carol.system_lines() == ["Carol joined (2 online)"], "the join line comes after the history"
    assert [kind["kind"] for kind in carol.lines()][-1] == "system"


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
