"""Clients of the chat that are not a browser: python-socketio (`Client`), Socket.IO packets by hand
(`RawChat`, when the order of packets is the point), and `POST /api/notify` through requests."""
import json
import queue
import socket
import threading
import time

import requests
import socketio

from rawio import RawSocket


class Client:
    """A python-socketio client that records every event it receives."""

    def __init__(self, url, **connect):
        self.events = queue.Queue()
        self.disconnected = threading.Event()
        self.sio = socketio.Client(reconnection=False)
        # Under namespace "*" like the catch-all: a handler under "/" would hide "*" for that namespace.
        self.sio.on("disconnect", lambda *namespace_and_reason: self.disconnected.set(), namespace="*")
        self.sio.on("*", lambda event, namespace, *args: self.events.put((event, args[0] if args else None)),
                    namespace="*")
        self.sio.connect(url, wait_timeout=5, **connect)

    def call(self, event, data=None):
        return self.sio.call(event, data, timeout=5)

    def next(self, event, timeout=5):
        deadline = time.monotonic() + timeout
        while True:
            name, data = self.events.get(timeout=max(0.01, deadline - time.monotonic()))
            if name == event:
                return data

    def until(self, event, expected, timeout=5):
        """Skips `event`s until one carries `expected` (e.g. the latest room list)."""
        deadline = time.monotonic() + timeout
        while (data := self.next(event, deadline - time.monotonic())) != expected:
            pass
        return data

    def none(self, event, wait=0.5):
        time.sleep(wait)
        while not self.events.empty():
            assert self.events.get()[0] != event, f"unexpected {event}"

    def close(self):
        self.sio.disconnect()


class RawChat(RawSocket):
    """A chat member speaking Socket.IO by hand, so the order of packets is ours."""

    def __init__(self, server):
        super().__init__(f"ws://127.0.0.1:{server.port}/socket.io/")
        self.connect()

    def join(self, name):
        self.send('21["join",{"name":"%s"}]' % name)
        while not (packet := self.recv()).startswith("31["):  # skips `user joined`, `rooms`
            pass
        assert json.loads(packet[2:])[0]["ok"] is True

    def notifications(self, user):
        """CONNECT to /notifications as `user`: the server's answer (`0/notifications,...` or `4...`)."""
        self.send('0/notifications,{"user":"%s"}' % user)
        return self.until_namespace()

    def until_namespace(self):
        """The next packet of the /notifications namespace (`0/notifications,`, `4/...`, `2/...`)."""
        while True:
            packet = self.recv()
            if packet[1:].startswith("/notifications,"):
                return packet


def notify(server, user, message, token=None, **kwargs):
    """POST /api/notify as the README's curl does (JSON body), with the bearer token if given."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return requests.post(f"{server.url}/api/notify", json={"user": user, "message": message},
                         headers=headers, timeout=5, **kwargs)


def subscribed(server, user, token):
    """True once `user`'s /notifications socket counts (asked with the token, which tells the count)."""
    return notify(server, user, "warm-up", token=token).json().get("delivered") == 1


def non_loopback_address():
    """An address of this machine that is not loopback (a client bound to it reaches a server on
    127.0.0.1 from outside loopback's range), or None."""
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.connect(("192.0.2.1", 9))  # no packet is sent: this only picks the route's source
            address = probe.getsockname()[0]
    except OSError:
        return None
    return None if address.startswith("127.") else address
