"""GraphQL over WebSocket: who is connecting, malformed messages, server keepalive.

Both protocols are served: graphql-transport-ws (current clients) and the legacy
graphql-ws (subscriptions-transport-ws). A client signs in with its ``connection_init``
payload, ``{"authorization": "Bearer <token>"}`` or ``{"token": "<token>"}`` (browsers
cannot set headers on a WebSocket); no token means an anonymous audience member.
"""

import asyncio
import inspect
import json
import logging
from contextlib import suppress
from typing import Any

from graphql import GraphQLFormattedError
from starlette.websockets import WebSocketDisconnect
from strawberry.asgi import ASGIWebSocketAdapter
from strawberry.exceptions import ConnectionRejectionError
from strawberry.http.exceptions import WebSocketDisconnected
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
    Operation,
)
from strawberry.subscriptions.protocols.graphql_transport_ws.types import (
    ConnectionInitMessage,
)
from strawberry.subscriptions.protocols.graphql_transport_ws.types import (
    ErrorMessage as TransportErrorMessage,
)
from strawberry.subscriptions.protocols.graphql_transport_ws.types import (
    Message as TransportMessage,
)
from strawberry.subscriptions.protocols.graphql_ws.handlers import BaseGraphQLWSHandler
from strawberry.subscriptions.protocols.graphql_ws.types import (
    CompleteMessage,
    ErrorMessage,
    OperationMessage,
)

from live.cohorts import CohortKey, Cohorts, Member, Send, cohort_key
from live.protocol import WRITE_TEXT_FRAME, WriteTextFrame
from resolvers.api_key import viewer_for_bearer
from resolvers.validation import holds_lone_surrogate
from schema.context import Context
from schema.trusted_documents import Refusal, resolve

logger = logging.getLogger(__name__)

MAX_TOKEN_LENGTH = 512
BEARER = "bearer "
OPERATION_TYPES = ("subscribe", "start", "complete", "stop")


class InvalidConnectionParams(ValueError):
    pass


def connection_token(params: object) -> str | None:
    """The bearer token of a connection_init payload; raises on a malformed payload."""
    if params is None:
        return None
    if not isinstance(params, dict):
        raise InvalidConnectionParams("The connection_init payload must be a JSON object.")
    authorization = params.get("authorization", params.get("Authorization"))
    token = params.get("token")
    if authorization is not None:
        if not isinstance(authorization, str) or not authorization.lower().startswith(BEARER):
            raise InvalidConnectionParams('authorization must be "Bearer <token>".')
        token = authorization[len(BEARER) :].strip()
    elif token is not None and not isinstance(token, str):
        raise InvalidConnectionParams("token must be a string.")
    if token is None:
        return None
    if not token or len(token) > MAX_TOKEN_LENGTH:
        raise InvalidConnectionParams("The token is malformed.")
    return str(token)


async def authenticate_connection(context: Context) -> None:
    """Sign the connection in from its connection_init payload, or reject it."""
    try:
        token = connection_token(context.connection_params)
    except InvalidConnectionParams as error:
        raise ConnectionRejectionError({"message": str(error)}) from error
    if token is None:
        return
    viewer, key = await viewer_for_bearer(token)
    if viewer is None:
        raise ConnectionRejectionError({"message": "The token is invalid, expired or revoked."})
    context.viewer, context.raw_token, context.api_key = viewer, token, key
    if context.sessions is not None:  # closed when the token or key is revoked
        context.sessions.add(token, context.request)
    context.renew_loaders()


def message_problem(message: object) -> str | None:
    """Why a client message cannot be handled (strawberry assumes well-formed ones)."""
    if not isinstance(message, dict) or not isinstance(message.get("type"), str):
        return "A message must be a JSON object with a string type."
    if message["type"] not in OPERATION_TYPES:
        return None
    if not isinstance(message.get("id"), str):
        return "An operation message needs a string id."
    if message["type"] in ("subscribe", "start"):
        payload = message.get("payload")
        if not isinstance(payload, dict) or not isinstance(payload.get("query"), str):
            return "An operation needs a payload with a query string."
        if not isinstance(payload.get("variables") or {}, dict):
            return "Operation variables must be a JSON object."
        if not isinstance(payload.get("operationName") or "", str):
            return "operationName must be a string."
        if holds_lone_surrogate(payload):
            return "The operation holds a lone surrogate (\\uD800-\\uDFFF): not Unicode text."
    return None


