"""The root Query: entry points into the graph."""

import strawberry

from models import ActivityEntry as ActivityEntryRow
from models import ActorKind, Sector
from models import Community as CommunityRow
from models import Membership as MembershipRow
from models import Pitch as PitchRow
from models import PitchingEvent as PitchingEventRow
from models import Project as ProjectRow
from models import Region as RegionRow
from resolvers.activity import public_activity
from resolvers.community import communities_query
from resolvers.errors import ErrorCode, NotFound, Problem, ValidationFailed
from resolvers.event import normalize_join_code
from resolvers.ids import decode_id, parse_global_id
from resolvers.issue import SDG_GOALS, IssueFilterArgs, issues_query
from resolvers.organization import organizations_query
from resolvers.pagination import MAX_PAGE_SIZE, PageArgs, PaginationError, page_of_query
from resolvers.project import ProjectFilterArgs, projects_query, visible_projects
from schema.activity import ActivityEntry, ActivityEntryConnection
from schema.actor import Membership, Organization, OrganizationConnection, Person
from schema.community import Community, CommunityConnection, Region
from schema.context import Info
from schema.event import Pitch, PitchingEvent
from schema.issue import Issue, IssueConnection, IssueFilter
from schema.node import Node, build_connection
from schema.pledge import Pledge
from schema.project import Project, ProjectConnection, ProjectFilter
from schema.sorting import IssueOrder, ProjectOrder


def _sdg_filter(goal: int | None, field: str) -> int | None:
    if goal is not None and goal not in SDG_GOALS:
        raise ValidationFailed(
            [Problem("SDG goals are numbered 1 to 17.", field=field, code=ErrorCode.OUT_OF_RANGE)]
        )
    return goal


def _optional_pk(global_id: str | None, type_name: str, field: str) -> int | None:
    return None if global_id is None else decode_id(global_id, type_name, field=field)


async def resolve_node(info: Info, global_id: str) -> Node | None:
    """Any object by its global ID; None when it names nothing visible."""
    parsed = parse_global_id(global_id)
    if parsed is None:
        return None
    type_name, pk = parsed
    loaders = info.context.loaders
    if type_name in ("Person", "Organization"):
        actor = await loaders.actor_by_id.load(pk)
        if actor is None or actor.kind != ActorKind(type_name.upper()):
            return None
        return Person.from_row(actor) if type_name == "Person" else Organization.from_row(actor)
    if type_name == "Community":
        community = await loaders.community_by_id.load(pk)
        return Community.from_row(community) if community else None
    if type_name == "Region":
        region = await loaders.region_by_id.load(pk)
        return Region.from_row(region) if region else None
    if type_name == "Issue":
        issue = await loaders.issue_by_id.load(pk)
        return Issue.from_row(issue) if issue else None
    if type_name == "Project":
        project = await loaders.project_by_id.load(pk)
        return Project.from_row(project) if project and _visible(info, project) else None
    if type_name == "Pledge":
        pledge = await loaders.pledge_by_id.load(pk)
        return Pledge.from_row(pledge) if pledge else None
    if type_name == "Membership":
        membership = await MembershipRow.get_or_none(pk=pk)
        return Membership.from_row(membership) if membership else None
    if type_name == "PitchingEvent":
        event = await PitchingEventRow.get_or_none(pk=pk)
        return PitchingEvent.from_row(event) if event else None
    if type_name == "Pitch":
        pitch = await PitchRow.get_or_none(pk=pk)
        return Pitch.from_row(pitch) if pitch else None
    if type_name == "ActivityEntry":
        entry = await ActivityEntryRow.get_or_none(pk=pk, is_public=True)
        return ActivityEntry.from_row(entry) if entry else None
    return None


def _visible(info: Info, project: ProjectRow) -> bool:
    """Drafts are visible only to whoever created them."""
    if project.status != "DRAFT":
        return True
    viewer = info.context.viewer
    return viewer is not None and viewer.pk == project.created_by_id


