"""Any object of the graph by its global ID: ``node(id:)`` and ``nodes(ids:)`` (Relay)."""

import asyncio
from collections.abc import Callable
from typing import Any

import strawberry

from models import ActorKind
from resolvers.ids import parse_global_id
from resolvers.loaders import Loaders
from resolvers.pagination import MAX_PAGE_SIZE, PaginationError
from resolvers.project import may_see_project
from schema.activity import ActivityEntry
from schema.community import Community, Region
from schema.context import Info
from schema.event import Pitch, PitchingEvent
from schema.issue import Issue
from schema.match_pool import MatchPool
from schema.node import Node
from schema.organization import Membership, Organization
from schema.person import Person
from schema.pledge import Pledge
from schema.project import Project

# Each type's loader by primary key, and its type made from a row.
NODE_TYPES: dict[str, tuple[Callable[[Loaders], Any], Callable[[Any], Node]]] = {
    "Community": (lambda loaders: loaders.community_by_id, Community.from_row),
    "Region": (lambda loaders: loaders.region_by_id, Region.from_row),
    "Issue": (lambda loaders: loaders.issue_by_id, Issue.from_row),
    "Project": (lambda loaders: loaders.project_by_id, Project.from_row),
    "Pledge": (lambda loaders: loaders.pledge_by_id, Pledge.from_row),
    "MatchPool": (lambda loaders: loaders.match_pool_by_id, MatchPool.from_row),
    "Membership": (lambda loaders: loaders.membership_by_id, Membership.from_row),
    "PitchingEvent": (lambda loaders: loaders.pitching_event_by_id, PitchingEvent.from_row),
    "Pitch": (lambda loaders: loaders.pitch_by_id, Pitch.from_row),
    "ActivityEntry": (lambda loaders: loaders.public_activity_entry_by_id, ActivityEntry.from_row),
    "Person": (lambda loaders: loaders.actor_by_id, Person.from_row),
    "Organization": (lambda loaders: loaders.actor_by_id, Organization.from_row),
}


def _visible(info: Info, type_name: str, row: Any) -> bool:
    if type_name in ("Person", "Organization"):  # one table: the ID's type must be its kind
        return bool(row.kind == ActorKind(type_name.upper()))
    if type_name == "Project":  # drafts are visible only to whoever created them
        return may_see_project(row, info.context.viewer)
    return True


async def resolve_node(info: Info, global_id: str) -> Node | None:
    """Any object by its global ID; None when it names nothing visible."""
    parsed = parse_global_id(global_id)
    if parsed is None or parsed[0] not in NODE_TYPES:
        return None
    type_name, pk = parsed
    loader, from_row = NODE_TYPES[type_name]
    row = await loader(info.context.loaders).load(pk)
    if row is None or not _visible(info, type_name, row):
        return None
    return from_row(row)


@strawberry.type
class NodeQuery:
    @strawberry.field(description="Any object by its global ID.")
    async def node(self, info: Info, id: strawberry.ID) -> Node | None:
        return await resolve_node(info, id)

    @strawberry.field(description="Several objects by their global IDs (at most 100), in order.")
    async def nodes(self, info: Info, ids: list[strawberry.ID]) -> list[Node | None]:
        if len(ids) > MAX_PAGE_SIZE:
            raise PaginationError(f"'ids' takes at most {MAX_PAGE_SIZE} IDs, got {len(ids)}.")
        # Gathered, so the loaders fetch each type's rows in one statement.
        return list(await asyncio.gather(*(resolve_node(info, global_id) for global_id in ids)))
