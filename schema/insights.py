"""GraphQL types of a community's insights: the numbers a local authority budgets from."""

from typing import Annotated

import strawberry

from models import AffectedGroup, IssueStatus
from models.money import from_minor_units
from resolvers import insights as insight_resolvers
from resolvers.taxonomy import affected_group_label, sdg_name
from schema.errors import NotFoundError, ValidationError, as_query_result
from schema.locale import Locale, locale_or_default
from schema.money import Money


@strawberry.type(description="Issues, projects and money of one SDG in a community.")
class SdgInsight:
    number: int = strawberry.field(description="The goal's number, 1 to 17.")
    name: str = strawberry.field(description="The goal's short name.")
    open: int = strawberry.field(description="Open issues tagged with the goal.")
    addressed: int = strawberry.field(description="Addressed issues tagged with the goal.")
    resolved: int = strawberry.field(description="Resolved issues tagged with the goal.")
    projects: int = strawberry.field(
        description="Projects (public, not withdrawn) addressing issues tagged with the goal."
    )
    money_pledged: list[Money] = strawberry.field(
        description="Money pledged to those projects (not withdrawn), per currency. A project "
        "counts toward every goal of its issues, so goals together may exceed the total."
    )


@strawberry.type(description="Issues hitting one affected group in a community.")
class GroupInsight:
    group: AffectedGroup = strawberry.field(description="The group.")
    label: str = strawberry.field(description="The group's label.")
    open: int = strawberry.field(description="Open issues hitting the group.")
    addressed: int = strawberry.field(description="Addressed issues hitting the group.")
    resolved: int = strawberry.field(description="Resolved issues hitting the group.")


@strawberry.type(description="How many issues are in one status.")
class StatusCount:
    status: IssueStatus = strawberry.field(description="The status.")
    count: int = strawberry.field(description="Number of issues in it.")


@strawberry.type(
    description="A community's issues per SDG, per affected group and per status, with the "
    "projects and money per SDG. Duplicates are left out of every count."
)
class CommunityInsights:
    issues_by_sdg: list[SdgInsight] = strawberry.field(description="All 17 goals, by number.")
    issues_by_affected_group: list[GroupInsight] = strawberry.field(
        description="Every affected group."
    )
    issues_by_status: list[StatusCount] = strawberry.field(
        description="OPEN, ADDRESSED and RESOLVED issues."
    )
    total_issues: int = strawberry.field(description="Issues, duplicates left out.")
    total_projects: int = strawberry.field(
        description="Projects of the community, public and not withdrawn."
    )


CommunityInsightsResult = Annotated[
    CommunityInsights | NotFoundError | ValidationError,
    strawberry.union("CommunityInsightsResult", description="The insights, or why not."),
]


def _sdg(tally: insight_resolvers.SdgTally, locale: Locale) -> SdgInsight:
    counts = tally.issues.counts
    return SdgInsight(
        number=tally.goal,
        name=sdg_name(tally.goal, locale),
        open=counts[IssueStatus.OPEN],
        addressed=counts[IssueStatus.ADDRESSED],
        resolved=counts[IssueStatus.RESOLVED],
        projects=tally.projects,
        money_pledged=[
            Money(amount=from_minor_units(amount), currency=currency)
            for currency, amount in sorted(tally.money_minor.items())
        ],
    )


def _group(tally: insight_resolvers.GroupTally, locale: Locale) -> GroupInsight:
    counts = tally.issues.counts
    return GroupInsight(
        group=tally.group,
        label=affected_group_label(tally.group, locale),
        open=counts[IssueStatus.OPEN],
        addressed=counts[IssueStatus.ADDRESSED],
        resolved=counts[IssueStatus.RESOLVED],
    )


@strawberry.type
class InsightsQuery:
    @strawberry.field(
        description="A community's issues per SDG and affected group, projects and money per "
        "SDG: the data to build a local budget from."
    )
    async def community_insights(
        self, community_id: strawberry.ID, locale: Locale | None = Locale.EN
    ) -> CommunityInsightsResult:
        async def run() -> CommunityInsights:
            insights = await insight_resolvers.community_insights(community_id)
            language = locale_or_default(locale)
            return CommunityInsights(
                issues_by_sdg=[_sdg(tally, language) for tally in insights.by_sdg],
                issues_by_affected_group=[_group(tally, language) for tally in insights.by_group],
                issues_by_status=[
                    StatusCount(status=status, count=count)
                    for status, count in insights.by_status.counts.items()
                ],
                total_issues=insights.total_issues,
                total_projects=insights.total_projects,
            )

        return await as_query_result(run())
