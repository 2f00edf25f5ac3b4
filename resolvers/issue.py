"""Local issues: listing with filters, defining, updating and following them.

A follow (and an "affects me too", ``resolvers.duplicates``) is written under the lock of
the issue it lands on, a duplicate's original (``write_on_original``): a merge committing
at the same moment can never strand it on an issue that has just become a duplicate.
"""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace

from tortoise.queryset import QuerySet
from tortoise.transactions import in_transaction

from models import (
    Actor,
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
from resolvers.errors import Conflict, ErrorCode, NotFound
from resolvers.filtering import (
    SDG_GOALS,
    by_actor,
    check_sdg_filter,
    decoded_id,
    in_order,
    issue_tag_subqueries,
)
from resolvers.ids import decode_id, to_global_id
from resolvers.pagination import Page, PageArgs, page_of_query
from resolvers.permissions import acting_actor, require_owner, require_person, require_signed_in
from resolvers.validation import Checker

MAX_TITLE_LENGTH = 200
MAX_DESCRIPTION_LENGTH = 10_000
MAX_CHAIN = 20  # merges flatten chains; this only bounds a walk over damaged data
MAX_LOCK_ATTEMPTS = 5
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
    for tagged in issue_tag_subqueries(filters.sdg_goal, filters.affected_group):
        query = query.filter(id__in=tagged)
    query = by_actor(query, "author", filters.author_sector, filters.authored_by_people)
    return in_order(query, ISSUE_ORDER_FIELDS, order_field, descending)


async def issues_page(
    filters: IssueFilterArgs, page: PageArgs, *, order_field: str, descending: bool
) -> Page[Issue]:
    """A page of the issues matching the filters, in the asked order."""
    query = issues_query(filters, order_field=order_field, descending=descending)
    return await page_of_query(query, page)


def issue_filter_args(
    checker: Checker, conditions: IssueFilterArgs, community_id: str | None
) -> IssueFilterArgs:
    """A list's or a map's filter as asked: ``conditions`` with the community's global ID
    decoded; a malformed ID or an unknown SDG goes to ``checker`` (named ``filter.*``)."""
    check_sdg_filter(checker, conditions.sdg_goal)
    community_pk = decoded_id(checker, community_id, "Community", "filter.communityId")
    return replace(conditions, community_id=community_pk)


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
    person = require_signed_in(viewer)
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


async def follow_issue(viewer: Actor | None, *, issue_id: str, follow: bool) -> tuple[Issue, bool]:
    """Follow or unfollow an issue (a duplicate's original, where its followers went);
    repeating either is harmless."""
    person = require_person(viewer)
    requested = await issue_by_global_id(issue_id)

    async def set_following(locked: Issue) -> None:
        rows = IssueFollower.filter(issue_id=locked.pk, person_id=person.pk)
        if not follow:
            changed = await rows.delete() > 0
        elif changed := not await rows.exists():
            # The issue row is locked: no other follow of this person can slip in between.
            await IssueFollower.create(issue_id=locked.pk, person_id=person.pk)
        if changed:
            verb = "issue.followed" if follow else "issue.unfollowed"
            await record_own_answer(verb, person, requested, locked)

    return await write_on_original(requested, set_following), follow


async def write_on_original(requested: Issue, write: Callable[[Issue], Awaitable[None]]) -> Issue:
    """Run ``write`` on the issue, or on its original if it is a duplicate, in a transaction
    holding that issue's row lock; returns the issue written to.

    A merge moves a duplicate's people to its original while holding both rows' locks, so
    a write made under the lock never lands on an issue that has just become a duplicate.
    """
    start = requested
    for _ in range(MAX_LOCK_ATTEMPTS):
        target, _path = await chain_root(start)
        async with in_transaction():
            # One lock at a time (never a chain of them), so no merge can deadlock with us.
            locked = await Issue.select_for_update().get_or_none(pk=target.pk)
            if locked is None:
                raise NotFound("No issue has the ID given in issueId.", field="issueId")
            if locked.status == IssueStatus.DUPLICATE:
                start = locked  # merged since we looked: follow it to its original
                continue
            await write(locked)
        return locked
    raise Conflict(
        "The issue is being merged right now: try again.",
        field="issueId",
        code=ErrorCode.ALREADY_DUPLICATE,
    )


async def chain_root(issue: Issue) -> tuple[Issue, set[int]]:
    """Follow ``duplicate_of`` to the first issue that is not a duplicate (and the path)."""
    seen = {issue.pk}
    current = issue
    while current.status == IssueStatus.DUPLICATE and current.duplicate_of_id is not None:
        if current.duplicate_of_id in seen or len(seen) > MAX_CHAIN:
            break  # damaged data: stop rather than walk forever
        following = await Issue.get_or_none(pk=current.duplicate_of_id)
        if following is None:
            break
        seen.add(following.pk)
        current = following
    return current, seen


async def record_own_answer(verb: str, person: Actor, requested: Issue, locked: Issue) -> None:
    """A private activity entry of a person's own follow or "me too" (naming the issue they
    asked about when it went to that issue's original)."""
    await record_activity(
        verb=verb,
        subject=locked,
        actor=person,
        performed_by=person,
        community_id=locked.community_id,
        is_public=False,
        details=_redirect_details(requested, locked),
    )


def _redirect_details(requested: Issue, recorded: Issue) -> dict[str, object]:
    if requested.pk == recorded.pk:
        return {}
    return {"requestedIssueId": to_global_id("Issue", requested.pk)}
