"""strawberry's ASGI GraphQL view with the hub's contexts; WebSocket rules in live/websocket.py."""

import json
from datetime import timedelta

from starlette.requests import Request
from starlette.responses import Response
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.types.unset import UnsetType

from live.cohorts import Cohorts
from live.websocket import authenticate_connection, handler_classes
from schema import schema
from schema.context import Context
from schema.trusted_documents import DocumentStore
from web.context import ContextFactory
from web.settings import Settings

CONNECTION_INIT_TIMEOUT = timedelta(seconds=10)


class HubGraphQL(GraphQL[Context, None]):
    """GraphQL over HTTP (POST, and GET for queries) and over WebSocket, for one app."""

    def __init__(
        self, settings: Settings, contexts: ContextFactory, trusted: DocumentStore | None = None
    ) -> None:
        super().__init__(
            schema,
            graphql_ide="graphiql" if settings.graphiql else None,
            keep_alive=True,
            keep_alive_interval=settings.ws_keepalive_interval,
            connection_init_wait_timeout=CONNECTION_INIT_TIMEOUT,
            max_subscriptions_per_connection=settings.ws_max_subscriptions,
        )
        self.graphql_transport_ws_handler_class, self.graphql_ws_handler_class = handler_classes()
        self.contexts = contexts
        # Over WebSocket, subscribe payloads may name trusted or persisted documents too.
        self.trusted_documents = trusted or DocumentStore()
        self.trusted_only = settings.trusted_documents_only
        # Snapshot subscriptions run once per cohort of identical requests (live/cohorts.py).
        self.cohorts = Cohorts(schema, contexts.anonymous) if settings.live_cohorts else None

    def decode_json(self, data: str | bytes) -> object:
        """A WebSocket message's JSON; nested too deeply, it is as bad JSON (closed with 4400)
        rather than a RecursionError escaping the connection."""
        try:
            return json.loads(data)
        except RecursionError:
            raise json.JSONDecodeError("nested too deeply", "", 0) from None

    async def get_context(
        self, request: Request | WebSocket, response: Response | WebSocket
    ) -> Context:
        return await self.contexts.for_request(request, response)

    async def on_ws_connect(self, context: Context) -> UnsetType | dict[str, object] | None:
        await authenticate_connection(context)
        return await super().on_ws_connect(context)
