"""The Starlette application: GraphQL (HTTP and WebSocket), pages, health check, lifespan."""

import asyncio
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from datetime import timedelta
from pathlib import Path

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    generate_latest,
    multiprocess,
)
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route, WebSocketRoute
from tortoise.connection import connections
from tortoise.contrib.starlette import RegisterTortoise

from live.sessions import Sessions
from schema import schema
from schema.checked_documents import documents, graphql_core_schema
from schema.trusted_documents import DocumentStore
from subscriptions.hub import LiveHub
from subscriptions.notifier import Notifier
from subscriptions.upstream import Upstream
from web.collector import tune_collector
from web.context import ContextFactory, document_limits_from, rate_limiter_for, throttles_from
from web.graphql_view import HubGraphQL
from web.middleware import RequestId
from web.pages import page_routes
from web.persisted_documents import PersistedDocuments
from web.request_body import CheckedBody
from web.settings import Settings, tortoise_config

TRUSTED_DOCUMENTS = Path(__file__).resolve().parent / "documents"  # the pages' operations


async def healthz(_: Request) -> Response:
    """For load balancers: 200 when the database answers, 503 otherwise."""
    try:
        await connections.get("default").execute_query("SELECT 1")
    except Exception:  # any database failure means "not ready", whatever its type
        return JSONResponse({"status": "unavailable"}, status_code=503)
    return JSONResponse({"status": "ok"})


async def metrics(_: Request) -> Response:
    """Prometheus metrics: this process's, or every worker's through PROMETHEUS_MULTIPROC_DIR."""
    registry = REGISTRY
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)


async def home(_: Request) -> Response:
    return RedirectResponse("/graphql")


async def close_connections(app: Starlette) -> None:
    """Close what an app opened beside its requests: the notices' upstream and the rate
    limits' Redis pool. Its lifespan does this; tests that drive an app without one call it."""
    await app.state.upstream.disconnect()
    if app.state.limiter is not None:
        await app.state.limiter.aclose()


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
    limiter = rate_limiter_for(settings)
    contexts = ContextFactory(
        notifier=notifier,
        token_lifetime=timedelta(days=settings.token_lifetime_days),
        hub=hub,
        limiter=limiter,
        throttles=throttles_from(settings),
        document_limits=document_limits_from(settings),
    )
    documents.configure(settings.document_cache_bytes)
    trusted = DocumentStore()
    trusted.load(TRUSTED_DOCUMENTS, graphql_core_schema(schema))
    sessions = Sessions()
    contexts.sessions = sessions
    graphql = HubGraphQL(settings, contexts, trusted)

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
                    watching = asyncio.create_task(sessions.watch(hub))
                    try:
                        yield
                    finally:
                        watching.cancel()
                        with suppress(asyncio.CancelledError):
                            await watching
            finally:
                await upstream.disconnect()
                if limiter is not None:
                    await limiter.aclose()

    app = Starlette(
        routes=[
            Route("/", home),
            Route("/healthz", healthz),
            Route("/metrics", metrics),
            Route("/graphql", graphql, methods=["GET", "POST"]),
            WebSocketRoute("/graphql", graphql, name="graphql"),
            *page_routes(),
        ],
        middleware=[
            Middleware(RequestId),
            Middleware(CheckedBody, max_bytes=settings.max_body_bytes),
            Middleware(
                PersistedDocuments,
                store=trusted,
                trusted_only=settings.trusted_documents_only,
                get_max_age=settings.persisted_get_max_age,
                max_characters=settings.max_document_characters,
            ),
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
    app.state.contexts = contexts
    app.state.limiter = limiter
    app.state.sessions = sessions
    app.state.trusted_documents = trusted
    return app


app = create_app()
