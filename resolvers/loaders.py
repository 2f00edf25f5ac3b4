"""Per-request dataloaders: every relation in the graph resolves through one of these.

Each loader turns the keys requested during one execution tick into one SQL statement,
so a page of N objects with their relations costs a fixed number of statements.
"""

from collections import defaultdict
from collections.abc import Awaitable, Callable, Iterable, Sequence
from functools import cached_property
from typing import TypeVar

from strawberry.dataloader import DataLoader
from tortoise.functions import Count
from tortoise.models import Model

from models import (
    Actor,
    Community,
    Issue,
    IssueAffectedGroup,
    IssueAffectedPerson,
    IssueFollower,
    IssueSdgGoal,
    Membership,
    Pledge,
    Project,
    ProjectIssue,
    ProjectPartner,
    ProjectStatus,
    Region,
)
from models.issue import AffectedGroup
from resolvers.support import ProjectSupportTotals, support_for_projects

ModelT = TypeVar("ModelT", bound=Model)
ValueT = TypeVar("ValueT")


def _by_id_loader(model: type[ModelT]) -> DataLoader[int, ModelT | None]:
    async def load(ids: list[int]) -> list[ModelT | None]:
        rows = {row.pk: row for row in await model.filter(pk__in=ids)}
        return [rows.get(pk) for pk in ids]

    return DataLoader(load_fn=load)


def _grouped_loader(
    fetch: Callable[[list[int]], Awaitable[Iterable[tuple[int, ValueT]]]],
) -> DataLoader[int, list[ValueT]]:
    async def load(keys: list[int]) -> list[list[ValueT]]:
        groups: dict[int, list[ValueT]] = defaultdict(list)
        for key, value in await fetch(keys):
            groups[key].append(value)
        return [groups.get(key, []) for key in keys]

    return DataLoader(load_fn=load)


async def _project_ids_by_issue(issue_ids: list[int]) -> list[tuple[int, int]]:
    # Drafts are private to their creators, so they never show under an issue.
    rows = await ProjectIssue.filter(
        issue_id__in=issue_ids, project__status__not=ProjectStatus.DRAFT
    ).order_by("project_id")
    return [(row.issue_id, row.project_id) for row in rows]


async def _issue_ids_by_project(project_ids: list[int]) -> list[tuple[int, int]]:
    rows = await ProjectIssue.filter(project_id__in=project_ids).order_by("issue_id")
    return [(row.project_id, row.issue_id) for row in rows]


async def _partner_ids_by_project(project_ids: list[int]) -> list[tuple[int, int]]:
    rows = await ProjectPartner.filter(project_id__in=project_ids).order_by("organization_id")
    return [(row.project_id, row.organization_id) for row in rows]


async def _sdg_goals_by_issue(issue_ids: list[int]) -> list[tuple[int, int]]:
    rows = await IssueSdgGoal.filter(issue_id__in=issue_ids).order_by("goal")
    return [(row.issue_id, row.goal) for row in rows]


async def _affected_groups_by_issue(issue_ids: list[int]) -> list[tuple[int, AffectedGroup]]:
    rows = await IssueAffectedGroup.filter(issue_id__in=issue_ids).order_by("group")
    return [(row.issue_id, AffectedGroup(row.group)) for row in rows]


async def _memberships_by_organization(ids: list[int]) -> list[tuple[int, Membership]]:
    rows = await Membership.filter(organization_id__in=ids).order_by("id")
    return [(row.organization_id, row) for row in rows]


async def _memberships_by_person(ids: list[int]) -> list[tuple[int, Membership]]:
    rows = await Membership.filter(person_id__in=ids).order_by("id")
    return [(row.person_id, row) for row in rows]


async def _pledges_by_project(project_ids: list[int]) -> list[tuple[int, Pledge]]:
    rows = await Pledge.filter(project_id__in=project_ids).order_by("-created_at", "-id")
    return [(row.project_id, row) for row in rows]


async def _follower_counts(issue_ids: list[int]) -> list[int]:
    rows = (
        await IssueFollower.filter(issue_id__in=issue_ids)
        .annotate(follower_count=Count("id"))
        .group_by("issue_id")
        .values("issue_id", "follower_count")
    )
    counts = {int(row["issue_id"]): int(row["follower_count"]) for row in rows}
    return [counts.get(issue_id, 0) for issue_id in issue_ids]


async def _affected_counts(issue_ids: list[int]) -> list[int]:
    rows = (
        await IssueAffectedPerson.filter(issue_id__in=issue_ids)
        .annotate(affected_count=Count("id"))
        .group_by("issue_id")
        .values("issue_id", "affected_count")
    )
    counts = {int(row["issue_id"]): int(row["affected_count"]) for row in rows}
    return [counts.get(issue_id, 0) for issue_id in issue_ids]


