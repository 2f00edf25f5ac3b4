"""Requests naming their document by hash, over HTTP (``schema/trusted_documents.py``), and
documents within the length limit.

Before strawberry sees a ``/graphql`` request, a ``documentId`` or Apollo ``persistedQuery``
is replaced by its text (POST bodies and GET query strings alike), or answered with its
refusal. A GET of a persisted document without credentials is a cacheable read: it gets
``Cache-Control: public, max-age=...`` (and ``Vary: Authorization``), so a browser, a proxy
or a CDN may serve the next one; anything else is ``private, no-store``.

A document longer than ``MAX_DOCUMENT_CHARACTERS`` is refused here with 400, before any
parser reads it (the parser reads one character at a time: 256 kB of comments cost 50 ms).
"""

import json
from typing import Any
from urllib.parse import parse_qsl, urlencode

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from schema.trusted_documents import DocumentStore, Refusal, resolve
from web.middleware import answer_json, error_body, header_value


class PersistedDocuments:
    def __init__(
        self,
        app: ASGIApp,
        *,
        store: DocumentStore,
        trusted_only: bool,
        get_max_age: int,
        max_characters: int,
        path: str = "/graphql",
    ) -> None:
        self.app = app
        self.store = store
        self.trusted_only = trusted_only
        self.get_max_age = get_max_age
        self.max_characters = max_characters
        self.path = path

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] != self.path:
            await self.app(scope, receive, send)
            return
        anonymous = header_value(scope, b"authorization") is None
        if scope["method"] == "GET":
            await self._get(scope, receive, send, anonymous)
        elif scope["method"] == "POST" and b"json" in (header_value(scope, b"content-type") or b""):
            await self._post(scope, receive, send, anonymous)
        else:
            await self.app(scope, receive, send)

    def _resolve(self, request: dict[str, Any], anonymous: bool) -> Any:
        resolved, refusal = resolve(
            self.store, request, anonymous=anonymous, trusted_only=self.trusted_only
        )
        query = (resolved or request).get("query")
        if refusal is None and isinstance(query, str) and len(query) > self.max_characters:
            refusal = too_long(len(query), self.max_characters)
        return resolved, refusal

    async def _post(self, scope: Scope, receive: Receive, send: Send, anonymous: bool) -> None:
        message = await receive()  # the whole body: CheckedBody read and checked it already
        body = message.get("body", b"")
        request = json.loads(body)
        resolved, refusal = self._resolve(request, anonymous)
        if refusal is not None:
            await _refuse(send, refusal)
            return
        if resolved is not None:
            body = json.dumps(resolved).encode()
        delivered = False

        async def replay() -> Message:
            nonlocal delivered
            if not delivered:
                delivered = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    async def _get(self, scope: Scope, receive: Receive, send: Send, anonymous: bool) -> None:
        pairs = parse_qsl(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True)
        request: dict[str, Any] = dict(pairs)
        if isinstance(request.get("extensions"), str):
            try:
                request["extensions"] = json.loads(request["extensions"])
            except json.JSONDecodeError:
                await _refuse(send, Refusal("extensions is not JSON.", "INVALID_JSON", 400))
                return
        persisted = "documentId" in request or "extensions" in request
        resolved, refusal = self._resolve(request, anonymous)
        if refusal is not None:
            await _refuse(send, refusal)
            return
        if resolved is not None:
            resolved.pop("extensions", None)
            scope = {**scope, "query_string": urlencode(resolved).encode("latin-1")}
        cache = (
            f"public, max-age={self.get_max_age}"
            if persisted and anonymous and self.get_max_age > 0
            else "private, no-store"
        )

        async def send_with_cache(message: Message) -> None:
            if message["type"] == "http.response.start" and message["status"] == 200:
                headers = list(message.get("headers", ()))
                headers += [(b"cache-control", cache.encode()), (b"vary", b"Authorization")]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_cache)


def too_long(characters: int, limit: int) -> Refusal:
    return Refusal(
        f"The document has {characters:,} characters; at most {limit:,} are allowed "
        "(send long texts as variables).",
        "DOCUMENT_TOO_LARGE",
        400,
    )


async def _refuse(send: Send, refusal: Refusal) -> None:
    await answer_json(send, refusal.status, error_body(refusal.message, refusal.code))
