"""GraphQL types, inputs and mutations of projects."""

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Annotated

import strawberry

from models import AffectedGroup, ProjectStatus, Sector
from models import Project as ProjectRow
from models.money import Currency, from_minor_units
from resolvers import project as project_resolvers
from resolvers.ids import to_global_id
from resolvers.match_pool import pools_for_project
from resolvers.pagination import PageArgs, page_of_list
from resolvers.support import funding_of
from resolvers.validation import Checker
from schema.actor import Actor, load_actor
from schema.community import CommunityRef, load_community
from schema.context import Info
from schema.errors import AnyError, as_result
from schema.issue import IssueConnection, load_issues
from schema.money import Money, MoneyInput, money_of
from schema.node import Connection, Node, build_connection
from schema.organization import Organization, load_organizations
from schema.sorting import ProjectOrder
from schema.support import ProjectSupport, project_support

if TYPE_CHECKING:
    from schema.match_pool import ProjectMatchPool
    from schema.pledge import PledgeConnection

ProjectStatusEnum = strawberry.enum(ProjectStatus, description="Where a project is in its life.")
PledgeConnectionRef = Annotated["PledgeConnection", strawberry.lazy("schema.pledge")]
ProjectMatchPoolRef = Annotated["ProjectMatchPool", strawberry.lazy("schema.match_pool")]


@strawberry.type(description="A project's money, exact, in its own currency.")
class ProjectFunding:
    requested_budget: Money = strawberry.field(description="The budget it asks for.")
    own_money: Money = strawberry.field(
        description="Money backers confirmed (what was received, once fulfilled)."
    )
    matched: Money = strawberry.field(description="Money match pools added.")
    remaining_need: Money = strawberry.field(
        description="Requested budget - own money - matched money, never below zero."
    )


