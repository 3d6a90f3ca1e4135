"""The chat binary's static pages as `requests` sees them: security headers on every answer, method
names case-sensitive, and the chat's per-address limits on by default."""
import socket
import time

import pytest
import requests

from project import ROOT, swift_binary


@pytest.fixture
def chat(start_server):
    binary = swift_binary("chat")
    if not binary.exists():
        pytest.skip(f"{binary} is not built")
    return start_server([str(binary), "--host", "127.0.0.1", "--web", str(ROOT / "web")], name="chat")


@pytest.mark.parametrize("path", ["/", "/app.js", "/style.css", "/missing.html"])
def test_static_answers_carry_the_security_headers(chat, path):
    r = requests.get(chat.url + path, timeout=5)
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert r.headers["Referrer-Policy"] == "same-origin"
    policy = r.headers["Content-Security-Policy"]
    directives = {d.split()[0]: d.split()[1:] for d in (p.strip() for p in policy.split(";")) if d}
    assert directives["script-src"] == ["'self'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert "'unsafe-inline'" not in policy and "'unsafe-eval'" not in policy


@pytest.mark.parametrize("method", ["get", "Get", "post"])
def test_a_method_in_the_wrong_case_is_not_served(chat, method):
    with socket.create_connection(("127.0.0.1", chat.port), timeout=5) as s:
        s.sendall(f"{method} / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\n\r\n".encode())
        answer = b""
        while chunk := s.recv(65536):
            answer += chunk
    assert answer.split(b" ")[1] == b"501", answer[:200]


def test_the_chat_limits_handshakes_per_address_by_default(chat):
    """The chat turns on 20 handshakes per second per address (a bucket of 20 refilled at 20/s): a
    burst of 20 passes, then only what the bucket refilled meanwhile; the rest get 429."""
    url = chat.url + "/socket.io/?EIO=4&transport=polling"
    with requests.Session() as http:
        start = time.monotonic()
        statuses = [http.get(url, timeout=5).status_code for _ in range(40)]
        elapsed = time.monotonic() - start
    assert statuses[:20] == [200] * 20
    assert set(statuses) == {200, 429}
    assert statuses.count(200) <= 20 + 20 * elapsed + 1, (statuses, elapsed)
