"""GraphQL types, inputs and mutations of local issues."""

from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import strawberry

from models import AffectedGroup, IssueCategory, IssueStatus, Sector
from models import Issue as IssueRow
from resolvers import issue as issue_resolvers
from resolvers.ids import to_global_id
from resolvers.issue import IssueFilterArgs
from resolvers.pagination import PageArgs, page_of_list
from resolvers.taxonomy import sdg_name
from resolvers.validation import Checker
from schema.actor import Actor, load_actor
from schema.community import CommunityRef, GeoPoint, GeoPointInput, load_community
from schema.context import Info
from schema.errors import AnyError, as_result
from schema.locale import Locale, locale_or_default
from schema.node import Connection, Node, build_connection
from schema.sorting import IssueOrder

if TYPE_CHECKING:
    from schema.project import ProjectConnection

IssueStatusEnum = strawberry.enum(IssueStatus, description="Where an issue stands.")
IssueCategoryEnum = strawberry.enum(IssueCategory, description="The field an issue belongs to.")
AffectedGroupEnum = strawberry.enum(
    AffectedGroup, description="A vulnerable or marginalized group an issue hits."
)
ProjectConnectionRef = Annotated["ProjectConnection", strawberry.lazy("schema.project")]


@strawberry.type(description="A local problem, mapped and tagged with SDGs and affected groups.")
class Issue(Node):
    row: strawberry.Private[IssueRow]
    title: str = strawberry.field(description="Short title.")
    description: str = strawberry.field(description="What the problem is and whom it hits.")
    location: GeoPoint = strawberry.field(description="Where the problem is.")
    category: IssueCategory = strawberry.field(description="Field of the problem.")
    status: IssueStatus = strawberry.field(description="OPEN, ADDRESSED, RESOLVED or DUPLICATE.")
    created_at: datetime = strawberry.field(description="When it was defined (UTC).")
    updated_at: datetime = strawberry.field(description="When it last changed (UTC).")

    @strawberry.field(description="The community the issue is in.")
    async def community(self, info: Info) -> CommunityRef:
        return await load_community(info, self.row.community_id)

    @strawberry.field(description="Who defined the issue: a person or an organization.")
    async def author(self, info: Info) -> Actor:
        return await load_actor(info, self.row.author_id)

    @strawberry.field(description="UN Sustainable Development Goals (1-17) the issue relates to.")
    async def sdg_goals(self, info: Info) -> list[int]:
        return await info.context.loaders.sdg_goals_by_issue.load(self.row.pk)

    @strawberry.field(description="Short names of the issue's SDGs, in the goals' order.")
    async def sdg_goal_names(self, info: Info, locale: Locale | None = Locale.EN) -> list[str]:
        goals = await info.context.loaders.sdg_goals_by_issue.load(self.row.pk)
        return [sdg_name(goal, locale_or_default(locale)) for goal in goals]

    @strawberry.field(description="Vulnerable groups the issue hits.")
    async def affected_groups(self, info: Info) -> list[AffectedGroup]:
        return await info.context.loaders.affected_groups_by_issue.load(self.row.pk)

    @strawberry.field(description="The original issue, when this one is a duplicate.")
    async def duplicate_of(self, info: Info) -> "Issue | None":
        if self.row.duplicate_of_id is None:
            return None
        row = await info.context.loaders.issue_by_id.load(self.row.duplicate_of_id)
        return Issue.from_row(row) if row else None

    @strawberry.field(description="Number of people following the issue.")
    async def follower_count(self, info: Info) -> int:
        return await info.context.loaders.follower_count_by_issue.load(self.row.pk)

    @strawberry.field(description="Whether the signed-in viewer follows the issue.")
    async def viewer_follows(self, info: Info) -> bool:
        return await info.context.loaders.viewer_follows_issue.load(self.row.pk)

    @strawberry.field(description="Number of people who said the issue affects them too.")
    async def affected_count(self, info: Info) -> int:
        return await info.context.loaders.affected_count_by_issue.load(self.row.pk)

    @strawberry.field(description="Whether the signed-in viewer said the issue affects them too.")
    async def viewer_affected(self, info: Info) -> bool:
        return await info.context.loaders.viewer_affected_issue.load(self.row.pk)

    @strawberry.field(description="Projects addressing the issue.")
    async def projects(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> ProjectConnectionRef:
        from schema.project import ProjectConnection, load_projects

        ids = await info.context.loaders.project_ids_by_issue.load(self.row.pk)
        page = page_of_list(ids, PageArgs(first, after, last, before))
        return build_connection(ProjectConnection, page, await load_projects(info, page.rows))

    @classmethod
    def from_row(cls, row: IssueRow) -> "Issue":
        return cls(
            id=strawberry.ID(to_global_id("Issue", row.pk)),
            row=row,
            title=row.title,
            description=row.description,
            location=GeoPoint(latitude=row.latitude, longitude=row.longitude),
            category=IssueCategory(row.category),
            status=IssueStatus(row.status),
            created_at=row.created_at,
            updated_at=row.updated_at,
        )


async def load_issues(info: Info, issue_ids: list[int]) -> list[Issue]:
    rows = await info.context.loaders.issue_by_id.load_many(issue_ids)
    return [Issue.from_row(row) for row in rows if row is not None]


@strawberry.type(description="A page of issues.")
class IssueConnection(Connection[Issue]):
    pass


@strawberry.input(description="Narrow a list of issues; all given conditions must hold.")
class IssueFilter:
    community_id: strawberry.ID | None = strawberry.field(
        default=None, description="Only issues of this community."
    )
    status: list[IssueStatus] | None = strawberry.field(
        default=None, description="Only issues in one of these statuses."
    )
    sdg_goal: int | None = strawberry.field(
        default=None, description="Only issues tagged with this SDG (1-17)."
    )
    affected_group: AffectedGroup | None = strawberry.field(
        default=None, description="Only issues hitting this group."
    )
    category: IssueCategory | None = strawberry.field(
        default=None, description="Only this category."
    )
    author_sector: Sector | None = strawberry.field(
        default=None, description="Only issues defined by organizations of this sector."
    )
    authored_by_people: bool | None = strawberry.field(
        default=None, description="True: only issues defined by persons; false: by organizations."
    )

    def conditions(self) -> IssueFilterArgs:
        """The conditions as given, all but the community (still a global ID)."""
        return IssueFilterArgs(
            statuses=tuple(self.status or ()),
            sdg_goal=self.sdg_goal,
            affected_group=self.affected_group,
            category=self.category,
            author_sector=self.author_sector,
            authored_by_people=self.authored_by_people,
        )

    def to_args(self, checker: Checker) -> IssueFilterArgs:
        """The filter for the resolvers; a malformed ID or SDG goes to ``checker``."""
        return issue_resolvers.issue_filter_args(checker, self.conditions(), self.community_id)


@strawberry.input(description="Define a new local issue.")
class DefineIssueInput:
    community_id: strawberry.ID = strawberry.field(description="Community the issue is in.")
    title: str = strawberry.field(description="Short title, 3-200 characters.")
    description: str = strawberry.field(description="What the problem is, up to 10,000 characters.")
    location: GeoPointInput = strawberry.field(description="Where the problem is.")
    category: IssueCategory = strawberry.field(description="Field of the problem.")
    sdg_goals: list[int] = strawberry.field(default_factory=list, description="SDGs, 1-17.")
    affected_groups: list[AffectedGroup] = strawberry.field(
        default_factory=list, description="Vulnerable groups the issue hits."
    )
    acting_for: strawberry.ID | None = strawberry.field(
        default=None, description="Define it on behalf of this organization (you must belong)."
    )


@strawberry.input(description="Change an issue; omitted fields stay as they are.")
class UpdateIssueInput:
    issue_id: strawberry.ID = strawberry.field(description="The issue to change.")
    title: str | None = strawberry.field(default=None, description="New title.")
    description: str | None = strawberry.field(default=None, description="New description.")
    location: GeoPointInput | None = strawberry.field(default=None, description="New location.")
    category: IssueCategory | None = strawberry.field(default=None, description="New category.")
    sdg_goals: list[int] | None = strawberry.field(default=None, description="New SDG list.")
    affected_groups: list[AffectedGroup] | None = strawberry.field(
        default=None, description="New affected groups."
    )
    status: IssueStatus | None = strawberry.field(
        default=None, description="New status (OPEN, ADDRESSED or RESOLVED)."
    )


@strawberry.input(description="Follow or unfollow an issue.")
class FollowIssueInput:
    issue_id: strawberry.ID = strawberry.field(description="The issue.")
    follow: bool = strawberry.field(default=True, description="False to stop following.")


@strawberry.type(description="The issue was defined.")
class DefineIssueSuccess:
    issue: Issue = strawberry.field(description="The new issue.")


@strawberry.type(description="The issue was changed.")
class UpdateIssueSuccess:
    issue: Issue = strawberry.field(description="The issue as it now is.")


@strawberry.type(description="The viewer now follows (or no longer follows) the issue.")
class FollowIssueSuccess:
    issue: Issue = strawberry.field(
        description="The issue followed: the one asked for, or its original if it is a duplicate."
    )
    following: bool = strawberry.field(description="Whether the viewer now follows it.")


DefineIssueResult = Annotated[
    DefineIssueSuccess | AnyError,
    strawberry.union("DefineIssueResult", description="The new issue, or why not."),
]
UpdateIssueResult = Annotated[
    UpdateIssueSuccess | AnyError,
    strawberry.union("UpdateIssueResult", description="The changed issue, or why not."),
]
FollowIssueResult = Annotated[
    FollowIssueSuccess | AnyError,
    strawberry.union("FollowIssueResult", description="The follow state, or why not."),
]


def _location(value: GeoPointInput | None) -> issue_resolvers.Location | None:
    if value is None:
        return None
    return issue_resolvers.Location(latitude=value.latitude, longitude=value.longitude)


@strawberry.type
class IssueQuery:
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
        checker = Checker()
        filters = (filter or IssueFilter()).to_args(checker)
        checker.raise_if_any()
        order = order_by or IssueOrder()
        page = await issue_resolvers.issues_page(
            filters,
            PageArgs(first, after, last, before),
            order_field=order.field.value,
            descending=order.descending,
        )
        info.context.loaders.prime(page.rows)
        return build_connection(IssueConnection, page, [Issue.from_row(row) for row in page.rows])


@strawberry.type
class IssueMutation:
    @strawberry.mutation(description="Define (map) a new local issue.")
    async def define_issue(self, info: Info, input: DefineIssueInput) -> DefineIssueResult:
        async def run() -> DefineIssueSuccess:
            row = await issue_resolvers.define_issue(
                info.context.viewer,
                community_id=input.community_id,
                title=input.title,
                description=input.description,
                location=issue_resolvers.Location(
                    input.location.latitude, input.location.longitude
                ),
                category=input.category,
                sdg_goals=input.sdg_goals,
                affected_groups=input.affected_groups,
                acting_for=input.acting_for,
            )
            await info.context.notifier.community_changed(row.community_id, "issue", row.pk)
            return DefineIssueSuccess(issue=Issue.from_row(row))

        return await as_result(run())

    @strawberry.mutation(description="Change an issue you (or your organization) defined.")
    async def update_issue(self, info: Info, input: UpdateIssueInput) -> UpdateIssueResult:
        async def run() -> UpdateIssueSuccess:
            row = await issue_resolvers.update_issue(
                info.context.viewer,
                issue_id=input.issue_id,
                title=input.title,
                description=input.description,
                location=_location(input.location),
                category=input.category,
                sdg_goals=input.sdg_goals,
                affected_groups=input.affected_groups,
                status=input.status,
            )
            await info.context.notifier.community_changed(row.community_id, "issue", row.pk)
            return UpdateIssueSuccess(issue=Issue.from_row(row))

        return await as_result(run())

    @strawberry.mutation(
        description="Follow an issue to hear about its progress (following a duplicate "
        "follows its original, where the duplicate's followers went)."
    )
    async def follow_issue(self, info: Info, input: FollowIssueInput) -> FollowIssueResult:
        async def run() -> FollowIssueSuccess:
            row, following = await issue_resolvers.follow_issue(
                info.context.viewer, issue_id=input.issue_id, follow=input.follow
            )
            return FollowIssueSuccess(issue=Issue.from_row(row), following=following)

        return await as_result(run())
