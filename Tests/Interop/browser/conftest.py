"""Fixtures for the real-browser tests of the chat page: the chat server under test on a free
port, and headless Chromium sessions driven by selenium.

The server command defaults to the Swift binary; set CHAT_SERVER_CMD (a format string with
{port}, optionally {python}) to test another implementation, e.g. the reference server:

    CHAT_SERVER_CMD="{python} Tests/Interop/reference_servers/chat_server.py --port {port}"
"""
import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

# Selenium Manager is never needed (we pass Debian's chromium and chromedriver paths); make sure it
# also never tries to send usage statistics from a machine whose tests must stay on loopback.
os.environ.setdefault("SE_AVOID_STATS", "true")

selenium = pytest.importorskip("selenium", reason="selenium is not installed (pip install -r Tests/Interop/browser/requirements.txt)")
from selenium import webdriver  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402

REPO = Path(__file__).resolve().parents[3]
ARTIFACTS = REPO / "test-artifacts"
DEFAULT_CMD = ".build/debug/chat --host 127.0.0.1 --port {port} --web web"
START_TIMEOUT = 20.0
TEST_TIMEOUT = 120


def pytest_collection_modifyitems(items):
    # Bound every browser test, in case a page or server hangs.
    here = Path(__file__).parent
    for item in items:
        if Path(str(item.fspath)).parent == here and not item.get_closest_marker("timeout"):
            item.add_marker(pytest.mark.timeout(TEST_TIMEOUT))


@pytest.hookimpl(hookwrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    # Remember each phase's report so fixtures can tell at teardown whether the test failed.
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"report_{report.when}", report)


def failed(request):
    return any(getattr(request.node, f"report_{when}", None) is not None
               and getattr(request.node, f"report_{when}").failed for when in ("setup", "call"))


def artifact_dir(request):
    path = ARTIFACTS / re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.nodeid)
    path.mkdir(parents=True, exist_ok=True)
    return path


# ---- the browser ------------------------------------------------------------------

def find_browser():
    browser = next(filter(None, map(shutil.which, ("chromium", "chromium-browser", "google-chrome"))), None)
    return browser, shutil.which("chromedriver")


@pytest.fixture(scope="session")
def browser_paths():
    browser, driver = find_browser()
    if not (browser and driver):
        setup = REPO / "scripts" / "setup-browser"
        if setup.exists():
            subprocess.run([str(setup)], cwd=REPO, check=False)
        browser, driver = find_browser()
    if not (browser and driver):
        pytest.skip("chromium/chromedriver not found, and scripts/setup-browser could not install them")
    return browser, driver


def new_driver(paths, insecure=False):
    options = webdriver.ChromeOptions()
    options.binary_location = paths[0]
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"):
        options.add_argument(arg)
    if insecure:  # the cluster's nginx has a certificate made on the spot
        options.add_argument("--ignore-certificate-errors")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(options=options, service=Service(executable_path=paths[1]))


@pytest.fixture(scope="session")
def browser_pool(browser_paths):
    """Idle Chromium sessions, reused across tests: starting one costs about 2 s."""
    idle = []
    yield idle
    for driver in idle:
        driver.quit()


@pytest.fixture
def open_browser(browser_paths, browser_pool, request):
    """Factory: open_browser(width=1280, height=900) -> a headless Chromium session on a blank page;
    `insecure=True`: one that accepts a self-signed certificate (not pooled)."""
    drivers = []
    private = []

    def factory(width=1280, height=900, insecure=False):
        if insecure:
            driver = new_driver(browser_paths, insecure=True)
            private.append(driver)
        else:
            driver = browser_pool.pop() if browser_pool else new_driver(browser_paths)
        driver.get_log("browser")  # drop what an earlier test left in the console log
        driver.set_window_size(width, height)
        drivers.append(driver)
        return driver

    yield factory
    for index, driver in enumerate(drivers):
        if failed(request):
            save_browser_artifacts(driver, artifact_dir(request), f"browser{index}")
        if driver in private:
            driver.quit()
            continue
        try:
            driver.get("about:blank")  # closes the page's connections before the next test
            browser_pool.append(driver)
        except Exception:
            driver.quit()


def save_browser_artifacts(driver, folder, prefix):
    try:  # an open alert (say, from injected markup) blocks every other command
        alert = driver.switch_to.alert
        (folder / f"{prefix}-alert.txt").write_text(alert.text)
        alert.dismiss()
    except Exception:
        pass
    savers = {
        "png": lambda path: driver.save_screenshot(str(path)),
        "html": lambda path: path.write_text(driver.page_source),
        "console.log": lambda path: path.write_text(
            "".join(f"{entry['level']} {entry['message']}\n" for entry in driver.get_log("browser"))),
    }
    for suffix, save in savers.items():
        try:
            save(folder / f"{prefix}.{suffix}")
        except Exception as error:  # the browser may be the thing that broke
            (folder / f"{prefix}.{suffix}.error.txt").write_text(repr(error))


# ---- the chat server under test -----------------------------------------------------

def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class ChatServer:
    """The chat server process on a fixed port; can be stopped and started again on it."""

    def __init__(self, port, extra_args, log_path, env=None):
        template = os.environ.get("CHAT_SERVER_CMD", DEFAULT_CMD)
        self.command = shlex.split(template.format(port=port, python=sys.executable)) + list(extra_args)
        self.env = {**os.environ, **(env or {})}
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self.log_path = log_path
        self.process = None

    def start(self):
        if not os.environ.get("CHAT_SERVER_CMD") and not (REPO / self.command[0]).exists():
            pytest.fail(f"{self.command[0]} not found: build it with `swift build`, or set CHAT_SERVER_CMD")
        log = open(self.log_path, "ab")
        self.process = subprocess.Popen(self.command, cwd=REPO, stdout=log, stderr=subprocess.STDOUT, env=self.env)
        log.close()
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"chat server exited with {self.process.returncode}: {self.log_path.read_text()[-2000:]}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close()
                return
            except OSError:
                time.sleep(0.05)
        pytest.fail(f"chat server did not accept on port {self.port} within {START_TIMEOUT}s: {self.command}")

    def stop(self):
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)  # lets it announce "server shutting down"
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=5)

    def restart(self):
        self.stop()
        self.start()


@pytest.fixture
def start_server(request, tmp_path):
    """Factory: start_server(*extra_args, env=None) -> a running ChatServer on a free 127.0.0.1 port
    (`env`: variables added to the server's environment)."""
    servers = []

    def factory(*extra_args, env=None):
        server = ChatServer(free_port(), extra_args, tmp_path / f"server{len(servers)}.log", env)
        servers.append(server)
        server.start()
        return server

    yield factory
    for server in servers:
        server.stop()
        if failed(request) and server.log_path.exists():
            shutil.copy(server.log_path, artifact_dir(request) / server.log_path.name)


@pytest.fixture
def chat_server(start_server):
    return start_server()


@pytest.fixture
def clients(chat_server):
    """Factory: clients(**connect) -> a python-socketio Client connected to chat_server."""
    from chatclients import Client
    opened = []

    def factory(server=None, **connect):
        opened.append(Client((server or chat_server).url, **connect))
        return opened[-1]

    yield factory
    for client in opened:
        client.close()