@strawberry.type(description="An initiative addressing local issues, open for support.")
class Project(Node):
    row: strawberry.Private[ProjectRow]
    title: str = strawberry.field(description="Short title.")
    summary: str = strawberry.field(description="What the project will do.")
    requested_budget: Money = strawberry.field(description="Budget the project asks for.")
    status: ProjectStatus = strawberry.field(description="Lifecycle status.")
    created_at: datetime = strawberry.field(description="When it was proposed (UTC).")
    updated_at: datetime = strawberry.field(description="When it last changed (UTC).")

    @strawberry.field(description="The community the project is in.")
    async def community(self, info: Info) -> CommunityRef:
        return await load_community(info, self.row.community_id)

    @strawberry.field(description="Who leads the project: a person or an organization.")
    async def lead(self, info: Info) -> Actor:
        return await load_actor(info, self.row.lead_id)

    @strawberry.field(description="Partner organizations, ideally from several sectors.")
    async def partners(self, info: Info) -> list[Organization]:
        ids = await info.context.loaders.partner_ids_by_project.load(self.row.pk)
        return await load_organizations(info, ids)

    @strawberry.field(description="Issues the project addresses.")
    async def issues(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> IssueConnection:
        ids = await info.context.loaders.issue_ids_by_project.load(self.row.pk)
        page = page_of_list(ids, PageArgs(first, after, last, before))
        return build_connection(IssueConnection, page, await load_issues(info, page.rows))

    @strawberry.field(description="Live support totals: votes, money, hours, backers by sector.")
    async def support(self, info: Info) -> ProjectSupport:
        return project_support(await info.context.loaders.support_by_project.load(self.row.pk))

    @strawberry.field(
        description="Its money in its own currency: requested budget, own money (confirmed "
        "co-financing), matched money and the remaining need."
    )
    async def funding(self, info: Info) -> ProjectFunding:
        totals = await info.context.loaders.support_by_project.load(self.row.pk)
        currency = Currency(self.row.currency)
        funding = funding_of(self.row.requested_budget_minor, currency, totals.total)
        return ProjectFunding(
            requested_budget=money_of(funding.requested_minor, currency),
            own_money=money_of(funding.own_minor, currency),
            matched=money_of(funding.matched_minor, currency),
            remaining_need=money_of(funding.remaining_minor, currency),
        )

    @strawberry.field(
        description="The match pools that match it or have matched it, with what each may "
        "still add."
    )
    async def match_pools(self) -> list[ProjectMatchPoolRef]:
        from schema.match_pool import project_match_pools

        return project_match_pools(await pools_for_project(self.row, datetime.now(UTC)))

    @strawberry.field(description="Pledges made to the project, newest first.")
    async def pledges(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> PledgeConnectionRef:
        from schema.pledge import Pledge, PledgeConnection

        rows = await info.context.loaders.pledges_by_project.load(self.row.pk)
        page = page_of_list(rows, PageArgs(first, after, last, before))
        return build_connection(PledgeConnection, page, [Pledge.from_row(row) for row in page.rows])

    @classmethod
    def from_row(cls, row: ProjectRow) -> "Project":
        return cls(
            id=strawberry.ID(to_global_id("Project", row.pk)),
            row=row,
            title=row.title,
            summary=row.summary,
            requested_budget=Money(
                amount=from_minor_units(row.requested_budget_minor), currency=row.currency
            ),
            status=ProjectStatus(row.status),
            created_at=row.created_at,
            updated_at=row.updated_at,
        )


@strawberry.type(description="A page of projects.")
class ProjectConnection(Connection[Project]):
    pass


async def load_projects(info: Info, project_ids: list[int]) -> list[Project]:
    rows = await info.context.loaders.project_by_id.load_many(project_ids)
    return [Project.from_row(row) for row in rows if row is not None]


@strawberry.input(description="Narrow a list of projects; all given conditions must hold.")
class ProjectFilter:
    community_id: strawberry.ID | None = strawberry.field(
        default=None, description="Only projects of this community."
    )
    status: list[ProjectStatus] | None = strawberry.field(
        default=None, description="Only projects in one of these statuses."
    )
    issue_id: strawberry.ID | None = strawberry.field(
        default=None, description="Only projects addressing this issue."
    )
    sdg_goal: int | None = strawberry.field(
        default=None, description="Only projects addressing issues tagged with this SDG."
    )
    affected_group: AffectedGroup | None = strawberry.field(
        default=None, description="Only projects addressing issues that hit this group."
    )
    lead_sector: Sector | None = strawberry.field(
        default=None, description="Only projects led by organizations of this sector."
    )
    led_by_people: bool | None = strawberry.field(
        default=None, description="True: only projects led by persons; false: by organizations."
    )

    def to_args(self, checker: Checker) -> project_resolvers.ProjectFilterArgs:
        """The filter for the resolvers; a malformed ID or SDG goes to ``checker``."""
        conditions = project_resolvers.ProjectFilterArgs(
            statuses=tuple(self.status or ()),
            sdg_goal=self.sdg_goal,
            affected_group=self.affected_group,
            lead_sector=self.lead_sector,
            led_by_people=self.led_by_people,
        )
        return project_resolvers.project_filter_args(
            checker, conditions, community_id=self.community_id, issue_id=self.issue_id
        )


@strawberry.input(description="Propose a project addressing local issues.")
class ProposeProjectInput:
    community_id: strawberry.ID = strawberry.field(description="Community of the project.")
    title: str = strawberry.field(description="Short title, 3-200 characters.")
    summary: str = strawberry.field(description="What the project will do.")
    requested_budget: MoneyInput = strawberry.field(description="Budget asked for (0 allowed).")
    issue_ids: list[strawberry.ID] = strawberry.field(description="Issues addressed (1-20).")
    partner_ids: list[strawberry.ID] = strawberry.field(
        default_factory=list, description="Partner organizations."
    )
    acting_for: strawberry.ID | None = strawberry.field(
        default=None, description="Lead it as this organization (you must belong)."
    )
    draft: bool = strawberry.field(
        default=False, description="Save as DRAFT (not public) instead of PROPOSED."
    )


@strawberry.input(description="Change a project; omitted fields stay as they are.")
class UpdateProjectInput:
    project_id: strawberry.ID = strawberry.field(description="The project to change.")
    title: str | None = strawberry.field(default=None, description="New title.")
    summary: str | None = strawberry.field(default=None, description="New summary.")
    requested_budget: MoneyInput | None = strawberry.field(default=None, description="New budget.")
    status: ProjectStatus | None = strawberry.field(
        default=None, description="Next status; only forward moves or WITHDRAWN are allowed."
    )
    issue_ids: list[strawberry.ID] | None = strawberry.field(
        default=None, description="Replace the addressed issues."
    )
    partner_ids: list[strawberry.ID] | None = strawberry.field(
        default=None, description="Replace the partner organizations."
    )


@strawberry.type(description="The project was proposed.")
class ProposeProjectSuccess:
    project: Project = strawberry.field(description="The new project.")


@strawberry.type(description="The project was changed.")
class UpdateProjectSuccess:
    project: Project = strawberry.field(description="The project as it now is.")


ProposeProjectResult = Annotated[
    ProposeProjectSuccess | AnyError,
    strawberry.union("ProposeProjectResult", description="The new project, or why not."),
]
UpdateProjectResult = Annotated[
    UpdateProjectSuccess | AnyError,
    strawberry.union("UpdateProjectResult", description="The changed project, or why not."),
]


def money_args(value: MoneyInput | None) -> project_resolvers.MoneyArgs | None:
    if value is None:
        return None
    return project_resolvers.MoneyArgs(amount=value.amount, currency=value.currency)


@strawberry.type
class ProjectQuery:
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
        checker = Checker()
        filters = (filter or ProjectFilter()).to_args(checker)
        checker.raise_if_any()
        order = order_by or ProjectOrder()
        page = await project_resolvers.projects_page(
            filters,
            PageArgs(first, after, last, before),
            info.context.viewer,
            order_field=order.field.value,
            descending=order.descending,
        )
        info.context.loaders.prime(page.rows)
        return build_connection(
            ProjectConnection, page, [Project.from_row(row) for row in page.rows]
        )


@strawberry.type
class ProjectMutation:
    @strawberry.mutation(description="Propose a project addressing one or more issues.")
    async def propose_project(self, info: Info, input: ProposeProjectInput) -> ProposeProjectResult:
        async def run() -> ProposeProjectSuccess:
            row = await project_resolvers.propose_project(
                info.context.viewer,
                community_id=input.community_id,
                title=input.title,
                summary=input.summary,
                requested_budget=project_resolvers.MoneyArgs(
                    input.requested_budget.amount, input.requested_budget.currency
                ),
                issue_ids=list(input.issue_ids),
                partner_ids=list(input.partner_ids),
                acting_for=input.acting_for,
                draft=input.draft,
            )
            await info.context.notifier.project_changed(row.pk, row.community_id, "project")
            return ProposeProjectSuccess(project=Project.from_row(row))

        return await as_result(run())

    @strawberry.mutation(description="Change a project you lead, or move it to its next status.")
    async def update_project(self, info: Info, input: UpdateProjectInput) -> UpdateProjectResult:
        async def run() -> UpdateProjectSuccess:
            row = await project_resolvers.update_project(
                info.context.viewer,
                project_id=input.project_id,
                title=input.title,
                summary=input.summary,
                requested_budget=money_args(input.requested_budget),
                status=input.status,
                issue_ids=None if input.issue_ids is None else list(input.issue_ids),
                partner_ids=None if input.partner_ids is None else list(input.partner_ids),
            )
            await info.context.notifier.project_changed(row.pk, row.community_id, "project")
            return UpdateProjectSuccess(project=Project.from_row(row))

        return await as_result(run())
