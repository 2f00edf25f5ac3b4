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
    ActivityEntry,
    Actor,
    Community,
    Issue,
    IssueAffectedGroup,
    IssueAffectedPerson,
    IssueFollower,
    IssueSdgGoal,
    MatchPool,
    Membership,
    Pitch,
    PitchingEvent,
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


def _by_id_loader(model: type[ModelT], **conditions: object) -> DataLoader[int, ModelT | None]:
    """Rows by primary key (None where none, or where ``conditions`` do not hold)."""

    async def load(ids: list[int]) -> list[ModelT | None]:
        rows = {row.pk: row for row in await model.filter(pk__in=ids, **conditions)}
        return [rows.get(pk) for pk in ids]

    return DataLoader(load_fn=load)


def _rows_by(model: type[ModelT], key: str, *order: str) -> DataLoader[int, list[ModelT]]:
    """Rows grouped by the foreign key column ``key``, each group in ``order``."""

    async def load(keys: list[int]) -> list[list[ModelT]]:
        groups: dict[int, list[ModelT]] = defaultdict(list)
        for row in await model.filter(**{f"{key}__in": keys}).order_by(*order):
            groups[getattr(row, key)].append(row)
        return [groups.get(each, []) for each in keys]

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


def _people_per_issue(model: type[IssueFollower | IssueAffectedPerson]) -> DataLoader[int, int]:
    """How many people an issue's rows of ``model`` (followers, "me too") count."""

    async def load(issue_ids: list[int]) -> list[int]:
        rows = (
            await model.filter(issue_id__in=issue_ids)
            .annotate(people=Count("id"))
            .group_by("issue_id")
            .values("issue_id", "people")
        )
        counts = {int(row["issue_id"]): int(row["people"]) for row in rows}
        return [counts.get(issue_id, 0) for issue_id in issue_ids]

    return DataLoader(load_fn=load)


def _viewer_is_among(
    model: type[IssueFollower | IssueAffectedPerson], viewer_id: int | None
) -> DataLoader[int, bool]:
    """Whether the viewer has a row of ``model`` on each issue (follows it, is affected)."""

    async def load(issue_ids: list[int]) -> list[bool]:
        if viewer_id is None:
            return [False for _ in issue_ids]
        rows = await model.filter(issue_id__in=issue_ids, person_id=viewer_id)
        found = {row.issue_id for row in rows}
        return [issue_id in found for issue_id in issue_ids]

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


async def _support(project_ids: list[int]) -> list[ProjectSupportTotals]:
    totals = await support_for_projects(project_ids)
    return [totals[project_id] for project_id in project_ids]


class Loaders:
    """All dataloaders of one request (or of one subscription snapshot).

    Each loader is made on first use: most requests use one or two of them (a vote uses
    none), and making all of them for every request was 4 % of the hot mutation's CPU.
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
    def match_pool_by_id(self) -> DataLoader[int, MatchPool | None]:
        return _by_id_loader(MatchPool)

    @cached_property
    def membership_by_id(self) -> DataLoader[int, Membership | None]:
        return _by_id_loader(Membership)

    @cached_property
    def pitching_event_by_id(self) -> DataLoader[int, PitchingEvent | None]:
        return _by_id_loader(PitchingEvent)

    @cached_property
    def pitch_by_id(self) -> DataLoader[int, Pitch | None]:
        return _by_id_loader(Pitch)

    @cached_property
    def public_activity_entry_by_id(self) -> DataLoader[int, ActivityEntry | None]:
        return _by_id_loader(ActivityEntry, is_public=True)

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
        return _rows_by(Membership, "organization_id", "id")

    @cached_property
    def memberships_by_person(self) -> DataLoader[int, list[Membership]]:
        return _rows_by(Membership, "person_id", "id")

    @cached_property
    def pledges_by_project(self) -> DataLoader[int, list[Pledge]]:
        return _rows_by(Pledge, "project_id", "-created_at", "-id")

    @cached_property
    def pitches_by_event(self) -> DataLoader[int, list[Pitch]]:
        return _rows_by(Pitch, "event_id", "position", "id")

    @cached_property
    def follower_count_by_issue(self) -> DataLoader[int, int]:
        return _people_per_issue(IssueFollower)

    @cached_property
    def affected_count_by_issue(self) -> DataLoader[int, int]:
        return _people_per_issue(IssueAffectedPerson)

    @cached_property
    def viewer_follows_issue(self) -> DataLoader[int, bool]:
        return _viewer_is_among(IssueFollower, self.viewer_id)

    @cached_property
    def viewer_affected_issue(self) -> DataLoader[int, bool]:
        return _viewer_is_among(IssueAffectedPerson, self.viewer_id)

    @cached_property
    def support_by_project(self) -> DataLoader[int, ProjectSupportTotals]:
        return DataLoader(load_fn=_support)

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
            Membership: self.membership_by_id,  # type: ignore[dict-item]
            PitchingEvent: self.pitching_event_by_id,  # type: ignore[dict-item]
            Pitch: self.pitch_by_id,  # type: ignore[dict-item]
        }
        return loaders.get(type(row))
