"""How the chat page fits a desktop window and a phone: the room field's placeholder, the header on
one line, the conversation kept at its newest message when the window changes size. Also takes the
screenshots a person should look at (test-artifacts/screenshots/)."""
import pytest
from selenium.webdriver.common.by import By

from chatclients import notify
from chatpage import ARTIFACTS_SCREENSHOTS, ChatPage, set_viewport

LONG_ROOM = "the-longest-room-name-allowed-32"  # 32 characters, the most a room name may have

# The placeholder's text width against the room the input leaves for text.
PLACEHOLDER_FIT = """
const input = document.getElementById('room-input'), style = getComputedStyle(input);
const context = document.createElement('canvas').getContext('2d');
context.font = `${style.fontStyle} ${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
return {text: context.measureText(input.placeholder).width,
        space: input.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight)};
"""

# Where each visible header item is, and whether the page is wider than the window.
HEADER = """
const items = [...document.querySelector('.topbar').children].filter(e => e.offsetParent && e.textContent);
return {items: items.map(e => { const r = e.getBoundingClientRect();
                                return {id: e.id || e.tagName, top: r.top, bottom: r.bottom, right: r.right}; }),
        width: window.innerWidth,
        overflow: document.documentElement.scrollWidth - document.documentElement.clientWidth};
"""

GAP = """const list = document.getElementById('messages');
return list.scrollHeight - list.clientHeight - list.scrollTop;"""


@pytest.fixture
def page(chat_server, open_browser):
    def factory(width, height, name="Alice"):
        return ChatPage(open_browser(width, height), name).open(chat_server.url).join(name)
    return factory


@pytest.mark.parametrize("width", [1280, 390])
def test_the_room_placeholder_fits(page, width):
    alice = page(width, 800)
    fit = alice.js(PLACEHOLDER_FIT)
    assert fit["text"] <= fit["space"], f"the placeholder is cut at {width}px: {fit}"
    assert alice.driver.find_element(By.ID, "room-input").get_attribute("aria-label"), "say what the field is for"


def test_the_header_stays_on_one_line_on_a_phone(page):
    alice = page(390, 800)
    alice.go_to_room(LONG_ROOM)
    alice.wait_text("transport", "websocket")
    header = alice.js(HEADER)
    tops = {round(item["top"]) for item in header["items"]}
    assert max(tops) - min(tops) <= 8, f"the header wraps: {header['items']}"
    assert all(item["right"] <= header["width"] for item in header["items"]), f"cut off: {header}"
    assert header["overflow"] <= 0, header
    status = next(item for item in header["items"] if item["id"] == "status")
    assert status["right"] <= header["width"], "the connection status must stay visible"


def test_the_conversation_stays_at_the_newest_message_after_a_resize(page):
    alice = page(1280, 800)
    for number in range(5):  # the rate limit's worth, enough to overflow a phone's screen
        alice.send(f"line {number} " + "word " * 80)
    alice.wait_message(("line 4 " + "word " * 80).strip())
    assert alice.js(GAP) <= 2
    for width, height in ((390, 800), (390, 500), (900, 400), (1280, 800)):
        alice.driver.set_window_size(width, height)
        alice.wait(lambda: alice.js("return window.innerWidth") <= width, f"the window at {width}px")
        alice.wait(lambda: alice.js(GAP) <= 2, f"the newest message in view at {width}x{height} "
                                               f"(gap {alice.js(GAP)}px)")


def test_reading_older_messages_is_not_interrupted(page, open_browser, chat_server):
    alice = page(900, 500)
    bob = ChatPage(open_browser(900, 500), "Bob").open(chat_server.url).join("Bob")
    for number in range(5):
        bob.send(f"bob {number} " + "word " * 60)
    alice.wait_message(("bob 4 " + "word " * 60).strip())
    alice.js("document.getElementById('messages').scrollTop = 0")
    alice.wait(lambda: alice.js(GAP) > 50, "scrolled up")
    # Scroll events are dispatched with the next frame, before its animation callbacks: after two
    # frames the page has heard that the reader scrolled away.
    alice.driver.execute_async_script("const done = arguments[arguments.length - 1];"
                                      "requestAnimationFrame(() => requestAnimationFrame(done));")
    bob.driver.set_window_size(900, 501)
    alice.driver.set_window_size(900, 520)
    carol = ChatPage(open_browser(900, 500), "Carol").open(chat_server.url).join("Carol")
    carol.wait_system("Carol joined (3 online)")
    alice.wait_system("Carol joined (3 online)")
    assert alice.js("return document.getElementById('messages').scrollTop") == 0, "yanked to the bottom"


def at_viewport(open_browser, width, height):
    driver = open_browser(width, height)
    set_viewport(driver, width, height)
    return driver


def scene(chat_server, open_browser, width, height):
    """Two people talking, a room of their own, a notification: what the screenshots show."""
    alice = ChatPage(at_viewport(open_browser, width, height), "Alice").open(chat_server.url).join("Alice")
    bob = ChatPage(open_browser(width, height), "Bob").open(chat_server.url).join("Bob")
    alice.wait_system("Bob joined (2 online)")
    alice.send("Morning! Did the nightly build pass?")
    bob.send("It did. Release notes are in the usual place.")
    carol = ChatPage(open_browser(width, height), "Carol").open(chat_server.url).join("Carol")
    carol.go_to_room("Design")
    carol.send("Mock-ups for the settings page are up.")
    alice.send("Thanks, I'll have a look after lunch.")
    bob.type("Sounds")
    alice.wait_text("typing", "Bob is typing…")
    alice.wait(lambda: notify(chat_server, "Alice", "Build #1432 passed").status_code == 200 and
               alice.js("return document.querySelectorAll('[data-testid=notification]').length") > 0,
               "a notification on the page")
    return alice


@pytest.mark.parametrize("width, height", [(1280, 800), (390, 800)])
def test_screenshots(chat_server, open_browser, width, height):
    alice = scene(chat_server, open_browser, width, height)
    ARTIFACTS_SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    alice.js("document.getElementById('toast').hidden = true")  # the toast would hide the header's corner
    alice.driver.save_screenshot(str(ARTIFACTS_SCREENSHOTS / f"chat-{width}x{height}.png"))
    newcomer = ChatPage(at_viewport(open_browser, width, height), "Newcomer").open(chat_server.url)
    newcomer.driver.save_screenshot(str(ARTIFACTS_SCREENSHOTS / f"join-{width}x{height}.png"))
    newcomer.join("Dave")  # the lobby's history, and the notifications panel saying what it is for
    newcomer.wait_system("Dave joined (3 online)")
    newcomer.driver.save_screenshot(str(ARTIFACTS_SCREENSHOTS / f"newcomer-{width}x{height}.png"))
    assert alice.js("return [window.innerWidth, window.innerHeight]") == [width, height]
    overflow = alice.js("return document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0
