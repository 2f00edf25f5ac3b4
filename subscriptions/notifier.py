"""Publishing small change notices after a write commits.

The database is the truth and notices are hints: a notice carries only what changed
(a kind and an ID), and a failure to publish never fails the write that already committed.
"""

import asyncio
import json
import logging
from typing import Protocol, runtime_checkable

from subscriptions.channels import (
    community_channel,
    credentials_channel,
    event_channel,
    project_channel,
)

logger = logging.getLogger(__name__)


class Publisher(Protocol):
    async def publish(self, channel: str, message: str) -> None: ...


@runtime_checkable
class BatchPublisher(Protocol):
    """A publisher that sends several messages in one round trip (a Redis pipeline)."""

    async def publish_many(self, messages: list[tuple[str, str]]) -> None: ...


class Notifier:
    """Publishes change notices through a broadcaster-like publisher."""

    def __init__(self, publisher: Publisher | None, *, timeout: float = 1.0) -> None:
        self.publisher = publisher
        # A runtime Protocol check walks the class's members: once here, not per write.
        self._batch = publisher if isinstance(publisher, BatchPublisher) else None
        # Redis down or unreachable must not hold a committed write's response for long.
        self.timeout = timeout
        self.notices_dropped = 0  # notices that could not be published (Redis down, slow)

    async def notify(self, channel: str, kind: str, subject_id: int) -> None:
        await self.notify_all([(channel, kind, subject_id)])

    async def notify_all(self, notices: list[tuple[str, str, int]]) -> None:
        """Publish (channel, kind, subject) notices, in one round trip when the publisher can."""
        if self.publisher is None or not notices:
            return
        messages = [
            (channel, json.dumps({"kind": kind, "id": subject_id}))
            for channel, kind, subject_id in notices
        ]
        try:
            async with asyncio.timeout(self.timeout):
                if self._batch is not None:
                    await self._batch.publish_many(messages)
                else:
                    for channel, message in messages:
                        await self.publisher.publish(channel, message)
        except Exception:  # the write is committed; live views catch up from the database
            self.notices_dropped += len(messages)
            channels = ", ".join(channel for channel, _ in messages)
            logger.warning(
                "could not publish %s notices on %s", len(messages), channels, exc_info=True
            )

    async def project_changed(self, project_id: int, community_id: int, kind: str) -> None:
        await self.notify_all(_project_notices(project_id, community_id, kind))

    async def credentials_revoked(self) -> None:
        """Tokens or API keys were revoked: every process re-checks its WebSockets' ones."""
        await self.notify(credentials_channel(), "revoked", 0)

    async def community_changed(self, community_id: int, kind: str, subject_id: int) -> None:
        await self.notify(community_channel(community_id), kind, subject_id)

    async def event_changed(self, event_id: int, community_id: int, kind: str) -> None:
        await self.notify_all(
            [
                (event_channel(event_id), kind, event_id),
                (community_channel(community_id), kind, event_id),
            ]
        )

    async def pledge_changed(
        self, project_id: int, community_id: int, live_event_ids: list[int]
    ) -> None:
        """A pledge moved a project's support: tell its viewers and its live events'."""
        await self.notify_all(
            [
                *_project_notices(project_id, community_id, "pledge"),
                *((event_channel(event_id), "pledge", project_id) for event_id in live_event_ids),
            ]
        )


def _project_notices(project_id: int, community_id: int, kind: str) -> list[tuple[str, str, int]]:
    """A project changed: its own viewers and its community's hear of it."""
    return [
        (project_channel(project_id), kind, project_id),
        (community_channel(community_id), kind, project_id),
    ]
