"""GraphQL of the public activity log: its entries, and a community's log."""

from datetime import datetime

import strawberry
from strawberry.scalars import JSON

from models import ActivityEntry as ActivityEntryRow
from resolvers import activity as activity_resolvers
from resolvers import community as community_resolvers
from resolvers.ids import decode_id, to_global_id
from resolvers.pagination import PageArgs
from schema.actor import Actor, load_actor
from schema.context import Info
from schema.node import Connection, Node, build_connection


@strawberry.type(description="One recorded change: who did what to which subject, and when.")
class ActivityEntry(Node):
    row: strawberry.Private[ActivityEntryRow]
    verb: str = strawberry.field(description="What happened, e.g. `issue.defined`.")
    subject_type: str = strawberry.field(description="Type of the changed object.")
    subject_id: strawberry.ID = strawberry.field(description="Global ID of the changed object.")
    details: JSON = strawberry.field(description="Small facts about the change.")
    created_at: datetime = strawberry.field(description="When it happened (UTC).")

    @strawberry.field(description="On whose behalf the change was made.")
    async def actor(self, info: Info) -> Actor | None:
        if self.row.actor_id is None:
            return None
        return await load_actor(info, self.row.actor_id)

    @classmethod
    def from_row(cls, row: ActivityEntryRow) -> "ActivityEntry":
        return cls(
            id=strawberry.ID(to_global_id("ActivityEntry", row.pk)),
            row=row,
            verb=row.verb,
            subject_type=row.subject_type,
            subject_id=strawberry.ID(to_global_id(row.subject_type, row.subject_id)),
            details=JSON(row.details),
            created_at=row.created_at,
        )


@strawberry.type(description="A page of activity entries.")
class ActivityEntryConnection(Connection[ActivityEntry]):
    pass


@strawberry.type
class ActivityQuery:
    @strawberry.field(description="A community's public activity log, newest first.")
    async def activity(
        self,
        community_id: strawberry.ID,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> ActivityEntryConnection:
        pk = decode_id(community_id, "Community", field="communityId")
        await community_resolvers.require_community(pk)
        page = await activity_resolvers.public_activity_page(
            pk, PageArgs(first, after, last, before)
        )
        return build_connection(
            ActivityEntryConnection, page, [ActivityEntry.from_row(row) for row in page.rows]
        )
