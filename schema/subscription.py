"""The root Subscription: live event and project snapshots, and the live activity feed.

Every generator reads from the process's live hub (``info.context.hub``), so a thousand
viewers of one event cost one snapshot load per coalescing interval, not a thousand.
Snapshots are plain data; only activity entries resolve relations (their actor), through
dataloaders renewed for each entry because a WebSocket keeps one context for its lifetime.
"""

from collections.abc import AsyncGenerator
from contextlib import aclosing
from typing import Annotated, TypeVar

import strawberry
from graphql import GraphQLError

from resolvers.errors import DomainError, NotFound
from resolvers.ids import decode_id
from schema.activity import ActivityEntry
from schema.context import Info
from schema.event_live import EventLive, ProjectSupportUpdate
from subscriptions.activity_stream import new_activity
from subscriptions.conflation import SubjectGone
from subscriptions.feeds import event_live_feed, project_support_feed
from subscriptions.hub import LiveHub, snapshots

T = TypeVar("T")


def _graphql_error(error: DomainError) -> GraphQLError:
    extensions: dict[str, object] = {"code": error.code.value}
    if error.field:
        extensions["field"] = error.field
    return GraphQLError(error.message, extensions=extensions)


def _hub(info: Info) -> LiveHub:
    if info.context.hub is None:
        raise GraphQLError(
            "Live updates need a WebSocket connection (graphql-transport-ws or graphql-ws).",
            extensions={"code": "UNAVAILABLE"},
        )
    return info.context.hub


def _decode(global_id: str, type_name: str, field: str) -> int:
    try:
        return decode_id(global_id, type_name, field=field)
    except DomainError as error:
        raise _graphql_error(error) from error


async def _until_gone(
    stream: AsyncGenerator[T, None], missing: str, field: str
) -> AsyncGenerator[T, None]:
    """Pass a stream through; a subject that does not exist ends it with NOT_FOUND."""
    async with aclosing(stream):
        try:
            async for item in stream:
                yield item
        except SubjectGone:
            raise _graphql_error(NotFound(missing, field=field)) from None


EventId = Annotated[strawberry.ID, strawberry.argument(description="Global ID of the event.")]
ProjectId = Annotated[strawberry.ID, strawberry.argument(description="Global ID of the project.")]
CommunityId = Annotated[
    strawberry.ID, strawberry.argument(description="Global ID of the community.")
]
AfterEntryId = Annotated[
    strawberry.ID | None,
    strawberry.argument(
        description="Also send the entries after this one (a reconnecting client's last "
        "entry; at most 100 are replayed). Without it, the feed starts now."
    ),
]


@strawberry.type(
    description="Live updates over a WebSocket (graphql-transport-ws, or the legacy "
    "graphql-ws). Snapshots are sent on subscribe and after changes; a burst of changes is "
    "merged into one snapshot, and a slow client skips straight to the newest one."
)
class Subscription:
    @strawberry.subscription(
        description="The whole live state of a pitching event: agenda, current pitch and "
        "every project's support. `version` only grows; an unknown event is a NOT_FOUND error."
    )
    async def event_live(self, info: Info, event_id: EventId) -> AsyncGenerator[EventLive, None]:
        feed = event_live_feed(_decode(event_id, "PitchingEvent", "eventId"))
        stream = snapshots(_hub(info), feed)
        async with aclosing(
            _until_gone(stream, "No pitching event has this ID.", "eventId")
        ) as live:
            async for snapshot in live:
                yield EventLive.from_snapshot(snapshot)

    @strawberry.subscription(
        description="A project's live support (votes, money, hours, backers, by sector). "
        "`version` only grows; an unknown project is a NOT_FOUND error."
    )
    async def project_support(
        self, info: Info, project_id: ProjectId
    ) -> AsyncGenerator[ProjectSupportUpdate, None]:
        feed = project_support_feed(_decode(project_id, "Project", "projectId"))
        stream = snapshots(_hub(info), feed)
        async with aclosing(_until_gone(stream, "No project has this ID.", "projectId")) as live:
            async for snapshot in live:
                yield ProjectSupportUpdate.from_snapshot(snapshot)

    @strawberry.subscription(
        description="A community's new public activity entries (issues, projects, pledges, "
        "events...) in id order as they happen; an unknown community is a NOT_FOUND error."
    )
    async def community_activity(
        self, info: Info, community_id: CommunityId, after: AfterEntryId = None
    ) -> AsyncGenerator[ActivityEntry, None]:
        community = _decode(community_id, "Community", "communityId")
        after_id = _decode(after, "ActivityEntry", "after") if after is not None else None
        stream = new_activity(_hub(info), community, after_id=after_id)
        missing = "No community has this ID."
        async with aclosing(_until_gone(stream, missing, "communityId")) as entries:
            async for row in entries:
                info.context.renew_loaders()
                yield ActivityEntry.from_row(row)
