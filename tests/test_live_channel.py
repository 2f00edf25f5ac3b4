"""A live channel loads only what some subscriber will read."""

import asyncio

from subscriptions.conflation import LatestSlot
from subscriptions.live_channel import Feed, HubStats, LiveChannel
from tests.waiting import until


async def test_no_load_while_every_subscriber_holds_an_unread_snapshot():
    # given a channel whose every load is a new version, and one subscriber
    loads = 0

    async def load() -> int:
        nonlocal loads
        loads += 1
        return loads

    feed = Feed(key="test", channel="test", load=load, version=lambda snapshot: snapshot)
    channel = LiveChannel(feed, interval=0.01, stats=HubStats())
    slot = LatestSlot(feed.version, on_taken=channel.taken)
    channel.join(slot)
    try:
        assert await asyncio.wait_for(slot.next(), 1) == 1
        # when changes keep coming for 20 intervals while the subscriber reads nothing
        for _ in range(20):
            channel.poke()
            await asyncio.sleep(0.01)
        # then one load filled its slot, and none replaced that unread snapshot
        assert loads == 2
        # and once it takes that snapshot, the channel loads the next one
        assert await asyncio.wait_for(slot.next(), 1) == 2
        await until(lambda: loads == 3, 1)
        assert await asyncio.wait_for(slot.next(), 1) == 3
    finally:
        channel.close()
        await asyncio.wait_for(channel.task, 1)
