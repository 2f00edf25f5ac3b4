"""The per-process live hub: one upstream subscription and one refresher per channel.

Thousands of viewers of one event in a process share one Redis subscription, one snapshot
load per coalescing interval, and one snapshot object; each viewer only holds a slot with
the newest snapshot (see ``conflation``). The database is the truth and notices are hints:
when the upstream (Redis) comes back after an outage every channel is re-read and re-sent,
and while it is down channels are re-read every ``outage_poll_interval`` seconds so counts
keep moving, just more slowly.
"""

import asyncio
import logging
from collections.abc import AsyncGenerator, AsyncIterator
from contextlib import asynccontextmanager, suppress
from typing import Any, TypeVar, cast

from subscriptions.conflation import LatestSlot
from subscriptions.live_channel import Feed, HubStats, LiveChannel
from subscriptions.notices import NoticeSource

logger = logging.getLogger(__name__)
T = TypeVar("T")

DEFAULT_INTERVAL = 0.15


class LiveHub:
    """Per-process fan-out of live snapshots, one channel per subscribed subject."""

    def __init__(
        self,
        source: NoticeSource,
        *,
        interval: float = DEFAULT_INTERVAL,
        outage_poll_interval: float = 2.0,
        safety_refresh_interval: float = 0.0,
    ) -> None:
        self.source = source
        self.interval = interval
        self.outage_poll_interval = outage_poll_interval
        self.safety_refresh_interval = safety_refresh_interval
        self.stats = HubStats()
        self.upstream_connected = False
        self._channels: dict[str, LiveChannel[Any]] = {}  # by feed key
        self._keys_by_channel: dict[str, set[str]] = {}  # notice channel -> feed keys
        self._poller: asyncio.Task[None] | None = None
        self._safety: asyncio.Task[None] | None = None
        self._closing: set[asyncio.Task[None]] = set()  # closed channels finishing a load
        self._started = False

    async def start(self) -> None:
        await self.source.start(self)
        if self.outage_poll_interval > 0:
            self._poller = asyncio.create_task(self._poll_during_outages())
        if self.safety_refresh_interval > 0:
            self._safety = asyncio.create_task(self._refresh_everything_now_and_then())
        self._started = True

    async def stop(self) -> None:
        self._started = False
        for periodic in (self._poller, self._safety):
            if periodic is not None:
                periodic.cancel()
                with suppress(asyncio.CancelledError):
                    await periodic
        await self.source.stop()
        tasks = [channel.task for channel in self._channels.values()] + list(self._closing)
        self._channels.clear()
        self._keys_by_channel.clear()
        for task in tasks:
            task.cancel()
        for task in tasks:
            with suppress(asyncio.CancelledError):
                await task

    @asynccontextmanager
    async def running(self) -> AsyncIterator["LiveHub"]:
        await self.start()
        try:
            yield self
        finally:
            await self.stop()

    @asynccontextmanager
    async def watch(self, feed: Feed[T]) -> AsyncIterator[LatestSlot[T]]:
        """Subscribe to a feed for the duration of the block; read snapshots from the slot."""
        if not self._started:
            raise RuntimeError("the live hub is not running")
        channel = self._open(feed)
        slot = LatestSlot(feed.version, on_taken=channel.taken)
        channel.join(slot)
        try:
            yield slot
        finally:
            channel.leave(slot)
            if not channel.slots:
                self._close(channel)

    @property
    def channel_count(self) -> int:
        return len(self._channels)

    def _open(self, feed: Feed[T]) -> LiveChannel[T]:
        existing = self._channels.get(feed.key)
        if existing is not None:
            return cast(LiveChannel[T], existing)
        channel = LiveChannel(feed, interval=self.interval, stats=self.stats)
        self._channels[feed.key] = channel
        keys = self._keys_by_channel.setdefault(feed.channel, set())
        if not keys:
            self.source.watch(feed.channel)
        keys.add(feed.key)
        return channel

    def _close(self, channel: LiveChannel[Any]) -> None:
        feed = channel.feed
        if self._channels.get(feed.key) is not channel:
            return
        del self._channels[feed.key]
        keys = self._keys_by_channel.get(feed.channel, set())
        keys.discard(feed.key)
        if not keys:
            self._keys_by_channel.pop(feed.channel, None)
            self.source.unwatch(feed.channel)
        channel.close()
        self._closing.add(channel.task)
        channel.task.add_done_callback(self._closing.discard)

    def _live_channels(self, channel: str) -> list[LiveChannel[Any]]:
        return [self._channels[key] for key in self._keys_by_channel.get(channel, ())]

    # The notice source's callbacks (NoticeListener).

    def notice(self, channel: str) -> None:
        self.stats.notices += 1
        for live in self._live_channels(channel):
            live.poke()

    def subscribed(self, channel: str, *, resync: bool) -> None:
        # Notices sent before the subscription was active were missed: re-read the database.
        if resync:
            self.stats.resyncs += 1
        for live in self._live_channels(channel):
            live.poke(resend=resync)

    def upstream_changed(self, *, connected: bool) -> None:
        self.upstream_connected = connected

    async def _poll_during_outages(self) -> None:
        while True:
            await asyncio.sleep(self.outage_poll_interval)
            if not self.upstream_connected:
                for live in list(self._channels.values()):
                    live.poke()

    async def _refresh_everything_now_and_then(self) -> None:
        # A publish that failed while this process's Redis link was fine is a lost hint:
        # re-reading every channel now and then bounds how stale a viewer can stay.
        while True:
            await asyncio.sleep(self.safety_refresh_interval)
            for live in list(self._channels.values()):
                live.poke()


async def snapshots(hub: LiveHub, feed: Feed[T]) -> AsyncGenerator[T, None]:
    """Every snapshot of a feed as this subscriber gets them (newest first, conflated).

    Raises ``SubjectGone`` when the feed's subject does not exist.
    """
    async with hub.watch(feed) as slot:
        while True:
            yield await slot.next()
