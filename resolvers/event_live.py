"""Live snapshots: the whole state of an event (or a project's support) read from the database.

Snapshots are plain frozen data, built by a fixed number of queries and shared by every
viewer of the same channel. Their ``version`` is derived from the database alone (organiser
actions plus pledge rows and withdrawals, all of which only ever grow), so every process
computes the same version for the same state and versions never go backwards.
"""

from dataclasses import asdict, dataclass, replace
from typing import Any

from tortoise.functions import Count

from models import Actor, EventState, Pitch, PitchingEvent, Pledge, Project
from models.money import Currency
from models.pledge import ENDED
from resolvers.consistent_read import one_moment
from resolvers.support import ProjectSupportTotals, SupportTotals, support_for_projects


@dataclass(frozen=True)
class LiveProject:
    """One pitched project as the audience sees it."""

    pitch_id: int
    project_id: int
    title: str
    lead_name: str
    position: int
    minutes: int
    support: ProjectSupportTotals | None  # None while the organiser hides results


@dataclass(frozen=True)
class EventLiveSnapshot:
    event_id: int
    community_id: int
    version: int
    state: EventState
    title: str
    join_code: str
    current_pitch_id: int | None
    results_visible: bool
    supports_per_attendee: int
    projects: tuple[LiveProject, ...]


@dataclass(frozen=True)
class ProjectSupportSnapshot:
    project_id: int
    version: int
    support: ProjectSupportTotals


async def _pledge_versions(project_ids: list[int]) -> dict[int, int]:
    """Per project, a number that grows with every change of its support: one per pledge
    row, plus one per step each has taken (confirmed, fulfilled, withdrawn or declined).
    Those steps set a timestamp or an end status that is never undone."""
    rows = (
        await Pledge.filter(project_id__in=project_ids)
        .annotate(
            rows=Count("id"), confirmed=Count("confirmed_at"), fulfilled=Count("fulfilled_on")
        )
        .group_by("project_id", "status")
        .values("project_id", "status", "rows", "confirmed", "fulfilled")
    )
    versions = dict.fromkeys(project_ids, 0)
    for row in rows:
        ended = int(row["rows"]) if row["status"] in ENDED else 0
        steps = int(row["rows"]) + int(row["confirmed"]) + int(row["fulfilled"]) + ended
        versions[int(row["project_id"])] += steps
    return versions


async def load_project_support(project_id: int) -> ProjectSupportSnapshot | None:
    async with one_moment():  # the version and the totals must describe the same rows
        if not await Project.exists(pk=project_id):
            return None
        versions = await _pledge_versions([project_id])
        totals = await support_for_projects([project_id])
    return ProjectSupportSnapshot(project_id, versions[project_id], totals[project_id])


def _results_visible(event: PitchingEvent) -> bool:
    return not event.results_hidden or event.results_revealed_at is not None


async def load_event_live(event_id: int, *, reveal: bool = False) -> EventLiveSnapshot | None:
    """The event's live snapshot; for a CLOSED event, the results frozen at closing.

    Counts are blanked while the organiser hides them, unless ``reveal`` (used when
    freezing results, which keeps the real numbers for a later reveal).
    """
    async with one_moment():  # the version and the totals must describe the same rows
        event = await PitchingEvent.get_or_none(pk=event_id)
        if event is None:
            return None
        if event.state == EventState.CLOSED and event.final_results is not None:
            frozen = snapshot_from_json(event.final_results["snapshot"])
            # Organiser actions after closing (a late reveal) still move the version on.
            moved = event.revision - int(event.final_results["revision"])
            snapshot = replace(frozen, version=frozen.version + moved, results_visible=True)
        else:
            snapshot = await _current_snapshot(event)
    if reveal or _results_visible(event):
        return snapshot
    hidden = tuple(replace(project, support=None) for project in snapshot.projects)
    return replace(snapshot, results_visible=False, projects=hidden)


