"""Live frames written straight to the transport (``live.direct_writes``) under real uvicorn."""

import asyncio
import logging
from collections.abc import AsyncIterator
from typing import Any

import pytest
import uvicorn
import websockets
from starlette.applications import Starlette
from starlette.routing import WebSocketRoute
from starlette.websockets import WebSocket

from live.frames import text_frame
from live.protocol import WRITE_TEXT_FRAME, direct_writes_available
from tests.live_server import free_port
from tests.waiting import until

if not direct_writes_available()[0]:  # the lowest uvicorn we support has no websockets-sansio
    pytest.skip(direct_writes_available()[1], allow_module_level=True)

from live.direct_writes import HubWebSocketProtocol

SIZES = (0, 1, 125, 126, 127, 65_535, 65_536, 200_000)  # around each header length switch


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


async def test_a_connection_missing_an_attribute_turns_direct_writes_off_for_the_process(
    served, caplog
):
    # given a live connection whose protocol lost an attribute the probe had seen
    endpoint, url = served
    async with websockets.connect(url) as client:
        await until(lambda: endpoint.websocket is not None, 10)
        assert endpoint.websocket is not None
        protocol = endpoint.write.__self__
        del protocol.disconnected
        try:
            # when a frame is written directly
            with caplog.at_level(logging.WARNING, logger="live.direct_writes"):
                refused = endpoint.write(text_frame([b"direct"]))
                again = endpoint.write(text_frame([b"direct"]))
            # then the write refuses (the caller sends through ASGI), once with a warning,
            # and no later connection is offered direct writes
            assert (refused, again) == (False, False)
            assert len(caplog.records) == 1
            assert HubWebSocketProtocol.direct_writes is False
            protocol.disconnected = False  # uvicorn's own send reads it
            assert endpoint.write(text_frame([b"direct"])) is False
            await endpoint.websocket.send_text("through asgi")
            assert await asyncio.wait_for(client.recv(), 10) == "through asgi"
        finally:
            protocol.disconnected = False
            HubWebSocketProtocol.direct_writes = True
