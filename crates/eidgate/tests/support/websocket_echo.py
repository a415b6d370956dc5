"""A WebSocket echo app and a WebSocket client for eidgate's tests (Python `websockets`).

    websocket_echo.py serve
        listens on a free loopback port, prints the port, and echoes every message; the first
        message it sends on each connection is the X-Eid-Given-Name of the handshake.
    websocket_echo.py client URL CA_FILE CERT_FILE KEY_FILE
        connects with the card, prints the greeting, sends a text and a 200 KiB binary message
        and prints a JSON line saying whether each came back unchanged.
"""

import asyncio
import json
import os
import ssl
import sys

import websockets


async def echo(websocket, path=None):
    await websocket.send("given-name=" + websocket.request_headers.get("X-Eid-Given-Name", "-"))
    async for message in websocket:
        await websocket.send(message)


async def serve():
    async with websockets.serve(echo, "127.0.0.1", 0, max_size=None) as server:
        print(server.sockets[0].getsockname()[1], flush=True)
        await asyncio.Future()


async def client(url, ca_file, cert_file, key_file):
    context = ssl.create_default_context(cafile=ca_file)
    context.load_cert_chain(cert_file, key_file)
    async with websockets.connect(url, ssl=context, max_size=None) as websocket:
        print(await websocket.recv(), flush=True)
        text = "tere, J\u00f5eorg \u017d"
        blob = os.urandom(200 * 1024)
        await websocket.send(text)
        text_back = await websocket.recv()
        await websocket.send(blob)
        blob_back = await websocket.recv()
        print(json.dumps({"text": text_back == text, "binary": blob_back == blob}), flush=True)


if __name__ == "__main__":
    if sys.argv[1] == "serve":
        asyncio.run(serve())
    else:
        asyncio.run(client(*sys.argv[2:6]))
