"""The Starlette application: GraphQL (HTTP and WebSocket), health check, lifespan."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta

from cross_web import AsyncHTTPRequestAdapter, HTTPException
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.http import GraphQLRequestData
from strawberry.types.unset import UnsetType
from tortoise.connection import connections
from tortoise.contrib.starlette import RegisterTortoise

from live.cohorts import Cohorts
from live.websocket import authenticate_connection, handler_classes
from schema import schema
from schema.context import Context
from subscriptions.hub import LiveHub
from subscriptions.notifier import Notifier
from subscriptions.upstream import Upstream
from web.collector import tune_collector
from web.context import build_context
from web.pages import page_routes
from web.settings import Settings, tortoise_config

CONNECTION_INIT_TIMEOUT = timedelta(seconds=10)


class HubGraphQL(GraphQL[Context, None]):
    """strawberry's ASGI app with our context; WebSocket rules in live/websocket.py."""

    def __init__(self, settings: Settings, notifier: Notifier, hub: LiveHub | None = None) -> None:
        super().__init__(
            schema,
            graphql_ide="graphiql" if settings.graphiql else None,
            keep_alive=True,
            keep_alive_interval=settings.ws_keepalive_interval,
            connection_init_wait_timeout=CONNECTION_INIT_TIMEOUT,
            max_subscriptions_per_connection=settings.ws_max_subscriptions,
        )
        self.graphql_transport_ws_handler_class, self.graphql_ws_handler_class = handler_classes()
        self.notifier = notifier
        self.hub = hub
        self.token_lifetime = timedelta(days=settings.token_lifetime_days)
        # Snapshot subscriptions run once per cohort of identical requests (live/cohorts.py).
        self.cohorts = Cohorts(schema, self._anonymous_context) if settings.live_cohorts else None

    def _anonymous_context(self) -> Context:
        return Context(
            viewer=None,
            raw_token=None,
            notifier=self.notifier,
            token_lifetime=self.token_lifetime,
            hub=self.hub,
        )

    async def parse_http_body(
        self, request: AsyncHTTPRequestAdapter
    ) -> GraphQLRequestData | list[GraphQLRequestData]:
        # strawberry assumes a JSON body is an object: `null` or `42` would crash it (500).
        content_type = request.content_type or ""
        if request.method == "POST" and "application/json" in content_type:
            body = self.parse_json(await request.get_body())
            if not isinstance(body, dict | list):
                raise HTTPException(400, "The request body must be a JSON object.")
        return await super().parse_http_body(request)

    async def get_context(
        self, request: Request | WebSocket, response: Response | WebSocket
    ) -> Context:
        return await build_context(
            request,
            response,
            notifier=self.notifier,
            token_lifetime=self.token_lifetime,
            hub=self.hub,
        )

    async def on_ws_connect(self, context: Context) -> UnsetType | dict[str, object] | None:
        await authenticate_connection(context)
        return await super().on_ws_connect(context)


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
    upstream = Upstream(settings.broadcast_url, publish_timeout=settings.publish_timeout)
    notifier = Notifier(upstream.publisher, timeout=settings.publish_timeout)
    hub = LiveHub(
        upstream.source,
        interval=settings.live_refresh_interval,
        outage_poll_interval=settings.live_outage_poll_interval,
        safety_refresh_interval=settings.live_safety_refresh_interval,
    )
    graphql = HubGraphQL(settings, notifier, hub)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        async with RegisterTortoise(
            app,
            config=tortoise_config(settings.database_url, pool_size=settings.database_pool_size),
        ):
            tune_collector(settings.gc_threshold)
            await upstream.connect()
            try:
                async with hub.running():
                    yield
            finally:
                await upstream.disconnect()

    app = Starlette(
        routes=[
            Route("/", home),
            Route("/healthz", healthz),
            Route("/graphql", graphql, methods=["GET", "POST"]),
            WebSocketRoute("/graphql", graphql, name="graphql"),
            *page_routes(),
        ],
        lifespan=lifespan,
    )
    app.state.broadcast = upstream.broadcast
    app.state.upstream = upstream
    app.state.hub = hub
    app.state.cohorts = graphql.cohorts
    # The community pages run GraphQL in-process (web/pages/graphql_in_process.py).
    app.state.settings = settings
    app.state.notifier = notifier
    return app


app = create_app()
