"""A thin page object for web/index.html: reads what the page shows, and acts like a user."""
from pathlib import Path

from selenium.common.exceptions import TimeoutException
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

WAIT = 10.0
# Screenshots a person should look at, kept whether or not the test fails (test-artifacts is git-ignored).
ARTIFACTS_SCREENSHOTS = Path(__file__).resolve().parents[3] / "test-artifacts" / "screenshots"

# Reads the conversation in one round trip: what a user sees, line by line.
READ_LINES = """
return [...document.querySelectorAll('#messages > li')].map(li => ({
  kind: li.dataset.testid,
  text: li.dataset.testid === 'message' ? li.querySelector('.msg-text').textContent : li.textContent,
  name: li.dataset.testid === 'message' ? li.querySelector('.msg-name').textContent : null,
  time: li.dataset.testid === 'message' ? li.querySelector('.msg-time').textContent : null,
  own: li.dataset.own === 'true',
  ownClass: li.classList.contains('own'),
  childTags: [...li.querySelectorAll('.msg-text *')].map(e => e.tagName),
}));
"""


def set_viewport(driver, width, height):
    """Sizes the window so that the page itself (not the window around it) is width x height.
    (Headless Chromium reports an outer width of at least 500 px, so each side is corrected by what
    the page measures.)"""
    driver.set_window_size(width, height)
    inner = driver.execute_script("return [window.innerWidth, window.innerHeight]")
    driver.set_window_size(width + width - inner[0], height + height - inner[1])


class ChatPage:
    def __init__(self, driver, label):
        self.driver = driver
        self.label = label

    # ---- waiting ----

    def wait(self, condition, what, timeout=WAIT):
        """Waits until condition() is truthy; fails naming what the page showed instead."""
        try:
            return WebDriverWait(self.driver, timeout, poll_frequency=0.05).until(lambda _: condition())
        except TimeoutException:
            raise AssertionError(f"[{self.label}] timed out after {timeout}s waiting for {what}; "
                                 f"status={self.status()!r}, lines={self.lines()[-8:]!r}") from None

    def wait_text(self, element_id, expected, timeout=WAIT):
        return self.wait(lambda: self.text(element_id) == expected,
                         f"#{element_id} == {expected!r} (shows {self.text(element_id)!r})", timeout)

    # ---- reading ----

    def js(self, script, *args):
        return self.driver.execute_script(script, *args)

    def text(self, element_id):
        return self.js("const e = document.getElementById(arguments[0]); return e ? e.textContent : null;",
                       element_id)

    def visible(self, element_id):
        return self.driver.find_element(By.ID, element_id).is_displayed()

    def status(self):
        return self.js("return document.getElementById('status').dataset.state")

    def lines(self):
        return self.js(READ_LINES)

    def system_lines(self):
        return [line["text"] for line in self.lines() if line["kind"] == "system"]

    def messages(self):
        return [line for line in self.lines() if line["kind"] == "message"]

    def rooms(self):
        """{room name: member count} as the room list shows it."""
        return self.js("""return Object.fromEntries([...document.querySelectorAll('[data-testid=room-item]')]
            .map(b => [b.querySelector('.room-name').textContent, Number(b.querySelector('.room-count').textContent)]));""")

    def wait_system(self, text, count=1, timeout=WAIT):
        self.wait(lambda: self.system_lines().count(text) >= count, f"system line {text!r} x{count}", timeout)

    def wait_message(self, text, timeout=WAIT):
        self.wait(lambda: any(m["text"] == text for m in self.messages()), f"message {text!r}", timeout)
        return next(m for m in self.messages() if m["text"] == text)

    # ---- acting ----

    def open(self, base_url, polling=False):
        self.driver.get(base_url + ("/?transport=polling" if polling else "/"))
        self.wait(lambda: self.js("return typeof io === 'function'"),
                  "the stock client (global io) from /socket.io/socket.io.js")
        self.wait(lambda: self.status() == "connected", "status connected")
        return self

    def join(self, name):
        field = self.driver.find_element(By.ID, "name-input")
        field.clear()
        field.send_keys(name)
        self.driver.find_element(By.ID, "join-button").click()
        self.wait(lambda: self.visible("chat-screen"), f"the chat screen after joining as {name!r}")
        return self

    def type(self, text):
        self.driver.find_element(By.ID, "message-input").send_keys(text)

    def send(self, text, expect_ok=True):
        field = self.driver.find_element(By.ID, "message-input")
        field.clear()
        field.send_keys(text)
        self.driver.find_element(By.ID, "send-button").click()
        if expect_ok:  # the page clears the input only on a positive ack
            self.wait(lambda: field.get_property("value") == "" and self.text("message-error") == "",
                      f"ack of message {text[:40]!r} (error shown: {self.text('message-error')!r})")

    def go_to_room(self, room):
        """Creates or joins `room` through the room field."""
        field = self.driver.find_element(By.ID, "room-input")
        field.clear()
        field.send_keys(room)
        self.driver.find_element(By.ID, "room-button").click()
        self.wait_in_room(room)

    def click_room(self, room):
        self.driver.find_element(By.CSS_SELECTOR, f'[data-testid=room-item][data-room="{room}"]').click()
        self.wait_in_room(room)

    def wait_in_room(self, room):
        # The room list marks the current room only once the server acked the switch.
        marked = "return !!document.querySelector(`[data-testid=room-item].current[data-room='${arguments[0]}']`)"
        self.wait(lambda: self.text("current-room") == f"#{room}" and self.js(marked, room),
                  f"being in room {room!r} (room error: {self.text('room-error')!r})")
