"""Marking an issue a duplicate of another, and residents saying an issue affects them too.

``mark_duplicate`` merges in one transaction: the duplicate becomes DUPLICATE and points
to the original; its followers and "affects me too" people move to the original (people
already there are not added twice, so counts never double); projects addressing it now also
address the original; earlier duplicates of it are re-pointed to the original, so a chain
is never longer than one step; one public activity entry records it.

Concurrency: both issue rows are locked (``SELECT ... FOR UPDATE`` on PostgreSQL, lowest id
first so two merges of the same pair queue instead of deadlocking) and every state rule is
checked again on the locked rows, so "A duplicates B" and "B duplicates A" sent at once
cannot both succeed. SQLite runs one write transaction at a time. ``affects_me_too`` (and
``resolvers.issue.follow_issue``) lock the issue they write to (``write_on_original``), so a
merge running at the same moment cannot strand the answer or the follow on an issue that
just became a duplicate.
"""

from dataclasses import dataclass

from tortoise.expressions import Subquery
from tortoise.transactions import in_transaction

from models import (
    Actor,
    Community,
    Issue,
    IssueAffectedPerson,
    IssueFollower,
    IssueStatus,
    Project,
    ProjectIssue,
    ProjectStatus,
)
from resolvers.activity import record_activity
from resolvers.errors import (
    Conflict,
    ErrorCode,
    NotFound,
    PermissionDenied,
    Problem,
    ValidationFailed,
)
from resolvers.ids import decode_id, to_global_id
from resolvers.issue import chain_root, issue_by_global_id, record_own_answer, write_on_original
from resolvers.permissions import is_moderator, may_act_as, require_person, require_signed_in


@dataclass(frozen=True)
class Merge:
    """A finished merge: the duplicate and the original as they now are."""

    duplicate: Issue
    original: Issue


@dataclass(frozen=True)
class AffectedAnswer:
    """Where an "affects me too" answer was recorded."""

    issue: Issue  # the original, when the issue asked about is a duplicate
    affected: bool
    redirected_from: Issue | None


async def mark_duplicate(viewer: Actor | None, *, issue_id: str, duplicate_of_id: str) -> Merge:
    """Mark ``issue_id`` a duplicate of ``duplicate_of_id`` and merge it into that issue."""
    duplicate_pk = decode_id(issue_id, "Issue", field="issueId")
    original_pk = decode_id(duplicate_of_id, "Issue", field="duplicateOfId")
    if duplicate_pk == original_pk:
        raise ValidationFailed(
            [
                Problem(
                    "An issue cannot be a duplicate of itself.",
                    field="duplicateOfId",
                    code=ErrorCode.DUPLICATE_OF_ITSELF,
                )
            ]
        )
    person = require_signed_in(viewer)
    duplicate = await issue_by_global_id(issue_id)
    original = await issue_by_global_id(duplicate_of_id, field="duplicateOfId")
    actor = await _merging_actor(person, duplicate)
    if duplicate.community_id != original.community_id:
        raise ValidationFailed(
            [
                Problem(
                    "Both issues must belong to the same community.",
                    field="duplicateOfId",
                    code=ErrorCode.DIFFERENT_COMMUNITY,
                )
            ]
        )
    # Checked once before locking (most refusals end here, holding no lock) and again on
    # the locked rows, which is the check that counts under concurrency.
    await _check_states(duplicate, original)
    async with in_transaction():
        duplicate, original = await _lock_pair(duplicate_pk, original_pk)
        await _check_states(duplicate, original)
        details = await _merge(duplicate, original)
        await record_activity(
            verb="issue.marked_duplicate",
            subject=duplicate,
            actor=actor,
            performed_by=person,
            community_id=duplicate.community_id,
            details=details,
        )
    return Merge(duplicate=duplicate, original=original)


async def _merging_actor(person: Actor, duplicate: Issue) -> Actor:
    """The duplicate's author (acted for by its owner) or the community's moderating body."""
    for owner_id in (duplicate.author_id, duplicate.created_by_id):
        if await may_act_as(person, owner_id):
            return await Actor.get(pk=duplicate.author_id)
    community = await Community.get(pk=duplicate.community_id)
    if community.opened_by_id is not None and (
        person.pk == community.opened_by_id or await is_moderator(person, community)
    ):
        return await Actor.get(pk=community.opened_by_id)
    raise PermissionDenied(
        "Only the issue's author (or members of its organization) or a moderator of its "
        "community may mark it a duplicate.",
        code=ErrorCode.NOT_OWNER,
    )


async def _lock_pair(duplicate_pk: int, original_pk: int) -> tuple[Issue, Issue]:
    locked: dict[int, Issue] = {}
    for pk in sorted((duplicate_pk, original_pk)):
        row = await Issue.select_for_update().get_or_none(pk=pk)
        if row is None:
            field = "issueId" if pk == duplicate_pk else "duplicateOfId"
            raise NotFound(f"No issue has the ID given in {field}.", field=field)
        locked[pk] = row
    return locked[duplicate_pk], locked[original_pk]


