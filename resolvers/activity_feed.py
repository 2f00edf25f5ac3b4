"""The live activity feed's reads: a window of a community's newest public entries.

A window is a snapshot like any other, shared by every subscriber of the community in a
process; each subscriber then picks the entries it has not been sent yet. Only a
subscriber that fell behind by more than a window reads the gap itself.
"""

from dataclasses import dataclass

from models import ActivityEntry, Community

ACTIVITY_WINDOW = 50
MAX_REPLAY = 100


@dataclass(frozen=True)
class ActivityWindow:
    community_id: int
    entries: tuple[ActivityEntry, ...]  # the newest public entries, in id order
    full: bool  # as many entries as the window holds: older ones may be missing from it

    @property
    def newest_id(self) -> int:
        return self.entries[-1].pk if self.entries else 0

    @property
    def oldest_id(self) -> int:
        return self.entries[0].pk if self.entries else 0


async def load_activity_window(
    community_id: int, size: int = ACTIVITY_WINDOW
) -> ActivityWindow | None:
    if not await Community.exists(pk=community_id):
        return None
    rows = (
        await ActivityEntry.filter(community_id=community_id, is_public=True)
        .order_by("-id")
        .limit(size)
    )
    return ActivityWindow(community_id, tuple(reversed(rows)), full=len(rows) == size)


async def public_entries_between(
    community_id: int, after_id: int, before_id: int, limit: int = MAX_REPLAY
) -> list[ActivityEntry]:
    """Public entries with ``after_id < id < before_id``, oldest first, at most ``limit``."""
    return (
        await ActivityEntry.filter(
            community_id=community_id, is_public=True, id__gt=after_id, id__lt=before_id
        )
        .order_by("id")
        .limit(limit)
    )
