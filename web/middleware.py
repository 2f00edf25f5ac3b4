"""ASGI middleware every request passes: a request id (the body checks are
``web/request_body.py``).

It is plain ASGI (no Starlette ``BaseHTTPMiddleware``): it runs on every ``supportPitch``
of a live night, where a task per request would cost more than the checks.
"""

import json
import re
import secrets
from contextvars import ContextVar

from starlette.types import ASGIApp, Message, Receive, Scope, Send

REQUEST_ID_HEADER = "x-request-id"
# A client's own id is kept when it is a plain token (so a proxy's id follows the request).
_CLIENT_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{8,64}")
request_id: ContextVar[str | None] = ContextVar("request_id", default=None)


def header_value(scope: Scope, name: bytes) -> bytes | None:
    """A request header's raw value (``name`` in lower case), or None."""
    for key, value in scope.get("headers", ()):
        if key == name:
            return bytes(value)
    return None


class RequestId:
    """Gives every HTTP request and WebSocket an id: in ``scope["state"]["request_id"]``,
    the ``X-Request-Id`` response header, the logs (``request_id``) and GraphQL answers."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        given = (header_value(scope, REQUEST_ID_HEADER.encode()) or b"").decode("latin-1")
        identifier = given if _CLIENT_REQUEST_ID.fullmatch(given) else secrets.token_hex(8)
        scope.setdefault("state", {})["request_id"] = identifier
        token = request_id.set(identifier)

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", ()))
                headers.append((REQUEST_ID_HEADER.encode(), identifier.encode()))
                message = {**message, "headers": headers}
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            request_id.reset(token)


def error_body(message: str, code: str, **extensions: object) -> bytes:
    """A GraphQL-shaped error body, for answers given before GraphQL runs."""
    error = {"message": message, "extensions": {"code": code, **extensions}}
    body: dict[str, object] = {"errors": [error]}
    identifier = request_id.get()
    if identifier is not None:
        body["extensions"] = {"requestId": identifier}
    return json.dumps(body).encode()


async def answer_json(send: Send, status: int, body: bytes) -> None:
    """Answer an HTTP request with a JSON body, before the app sees it."""
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", b"%d" % len(body)),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
