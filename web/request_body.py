"""A request body bounded in size, and a GraphQL JSON body checked before strawberry reads it.

A body over ``max_bytes`` is refused with 413 before the app reads it: a declared
``Content-Length`` at once, a streamed one as soon as it passes the limit (a 10 MB document
had grown the process by 670 MB). strawberry trusts the JSON it is given: invalid UTF-8,
JSON nested 100,000 deep (Python's decoder gives up with a RecursionError) or a string
holding a lone surrogate (``"\\ud800"``: valid JSON, yet no Unicode text, so the database
driver fails to encode it) each answered 500. Here each is a 400 whose GraphQL-shaped body
says which. (strawberry then parses the body again, itself: a few microseconds for the
bodies our clients send.)
"""

import json
import re
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from resolvers.validation import holds_lone_surrogate
from web.middleware import answer_json, error_body, header_value

# A \\uD800-\\uDFFF escape: only a body holding one can decode to a lone surrogate.
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")
_CHECKED_METHODS = ("POST", "PUT", "PATCH")


class BadBody(ValueError):
    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


def parse_json_body(raw: bytes) -> Any:
    """The JSON value of a request body; raises ``BadBody`` saying what is wrong."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise BadBody(
            f"The request body is not valid UTF-8 (byte {error.start}).", "INVALID_UTF8"
        ) from None
    try:
        data = json.loads(text)
    except RecursionError:
        raise BadBody("The request body's JSON is nested too deeply.", "JSON_TOO_DEEP") from None
    except json.JSONDecodeError as error:
        raise BadBody(f"The request body is not JSON: {error.msg}.", "INVALID_JSON") from None
    if _SURROGATE_ESCAPE.search(text) and holds_lone_surrogate(data):
        raise BadBody(
            "The request body holds a lone surrogate (\\uD800-\\uDFFF): not Unicode text.",
            "INVALID_UNICODE",
        )
    if not isinstance(data, dict):
        raise BadBody("The request body must be a JSON object.", "INVALID_BODY")
    return data


class _Disconnected(Exception):
    pass


class CheckedBody:
    """Bounds every request body to ``max_bytes``; checks the JSON of ``POST {graphql_path}``."""

    def __init__(self, app: ASGIApp, *, max_bytes: int, graphql_path: str = "/graphql") -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.graphql_path = graphql_path

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in _CHECKED_METHODS:
            await self.app(scope, receive, send)
            return
        declared = header_value(scope, b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.max_bytes):
            await answer_json(send, 413, self._too_large())
            return
        try:
            raw = await self._read(receive)
        except _Disconnected:
            return
        if raw is None:
            await answer_json(send, 413, self._too_large())
            return
        if scope["path"] == self.graphql_path and b"json" in (
            header_value(scope, b"content-type") or b""
        ):
            try:
                parse_json_body(raw)
            except BadBody as bad:
                await answer_json(send, 400, error_body(bad.message, bad.code))
                return
        delivered = False

        async def replay() -> Message:
            nonlocal delivered
            if not delivered:
                delivered = True
                return {"type": "http.request", "body": raw, "more_body": False}
            return await receive()  # after the body: the disconnect, when it comes

        await self.app(scope, replay, send)

    async def _read(self, receive: Receive) -> bytes | None:
        """The whole body, or None as soon as it passes the limit."""
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                raise _Disconnected
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_bytes:
                return None
            chunks.append(chunk)
            if not message.get("more_body", False):
                return b"".join(chunks)

    def _too_large(self) -> bytes:
        return error_body(
            f"The request body is larger than {self.max_bytes:,} bytes.",
            "BODY_TOO_LARGE",
            limit=self.max_bytes,
        )
