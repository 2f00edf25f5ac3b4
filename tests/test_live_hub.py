"""The per-process live hub under load: shared loads, conflation, versions that only grow.

Pledges go through the GraphQL API of an in-process app; the hub hears their notices
through the same broadcast backend as in production (memory, and real Redis when
``TEST_REDIS_URL`` is set) and reads snapshots from the real database.
"""

import asyncio
import logging
import os
import time
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from resolvers.event_live import ProjectSupportSnapshot, load_project_support
from subscriptions.conflation import LatestSlot, SubjectGone
from subscriptions.feeds import project_support_feed
from subscriptions.hub import LiveHub
from tests.factories import (
    gid,
    graphql,
    make_community,
    make_issue,
    make_person,
    make_project,
    token_for,
)
from tests.waiting import until
from web.app import close_connections, create_app
from web.settings import Settings

BROADCAST_URLS = ["memory://"]
if os.environ.get("TEST_REDIS_URL"):
    BROADCAST_URLS.append(os.environ["TEST_REDIS_URL"])
logger = logging.getLogger(__name__)
INTERVAL = 0.15
SUBSCRIBERS = 200
SLOW_SUBSCRIBERS = 20  # stuck "rendering" their first snapshot until the pledges are done
PEOPLE = 50
PLEDGES_EACH = 10  # one vote, then money: 500 pledges in all
PLEDGE = """
mutation($input: PledgeInput!) { pledge(input: $input) { __typename } }"""


@dataclass
class HubApp:
    hub: LiveHub
    http: httpx.AsyncClient


@pytest.fixture(params=BROADCAST_URLS, ids=lambda url: url.split(":")[0])
async def hub_app(database: str, request: pytest.FixtureRequest) -> AsyncIterator[HubApp]:
    settings = Settings(
        database_url=database, broadcast_url=request.param, live_refresh_interval=INTERVAL
    )
    app = create_app(settings)
    await app.state.upstream.connect()
    transport = httpx.ASGITransport(app=app)
    try:
        async with (
            app.state.hub.running() as hub,
            httpx.AsyncClient(transport=transport, base_url="http://hub.test") as http,
        ):
            yield HubApp(hub, http)
    finally:
        await close_connections(app)  # the app's Redis publisher and rate limits, if any


@dataclass
class Viewer:
    """One subscriber: what it was sent, in order."""

    slot: LatestSlot[ProjectSupportSnapshot]
    busy: asyncio.Event | None  # a slow viewer takes its next snapshot only once this is set
    versions: list[int] = field(default_factory=list)
    last: ProjectSupportSnapshot | None = None

    async def watch(self) -> None:
        while True:
            self.last = await self.slot.next()
            self.versions.append(self.last.version)
            if self.busy is not None:
                await self.busy.wait()


async def pledge_stream(http: httpx.AsyncClient, project_id: str, tokens: list[str]) -> None:
    """Each person: a vote, then money pledges; all people at once."""

    async def person(token: str, number: int) -> None:
        for index in range(PLEDGES_EACH):
            pledge: dict[str, Any] = {"projectId": project_id, "kind": "VOTE"}
            if index:
                pledge = {**pledge, "kind": "MONEY", "amount": {"amount": f"{number + index}.50"}}
            body = await graphql(http, PLEDGE, {"input": pledge}, token=token)
            assert body == {"data": {"pledge": {"__typename": "PledgeSuccess"}}}

    await asyncio.gather(*(person(token, n) for n, token in enumerate(tokens)))