async def _current_snapshot(event: PitchingEvent) -> EventLiveSnapshot:
    pitches = await Pitch.filter(event_id=event.pk).order_by("position", "id")
    project_ids = [pitch.project_id for pitch in pitches]
    projects = {p.pk: p for p in await Project.filter(pk__in=project_ids)}
    leads = {a.pk: a for a in await Actor.filter(pk__in=[p.lead_id for p in projects.values()])}
    totals = await support_for_projects(project_ids) if project_ids else {}
    versions = await _pledge_versions(project_ids) if project_ids else {}
    live_projects = tuple(
        LiveProject(
            pitch_id=pitch.pk,
            project_id=pitch.project_id,
            title=projects[pitch.project_id].title,
            lead_name=leads[projects[pitch.project_id].lead_id].display_name,
            position=index + 1,
            minutes=pitch.minutes,
            support=totals[pitch.project_id],
        )
        for index, pitch in enumerate(pitches)
    )
    return EventLiveSnapshot(
        event_id=event.pk,
        community_id=event.community_id,
        version=event.revision + sum(versions.values()),
        state=EventState(event.state),
        title=event.title,
        join_code=event.join_code,
        current_pitch_id=event.current_pitch_id,
        results_visible=True,
        supports_per_attendee=event.supports_per_attendee,
        projects=live_projects,
    )


def snapshot_to_json(snapshot: EventLiveSnapshot) -> dict[str, Any]:
    """A JSON-safe copy of a snapshot, to freeze an event's results at closing."""
    data = asdict(snapshot)
    for project in data["projects"]:
        if project["support"] is not None:
            project["support"] = _support_to_json(project["support"])
    return data


def _support_to_json(support: dict[str, Any]) -> dict[str, Any]:
    def totals(part: dict[str, Any]) -> dict[str, Any]:
        return {
            **part,
            **{name: {str(c): v for c, v in part[name].items()} for name in PER_CURRENCY},
        }

    return {
        "project_id": support["project_id"],
        "total": totals(support["total"]),
        "by_sector": {name: totals(part) for name, part in support["by_sector"].items()},
    }


# SupportTotals' per-currency fields, frozen as {currency: minor units}.
PER_CURRENCY = (
    "money_minor",
    "in_kind_value_minor",
    "money_confirmed_minor",
    "money_fulfilled_minor",
    "matched_minor",
)


def _totals_from_json(data: dict[str, Any]) -> SupportTotals:
    # Results frozen before a field existed lack it: verified votes were all votes then,
    # and nothing was confirmed, fulfilled or matched.
    def money(name: str) -> dict[Currency, int]:
        return {Currency(c): int(v) for c, v in data.get(name, {}).items()}

    return SupportTotals(
        votes=data["votes"],
        verified_votes=data.get("verified_votes", data["votes"]),
        money_minor=money("money_minor"),
        hours_hundredths=data["hours_hundredths"],
        in_kind_count=data["in_kind_count"],
        in_kind_value_minor=money("in_kind_value_minor"),
        backers=data["backers"],
        money_confirmed_minor=money("money_confirmed_minor"),
        money_fulfilled_minor=money("money_fulfilled_minor"),
        hours_confirmed_hundredths=data.get("hours_confirmed_hundredths", 0),
        hours_fulfilled_hundredths=data.get("hours_fulfilled_hundredths", 0),
        in_kind_confirmed_count=data.get("in_kind_confirmed_count", 0),
        in_kind_fulfilled_count=data.get("in_kind_fulfilled_count", 0),
        matched_minor=money("matched_minor"),
    )


def snapshot_from_json(data: dict[str, Any]) -> EventLiveSnapshot:
    projects = []
    for project in data["projects"]:
        support = project["support"]
        projects.append(
            LiveProject(
                **{**project, "support": None}
                if support is None
                else {
                    **project,
                    "support": ProjectSupportTotals(
                        project_id=support["project_id"],
                        total=_totals_from_json(support["total"]),
                        by_sector={
                            name: _totals_from_json(part)
                            for name, part in support["by_sector"].items()
                        },
                    ),
                }
            )
        )
    return EventLiveSnapshot(
        **{**data, "state": EventState(data["state"]), "projects": tuple(projects)}
    )
