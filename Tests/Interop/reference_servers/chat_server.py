#!/usr/bin/env python3
"""Reference chat server: python-socketio + aiohttp implementing the chat protocol
that the Swift `chat` executable implements. The browser tests can run against it
(CHAT_SERVER_CMD) to check the page and the tests themselves, independently of Swift.

    python Tests/Interop/reference_servers/chat_server.py --port 3000 [--max-connections N] [--notify-token T]
        [--notify-rate N/S] [--notify-max-bytes N] [--notify-callers N] [--history N] [--history-rooms N]
"""
import argparse
import asyncio
import hmac
import itertools
import json
import math
import os
import re
import signal
import time
from collections import deque
from pathlib import Path

import socketio
from aiohttp import web

ROOT = Path(__file__).resolve().parents[3]
NAME_RE = re.compile(r"^[A-Za-z0-9 _.\-]{1,32}$")
ROOM_RE = re.compile(r"^[A-Za-z0-9 _\-]{1,32}$")
LOBBY = "general"
MAX_TEXT = 1000
RATE_COUNT, RATE_WINDOW = 5, 5.0

sio = socketio.AsyncServer(async_mode="aiohttp", cors_allowed_origins="*")
users = {}  # sid on "/" -> {"name", "room" (key), "sent": deque of send times}
connected = set()  # every sid on "/", joined or not (for the connection cap)
rooms = {LOBBY: {"name": LOBBY, "count": 0}}  # key -> shown name (as first created), members
history = {}  # room key -> deque of its last messages; insertion order = least recently written first
message_ids = itertools.count(1)
options = argparse.Namespace(max_connections=0, history=50, history_rooms=100, notify_token=None,
                             notify_rate=(30, 60.0), notify_max_bytes=16384, notify_callers=10000)
notify_calls = {}  # caller address -> deque of request times


def key(room):
    return room.lower()


def socket_room(room_key):
    # Prefixed: a chat room named like a socket id must not reach that socket's own room.
    return f"room:{room_key}"


def notification_room(user):
    return f"user:{user.lower()}"


def room_list():
    others = sorted((room for k, room in rooms.items() if k != LOBBY), key=lambda room: room["name"].lower())
    return [{"name": room["name"], "count": room["count"]} for room in [rooms[LOBBY]] + others]


def enter(sid, name):
    room = rooms.setdefault(key(name), {"name": name, "count": 0})
    room["count"] += 1
    users[sid]["room"] = key(name)


def leave_room(sid):
    room_key = users[sid]["room"]
    rooms[room_key]["count"] -= 1
    if rooms[room_key]["count"] == 0 and room_key != LOBBY:
        del rooms[room_key]


def recent(room_key):
    return list(history.get(room_key, ()))


def remember(message, room_key):
    if options.history == 0:
        return
    kept = history.pop(room_key, None) or deque(maxlen=options.history)
    kept.append(message)
    history[room_key] = kept
    while len(history) > options.history_rooms:
        del history[next(iter(history))]


async def unsubscribe(user, keep_sid=None):
    """Ends every /notifications subscription to `user` but those of the connection of `keep_sid`."""
    keep = sio.manager.eio_sid_from_sid(keep_sid, "/") if keep_sid else None
    for sid, _ in list(sio.manager.get_participants("/notifications", notification_room(user))):
        if keep is None or sio.manager.eio_sid_from_sid(sid, "/notifications") != keep:
            await sio.leave_room(sid, notification_room(user), namespace="/notifications")
            await sio.disconnect(sid, namespace="/notifications")


def presence(name, room_key):
    return {"name": name, "room": rooms[room_key]["name"] if room_key in rooms else room_key,
            "online": rooms.get(room_key, {"count": 0})["count"]}


@sio.event
async def connect(sid, environ, auth):
    if options.max_connections and len(connected) >= options.max_connections:
        raise socketio.exceptions.ConnectionRefusedError(f"Server is full (max {options.max_connections} connections)")
    connected.add(sid)


@sio.event
async def disconnect(sid, *reason):
    connected.discard(sid)
    if sid in users:
        user = users[sid]
        leave_room(sid)
        del users[sid]
        await unsubscribe(user["name"])
        await sio.emit("user left", presence(user["name"], user["room"]), room=socket_room(user["room"]))
        await sio.emit("rooms", room_list())


async def welcome(sid):
    # After the join's answer, so the joiner has the history before its own "joined" line.
    await sio.sleep(0)
    if sid in users:
        await sio.emit("user joined", presence(users[sid]["name"], LOBBY), room=socket_room(LOBBY))
        await sio.emit("rooms", room_list())