@strawberry.type(description="Entry points for reading the collaboration graph.")
class Query:
    @strawberry.field(description="The signed-in person, or null for anonymous requests.")
    def viewer(self, info: Info) -> Person | None:
        viewer = info.context.viewer
        return Person.from_row(viewer) if viewer else None

    @strawberry.field(description="Any object by its global ID.")
    async def node(self, info: Info, id: strawberry.ID) -> Node | None:
        return await resolve_node(info, id)

    @strawberry.field(description="Several objects by their global IDs (at most 100), in order.")
    async def nodes(self, info: Info, ids: list[strawberry.ID]) -> list[Node | None]:
        if len(ids) > MAX_PAGE_SIZE:
            raise PaginationError(f"'ids' takes at most {MAX_PAGE_SIZE} IDs, got {len(ids)}.")
        return [await resolve_node(info, global_id) for global_id in ids]

    @strawberry.field(description="All regions, by name.")
    async def regions(self) -> list[Region]:
        return [Region.from_row(row) for row in await RegionRow.all().order_by("name")]

    @strawberry.field(description="Communities (hromadas), by name.")
    async def communities(
        self,
        info: Info,
        region_id: strawberry.ID | None = None,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> CommunityConnection:
        query = communities_query(_optional_pk(region_id, "Region", "regionId"))
        page = await page_of_query(query, PageArgs(first, after, last, before))
        info.context.loaders.prime(page.rows)
        return build_connection(
            CommunityConnection, page, [Community.from_row(row) for row in page.rows]
        )

    @strawberry.field(description="One community by its ID.")
    async def community(self, info: Info, id: strawberry.ID) -> Community | None:
        row = await CommunityRow.get_or_none(pk=decode_id(id, "Community", field="id"))
        return Community.from_row(row) if row else None

    @strawberry.field(description="A pitching event by its ID.")
    async def pitching_event(self, id: strawberry.ID) -> PitchingEvent | None:
        row = await PitchingEventRow.get_or_none(pk=decode_id(id, "PitchingEvent", field="id"))
        return PitchingEvent.from_row(row) if row else None

    @strawberry.field(description="A pitching event by the join code shown in the hall.")
    async def pitching_event_by_code(self, code: str) -> PitchingEvent | None:
        row = await PitchingEventRow.get_or_none(join_code=normalize_join_code(code))
        return PitchingEvent.from_row(row) if row else None

    @strawberry.field(description="A community's pitching events, soonest first.")
    async def pitching_events(self, community_id: strawberry.ID) -> list[PitchingEvent]:
        pk = decode_id(community_id, "Community", field="communityId")
        rows = await PitchingEventRow.filter(community_id=pk).order_by("starts_at", "id").limit(100)
        return [PitchingEvent.from_row(row) for row in rows]

    @strawberry.field(description="Local issues matching a filter, newest first by default.")
    async def issues(
        self,
        info: Info,
        filter: IssueFilter | None = None,
        order_by: IssueOrder | None = None,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> IssueConnection:
        given = filter or IssueFilter()
        args = IssueFilterArgs(
            community_id=_optional_pk(given.community_id, "Community", "filter.communityId"),
            statuses=tuple(given.status or ()),
            sdg_goal=_sdg_filter(given.sdg_goal, "filter.sdgGoal"),
            affected_group=given.affected_group,
            category=given.category,
            author_sector=given.author_sector,
            authored_by_people=given.authored_by_people,
        )
        order = order_by or IssueOrder()
        query = issues_query(args, order_field=order.field.value, descending=order.descending)
        page = await page_of_query(query, PageArgs(first, after, last, before))
        info.context.loaders.prime(page.rows)
        return build_connection(IssueConnection, page, [Issue.from_row(row) for row in page.rows])

    @strawberry.field(description="Projects matching a filter, newest first by default.")
    async def projects(
        self,
        info: Info,
        filter: ProjectFilter | None = None,
        order_by: ProjectOrder | None = None,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> ProjectConnection:
        given = filter or ProjectFilter()
        args = ProjectFilterArgs(
            community_id=_optional_pk(given.community_id, "Community", "filter.communityId"),
            statuses=tuple(given.status or ()),
            issue_id=_optional_pk(given.issue_id, "Issue", "filter.issueId"),
            sdg_goal=_sdg_filter(given.sdg_goal, "filter.sdgGoal"),
            affected_group=given.affected_group,
            lead_sector=given.lead_sector,
            led_by_people=given.led_by_people,
        )
        order = order_by or ProjectOrder()
        query = projects_query(args, order_field=order.field.value, descending=order.descending)
        query = visible_projects(query, info.context.viewer)
        page = await page_of_query(query, PageArgs(first, after, last, before))
        info.context.loaders.prime(page.rows)
        return build_connection(
            ProjectConnection, page, [Project.from_row(row) for row in page.rows]
        )

    @strawberry.field(description="Organizations, by name.")
    async def organizations(
        self,
        info: Info,
        sector: Sector | None = None,
        name_contains: str | None = None,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> OrganizationConnection:
        query = organizations_query(sector=sector, name_contains=name_contains)
        page = await page_of_query(query, PageArgs(first, after, last, before))
        info.context.loaders.prime(page.rows)
        return build_connection(
            OrganizationConnection, page, [Organization.from_row(row) for row in page.rows]
        )

    @strawberry.field(description="A community's public activity log, newest first.")
    async def activity(
        self,
        info: Info,
        community_id: strawberry.ID,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> ActivityEntryConnection:
        pk = decode_id(community_id, "Community", field="communityId")
        if not await CommunityRow.exists(pk=pk):
            raise NotFound("No community has this ID.", field="communityId")
        page = await page_of_query(public_activity(pk), PageArgs(first, after, last, before))
        return build_connection(
            ActivityEntryConnection, page, [ActivityEntry.from_row(row) for row in page.rows]
        )