@pytest.mark.load
async def test_200_subscribers_and_500_pledges_share_few_loads_and_end_exact(hub_app):
    # given a project, 50 people, and 200 subscribers to its support (20 of them slow)
    community = await make_community()
    lead = await make_person()
    project = await make_project(community, lead, [await make_issue(community, lead)])
    tokens = [await token_for(await make_person()) for _ in range(PEOPLE)]
    hub, feed = hub_app.hub, project_support_feed(project.pk)
    started = time.monotonic()
    async with AsyncExitStack() as subscriptions:
        watch = hub.watch
        slots = [await subscriptions.enter_async_context(watch(feed)) for _ in range(SUBSCRIBERS)]
        rendering_done = asyncio.Event()
        viewers = [
            Viewer(slot, rendering_done if n < SLOW_SUBSCRIBERS else None)
            for n, slot in enumerate(slots)
        ]
        tasks = [asyncio.create_task(viewer.watch()) for viewer in viewers]
        try:
            # (the upstream subscription is confirmed once the hub re-read the channel after
            # its first load: from then on no notice can be missed)
            await until(lambda: hub.stats.loads >= 2, seconds=5)
            # when the 50 people make 500 pledges through the API, all at once
            await pledge_stream(hub_app.http, gid(project), tokens)
            truth = await load_project_support(project.pk)
            assert truth is not None
            # then every subscriber ends on exactly the database's snapshot (the slow ones
            # finish "rendering" once the hub has caught up, so what waits in their slot is
            # the newest snapshot, not one of the loads still in flight after the stream)
            fast = viewers[SLOW_SUBSCRIBERS:]
            await until(lambda: all(v.last == truth for v in fast), seconds=10)
            rendering_done.set()
            await until(lambda: all(v.last == truth for v in viewers), seconds=10)
            elapsed = time.monotonic() - started
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
    assert truth.version == PEOPLE * PLEDGES_EACH
    assert truth.support.total.votes == PEOPLE
    # and versions only grew for each subscriber; slow ones skipped straight to newer ones
    for viewer in viewers:
        assert viewer.versions == sorted(set(viewer.versions))
        assert viewer.slot.dropped == 0
    # (a slow viewer held one snapshot through the whole stream: it then got the newest only)
    for viewer in viewers[:SLOW_SUBSCRIBERS]:
        assert viewer.slot.replaced > 0
        assert len(viewer.versions) <= 3
    # and 500 notices cost at most one load per interval elapsed (+2: first load and the
    # reload when the upstream subscription is confirmed), shared by all 200 subscribers
    windows = elapsed / INTERVAL
    assert hub.stats.notices == PEOPLE * PLEDGES_EACH
    assert 2 <= hub.stats.loads <= windows + 2
    assert hub.stats.loads * 5 < hub.stats.notices
    assert hub.channel_count == 0
    logger.info(  # see them with: pytest -o log_cli=true --log-cli-level=INFO
        "%d subscribers, %d notices, %d loads in %.1f s (%.0f windows of %s s)",
        SUBSCRIBERS,
        hub.stats.notices,
        hub.stats.loads,
        elapsed,
        windows,
        INTERVAL,
    )


async def test_a_new_subscriber_gets_the_current_snapshot_at_once(hub_app):
    # given a project with two votes, and a subscriber already watching it
    community = await make_community()
    lead = await make_person()
    project = await make_project(community, lead, [await make_issue(community, lead)])
    for _ in range(2):
        token = await token_for(await make_person())
        vote = {"projectId": gid(project), "kind": "VOTE"}
        await graphql(hub_app.http, PLEDGE, {"input": vote}, token=token)
    feed = project_support_feed(project.pk)
    async with hub_app.hub.watch(feed) as first:
        first_snapshot = await asyncio.wait_for(first.next(), 5)
        # when a second subscriber joins, then it gets the same snapshot without a new load
        loads = hub_app.hub.stats.loads
        async with hub_app.hub.watch(feed) as second:
            assert await asyncio.wait_for(second.next(), 5) == first_snapshot
        assert first_snapshot.version == 2
        assert first_snapshot.support.total.votes == 2
        assert hub_app.hub.stats.loads - loads <= 1  # at most the confirmation reload


async def test_an_unknown_subject_ends_the_subscription(hub_app):
    # when subscribing to a project that does not exist, then the slot says it is gone
    async with hub_app.hub.watch(project_support_feed(999_999)) as slot:
        with pytest.raises(SubjectGone):
            await asyncio.wait_for(slot.next(), 5)
    assert hub_app.hub.channel_count == 0
