"""How one process publishes change notices and hears them, chosen by ``BROADCAST_URL``.

``redis://`` (production): our reconnecting listener and fail-fast publisher, so a Redis
outage neither deafens the process for good nor holds writes; the app also starts while
Redis is down. Anything else (``memory://`` embedded, or another broadcaster backend):
broadcaster both ways.
"""

from broadcaster import Broadcast

from subscriptions.notices import BroadcastNoticeSource, NoticeSource, uses_redis
from subscriptions.notifier import Publisher
from subscriptions.redis_notices import RedisNoticeSource, RedisPublisher


class Upstream:
    def __init__(self, broadcast_url: str, *, publish_timeout: float = 1.0) -> None:
        # Kept for every URL so tools and tests can listen through broadcaster too.
        self.broadcast = Broadcast(broadcast_url)
        self._redis_publisher: RedisPublisher | None = None
        self._broadcast_connected = False
        self.publisher: Publisher
        self.source: NoticeSource
        if uses_redis(broadcast_url):
            self._redis_publisher = RedisPublisher(broadcast_url, timeout=publish_timeout)
            self.publisher = self._redis_publisher
            self.source = RedisNoticeSource(broadcast_url)
        else:
            self.publisher = self.broadcast
            self.source = BroadcastNoticeSource(self.broadcast)

    async def connect(self) -> None:
        if self._redis_publisher is None:
            await self.broadcast.connect()
            self._broadcast_connected = True

    async def disconnect(self) -> None:
        """Close what ``connect`` opened, and the Redis publisher's connections."""
        if self._broadcast_connected:
            self._broadcast_connected = False
            await self.broadcast.disconnect()
        if self._redis_publisher is not None:
            await self._redis_publisher.aclose()
