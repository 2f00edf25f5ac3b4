"""The Starlette application: GraphQL (HTTP and WebSocket), health check, lifespan."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta

from broadcaster import Broadcast
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from tortoise.connection import connections
from tortoise.contrib.starlette import RegisterTortoise

from schema import schema
from schema.context import Context
from subscriptions.notifier import Notifier
from web.context import build_context
from web.settings import Settings, tortoise_config


class HubGraphQL(GraphQL[Context, None]):
    """strawberry's ASGI app with our context."""

    def __init__(self, settings: Settings, notifier: Notifier) -> None:
        super().__init__(schema, graphql_ide="graphiql" if settings.graphiql else None)
        self.notifier = notifier
        self.token_lifetime = timedelta(days=settings.token_lifetime_days)

    async def get_context(
        self, request: Request | WebSocket, response: Response | WebSocket
    ) -> Context:
        return await build_context(
            request, response, notifier=self.notifier, token_lifetime=self.token_lifetime
        )


async def healthz(_: Request) -> Response:
    """For load balancers: 200 when the database answers, 503 otherwise."""
    try:
        await connections.get("default").execute_query("SELECT 1")
    except Exception:  # any database failure means "not ready", whatever its type
        return JSONResponse({"status": "unavailable"}, status_code=503)
    return JSONResponse({"status": "ok"})


async def home(_: Request) -> Response:
    return RedirectResponse("/graphql")


def create_app(settings: Settings | None = None) -> Starlette:
    settings = settings or Settings()
    broadcast = Broadcast(settings.broadcast_url)
    notifier = Notifier(broadcast)
    graphql = HubGraphQL(settings, notifier)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        async with RegisterTortoise(app, config=tortoise_config(settings.database_url)):
            await broadcast.connect()
            try:
                yield
            finally:
                await broadcast.disconnect()

    app = Starlette(
        routes=[
            Route("/", home),
            Route("/healthz", healthz),
            Route("/graphql", graphql, methods=["GET", "POST"]),
            WebSocketRoute("/graphql", graphql),
        ],
        lifespan=lifespan,
    )
    app.state.broadcast = broadcast
    return app


app = create_app()