def with_document(view: object, context: Context, message: Any) -> tuple[Any, Refusal | None]:
    """A subscribe/start message with its document's text, when its payload names it by
    ``documentId`` or Apollo ``persistedQuery`` (``schema.trusted_documents``)."""
    if not isinstance(message, dict) or message.get("type") not in ("subscribe", "start"):
        return message, None
    payload = message.get("payload")
    store = getattr(view, "trusted_documents", None)
    if not isinstance(payload, dict) or store is None:
        return message, None
    resolved, refusal = resolve(
        store,
        payload,
        anonymous=context.viewer is None,
        trusted_only=bool(getattr(view, "trusted_only", False)),
    )
    query = (resolved or payload).get("query")
    limit = context.document_limits.characters
    if refusal is None and isinstance(query, str) and len(query) > limit:
        refusal = Refusal(
            f"The document has {len(query):,} characters; at most {limit:,} are allowed.",
            "DOCUMENT_TOO_LARGE",
        )
    if refusal is not None or resolved is None:
        return message, refusal
    return {**message, "payload": resolved}, None


def _refusal_error(refusal: Refusal) -> GraphQLFormattedError:
    return {"message": refusal.message, "extensions": {"code": refusal.code}}


def _operation_id(message: Any) -> str | None:
    identifier = message.get("id") if isinstance(message, dict) else None
    return identifier if isinstance(identifier, str) else None


def _cohort_of(
    view: object, query: str, variables: dict[str, object] | None, operation_name: str | None
) -> tuple[Cohorts, CohortKey] | None:
    cohorts = getattr(view, "cohorts", None)
    if not isinstance(cohorts, Cohorts):
        return None
    key = cohort_key(query, variables, operation_name)
    return None if key is None else (cohorts, key)


def _senders(websocket: object) -> tuple[Send, WriteTextFrame | None]:
    """How a cohort sends to this connection: through ASGI, and directly when the server
    offers it (``live.direct_writes``, under ``si-hub serve``)."""
    assert isinstance(websocket, ASGIWebSocketAdapter)  # the hub serves GraphQL over ASGI
    write = websocket.ws.scope.get("extensions", {}).get(WRITE_TEXT_FRAME)
    return websocket.ws.send_text, write if callable(write) else None


async def _send_kept(member: Member) -> None:
    """Run the member's own sends (those a busy connection had to wait for)."""
    try:
        await member.run()
    except WebSocketDisconnect as closed:
        raise WebSocketDisconnected from closed


class TransportWSHandler(BaseGraphQLTransportWSHandler[Context, None]):
    """graphql-transport-ws, plus a server ping every ``keep_alive_interval`` seconds."""

    keep_alive_task: asyncio.Task[None] | None = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.cohort_members: set[Member] = set()  # its subscriptions that run in a cohort

    async def handle_message(self, message: TransportMessage) -> None:
        message, refusal = with_document(self.view, self.context, message)
        operation_id = _operation_id(message)
        if refusal is not None and operation_id is not None:
            await self.send_message(
                TransportErrorMessage(
                    id=operation_id, type="error", payload=[_refusal_error(refusal)]
                )
            )
            return
        if problem := message_problem(message):
            await self.handle_invalid_message(problem)
            return
        await super().handle_message(message)

    async def handle_connection_init(self, message: ConnectionInitMessage) -> None:
        await super().handle_connection_init(message)
        interval = self.view.keep_alive_interval
        ready = self.connection_acknowledged and self.keep_alive_task is None
        if ready and self.view.keep_alive and interval:
            self.keep_alive_task = asyncio.create_task(self._ping_forever(interval))

    async def _ping_forever(self, interval: float) -> None:
        # A ping keeps proxies from closing an idle connection; uvicorn's WebSocket pings
        # (WS_PING_INTERVAL / WS_PING_TIMEOUT) are what drop a client that went silent.
        # A connection that got live frames since the last look is not idle: no ping (with
        # 10,000 viewers, pings to busy connections cost 5 % of a process's CPU).
        frames_seen = 0
        with suppress(WebSocketDisconnected, RuntimeError):  # closed under our feet
            while True:
                await asyncio.sleep(interval)
                frames = sum(member.frames_sent for member in self.cohort_members)
                if frames != frames_seen:
                    frames_seen = frames
                    continue
                await self.send_message({"type": "ping"})

    async def run_operation(self, operation: Operation[Context, None]) -> None:
        cohort = _cohort_of(
            self.view, operation.query, operation.variables, operation.operation_name
        )
        if cohort is None:
            await super().run_operation(operation)
            return
        cohorts, key = cohort
        head = '{"id":' + json.dumps(operation.id) + ',"type":"next","payload":'
        async with cohorts.join(key, head, *_senders(self.websocket)) as member:
            self.cohort_members.add(member)
            try:
                await _send_kept(member)
            finally:
                self.cohort_members.discard(member)
        if member.errors is not None:
            await operation.send_operation_message(
                {"id": operation.id, "type": "error", "payload": member.errors}
            )
        else:
            await operation.send_operation_message({"id": operation.id, "type": "complete"})

    async def shutdown(self) -> None:
        if self.keep_alive_task is not None:
            self.keep_alive_task.cancel()
            with suppress(BaseException):  # as strawberry does for its own keepalive task
                await self.keep_alive_task
        await super().shutdown()


