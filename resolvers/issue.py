"""Local issues: listing with filters, defining, updating and following them."""

from dataclasses import dataclass

from tortoise.expressions import Subquery
from tortoise.queryset import QuerySet
from tortoise.transactions import in_transaction

from models import (
    Actor,
    ActorKind,
    AffectedGroup,
    Issue,
    IssueAffectedGroup,
    IssueCategory,
    IssueFollower,
    IssueSdgGoal,
    IssueStatus,
    Sector,
)
from resolvers.activity import record_activity
from resolvers.community import community_by_global_id
from resolvers.errors import ErrorCode, NotFound
from resolvers.ids import decode_id
from resolvers.permissions import acting_actor, require_owner, require_person
from resolvers.validation import Checker

SDG_GOALS = range(1, 18)
MAX_TITLE_LENGTH = 200
MAX_DESCRIPTION_LENGTH = 10_000
ISSUE_ORDER_FIELDS = {"CREATED_AT": "created_at", "UPDATED_AT": "updated_at", "TITLE": "title"}


@dataclass(frozen=True)
class IssueFilterArgs:
    community_id: int | None = None
    statuses: tuple[IssueStatus, ...] = ()
    sdg_goal: int | None = None
    affected_group: AffectedGroup | None = None
    category: IssueCategory | None = None
    author_sector: Sector | None = None
    authored_by_people: bool | None = None


@dataclass(frozen=True)
class Location:
    latitude: float
    longitude: float


def issues_query(
    filters: IssueFilterArgs, *, order_field: str = "CREATED_AT", descending: bool = True
) -> QuerySet[Issue]:
    query = Issue.all()
    if filters.community_id is not None:
        query = query.filter(community_id=filters.community_id)
    if filters.statuses:
        query = query.filter(status__in=list(filters.statuses))
    if filters.category is not None:
        query = query.filter(category=filters.category)
    if filters.sdg_goal is not None:
        tagged = IssueSdgGoal.filter(goal=filters.sdg_goal).values("issue_id")
        query = query.filter(id__in=Subquery(tagged))
    if filters.affected_group is not None:
        hit = IssueAffectedGroup.filter(group=filters.affected_group).values("issue_id")
        query = query.filter(id__in=Subquery(hit))
    if filters.author_sector is not None:
        query = query.filter(author__sector=filters.author_sector)
    if filters.authored_by_people is not None:
        kind = ActorKind.PERSON if filters.authored_by_people else ActorKind.ORGANIZATION
        query = query.filter(author__kind=kind)
    column = ISSUE_ORDER_FIELDS[order_field]
    prefix = "-" if descending else ""
    return query.order_by(f"{prefix}{column}", f"{prefix}id")


def check_sdg_goals(checker: Checker, goals: list[int]) -> list[int]:
    unknown = [goal for goal in goals if goal not in SDG_GOALS]
    if unknown:
        checker.add(
            "sdgGoals",
            ErrorCode.OUT_OF_RANGE,
            f"SDG goals are numbered 1 to 17; unknown: {', '.join(map(str, unknown))}.",
        )
    return sorted(set(goals))


def check_location(checker: Checker, location: Location) -> None:
    checker.number_range("location.latitude", location.latitude, minimum=-90, maximum=90)
    checker.number_range("location.longitude", location.longitude, minimum=-180, maximum=180)


async def issue_by_global_id(global_id: str, *, field: str = "issueId") -> Issue:
    issue = await Issue.get_or_none(pk=decode_id(global_id, "Issue", field=field))
    if issue is None:
        raise NotFound(f"No issue has the ID given in {field}.", field=field)
    return issue


async def _replace_tags(issue: Issue, goals: list[int], groups: list[AffectedGroup]) -> None:
    await IssueSdgGoal.filter(issue=issue).delete()
    await IssueAffectedGroup.filter(issue=issue).delete()
    await IssueSdgGoal.bulk_create([IssueSdgGoal(issue=issue, goal=goal) for goal in goals])
    await IssueAffectedGroup.bulk_create(
        [IssueAffectedGroup(issue=issue, group=group) for group in groups]
    )


async def define_issue(
    viewer: Actor | None,
    *,
    community_id: str,
    title: str,
    description: str,
    location: Location,
    category: IssueCategory,
    sdg_goals: list[int],
    affected_groups: list[AffectedGroup],
    acting_for: str | None,
) -> Issue:
    """Map a new issue; its author (the person, or the organization acted for) owns it."""
    checker = Checker()
    clean_title = checker.text("title", title, min_length=3, max_length=MAX_TITLE_LENGTH)
    clean_description = checker.text("description", description, max_length=MAX_DESCRIPTION_LENGTH)
    check_location(checker, location)
    goals = check_sdg_goals(checker, sdg_goals)
    checker.raise_if_any()
    community = await community_by_global_id(community_id)
    author = await acting_actor(viewer, acting_for)
    person = require_person(viewer)
    async with in_transaction():
        issue = await Issue.create(
            community=community,
            title=clean_title,
            description=clean_description,
            latitude=location.latitude,
            longitude=location.longitude,
            category=category,
            author=author,
            created_by=person,
        )
        await _replace_tags(issue, goals, sorted(set(affected_groups)))
        await IssueFollower.create(issue=issue, person=person)
        await record_activity(
            verb="issue.defined",
            subject=issue,
            actor=author,
            performed_by=person,
            community_id=community.pk,
            details={"title": clean_title},
        )
    return issue


async def update_issue(
    viewer: Actor | None,
    *,
    issue_id: str,
    title: str | None,
    description: str | None,
    location: Location | None,
    category: IssueCategory | None,
    sdg_goals: list[int] | None,
    affected_groups: list[AffectedGroup] | None,
    status: IssueStatus | None,
) -> Issue:
    """Edit an issue; only its author (or members of the authoring organization) may."""
    checker = Checker()
    changes: dict[str, object] = {}
    if title is not None:
        changes["title"] = checker.text("title", title, min_length=3, max_length=MAX_TITLE_LENGTH)
    if description is not None:
        changes["description"] = checker.text(
            "description", description, max_length=MAX_DESCRIPTION_LENGTH
        )
    if location is not None:
        check_location(checker, location)
        changes["latitude"], changes["longitude"] = location.latitude, location.longitude
    if category is not None:
        changes["category"] = category
    goals = check_sdg_goals(checker, sdg_goals) if sdg_goals is not None else None
    if status == IssueStatus.DUPLICATE:
        checker.add(
            "status",
            ErrorCode.INVALID_STATUS_TRANSITION,
            "An issue becomes DUPLICATE only by being marked a duplicate of another issue.",
        )
    elif status is not None:
        changes["status"] = status
    checker.raise_if_any()
    issue = await issue_by_global_id(issue_id)
    person = await require_owner(viewer, issue.author_id, issue.created_by_id, what="issue")
    async with in_transaction():
        if changes:
            issue.update_from_dict(changes)
            await issue.save()
        if goals is not None or affected_groups is not None:
            if goals is None:
                goals = [row.goal for row in await IssueSdgGoal.filter(issue=issue)]
            groups = affected_groups
            if groups is None:
                groups = [
                    AffectedGroup(row.group) for row in await IssueAffectedGroup.filter(issue=issue)
                ]
            await _replace_tags(issue, goals, sorted(set(groups)))
        await record_activity(
            verb="issue.updated",
            subject=issue,
            actor=await Actor.get(pk=issue.author_id),
            performed_by=person,
            community_id=issue.community_id,
            details={"fields": sorted(changes) + (["tags"] if goals or affected_groups else [])},
        )
    return issue
