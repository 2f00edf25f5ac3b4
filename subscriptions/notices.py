"""Where the live hub hears change notices: one upstream subscription per channel.

A notice source knows nothing of snapshots: it tells its listener that a channel *may* have
changed (``notice``), that a channel's upstream subscription is active (``subscribed``;
``resync`` when notices may have been missed before it, e.g. after a reconnect) and whether
the upstream is reachable at all (``upstream_changed``). ``watch``/``unwatch`` are plain
calls: the source does its I/O in its own tasks, so the hub never awaits the network while
it updates its bookkeeping.
"""

import asyncio
import logging
from contextlib import suppress
from typing import Protocol
from urllib.parse import urlparse

from broadcaster import Broadcast

logger = logging.getLogger(__name__)


class NoticeListener(Protocol):
    def notice(self, channel: str) -> None: ...

    def subscribed(self, channel: str, *, resync: bool) -> None: ...

    def upstream_changed(self, *, connected: bool) -> None: ...


class NoticeSource(Protocol):
    async def start(self, listener: NoticeListener) -> None: ...

    async def stop(self) -> None: ...

    def watch(self, channel: str) -> None: ...

    def unwatch(self, channel: str) -> None: ...


class BroadcastNoticeSource:
    """Notices from a connected broadcaster ``Broadcast`` (the embedded ``memory://`` one).

    One ``broadcast.subscribe`` per channel, started and stopped by this source only, so
    broadcaster's race between two first subscribers of a channel cannot happen here.
    Its per-subscriber queue stays empty: each event is consumed as soon as it arrives.
    """

    def __init__(self, broadcast: Broadcast) -> None:
        self._broadcast = broadcast
        self._tasks: dict[str, asyncio.Task[None]] = {}
        self._listener: NoticeListener | None = None

    async def start(self, listener: NoticeListener) -> None:
        self._listener = listener
        listener.upstream_changed(connected=True)

    async def stop(self) -> None:
        tasks = list(self._tasks.values())
        self._tasks.clear()
        for task in tasks:
            task.cancel()
        for task in tasks:
            with suppress(asyncio.CancelledError):
                await task

    def watch(self, channel: str) -> None:
        if channel not in self._tasks:
            self._tasks[channel] = asyncio.create_task(self._listen(channel))

    def unwatch(self, channel: str) -> None:
        task = self._tasks.pop(channel, None)
        if task is not None:
            task.cancel()

    async def _listen(self, channel: str) -> None:
        assert self._listener is not None, "start() the source before watching channels"
        async with self._broadcast.subscribe(channel) as subscriber:
            self._listener.subscribed(channel, resync=False)
            while True:
                await subscriber.get()
                self._listener.notice(channel)


def uses_redis(broadcast_url: str) -> bool:
    return urlparse(broadcast_url).scheme in ("redis", "rediss")
