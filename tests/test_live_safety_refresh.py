"""A lost notice delays a live update by at most the safety refresh interval."""

import asyncio

from models import Pledge, PledgeKind
from subscriptions.feeds import project_support_feed
from subscriptions.hub import LiveHub
from subscriptions.upstream import Upstream
from tests.factories import make_community, make_issue, make_person, make_project


async def test_a_pledge_whose_notice_was_lost_still_reaches_viewers(database):
    # given a hub that hears no notices at all for this write, refreshing every 0.3 s
    upstream = Upstream("memory://", publish_timeout=1)
    await upstream.connect()
    hub = LiveHub(
        upstream.source, interval=0.05, outage_poll_interval=0, safety_refresh_interval=0.3
    )
    community = await make_community()
    lead = await make_person()
    project = await make_project(community, lead, [await make_issue(community, lead)])
    try:
        async with hub.running(), hub.watch(project_support_feed(project.pk)) as slot:
            first = await asyncio.wait_for(slot.next(), timeout=5)
            # (the hub re-reads once more when the upstream confirms its subscription)
            async with asyncio.timeout(5):
                while hub.stats.loads < 2:  # noqa: ASYNC110 (a counter, no event to await)
                    await asyncio.sleep(0.01)
            # when a vote is written without any notice (as if its publish had failed)
            await Pledge.create(
                project=project,
                backer=lead,
                made_by=lead,
                kind=PledgeKind.VOTE,
                active_vote_backer=lead,
            )
            # then the next safety refresh brings it to the viewer
            second = await asyncio.wait_for(slot.next(), timeout=3)
    finally:
        await upstream.disconnect()
    assert first.support.total.votes == 0
    assert second.support.total.votes == 1
    assert second.version > first.version
