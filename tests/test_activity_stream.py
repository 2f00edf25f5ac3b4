"""The live activity feed per subscriber: each public entry once, a replayed gap, late ones."""

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest

from models import ActivityEntry
from subscriptions.activity_stream import new_activity
from subscriptions.hub import LiveHub
from subscriptions.notifier import Notifier
from tests.factories import make_community
from web.app import close_connections, create_app
from web.settings import Settings

WAIT = 5


@pytest.fixture
async def live(database: str) -> AsyncIterator[tuple[LiveHub, Notifier]]:
    app = create_app(Settings(database_url=database, broadcast_url="memory://"))
    await app.state.upstream.connect()
    try:
        async with app.state.hub.running() as hub:
            yield hub, Notifier(app.state.upstream.publisher)
    finally:
        await close_connections(app)  # the app's Redis publisher and rate limits, if any


async def entry(community: Any, number: int, *, public: bool = True) -> ActivityEntry:
    return await ActivityEntry.create(
        verb="issue.defined",
        subject_type="Issue",
        subject_id=number,
        community=community,
        is_public=public,
    )


async def take(stream: Any, count: int) -> list[ActivityEntry]:
    return [await asyncio.wait_for(anext(stream), WAIT) for _ in range(count)]


async def test_a_subscriber_far_behind_replays_its_gap_then_gets_late_entries(live):
    # given 70 public and 5 private entries in a community, and entries elsewhere
    hub, notifier = live
    community, elsewhere = await make_community(), await make_community()
    public: list[ActivityEntry] = []
    private: list[ActivityEntry] = []
    for number in range(75):
        row = await entry(community, number, public=number % 15 != 7)
        (public if row.is_public else private).append(row)
        await entry(elsewhere, number)
    # when a client resumes after the 5th public entry (more than a window ago)
    stream = new_activity(hub, community.pk, after_id=public[4].pk)
    try:
        received = await take(stream, 65)
        # then it gets the 65 public entries after it, each once, in id order
        assert [row.pk for row in received] == [row.pk for row in public[5:]]
        # when an entry with a lower id becomes visible later (a write that committed late)
        late = private[-1]
        await ActivityEntry.filter(pk=late.pk).update(is_public=True)
        await notifier.community_changed(community.pk, "issue", late.subject_id)
        # then it is sent too, once
        assert [row.pk for row in await take(stream, 1)] == [late.pk]
        with pytest.raises(TimeoutError):
            await asyncio.wait_for(anext(stream), 0.5)
    finally:
        await stream.aclose()
    assert hub.channel_count == 0
