"""Publishing small change notices after a write commits.

The database is the truth and notices are hints: a notice carries only what changed
(a kind and an ID), and a failure to publish never fails the write that already committed.
"""

import asyncio
import json
import logging
from typing import Protocol

from subscriptions.channels import community_channel, event_channel, project_channel

logger = logging.getLogger(__name__)


class Publisher(Protocol):
    async def publish(self, channel: str, message: str) -> None: ...


class Notifier:
    """Publishes change notices through a broadcaster-like publisher."""

    def __init__(self, publisher: Publisher | None, *, timeout: float = 1.0) -> None:
        self.publisher = publisher
        # Redis down or unreachable must not hold a committed write's response for long.
        self.timeout = timeout

    async def notify(self, channel: str, kind: str, subject_id: int) -> None:
        if self.publisher is None:
            return
        message = json.dumps({"kind": kind, "id": subject_id})
        try:
            async with asyncio.timeout(self.timeout):
                await self.publisher.publish(channel, message)
        except Exception:  # the write is committed; live views catch up from the database
            logger.warning("could not publish %s on %s", kind, channel, exc_info=True)

    async def project_changed(self, project_id: int, community_id: int, kind: str) -> None:
        await self.notify(project_channel(project_id), kind, project_id)
        await self.notify(community_channel(community_id), kind, project_id)

    async def community_changed(self, community_id: int, kind: str, subject_id: int) -> None:
        await self.notify(community_channel(community_id), kind, subject_id)

    async def event_changed(self, event_id: int, community_id: int, kind: str) -> None:
        await self.notify(event_channel(event_id), kind, event_id)
        await self.notify(community_channel(community_id), kind, event_id)

    async def pledge_changed(
        self, project_id: int, community_id: int, live_event_ids: list[int]
    ) -> None:
        """A pledge moved a project's support: tell its viewers and its live events'."""
        await self.project_changed(project_id, community_id, "pledge")
        for event_id in live_event_ids:
            await self.notify(event_channel(event_id), "pledge", project_id)
