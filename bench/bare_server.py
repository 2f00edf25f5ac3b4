"""The ceiling of our ASGI path: a bare Starlette WebSocket endpoint, no GraphQL, no database.

Every connected client gets the same pre-built text frame ``BARE_RATE`` times a second
(one task per process sends it to every client in turn; when a round takes longer than
the period, the next starts at once, so a high rate measures saturation). The task lets
the event loop turn every ``YIELD_EVERY`` sends, as the hub's sweeps do: a send that does
not block never yields, and a round to 5,000 clients would otherwise keep new clients from
completing their handshakes until pushing stops. Run it with
uvicorn and the same WebSocket settings as ``si-hub serve``:

    BARE_FRAME_FILE=frame.json BARE_RATE=100 uvicorn bench.bare_server:app --workers 2 \
        --ws-per-message-deflate false
"""

import asyncio
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from pathlib import Path

from starlette.applications import Starlette
from starlette.routing import WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect

FRAME_FILE = os.environ.get("BARE_FRAME_FILE", "")
FRAME = Path(FRAME_FILE).read_text() if FRAME_FILE else '{"type":"next","id":"1"}'
PERIOD = 1.0 / float(os.environ.get("BARE_RATE", "100"))
YIELD_EVERY = 64
clients: set[WebSocket] = set()


async def endpoint(websocket: WebSocket) -> None:
    await websocket.accept()
    clients.add(websocket)
    try:
        while True:
            await websocket.receive_text()  # clients send nothing; this waits for the close
    except WebSocketDisconnect:
        pass
    finally:
        clients.discard(websocket)


async def push_forever() -> None:
    loop = asyncio.get_running_loop()
    while True:
        due = loop.time() + PERIOD
        for index, websocket in enumerate(list(clients), start=1):
            with suppress(Exception):  # a client that went away mid-round
                await websocket.send_text(FRAME)
            if index % YIELD_EVERY == 0:
                await asyncio.sleep(0)
        await asyncio.sleep(max(0.0, due - loop.time()))


@asynccontextmanager
async def lifespan(_: Starlette) -> AsyncIterator[None]:
    task = asyncio.create_task(push_forever())
    yield
    task.cancel()
    with suppress(asyncio.CancelledError):
        await task


app = Starlette(routes=[WebSocketRoute("/ws", endpoint)], lifespan=lifespan)
