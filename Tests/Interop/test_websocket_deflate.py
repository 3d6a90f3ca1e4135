"""permessage-deflate (RFC 7692) against an independent client: aiohttp's WebSocket client negotiates
the extension, compresses what it sends and inflates what it receives."""
import asyncio
import json

import aiohttp


async def echo_over_websocket(port: int, messages: list[str], compress: int):
    url = f"http://127.0.0.1:{port}/engine.io/?EIO=4&transport=websocket"
    async with aiohttp.ClientSession() as session:
        async with session.ws_connect(url, compress=compress) as ws:
            opened = await ws.receive_str(timeout=5)
            assert opened.startswith("0{")
            echoes = []
            for message in messages:
                await ws.send_str("4" + message)
                while True:
                    reply = await ws.receive_str(timeout=5)
                    if reply == "2":  # heartbeat: answer and keep waiting for the echo
                        await ws.send_str("3")
                        continue
                    echoes.append(reply[1:])
                    break
            return ws.compress, echoes


def test_deflate_is_negotiated_and_works_both_ways(deflate_server):
    messages = ["hello", "x" * 100_000, json.dumps({"k": list(range(2000))}), "é€😀" * 1000]
    negotiated, echoes = asyncio.run(echo_over_websocket(deflate_server.port, messages, compress=15))
    assert negotiated == 15  # aiohttp saw permessage-deflate in our 101 answer
    assert echoes == messages


def test_deflate_is_off_unless_enabled(engineio_server):
    negotiated, echoes = asyncio.run(echo_over_websocket(engineio_server.port, ["plain"], compress=15))
    assert negotiated == 0
    assert echoes == ["plain"]
