#!/usr/bin/env python3
"""Reference chat server: python-socketio + aiohttp implementing the chat protocol
that the Swift `chat` executable implements. The browser tests can run against it
(CHAT_SERVER_CMD) to check the page and the tests themselves, independently of Swift.

    python Tests/Interop/reference_servers/chat_server.py --port 3000 [--max-connections N]
"""
import argparse
import asyncio
import itertools
import json
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
users = {}  # sid on "/" -> {"name", "room", "sent": deque of send times}
connected = set()  # every sid on "/", joined or not (for the connection cap)
message_ids = itertools.count(1)
max_connections = 0  # 0 = unlimited


def room_list():
    counts = {LOBBY: 0}
    for user in users.values():
        counts[user["room"]] = counts.get(user["room"], 0) + 1
    others = sorted(name for name in counts if name != LOBBY)
    return [{"name": name, "count": counts[name]} for name in [LOBBY] + others]


def members(room):
    return sum(1 for user in users.values() if user["room"] == room)


async def enter(sid, room):
    await sio.enter_room(sid, room)
    users[sid]["room"] = room
    await sio.emit("user joined", {"name": users[sid]["name"], "room": room, "online": members(room)}, room=room)


async def leave(sid):
    user = users[sid]
    room = user["room"]
    await sio.leave_room(sid, room)
    user["room"] = None
    await sio.emit("user left", {"name": user["name"], "room": room, "online": members(room)}, room=room)


@sio.event
async def connect(sid, environ, auth):
    if max_connections and len(connected) >= max_connections:
        raise socketio.exceptions.ConnectionRefusedError(f"Server is full (max {max_connections} connections)")
    connected.add(sid)


@sio.event
async def disconnect(sid, *reason):
    connected.discard(sid)
    if sid in users:
        await leave(sid)
        del users[sid]
        await sio.emit("rooms", room_list())


@sio.event
async def join(sid, data):
    name = data.get("name") if isinstance(data, dict) else None
    name = name.strip() if isinstance(name, str) else ""
    if sid in users:
        return {"ok": False, "error": f"Already joined as {users[sid]['name']}"}
    if not NAME_RE.match(name):
        return {"ok": False, "error": "Name must be 1-32 characters: letters, digits, spaces, _ - or ."}
    if any(user["name"].lower() == name.lower() for user in users.values()):
        return {"ok": False, "error": f'The name "{name}" is already taken'}
    users[sid] = {"name": name, "room": None, "sent": deque()}
    await enter(sid, LOBBY)
    await sio.emit("rooms", room_list())
    return {"ok": True, "name": name, "room": LOBBY, "rooms": room_list(), "online": members(LOBBY)}


@sio.on("chat message")
async def chat_message(sid, data):
    user = users.get(sid)
    if user is None:
        return {"ok": False, "error": "Join the chat first"}
    text = data.get("text") if isinstance(data, dict) else None
    text = text.strip() if isinstance(text, str) else ""
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
               "ts": int(time.time() * 1000), "room": user["room"], "from": sid}
    await sio.emit("chat message", message, room=user["room"])
    return {"ok": True}


@sio.event
async def typing(sid, data):
    user = users.get(sid)
    if user is not None:
        await sio.emit("typing", {"name": user["name"], "typing": data is True}, room=user["room"], skip_sid=sid)


@sio.on("join room")
async def join_room(sid, data):
    if sid not in users:
        return {"ok": False, "error": "Join the chat first"}
    room = data.get("room") if isinstance(data, dict) else None
    room = room.strip() if isinstance(room, str) else ""
    if not ROOM_RE.match(room):
        return {"ok": False, "error": "Room name must be 1-32 characters: letters, digits, spaces, _ or -"}
    if room != users[sid]["room"]:
        await leave(sid)
        await enter(sid, room)
        await sio.emit("rooms", room_list())
    return {"ok": True, "room": room, "rooms": room_list()}


@sio.event(namespace="/notifications")
async def connect(sid, environ, auth):  # noqa: F811 (handler of another namespace)
    user = auth.get("user") if isinstance(auth, dict) else None
    if not isinstance(user, str) or not user.strip():
        raise socketio.exceptions.ConnectionRefusedError("auth.user is required")
    # Only the member of that name on this same connection (the page connects here after joining).
    connection = sio.manager.eio_sid_from_sid(sid, "/notifications")
    if not any(member["name"] == user and sio.manager.eio_sid_from_sid(member_sid, "/") == connection
               for member_sid, member in users.items()):
        raise socketio.exceptions.ConnectionRefusedError(f"Join the chat as {user} on this connection first")
    await sio.enter_room(sid, f"user:{user}", namespace="/notifications")


async def notify(request):
    try:
        body = await request.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        return web.json_response({"error": "Body must be JSON"}, status=400)
    user = body.get("user") if isinstance(body, dict) else None
    message = body.get("message") if isinstance(body, dict) else None
    if not isinstance(user, str) or not user.strip() or not isinstance(message, str) or not message.strip():
        return web.json_response({"error": "Expected {\"user\": string, \"message\": string}"}, status=400)
    room = f"user:{user.strip()}"
    delivered = sum(1 for _ in sio.manager.get_participants("/notifications", room))
    await sio.emit("notification", {"message": message, "ts": int(time.time() * 1000)},
                   room=room, namespace="/notifications")
    return web.json_response({"delivered": delivered})


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


def main():
    global max_connections
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=3000)
    parser.add_argument("--web", default=str(ROOT / "web"), help="folder with the chat page")
    parser.add_argument("--max-connections", type=int, default=0, help="0 = unlimited")
    args = parser.parse_args()
    max_connections = args.max_connections
    asyncio.run(serve(args.host, args.port, Path(args.web).resolve()))


if __name__ == "__main__":
    main()
