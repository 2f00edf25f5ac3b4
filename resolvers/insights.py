"""A community's insights: issues per SDG and per affected group, projects and money per SDG.

The data a local authority builds its budget from. Six grouped statements (plus the
community look-up) whatever the number of issues, projects and pledges; the result grows
only with the number of projects, never with issues or pledges.

What counts: issues that are OPEN, ADDRESSED or RESOLVED (a DUPLICATE is counted through
its original); projects that are public and not withdrawn; MONEY pledges not withdrawn.
A project counts, with all its money, toward every SDG of the issues it addresses, once
per SDG however many of its issues share that SDG; so the per-SDG sums may add up to
more than the money pledged.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from tortoise.functions import Count, Sum

from models import (
    AffectedGroup,
    Currency,
    Issue,
    IssueAffectedGroup,
    IssueSdgGoal,
    IssueStatus,
    Pledge,
    PledgeKind,
    Project,
    ProjectIssue,
    ProjectStatus,
)
from models.pledge import ENDED
from resolvers.community import community_by_global_id
from resolvers.filtering import SDG_GOALS

COUNTED_ISSUE_STATUSES = (IssueStatus.OPEN, IssueStatus.ADDRESSED, IssueStatus.RESOLVED)
COUNTED_PROJECT_STATUSES = (
    ProjectStatus.PROPOSED,
    ProjectStatus.PITCHED,
    ProjectStatus.FUNDED,
    ProjectStatus.IN_PROGRESS,
    ProjectStatus.COMPLETED,
)


@dataclass
class StatusTally:
    """Issues per counted status."""

    counts: dict[IssueStatus, int] = field(
        default_factory=lambda: dict.fromkeys(COUNTED_ISSUE_STATUSES, 0)
    )

    def add(self, status: str, count: int) -> None:
        self.counts[IssueStatus(status)] += count


@dataclass
class SdgTally:
    goal: int
    issues: StatusTally = field(default_factory=StatusTally)
    projects: int = 0
    money_minor: dict[Currency, int] = field(default_factory=dict)


@dataclass
class GroupTally:
    group: AffectedGroup
    issues: StatusTally = field(default_factory=StatusTally)


@dataclass(frozen=True)
class CommunityInsights:
    by_sdg: list[SdgTally]  # all 17 goals, by number
    by_group: list[GroupTally]  # every group, in the enum's order
    by_status: StatusTally
    total_issues: int
    total_projects: int


async def community_insights(community_global_id: str) -> CommunityInsights:
    community = await community_by_global_id(community_global_id)
    issues = Issue.filter(community_id=community.pk, status__in=COUNTED_ISSUE_STATUSES)
    by_status = StatusTally()
    for row in (
        await issues.annotate(issue_count=Count("id"))
        .group_by("status")
        .values("status", "issue_count")
    ):
        by_status.add(row["status"], row["issue_count"])
    by_sdg = {goal: SdgTally(goal) for goal in SDG_GOALS}
    for row in await _tag_counts(IssueSdgGoal, "goal", community.pk):
        by_sdg[int(row["goal"])].issues.add(row["issue__status"], row["issue_count"])
    by_group = {group: GroupTally(group) for group in AffectedGroup}
    for row in await _tag_counts(IssueAffectedGroup, "group", community.pk):
        by_group[AffectedGroup(row["group"])].issues.add(row["issue__status"], row["issue_count"])
    await _add_projects_and_money(by_sdg, community.pk)
    total_projects = await Project.filter(
        community_id=community.pk, status__in=COUNTED_PROJECT_STATUSES
    ).count()
    return CommunityInsights(
        by_sdg=list(by_sdg.values()),
        by_group=list(by_group.values()),
        by_status=by_status,
        total_issues=sum(by_status.counts.values()),
        total_projects=total_projects,
    )


async def _tag_counts(
    tag_model: type[IssueSdgGoal] | type[IssueAffectedGroup], tag: str, community_id: int
) -> list[dict[str, Any]]:
    """Counted issues per tag value and status: one grouped statement."""
    rows: list[dict[str, Any]] = (
        await tag_model.filter(
            issue__community_id=community_id, issue__status__in=COUNTED_ISSUE_STATUSES
        )
        .annotate(issue_count=Count("id"))
        .group_by(tag, "issue__status")
        .values(tag, "issue__status", "issue_count")
    )
    return rows


async def _add_projects_and_money(by_sdg: dict[int, SdgTally], community_id: int) -> None:
    """Projects per SDG and their money: (project, SDG) pairs, and money per project."""
    pairs = (
        await ProjectIssue.filter(
            issue__community_id=community_id,
            issue__status__in=COUNTED_ISSUE_STATUSES,
            project__status__in=COUNTED_PROJECT_STATUSES,
        )
        .distinct()
        .values_list("project_id", "issue__sdg_goals__goal")
    )
    money: dict[int, list[tuple[Currency, int]]] = defaultdict(list)
    for row in (
        await Pledge.filter(
            kind=PledgeKind.MONEY,
            project__community_id=community_id,
            project__status__in=COUNTED_PROJECT_STATUSES,
        )
        .exclude(status__in=ENDED)
        .annotate(amount_sum=Sum("amount_minor"))
        .group_by("project_id", "currency")
        .values("project_id", "currency", "amount_sum")
    ):
        money[int(row["project_id"])].append((Currency(row["currency"]), int(row["amount_sum"])))
    for project_id, goal in pairs:
        if goal is None:  # the project's issue has no SDG
            continue
        tally = by_sdg[int(goal)]
        tally.projects += 1
        for currency, amount in money.get(int(project_id), []):
            tally.money_minor[currency] = tally.money_minor.get(currency, 0) + amount