@sio.event
async def join(sid, data=None):
    name = data.get("name") if isinstance(data, dict) else None
    name = name.strip() if isinstance(name, str) else ""
    if sid in users:
        return {"ok": False, "error": f"Already joined as {users[sid]['name']}"}
    if not NAME_RE.match(name):
        return {"ok": False, "error": "Name must be 1-32 characters: letters, digits, spaces, _ - or ."}
    if any(user["name"].lower() == name.lower() for user in users.values()):
        return {"ok": False, "error": f'The name "{name}" is already taken'}
    users[sid] = {"name": name, "room": None, "sent": deque()}
    enter(sid, LOBBY)
    await sio.enter_room(sid, socket_room(LOBBY))
    await unsubscribe(name, keep_sid=sid)
    sio.start_background_task(welcome, sid)
    return {"ok": True, "name": name, "room": LOBBY, "rooms": room_list(), "online": rooms[LOBBY]["count"],
            "history": recent(LOBBY)}


@sio.on("chat message")
async def chat_message(sid, data=None):
    user = users.get(sid)
    if user is None:
        return {"ok": False, "error": "Join the chat first"}
    text = data.get("text") if isinstance(data, dict) else None
    if not isinstance(text, str):
        return {"ok": False, "error": "Invalid message"}
    text = text.strip()
    if not text:
        return {"ok": False, "error": "Message is empty"}
    if len(text) > MAX_TEXT:
        return {"ok": False, "error": f"Message too long (max {MAX_TEXT} characters)"}
    now = time.monotonic()
    while user["sent"] and now - user["sent"][0] >= RATE_WINDOW:
        user["sent"].popleft()
    if len(user["sent"]) >= RATE_COUNT:
        return {"ok": False, "error": "You are sending messages too fast; wait a moment"}
    user["sent"].append(now)
    message = {"id": next(message_ids), "name": user["name"], "text": text,
               "ts": int(time.time() * 1000), "room": rooms[user["room"]]["name"], "from": sid}
    remember(message, user["room"])
    await sio.emit("chat message", message, room=socket_room(user["room"]))
    return {"ok": True}


@sio.event
async def typing(sid, data=None):
    user = users.get(sid)
    if user is not None:
        await sio.emit("typing", {"name": user["name"], "typing": data is True},
                       room=socket_room(user["room"]), skip_sid=sid)


async def publish_rooms():
    await sio.sleep(0)
    await sio.emit("rooms", room_list())


@sio.on("join room")
async def join_room(sid, data=None):
    if sid not in users:
        return {"ok": False, "error": "Join the chat first"}
    room = data.get("room") if isinstance(data, dict) else None
    room = room.strip() if isinstance(room, str) else ""
    if not ROOM_RE.match(room):
        return {"ok": False, "error": "Room name must be 1-32 characters: letters, digits, spaces, _ or -"}
    user = users[sid]
    if key(room) != user["room"]:
        old = user["room"]
        leave_room(sid)
        await sio.leave_room(sid, socket_room(old))
        await sio.emit("typing", {"name": user["name"], "typing": False}, room=socket_room(old))
        enter(sid, room)
        await sio.enter_room(sid, socket_room(key(room)))
    sio.start_background_task(publish_rooms)  # switches are not announced: the counts say it
    return {"ok": True, "room": rooms[user["room"]]["name"], "rooms": room_list(),
            "online": rooms[user["room"]]["count"], "history": recent(user["room"])}


def is_member(user, sid):
    connection = sio.manager.eio_sid_from_sid(sid, "/notifications")
    return any(member["name"].lower() == user.lower() and sio.manager.eio_sid_from_sid(member_sid, "/") == connection
               for member_sid, member in users.items())


@sio.event(namespace="/notifications")
async def connect(sid, environ, auth):  # noqa: F811 (handler of another namespace)
    user = auth.get("user") if isinstance(auth, dict) else None
    if not isinstance(user, str) or not user.strip():
        raise socketio.exceptions.ConnectionRefusedError("auth.user is required")
    # Only the member of that name on this same connection (the page connects here after joining).
    if not is_member(user, sid):
        raise socketio.exceptions.ConnectionRefusedError(f"Join the chat as {user} on this connection first")
    await sio.enter_room(sid, notification_room(user), namespace="/notifications")


def is_loopback(address):
    address = (address or "").lower().removeprefix("::ffff:")
    return address.startswith("127.") or address == "::1"


def is_loopback_host(host):
    if not host:
        return True
    host = host.lower()
    name = host[1:host.index("]")] if host.startswith("[") and "]" in host else host.split(":")[0]
    return name == "localhost" or name.endswith(".localhost") or is_loopback(name)


def refuse(status, error, **headers):
    return web.json_response({"error": error}, status=status, headers=headers)


