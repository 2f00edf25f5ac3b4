"""Redis pub/sub for the hub: a reconnecting listener and a publisher that fails fast.

broadcaster 0.3.1's Redis backend stops listening for good when the connection drops (its
issue #144). This listener owns its connection instead: when Redis goes away it retries with
a capped backoff, and once back it subscribes every watched channel again and reports each
confirmation with ``resync=True`` so the hub re-reads the database (notices sent while Redis
was down are lost; the database is the truth). redis-py's own retries are turned off so a
drop is seen at once, and a PING every ``ping_interval`` seconds catches a silent one.

Publishing goes through ``RedisPublisher`` rather than broadcaster, whose client retries a
refused connection with a backoff of seconds: while Redis is down every write would wait.
"""

import asyncio
import logging
from contextlib import suppress

from redis.asyncio import Redis
from redis.asyncio.client import PubSub
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import RedisError

from subscriptions.notices import NoticeListener

logger = logging.getLogger(__name__)


class UpstreamSilent(Exception):
    """Nothing came back from Redis, not even a PONG: treat the connection as dead."""


def _client(
    url: str, *, retries: int, connect_timeout: float, socket_timeout: float | None = None
) -> Redis:
    return Redis.from_url(
        url,
        decode_responses=True,
        retry=Retry(NoBackoff(), retries),
        socket_connect_timeout=connect_timeout,
        socket_timeout=socket_timeout,
        socket_keepalive=True,
    )


class RedisPublisher:
    """Publishes notices; raises at once (or after ``timeout``) while Redis is down."""

    def __init__(self, url: str, *, timeout: float = 1.0) -> None:
        # One immediate retry: after a Redis restart a pooled connection is stale once.
        self._client = _client(url, retries=1, connect_timeout=timeout, socket_timeout=timeout)

    async def publish(self, channel: str, message: str) -> None:
        await self._client.publish(channel, message)

    async def publish_many(self, messages: list[tuple[str, str]]) -> None:
        """Publish several messages in one round trip (a pipeline, not a transaction)."""
        async with self._client.pipeline(transaction=False) as pipeline:
            for channel, message in messages:
                pipeline.publish(channel, message)
            await pipeline.execute()

    async def aclose(self) -> None:
        await self._client.aclose()


class RedisNoticeSource:
    """Hears every watched channel on one pub/sub connection, reconnecting forever."""

    def __init__(
        self,
        url: str,
        *,
        ping_interval: float = 5.0,
        connect_timeout: float = 2.0,
        max_backoff: float = 2.0,
    ) -> None:
        self.url = url
        self.ping_interval = ping_interval
        self.connect_timeout = connect_timeout
        self.max_backoff = max_backoff
        self._wanted: set[str] = set()
        self._changed = asyncio.Event()
        self._listener: NoticeListener | None = None
        self._task: asyncio.Task[None] | None = None
        self.connections = 0  # successful connections so far (reconnects = connections - 1)

    async def start(self, listener: NoticeListener) -> None:
        self._listener = listener
        self._task = asyncio.create_task(self._run())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    def watch(self, channel: str) -> None:
        self._wanted.add(channel)
        self._changed.set()

    def unwatch(self, channel: str) -> None:
        self._wanted.discard(channel)
        self._changed.set()

    async def _run(self) -> None:
        assert self._listener is not None
        backoff = 0.1
        while True:
            failure: BaseException | None = None
            connected_before = self.connections
            try:
                await self._serve_one_connection()
            except* (RedisError, OSError, UpstreamSilent) as errors:
                failure = errors.exceptions[0]
            except* Exception as errors:  # a bug must not leave the process deaf: log, retry
                failure = errors.exceptions[0]
                logger.error("redis pub/sub listener failed", exc_info=failure)
            if self.connections > connected_before:  # it was up: report the drop once
                backoff = 0.1
                self._listener.upstream_changed(connected=False)
                logger.warning("redis pub/sub connection lost (%r); reconnecting", failure)
            else:
                logger.debug("redis pub/sub still unreachable: %r", failure)
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, self.max_backoff)

    async def _serve_one_connection(self) -> None:
        assert self._listener is not None
        # No retries inside redis-py: a drop must surface at once so we resubscribe.
        client = _client(self.url, retries=0, connect_timeout=self.connect_timeout)
        pubsub = client.pubsub()
        try:
            await pubsub.ping()  # connects, or raises while Redis is down
            # After a drop, the channels watched until now may have missed notices.
            resync = set(self._wanted) if self.connections > 0 else set()
            self.connections += 1
            if self.connections > 1:
                logger.warning("redis pub/sub reconnected: resubscribing %d channels", len(resync))
            self._listener.upstream_changed(connected=True)
            async with asyncio.TaskGroup() as group:
                group.create_task(self._read(pubsub, resync=resync))
                group.create_task(self._sync_subscriptions(pubsub))
        finally:
            with suppress(RedisError, OSError):
                await pubsub.aclose()  # type: ignore[no-untyped-call]  # untyped in redis-py
            with suppress(RedisError, OSError):
                await client.aclose()

    async def _read(self, pubsub: PubSub, *, resync: set[str]) -> None:
        assert self._listener is not None
        loop = asyncio.get_running_loop()
        last_heard = loop.time()
        while True:
            message = await pubsub.get_message(timeout=self.ping_interval)
            if message is None:
                if loop.time() - last_heard > 3 * self.ping_interval:
                    raise UpstreamSilent(f"no reply from Redis in {3 * self.ping_interval} s")
                continue
            last_heard = loop.time()
            if message["type"] == "message":
                self._listener.notice(message["channel"])
            elif message["type"] == "subscribe":
                channel = message["channel"]
                self._listener.subscribed(channel, resync=channel in resync)
                resync.discard(channel)

    async def _sync_subscriptions(self, pubsub: PubSub) -> None:
        """Bring the connection's subscriptions in line with the watched channels; ping."""
        subscribed: set[str] = set()
        while True:
            self._changed.clear()  # before reading _wanted, so no change is missed
            wanted = set(self._wanted)
            if added := wanted - subscribed:
                await pubsub.subscribe(*sorted(added))
                subscribed |= added
            if removed := subscribed - wanted:
                await pubsub.unsubscribe(*sorted(removed))
                subscribed -= removed
            try:
                await asyncio.wait_for(self._changed.wait(), timeout=self.ping_interval)
            except TimeoutError:
                await pubsub.ping()
