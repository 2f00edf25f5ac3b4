"""Live frames written straight to the transport (``web.ws_protocol``) under real uvicorn."""

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
import uvicorn
import websockets
from starlette.applications import Starlette
from starlette.routing import WebSocketRoute
from starlette.websockets import WebSocket
from websockets.frames import TEXT, Frame

from tests.live_server import free_port
from tests.waiting import until
from web.ws_protocol import (
    WRITE_TEXT_FRAME,
    HubWebSocketProtocol,
    text_frame,
    text_frame_header,
)

SIZES = (0, 1, 125, 126, 127, 65_535, 65_536, 200_000)  # around each header length switch


@pytest.mark.parametrize("length", SIZES)
def test_the_header_is_the_one_websockets_writes(length):
    payload = b"x" * length
    expected = Frame(TEXT, payload).serialize(mask=False, extensions=[])
    assert text_frame_header(length) + payload == expected


class Endpoint:
    """A server endpoint that lets the test drive its connection's sends."""

    def __init__(self) -> None:
        self.websocket: WebSocket | None = None
        self.done = asyncio.Event()

    @property
    def write(self) -> Any:
        assert self.websocket is not None
        return self.websocket.scope["extensions"][WRITE_TEXT_FRAME]

    async def serve(self, websocket: WebSocket) -> None:
        await websocket.accept()
        self.websocket = websocket
        await self.done.wait()


@pytest.fixture(params=[False], ids=["no deflate"])
async def served(request: pytest.FixtureRequest) -> AsyncIterator[tuple[Endpoint, str]]:
    endpoint = Endpoint()
    app = Starlette(routes=[WebSocketRoute("/ws", endpoint.serve)])
    port = free_port()
    config = uvicorn.Config(
        app,
        port=port,
        ws=HubWebSocketProtocol,
        ws_per_message_deflate=request.param,  # si-hub serve turns it off
        lifespan="off",
        log_level="warning",
    )
    server = uvicorn.Server(config)
    serving = asyncio.create_task(server.serve())
    try:
        await until(lambda: server.started, 10)
        yield endpoint, f"ws://127.0.0.1:{port}/ws"
    finally:
        endpoint.done.set()
        server.should_exit = True
        await serving


async def test_direct_frames_arrive_whole_and_in_order_with_asgi_ones(served):
    endpoint, url = served
    async with websockets.connect(url, max_size=None) as client:
        await until(lambda: endpoint.websocket is not None, 10)
        assert endpoint.websocket is not None
        expected: list[str] = []
        # when frames of every header length are written directly, between ASGI sends
        for length in SIZES:
            text = "é" * (length // 2) + "a" * (length % 2)
            parts = (text[: length // 4].encode(), text[length // 4 :].encode())
            assert endpoint.write(text_frame(parts))
            await endpoint.websocket.send_text(f"asgi {length}")
            expected += [text, f"asgi {length}"]
        # then the client reads each one whole, in the order written
        received = [await asyncio.wait_for(client.recv(), 10) for _ in expected]
        assert received == expected


async def test_a_paused_or_closed_connection_refuses_direct_frames(served):
    endpoint, url = served
    async with websockets.connect(url) as client:
        await until(lambda: endpoint.websocket is not None, 10)
        assert endpoint.websocket is not None
        protocol = endpoint.write.__self__
        # when the transport is paused (a slow client), nothing is written
        protocol.pause_writing()
        assert endpoint.write(text_frame([b"held"])) is False
        protocol.resume_writing()
        assert endpoint.write(text_frame([b"sent"])) is True
        assert await asyncio.wait_for(client.recv(), 10) == "sent"
        # and once the server has sent its close frame, nothing more is written
        await endpoint.websocket.close()
        assert endpoint.write(text_frame([b"late"])) is False
        with pytest.raises(websockets.ConnectionClosedOK):
            await asyncio.wait_for(client.recv(), 10)


@pytest.mark.parametrize("served", [True], ids=["deflate"], indirect=True)
async def test_a_compressed_connection_refuses_direct_frames(served):
    # given a server with per-message deflate on, and a client that negotiates it
    endpoint, url = served
    async with websockets.connect(url, compression="deflate") as client:
        await until(lambda: endpoint.websocket is not None, 10)
        assert endpoint.websocket is not None
        # then a frame cannot skip the compression: it must go through ASGI
        assert endpoint.write(text_frame([b"plain"])) is False
        await endpoint.websocket.send_text("compressed")
        assert await asyncio.wait_for(client.recv(), 10) == "compressed"