async def _support(project_ids: list[int]) -> list[ProjectSupportTotals]:
    totals = await support_for_projects(project_ids)
    return [totals[project_id] for project_id in project_ids]


class Loaders:
    """All dataloaders of one request (or of one subscription snapshot).

    Each loader is made on first use: most requests use one or two of them (a vote uses
    none), and making all nineteen for every request was 4 % of the hot mutation's CPU.
    """

    def __init__(self, viewer_id: int | None) -> None:
        self.viewer_id = viewer_id

    @cached_property
    def actor_by_id(self) -> DataLoader[int, Actor | None]:
        return _by_id_loader(Actor)

    @cached_property
    def region_by_id(self) -> DataLoader[int, Region | None]:
        return _by_id_loader(Region)

    @cached_property
    def community_by_id(self) -> DataLoader[int, Community | None]:
        return _by_id_loader(Community)

    @cached_property
    def issue_by_id(self) -> DataLoader[int, Issue | None]:
        return _by_id_loader(Issue)

    @cached_property
    def project_by_id(self) -> DataLoader[int, Project | None]:
        return _by_id_loader(Project)

    @cached_property
    def pledge_by_id(self) -> DataLoader[int, Pledge | None]:
        return _by_id_loader(Pledge)

    @cached_property
    def project_ids_by_issue(self) -> DataLoader[int, list[int]]:
        return _grouped_loader(_project_ids_by_issue)

    @cached_property
    def issue_ids_by_project(self) -> DataLoader[int, list[int]]:
        return _grouped_loader(_issue_ids_by_project)

    @cached_property
    def partner_ids_by_project(self) -> DataLoader[int, list[int]]:
        return _grouped_loader(_partner_ids_by_project)

    @cached_property
    def sdg_goals_by_issue(self) -> DataLoader[int, list[int]]:
        return _grouped_loader(_sdg_goals_by_issue)

    @cached_property
    def affected_groups_by_issue(self) -> DataLoader[int, list[AffectedGroup]]:
        return _grouped_loader(_affected_groups_by_issue)

    @cached_property
    def memberships_by_organization(self) -> DataLoader[int, list[Membership]]:
        return _grouped_loader(_memberships_by_organization)

    @cached_property
    def memberships_by_person(self) -> DataLoader[int, list[Membership]]:
        return _grouped_loader(_memberships_by_person)

    @cached_property
    def pledges_by_project(self) -> DataLoader[int, list[Pledge]]:
        return _grouped_loader(_pledges_by_project)

    @cached_property
    def follower_count_by_issue(self) -> DataLoader[int, int]:
        return DataLoader(load_fn=_follower_counts)

    @cached_property
    def support_by_project(self) -> DataLoader[int, ProjectSupportTotals]:
        return DataLoader(load_fn=_support)

    @cached_property
    def viewer_follows_issue(self) -> DataLoader[int, bool]:
        return DataLoader(load_fn=self._viewer_follows)

    @cached_property
    def affected_count_by_issue(self) -> DataLoader[int, int]:
        return DataLoader(load_fn=_affected_counts)

    @cached_property
    def viewer_affected_issue(self) -> DataLoader[int, bool]:
        return DataLoader(load_fn=self._viewer_affected)

    async def _viewer_follows(self, issue_ids: list[int]) -> list[bool]:
        if self.viewer_id is None:
            return [False for _ in issue_ids]
        rows = await IssueFollower.filter(issue_id__in=issue_ids, person_id=self.viewer_id)
        followed = {row.issue_id for row in rows}
        return [issue_id in followed for issue_id in issue_ids]

    async def _viewer_affected(self, issue_ids: list[int]) -> list[bool]:
        if self.viewer_id is None:
            return [False for _ in issue_ids]
        rows = await IssueAffectedPerson.filter(issue_id__in=issue_ids, person_id=self.viewer_id)
        affected = {row.issue_id for row in rows}
        return [issue_id in affected for issue_id in issue_ids]

    def prime(self, rows: Sequence[Model]) -> None:
        """Seed the by-ID loaders with rows a list query already fetched."""
        for row in rows:
            loader = self._by_id_for(row)
            if loader is not None:
                loader.prime(row.pk, row)

    def _by_id_for(self, row: Model) -> DataLoader[int, object] | None:
        loaders: dict[type[Model], DataLoader[int, object]] = {
            Actor: self.actor_by_id,  # type: ignore[dict-item]
            Community: self.community_by_id,  # type: ignore[dict-item]
            Issue: self.issue_by_id,  # type: ignore[dict-item]
            Project: self.project_by_id,  # type: ignore[dict-item]
            Pledge: self.pledge_by_id,  # type: ignore[dict-item]
            Region: self.region_by_id,  # type: ignore[dict-item]
        }
        return loaders.get(type(row))