class LegacyWSHandler(BaseGraphQLWSHandler[Context, None]):
    """The legacy graphql-ws protocol (strawberry sends its ``ka`` keepalives)."""

    async def handle_message(self, message: OperationMessage) -> None:
        message, refusal = with_document(self.view, self.context, message)
        operation_id = _operation_id(message)
        if refusal is not None and operation_id is not None:
            error = _refusal_error(refusal)
            await self.send_message(ErrorMessage(type="error", id=operation_id, payload=error))
            return
        if problem := message_problem(message):
            await self.websocket.close(code=4400, reason=problem)
            return
        await super().handle_message(message)

    async def handle_async_results(
        self,
        operation_id: str,
        query: str,
        operation_name: str | None,
        variables: dict[str, object] | None,
    ) -> None:
        cohort = _cohort_of(self.view, query, variables, operation_name)
        if cohort is None:
            await super().handle_async_results(operation_id, query, operation_name, variables)
            return
        cohorts, key = cohort
        try:
            head = '{"type":"data","id":' + json.dumps(operation_id) + ',"payload":'
            async with cohorts.join(key, head, *_senders(self.websocket)) as member:
                await _send_kept(member)
            if member.errors:
                error = ErrorMessage(type="error", id=operation_id, payload=member.errors[0])
                await self.send_message(error)
                return
            await self.send_message(CompleteMessage(type="complete", id=operation_id))
        except asyncio.CancelledError:  # a stop: strawberry answers it with "complete" too
            await self.send_message(CompleteMessage(type="complete", id=operation_id))
        finally:
            self.tasks.pop(operation_id, None)


# What the handlers above override or call on strawberry's base classes, with the
# parameters they pass: strawberry's handlers are not a public API, so they are checked
# once when the app is built (``handler_classes``).
STRAWBERRY_HOOKS: dict[type, dict[str, tuple[str, ...]]] = {
    BaseGraphQLTransportWSHandler: {
        "handle_message": ("message",),
        "handle_connection_init": ("message",),
        "handle_invalid_message": ("error_message",),
        "run_operation": ("operation",),
        "send_message": ("message",),
        "shutdown": (),
    },
    Operation: {
        "__init__": ("handler", "id", "query", "variables", "operation_name"),
        "send_operation_message": ("message",),
    },
    BaseGraphQLWSHandler: {
        "handle_message": ("message",),
        "handle_async_results": ("operation_id", "query", "operation_name", "variables"),
        "send_message": ("message",),
    },
}


def hooks_missing(hooks: dict[type, dict[str, tuple[str, ...]]] = STRAWBERRY_HOOKS) -> list[str]:
    """The strawberry methods (or their parameters) the handlers need that are not there."""
    missing = []
    for owner, methods in hooks.items():
        for name, parameters in methods.items():
            method = getattr(owner, name, None)
            if not callable(method):
                missing.append(f"{owner.__name__}.{name}")
                continue
            found = tuple(inspect.signature(method).parameters)[1:]  # after self
            if found[: len(parameters)] != parameters:
                missing.append(f"{owner.__name__}.{name}{parameters} (found {found})")
    return missing


HandlerClasses = tuple[
    type[BaseGraphQLTransportWSHandler[Context, None]], type[BaseGraphQLWSHandler[Context, None]]
]


def handler_classes(
    hooks: dict[type, dict[str, tuple[str, ...]]] = STRAWBERRY_HOOKS,
) -> HandlerClasses:
    """Our handlers when strawberry has what they override, else strawberry's own.

    strawberry's own still serve both protocols and sign connections in (``on_ws_connect``);
    they lose cohorts (one execution per viewer instead of one per process), the checks of
    malformed messages and the keepalive that skips busy connections.
    """
    missing = hooks_missing(hooks)
    if not missing:
        return TransportWSHandler, LegacyWSHandler
    logger.warning(
        "strawberry's WebSocket handlers changed (%s): serving them as they are, without "
        "live cohorts",
        "; ".join(missing),
    )
    return BaseGraphQLTransportWSHandler, BaseGraphQLWSHandler
