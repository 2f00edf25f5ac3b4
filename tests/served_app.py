"""The app under a real uvicorn server in this process, its live hub running (the test's
database is open already, so the lifespan stays off and what it starts is started here)."""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass
from typing import Any

import httpx
import uvicorn
from starlette.applications import Starlette

from live.protocol import websocket_protocol
from tests.live_server import free_port
from tests.waiting import until
from web.app import close_connections, create_app
from web.settings import Settings

WAIT = 10


@dataclass
class ServedApp:
    app: Starlette
    http: httpx.AsyncClient  # in-process, to the same app
    ws_url: str


@asynccontextmanager
async def served_app(
    database: str, *, protocol: str | None = None, **settings: Any
) -> AsyncIterator[ServedApp]:
    app = create_app(Settings(database_url=database, **settings))
    port = free_port()
    config = uvicorn.Config(
        app,
        port=port,
        ws=protocol or websocket_protocol(),  # as si-hub serve runs it
        ws_per_message_deflate=False,
        ws_max_size=app.state.settings.max_body_bytes,
        lifespan="off",
        log_level="warning",
        timeout_graceful_shutdown=5,
    )
    server = uvicorn.Server(config)
    serving = asyncio.create_task(server.serve())
    await app.state.upstream.connect()
    transport = httpx.ASGITransport(app=app)
    try:
        async with (
            app.state.hub.running() as hub,
            httpx.AsyncClient(transport=transport, base_url="http://hub.test") as http,
        ):
            watching = asyncio.create_task(app.state.sessions.watch(hub))
            try:
                await until(lambda: server.started, WAIT)
                yield ServedApp(app, http, f"ws://127.0.0.1:{port}/graphql")
            finally:
                watching.cancel()
                with suppress(asyncio.CancelledError):
                    await watching
    finally:
        server.should_exit = True
        await serving
        await close_connections(app)  # the app's Redis publisher and rate limits, if any