def retry_after(address):
    """None when the caller may go ahead (and counts the call), else the seconds to wait."""
    limit, window = options.notify_rate
    now = time.monotonic()
    if address not in notify_calls and len(notify_calls) >= options.notify_callers:
        for idle in [a for a, calls in notify_calls.items() if not calls or now - calls[-1] >= window]:
            del notify_calls[idle]
        if len(notify_calls) >= options.notify_callers:
            return math.ceil(window)
    calls = notify_calls.setdefault(address, deque())
    while calls and now - calls[0] >= window:
        calls.popleft()
    if len(calls) >= limit:
        return max(1, math.ceil(window - (now - calls[0])))
    calls.append(now)
    return None


async def notify(request):
    token = options.notify_token
    if token is None and not (is_loopback(request.remote) and is_loopback_host(request.headers.get("Host"))):
        return refuse(403, "Notifications are accepted from this machine only, unless a token is configured")
    wait = retry_after(request.remote)
    if wait is not None:
        return refuse(429, f"Too many notifications; retry in {wait} s", **{"Retry-After": str(wait)})
    if token is not None:
        given = request.headers.get("Authorization", "")
        if not (given[:7].lower() == "bearer " and hmac.compare_digest(given[7:].strip().encode(), token.encode())):
            return refuse(401, "A valid bearer token is required", **{"WWW-Authenticate": 'Bearer realm="chat notifications"'})
    if request.headers.get("Content-Type", "").split(";")[0].strip().lower() != "application/json":
        return refuse(415, "Content-Type must be application/json")
    body = await request.read()
    if len(body) > options.notify_max_bytes:
        return refuse(413, f"Body too large (max {options.notify_max_bytes} bytes)")
    try:
        data = json.loads(body)
    except (json.JSONDecodeError, UnicodeDecodeError):
        data = None
    user = data.get("user") if isinstance(data, dict) else None
    message = data.get("message") if isinstance(data, dict) else None
    if not isinstance(user, str) or not isinstance(message, str):
        return refuse(400, 'Expected a JSON body {"user": string, "message": string}')
    user, message = user.strip(), message.strip()
    if not NAME_RE.match(user):
        return refuse(400, "user: Name must be 1-32 characters: letters, digits, spaces, _ - or .")
    if not message:
        return refuse(400, "Message is empty")
    if len(message) > MAX_TEXT:
        return refuse(400, f"Message too long (max {MAX_TEXT} characters)")
    room = notification_room(user)
    delivered = sum(1 for _ in sio.manager.get_participants("/notifications", room))
    await sio.emit("notification", {"message": message, "ts": int(time.time() * 1000)},
                   room=room, namespace="/notifications")
    # Without a token anyone on the machine may call: the count would tell them who is online.
    return web.json_response({"ok": True} if token is None else {"ok": True, "delivered": delivered},
                             dumps=lambda value: json.dumps(value, separators=(",", ":")))


def make_app(web_dir):
    app = web.Application()
    sio.attach(app)
    client = ROOT / "vendor" / "client" / "socket.io.min.js"

    async def client_js(request):
        return web.FileResponse(client, headers={"Content-Type": "application/javascript"})

    async def index(request):
        return web.FileResponse(web_dir / "index.html")

    app.router.add_get("/socket.io/socket.io.js", client_js)
    app.router.add_get("/socket.io/socket.io.min.js", client_js)
    app.router.add_post("/api/notify", notify)
    app.router.add_get("/", index)
    app.router.add_static("/", web_dir)
    return app


async def serve(host, port, web_dir):
    runner = web.AppRunner(make_app(web_dir), shutdown_timeout=0.1)
    await runner.setup()
    await web.TCPSite(runner, host, port).start()
    print(f"chat reference server on http://{host}:{port}/", flush=True)
    stop = asyncio.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        asyncio.get_running_loop().add_signal_handler(sig, stop.set)
    await stop.wait()
    # Tell the clients first so the page can say why the connection is about to drop.
    await sio.emit("server shutting down", {})
    await asyncio.sleep(0.2)
    await runner.cleanup()


def rate(text):
    count, seconds = text.split("/")
    return int(count), float(seconds)


def main():
    global options
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=3000)
    parser.add_argument("--web", default=str(ROOT / "web"), help="folder with the chat page")
    parser.add_argument("--max-connections", type=int, default=0, help="0 = unlimited")
    parser.add_argument("--notify-token", default=os.environ.get("CHAT_NOTIFY_TOKEN") or None)
    parser.add_argument("--notify-rate", type=rate, default=(30, 60.0), help="N/SECONDS per caller address")
    parser.add_argument("--notify-max-bytes", type=int, default=16384)
    parser.add_argument("--notify-callers", type=int, default=10000, help="caller addresses tracked at once")
    parser.add_argument("--history", type=int, default=50, help="messages kept per room (0: none)")
    parser.add_argument("--history-rooms", type=int, default=100, help="rooms that keep messages")
    options = parser.parse_args()
    options.notify_token = options.notify_token or None
    asyncio.run(serve(options.host, options.port, Path(options.web).resolve()))


if __name__ == "__main__":
    main()
