"""One subscriber's mailbox: a single slot holding the newest snapshot, never a queue.

A slow consumer (a phone on a bad network) does not build a backlog: each new snapshot
replaces the one it has not taken yet, so it skips straight to the newest. Versions taken
from one slot never go backwards: a snapshot older than the last one offered is dropped.
"""

import asyncio
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class SubjectGone(Exception):
    """The subject of a feed does not exist (an unknown ID, or it was deleted)."""


class LatestSlot(Generic[T]):
    def __init__(
        self, version: Callable[[T], int], on_taken: Callable[[], None] | None = None
    ) -> None:
        self._version = version
        self._on_taken = on_taken  # told each time the subscriber takes a snapshot
        self._pending: T | None = None
        self._gone = False
        self._last_version: int | None = None
        self._ready = asyncio.Event()
        self.replaced = 0  # snapshots skipped because a newer one arrived before next()
        self.dropped = 0  # snapshots refused because they were older than the last one

    def offer(self, snapshot: T | None) -> None:
        """Put the newest snapshot in the slot; ``None`` means the subject is gone."""
        if snapshot is None:
            self._gone = True
            self._ready.set()
            return
        version = self._version(snapshot)
        if self._last_version is not None and version < self._last_version:
            self.dropped += 1
            return
        if self._pending is not None:
            self.replaced += 1
        self._pending = snapshot
        self._last_version = version
        self._ready.set()

    @property
    def holds_unread(self) -> bool:
        """A snapshot is waiting that the subscriber has not taken yet."""
        return self._pending is not None

    async def next(self) -> T:
        """Wait for a snapshot newer than the last one taken; raises ``SubjectGone``."""
        while True:
            await self._ready.wait()
            self._ready.clear()
            if self._gone:
                raise SubjectGone
            if self._pending is not None:
                snapshot, self._pending = self._pending, None
                if self._on_taken is not None:
                    self._on_taken()
                return snapshot
