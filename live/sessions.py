"""The signed-in WebSockets of one process, closed when their token or key is revoked.

A WebSocket is signed in once, at ``connection_init``; without this, one opened with a
token kept acting as that person after ``logout(allSessions: true)``. Each signed-in
connection is held here by its credential's digest (weakly: a closed connection simply
drops out). A revocation publishes a notice on the ``credentials`` channel; every process
hears it through its live hub (``credentials_feed``), re-checks the credentials of its
connections in two queries, and closes those no longer valid with 4403. The hub's safety
refresh re-reads the channel now and then, so a notice lost to a Redis outage only delays
the closing.
"""

import asyncio
import logging
import weakref
from contextlib import suppress
from typing import Any

from resolvers.api_key import is_key_secret, key_digest, live_key_digests
from resolvers.person import live_token_digests, token_digest
from subscriptions.feeds import credentials_feed
from subscriptions.hub import LiveHub, snapshots

logger = logging.getLogger(__name__)

REVOKED = 4403


class Sessions:
    def __init__(self) -> None:
        self._tokens: dict[str, weakref.WeakSet[Any]] = {}
        self._keys: dict[str, weakref.WeakSet[Any]] = {}
        self.closed = 0  # connections closed for a revoked credential

    def add(self, credential: str, connection: Any) -> None:
        """Hold a connection signed in with ``credential`` (a token or an API key)."""
        if is_key_secret(credential):
            self._keys.setdefault(key_digest(credential), weakref.WeakSet()).add(connection)
        else:
            self._tokens.setdefault(token_digest(credential), weakref.WeakSet()).add(connection)

    @property
    def count(self) -> int:
        return sum(len(held) for held in (*self._tokens.values(), *self._keys.values()))

    async def recheck(self) -> None:
        """Close every held connection whose token or key is no longer live."""
        for held, live in (
            (self._tokens, await live_token_digests(self._in_use(self._tokens))),
            (self._keys, await live_key_digests(self._in_use(self._keys))),
        ):
            for digest in [digest for digest in held if digest not in live]:
                for connection in list(held.pop(digest)):
                    await self._close(connection)

    @staticmethod
    def _in_use(held: dict[str, weakref.WeakSet[Any]]) -> set[str]:
        for digest in [digest for digest, connections in held.items() if not connections]:
            del held[digest]
        return set(held)

    async def _close(self, connection: Any) -> None:
        self.closed += 1
        with suppress(Exception):  # it may be closing already
            await connection.close(code=REVOKED, reason="The token or key was revoked.")

    async def watch(self, hub: LiveHub) -> None:
        """Re-check the held connections after every revocation, for as long as it runs."""
        while True:
            try:
                async for _ in snapshots(hub, credentials_feed()):
                    await self.recheck()
            except asyncio.CancelledError:
                raise
            except Exception:  # a database hiccup: look again in a moment
                logger.warning("could not re-check signed-in WebSockets", exc_info=True)
                await asyncio.sleep(1)
