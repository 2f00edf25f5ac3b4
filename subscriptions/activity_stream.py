"""A community's new public activity entries for one subscriber, each sent once.

The hub shares windows of the newest entries (see ``resolvers.activity_feed``); this
turns them into a stream. Entries are sent in id order as they commit. One that commits
late with a lower id (two writes in flight at once) is still sent when it shows up, and a
subscriber that fell more than a window behind reads the gap from the database (at most
``MAX_REPLAY`` entries; the ``activity`` query has the full history).
"""

from collections.abc import AsyncGenerator

from models import ActivityEntry
from resolvers.activity_feed import ActivityWindow, public_entries_between
from subscriptions.feeds import community_activity_feed
from subscriptions.hub import LiveHub, snapshots


class _SentEntries:
    """Which entries of the current window one subscriber was sent."""

    def __init__(self, first: ActivityWindow, after_id: int | None) -> None:
        self.cursor = first.newest_id if after_id is None else after_id
        self.sent = {entry.pk for entry in first.entries if entry.pk <= self.cursor}

    def gap(self, window: ActivityWindow) -> tuple[int, int] | None:
        """Ids (after, before) this subscriber may have missed below the window."""
        if window.full and window.oldest_id > self.cursor + 1:
            return (self.cursor, window.oldest_id)
        return None

    def new_entries(self, window: ActivityWindow) -> list[ActivityEntry]:
        fresh = [entry for entry in window.entries if entry.pk not in self.sent]
        self.mark(fresh)
        # Entries below the window can never come back: forget them.
        self.sent = {pk for pk in self.sent if pk >= window.oldest_id}
        return fresh

    def mark(self, entries: list[ActivityEntry]) -> None:
        for entry in entries:
            self.sent.add(entry.pk)
            self.cursor = max(self.cursor, entry.pk)


async def new_activity(
    hub: LiveHub, community_id: int, *, after_id: int | None = None
) -> AsyncGenerator[ActivityEntry, None]:
    """New public entries of a community; with ``after_id``, first those after that one."""
    entries: _SentEntries | None = None
    async for window in snapshots(hub, community_activity_feed(community_id)):
        if entries is None:
            entries = _SentEntries(window, after_id)
        if gap := entries.gap(window):
            missed = await public_entries_between(community_id, *gap)
            entries.mark(missed)
            entries.cursor = max(entries.cursor, gap[1] - 1)  # skip what the replay cut off
            for entry in missed:
                yield entry
        for entry in entries.new_entries(window):
            yield entry
