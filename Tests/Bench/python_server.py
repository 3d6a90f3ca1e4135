"""The bench contract on python-socketio + aiohttp, a comparison floor for scripts/bench.

    python python_server.py --port P
"""
import argparse

import socketio
from aiohttp import web

parser = argparse.ArgumentParser()
parser.add_argument("--port", type=int, required=True)
port = parser.parse_args().port

sio = socketio.AsyncServer(async_mode="aiohttp", cors_allowed_origins="*")


@sio.event
async def connect(sid, environ, auth=None):
    await sio.enter_room(sid, "bench")


@sio.on("echo")
async def echo(sid, *args):
    return args  # a tuple becomes the ack's arguments


@sio.on("fanout")
async def fanout(sid, payload):
    await sio.emit("fan", payload, room="bench")


@sio.on("join")
async def join(sid, room):
    await sio.enter_room(sid, room)


app = web.Application()
sio.attach(app)
web.run_app(app, host="127.0.0.1", port=port, print=None, access_log=None)
