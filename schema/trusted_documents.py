"""Trusted and persisted documents: a request may name its document by hash instead of text.

- *Trusted documents* are the hub's own pages' operations (``web/documents/*.graphql``),
  loaded and validated at start-up. Their id is ``sha256:`` and the SHA-256 of the text, as
  the GraphQL-over-HTTP draft's persisted documents have it; a request sends
  ``{"documentId": "sha256:...", "variables": ...}``.
- Apollo's *automatic persisted queries* work too: a client sends only
  ``extensions.persistedQuery.sha256Hash``; a ``PERSISTED_QUERY_NOT_FOUND`` answer makes it
  send the text once with the hash, which registers it (in this process, bounded in bytes).
- With ``TRUSTED_DOCUMENTS_ONLY``, an anonymous caller may run trusted documents only:
  neither text nor registrations. Signed-in people and partner keys may still send text.

``resolve`` turns a request (HTTP body or query string, or a WebSocket ``subscribe``
payload) into one carrying its ``query`` text, or says why it cannot.
"""

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cachetools import LRUCache
from graphql import parse, validate

PREFIX = "sha256:"
APQ_CACHE_BYTES = 16 * 1024 * 1024


def document_id(text: str) -> str:
    return PREFIX + hashlib.sha256(text.encode()).hexdigest()


@dataclass(frozen=True)
class Refusal:
    """Why a request's document cannot be run: an error for its answer."""

    message: str
    code: str
    status: int = 200  # Apollo's clients read PERSISTED_QUERY_NOT_FOUND from a 200


class DocumentStore:
    def __init__(self, trusted: dict[str, str] | None = None) -> None:
        self.trusted = dict(trusted or {})  # id -> text
        self.ids_by_name: dict[str, str] = {}
        self._registered: LRUCache[str, str] = LRUCache(maxsize=APQ_CACHE_BYTES, getsizeof=len)

    def load(self, directory: Path, graphql_schema: Any) -> None:
        """Trust every ``*.graphql`` file of ``directory``, each validated against the schema
        (a page whose document is wrong fails at start-up, not in front of its audience)."""
        for path in sorted(directory.glob("*.graphql")):
            text = path.read_text()
            problems = validate(graphql_schema, parse(text))
            if problems:
                raise ValueError(f"{path.name}: {problems[0].message}")
            identifier = document_id(text)
            self.trusted[identifier] = text
            self.ids_by_name[path.stem] = identifier

    def text_of(self, identifier: str) -> str | None:
        key = identifier if identifier.startswith(PREFIX) else PREFIX + identifier
        return self.trusted.get(key) or self._registered.get(key)

    def register(self, sha256_hash: str, text: str) -> Refusal | None:
        if hashlib.sha256(text.encode()).hexdigest() != sha256_hash.lower():
            return Refusal(
                "The query's SHA-256 is not the hash sent with it.",
                "PERSISTED_QUERY_HASH_MISMATCH",
                400,
            )
        self._registered[PREFIX + sha256_hash.lower()] = text
        return None


def _persisted_hash(extensions: Any) -> str | None:
    if not isinstance(extensions, dict):
        return None
    persisted = extensions.get("persistedQuery")
    if not isinstance(persisted, dict):
        return None
    value = persisted.get("sha256Hash")
    return value if isinstance(value, str) else None


NOT_FOUND = Refusal("PersistedQueryNotFound", "PERSISTED_QUERY_NOT_FOUND")
TRUSTED_ONLY = Refusal(
    "Anonymous requests run the hub's trusted documents only (send a documentId); "
    "sign in or use an API key to send your own.",
    "TRUSTED_DOCUMENTS_ONLY",
    400,
)


def resolve(
    store: DocumentStore, request: dict[str, Any], *, anonymous: bool, trusted_only: bool
) -> tuple[dict[str, Any] | None, Refusal | None]:
    """The request with its ``query`` text (None when unchanged), or why it cannot run."""
    strict = anonymous and trusted_only
    query = request.get("query")
    named = request.get("documentId")
    sha256_hash = _persisted_hash(request.get("extensions"))
    if isinstance(named, str):
        text = store.trusted.get(named) if strict else store.text_of(named)
        if text is None:
            return None, NOT_FOUND
        return {**_without(request, "documentId"), "query": text}, None
    if sha256_hash is not None and not isinstance(query, str):
        text = (
            store.trusted.get(PREFIX + sha256_hash.lower())
            if strict
            else store.text_of(sha256_hash)
        )
        if text is None:
            return None, NOT_FOUND
        return {**request, "query": text}, None
    if isinstance(query, str):
        if strict and document_id(query) not in store.trusted:
            return None, TRUSTED_ONLY
        if sha256_hash is not None:
            refusal = store.register(sha256_hash, query)
            if refusal is not None:
                return None, refusal
    return None, None


def _without(request: dict[str, Any], key: str) -> dict[str, Any]:
    return {name: value for name, value in request.items() if name != key}
