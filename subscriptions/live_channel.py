"""One live channel of the hub: a feed, its latest snapshot, and the slots of its subscribers.

Notices only mark the channel dirty. A single refresher task per channel loads a snapshot
when the channel is dirty, hands the same snapshot to every subscriber's slot, then waits
``interval`` seconds before it may load again: a burst of notices costs one load per
interval, whatever the number of notices or subscribers. Nor does it load while every
subscriber still holds a snapshot it has not taken: a cohort sweeping 5,000 viewers takes
longer than an interval, and the loads in between would only replace unread snapshots.
"""

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

from subscriptions.conflation import LatestSlot

logger = logging.getLogger(__name__)
T = TypeVar("T")


@dataclass(frozen=True)
class Feed(Generic[T]):
    """What to watch: ``key`` names the snapshot kind and subject (one channel per key in a
    process), ``channel`` is where its change notices arrive, ``load`` reads a snapshot
    from the database (``None``: no such subject) and ``version`` orders snapshots."""

    key: str
    channel: str
    load: Callable[[], Awaitable[T | None]]
    version: Callable[[T], int]


@dataclass
class HubStats:
    """Counters of one hub, for tests, logs and capacity planning."""

    notices: int = 0  # notices received from upstream
    loads: int = 0  # snapshots loaded from the database
    load_failures: int = 0
    resyncs: int = 0  # channels re-read after the upstream came back


class LiveChannel(Generic[T]):
    def __init__(
        self, feed: Feed[T], *, interval: float, stats: HubStats, retry_delay: float = 1.0
    ) -> None:
        self.feed = feed
        self.interval = interval
        self.retry_delay = retry_delay
        self.stats = stats
        self.slots: set[LatestSlot[T]] = set()
        self.loaded = False
        self.latest: T | None = None
        self._closed = False
        self._resend = False
        self._dirty = asyncio.Event()
        self._dirty.set()  # the first load starts at once
        self._taken = asyncio.Event()  # some subscriber took a snapshot
        self.task = asyncio.create_task(self._refresh_forever(), name=f"live {feed.key}")

    def join(self, slot: LatestSlot[T]) -> None:
        """A new subscriber starts from the cached snapshot (or the first load, soon)."""
        self.slots.add(slot)
        if self.loaded:
            slot.offer(self.latest)
        self._taken.set()  # an empty slot wants the next snapshot

    def leave(self, slot: LatestSlot[T]) -> None:
        self.slots.discard(slot)
        self._taken.set()

    def poke(self, *, resend: bool = False) -> None:
        """Something may have changed: load again once the current interval is over.

        ``resend`` hands the next snapshot to every subscriber even if it is unchanged.
        """
        self._resend = self._resend or resend
        self._dirty.set()

    def close(self) -> None:
        """Stop after the load in flight, if any (cancelling a query mid-way is wasteful)."""
        self._closed = True
        self._dirty.set()
        self._taken.set()

    def taken(self) -> None:
        """A subscriber took a snapshot from its slot (the slot's ``on_taken``)."""
        self._taken.set()

    async def _until_wanted(self) -> None:
        """Until some subscriber has taken the last snapshot (or there is none to give)."""
        while not self._closed and self.slots and all(s.holds_unread for s in self.slots):
            self._taken.clear()
            await self._taken.wait()

    async def _refresh_forever(self) -> None:
        while True:
            await self._dirty.wait()
            await self._until_wanted()
            if self._closed:
                return
            self._dirty.clear()
            resend, self._resend = self._resend, False
            try:
                snapshot = await self.feed.load()
            except Exception:  # a database hiccup: keep the subscribers, try again soon
                self.stats.load_failures += 1
                logger.warning("could not load %s; retrying", self.feed.key, exc_info=True)
                self.poke(resend=resend)
                await asyncio.sleep(self.retry_delay)
                continue
            self.stats.loads += 1
            if self._closed:
                return
            changed = not self.loaded or snapshot != self.latest
            self.loaded, self.latest = True, snapshot
            if changed or resend:
                for slot in list(self.slots):
                    slot.offer(snapshot)
            await asyncio.sleep(self.interval)