async def _check_states(duplicate: Issue, original: Issue) -> None:
    if duplicate.status == IssueStatus.DUPLICATE:
        original_id = duplicate.duplicate_of_id
        of = f" of {to_global_id('Issue', original_id)}" if original_id is not None else ""
        raise Conflict(
            f"This issue is already marked a duplicate{of}.",
            field="issueId",
            code=ErrorCode.ALREADY_DUPLICATE,
        )
    if original.status == IssueStatus.RESOLVED:
        raise Conflict(
            "The original is RESOLVED: reopen it, or define the issue anew.",
            field="duplicateOfId",
            code=ErrorCode.ORIGINAL_RESOLVED,
        )
    if original.status == IssueStatus.DUPLICATE:
        root, chain = await chain_root(original)
        if duplicate.pk in chain:
            raise Conflict(
                "The original is itself a duplicate of this issue: that would make a loop.",
                field="duplicateOfId",
                code=ErrorCode.DUPLICATE_LOOP,
            )
        raise Conflict(
            "The original is itself a duplicate: mark this issue a duplicate of "
            f"{to_global_id('Issue', root.pk)} instead.",
            field="duplicateOfId",
            code=ErrorCode.ORIGINAL_IS_DUPLICATE,
        )


async def _merge(duplicate: Issue, original: Issue) -> dict[str, object]:
    duplicate.status = IssueStatus.DUPLICATE
    duplicate.duplicate_of_id = original.pk
    await duplicate.save(update_fields=["status", "duplicate_of_id", "updated_at"])
    # Filtered by community and status too, so the (community_id, status) index serves it.
    earlier_duplicates = Issue.filter(
        community_id=duplicate.community_id,
        status=IssueStatus.DUPLICATE,
        duplicate_of_id=duplicate.pk,
    )
    repointed = await earlier_duplicates.update(duplicate_of_id=original.pk)
    followers = await _move_people(IssueFollower, duplicate, original)
    affected = await _move_people(IssueAffectedPerson, duplicate, original)
    project_ids = await _link_projects(duplicate, original)
    return {
        "issueId": to_global_id("Issue", duplicate.pk),
        "duplicateOfId": to_global_id("Issue", original.pk),
        "movedFollowers": followers,
        "movedAffectedPeople": affected,
        "linkedProjectIds": [to_global_id("Project", pk) for pk in project_ids],
        "repointedDuplicates": repointed,
    }


async def _move_people(
    table: type[IssueFollower] | type[IssueAffectedPerson], duplicate: Issue, original: Issue
) -> int:
    """Move rows to the original unless that person is already there; drop the rest."""
    already = Subquery(table.filter(issue_id=original.pk).values("person_id"))
    moved = (
        await table.filter(issue_id=duplicate.pk)
        .exclude(person_id__in=already)
        .update(issue_id=original.pk)
    )
    await table.filter(issue_id=duplicate.pk).delete()
    return moved


async def _link_projects(duplicate: Issue, original: Issue) -> list[int]:
    """Projects addressing the duplicate now address the original too (one row each)."""
    already = Subquery(ProjectIssue.filter(issue_id=original.pk).values("project_id"))
    rows = await ProjectIssue.filter(issue_id=duplicate.pk).exclude(project_id__in=already)
    project_ids = sorted(row.project_id for row in rows)
    await ProjectIssue.bulk_create(
        [ProjectIssue(project_id=pk, issue_id=original.pk) for pk in project_ids]
    )
    active = (
        await Project.filter(pk__in=project_ids)
        .exclude(status__in=[ProjectStatus.DRAFT, ProjectStatus.WITHDRAWN])
        .exists()
    )
    if active and original.status == IssueStatus.OPEN:
        # As when a project is proposed: an open issue with a live project is ADDRESSED.
        original.status = IssueStatus.ADDRESSED
        await original.save(update_fields=["status", "updated_at"])
    return project_ids


async def affects_me_too(viewer: Actor | None, *, issue_id: str, affected: bool) -> AffectedAnswer:
    """Say an issue affects you too (or no longer); repeating either changes nothing.

    On a duplicate the answer goes to its original, where the duplicate's people went.
    """
    person = require_person(viewer)
    requested = await issue_by_global_id(issue_id)

    async def answer(locked: Issue) -> None:
        if await _set_affected(locked, person, affected):
            verb = "issue.affected" if affected else "issue.unaffected"
            await record_own_answer(verb, person, requested, locked)

    locked = await write_on_original(requested, answer)
    redirected = requested if requested.pk != locked.pk else None
    return AffectedAnswer(issue=locked, affected=affected, redirected_from=redirected)


async def _set_affected(issue: Issue, person: Actor, affected: bool) -> bool:
    """Record or remove the answer; True when something changed."""
    rows = IssueAffectedPerson.filter(issue_id=issue.pk, person_id=person.pk)
    if not affected:
        return await rows.delete() > 0
    if await rows.exists():
        return False
    # The issue row is locked: no other answer of this person can slip in between.
    await IssueAffectedPerson.create(issue_id=issue.pk, person_id=person.pk)
    return True
