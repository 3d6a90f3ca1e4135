"""Reference conformance server built on python-engineio / python-socketio (aiohttp).

Same command line and configuration as our Swift `conformance-server`, so the interop tests
can be pointed at it to check that their assertions match a real, independent implementation:

    python conformance_server.py --port N [--engine-io]

Engine.IO mode: path /engine.io/, echoes every message.  Socket.IO mode: path /socket.io/,
emits "auth" on connect, "message" -> "message-back", "message-with-ack" -> ack.
"""
import argparse
import asyncio

import engineio
import socketio
from aiohttp import web

# Seconds (python-engineio units). python-engineio truncates the advertised interval to whole
# seconds (0.3 would be sent as 0), so a grace period makes it advertise 1000 ms while still
# pinging every 300 ms; the handshake-values test is a known difference of this reference.
PING_INTERVAL = (0.3, 0.7)
PING_TIMEOUT = 0.2
MAX_PAYLOAD = 1_000_000
CONNECT_TIMEOUT = 1.0

COMMON = dict(
    async_mode="aiohttp",
    ping_interval=PING_INTERVAL,
    ping_timeout=PING_TIMEOUT,
    max_http_buffer_size=MAX_PAYLOAD,
    cors_allowed_origins="*",
)


def engine_io_app() -> web.Application:
    eio = engineio.AsyncServer(**COMMON)

    @eio.on("message")
    async def echo(sid, data):
        await eio.send(sid, data)

    app = web.Application()
    eio.attach(app, engineio_path="engine.io")
    return app


def socket_io_app() -> web.Application:
    connected = set()  # engine.io sids that joined a namespace (for the connect timeout)

    class Server(socketio.AsyncServer):
        # Node's connectTimeout: python-socketio has no such option, so the reference adds it.
        async def _handle_eio_connect(self, eio_sid, environ):
            await super()._handle_eio_connect(eio_sid, environ)

            async def expire():
                await asyncio.sleep(CONNECT_TIMEOUT)
                if eio_sid not in connected:
                    await self.eio.disconnect(eio_sid)

            self.start_background_task(expire)

    sio = Server(**COMMON)

    def register(namespace):
        @sio.on("connect", namespace=namespace)
        async def connect(sid, environ, auth):
            connected.add(sio.manager.eio_sid_from_sid(sid, namespace))
            # Emit after the CONNECT packet went out, as Node does.
            sio.start_background_task(sio.emit, "auth", auth, to=sid, namespace=namespace)

        @sio.on("message", namespace=namespace)
        async def message(sid, *args):
            await sio.emit("message-back", args, to=sid, namespace=namespace)

        @sio.on("message-with-ack", namespace=namespace)
        async def message_with_ack(sid, *args):
            return args

    register("/")
    register("/custom")

    app = web.Application()
    sio.attach(app, socketio_path="socket.io")
    return app


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--engine-io", action="store_true")
    args = parser.parse_args()
    app = engine_io_app() if args.engine_io else socket_io_app()
    web.run_app(app, host=args.host, port=args.port, print=None, access_log=None)


if __name__ == "__main__":
    main()
