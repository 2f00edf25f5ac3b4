"""Pledges: backing a project with a vote, money, time or in-kind help (what happens to a
pledge after, in ``resolvers.pledge_status``).

Two guarantees hold under any concurrency, enforced by unique constraints in the database
rather than by read-then-write checks in Python:
- one active VOTE per backer per project (``pledge.active_vote_backer_id``);
- one pledge per (person, idempotency key): a retried request gets the first result back.
"""

import hashlib
import json
from dataclasses import dataclass
from decimal import Decimal

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from models import (
    Actor,
    EventState,
    Pitch,
    PitchingEvent,
    Pledge,
    PledgeKind,
    Project,
    ProjectStatus,
)
from models.money import to_minor_units
from resolvers.activity import record_activity
from resolvers.errors import Conflict, ErrorCode, NotFound, Problem, ValidationFailed
from resolvers.event_vote import event_still_live
from resolvers.ids import decode_id, to_global_id
from resolvers.permissions import acting_actor, require_signed_in
from resolvers.project import MoneyArgs, project_by_global_id
from resolvers.validation import Checker

ACCEPTING_SUPPORT = {
    ProjectStatus.PROPOSED,
    ProjectStatus.PITCHED,
    ProjectStatus.FUNDED,
    ProjectStatus.IN_PROGRESS,
}
MAX_HOURS = Decimal("10000")
MAX_IDEMPOTENCY_KEY_LENGTH = 128


@dataclass(frozen=True)
class PledgeRequest:
    """A validated pledge, normalized so that equal requests have equal fingerprints."""

    kind: PledgeKind
    amount_minor: int | None
    currency: str | None
    hours_hundredths: int | None
    description: str

    def fingerprint(self, project_id: int, backer_id: int) -> str:
        payload = json.dumps(
            [
                project_id,
                backer_id,
                self.kind,
                self.amount_minor,
                self.currency,
                self.hours_hundredths,
                self.description,
            ]
        )
        return hashlib.sha256(payload.encode()).hexdigest()


def validate_pledge(
    kind: PledgeKind,
    amount: MoneyArgs | None,
    hours: str | None,
    description: str | None,
    idempotency_key: str | None,
) -> PledgeRequest:
    checker = Checker()
    amount_minor: int | None = None
    hours_hundredths: int | None = None
    text = checker.text("description", description or "", min_length=0, max_length=2000)
    if kind == PledgeKind.MONEY and amount is None:
        checker.add("amount", ErrorCode.REQUIRED, "A MONEY pledge needs an amount.")
    if kind in (PledgeKind.MONEY, PledgeKind.IN_KIND) and amount is not None:
        parsed = checker.positive_decimal("amount.amount", amount.amount)
        amount_minor = to_minor_units(parsed) if parsed is not None else None
    elif amount is not None:
        checker.add("amount", ErrorCode.INVALID, f"A {kind} pledge takes no amount.")
    if kind == PledgeKind.TIME:
        if hours is None:
            checker.add("hours", ErrorCode.REQUIRED, "A TIME pledge needs a number of hours.")
        else:
            parsed_hours = checker.positive_decimal("hours", hours, maximum=MAX_HOURS)
            hours_hundredths = int(parsed_hours * 100) if parsed_hours is not None else None
    elif hours is not None:
        checker.add("hours", ErrorCode.INVALID, f"A {kind} pledge takes no hours.")
    if kind == PledgeKind.IN_KIND and not text:
        checker.add("description", ErrorCode.REQUIRED, "Describe the in-kind help offered.")
    if idempotency_key is not None and not 1 <= len(idempotency_key) <= MAX_IDEMPOTENCY_KEY_LENGTH:
        checker.add(
            "idempotencyKey",
            ErrorCode.OUT_OF_RANGE,
            f"idempotencyKey must have 1 to {MAX_IDEMPOTENCY_KEY_LENGTH} characters.",
        )
    checker.raise_if_any()
    return PledgeRequest(
        kind=kind,
        amount_minor=amount_minor,
        currency=amount.currency.value if amount is not None and amount_minor else None,
        hours_hundredths=hours_hundredths,
        description=text,
    )


async def _replay(person: Actor, idempotency_key: str, fingerprint: str) -> Pledge | None:
    """The pledge an earlier request with this key created, if it is the same request."""
    earlier = await Pledge.get_or_none(made_by_id=person.pk, idempotency_key=idempotency_key)
    if earlier is not None and earlier.request_fingerprint != fingerprint:
        raise Conflict(
            "This idempotencyKey was already used for a different pledge.",
            field="idempotencyKey",
            code=ErrorCode.IDEMPOTENCY_KEY_REUSED,
        )
    return earlier


async def make_pledge(
    viewer: Actor | None,
    *,
    project_id: str,
    kind: PledgeKind,
    amount: MoneyArgs | None,
    hours: str | None,
    description: str | None,
    acting_for: str | None,
    idempotency_key: str | None,
    event_id: str | None = None,
) -> tuple[Pledge, bool]:
    """Record a pledge. Returns it and whether it is new (False for an idempotent replay)."""
    person = require_signed_in(viewer)
    request = validate_pledge(kind, amount, hours, description, idempotency_key)
    project = await project_by_global_id(project_id)
    if project.status == ProjectStatus.DRAFT and project.created_by_id != person.pk:
        raise NotFound("No project has the ID given in projectId.", field="projectId")  # private
    event = await _live_event(event_id, project, kind) if event_id is not None else None
    backer = await acting_actor(viewer, acting_for)
    fingerprint = request.fingerprint(project.pk, backer.pk)
    if idempotency_key is not None:
        earlier = await _replay(person, idempotency_key, fingerprint)
        if earlier is not None:
            return earlier, False
    if project.status not in ACCEPTING_SUPPORT:
        raise Conflict(
            f"A {project.status} project does not accept support.",
            field="projectId",
            code=ErrorCode.NOT_ACCEPTING_SUPPORT,
        )
    try:
        pledge = await _insert(
            project, backer, person, request, (idempotency_key, fingerprint), event
        )
    except IntegrityError:
        if idempotency_key is not None:
            earlier = await _replay(person, idempotency_key, fingerprint)
            if earlier is not None:
                return earlier, False
        if kind == PledgeKind.VOTE:
            raise Conflict(
                "This backer already votes for the project.",
                field="projectId",
                code=ErrorCode.ALREADY_VOTED,
            ) from None
        raise
    return pledge, True


async def _live_event(event_id: str, project: Project, kind: PledgeKind) -> PitchingEvent:
    """The LIVE event a pledge is made at; VOTEs at events go through supportPitch."""
    if kind == PledgeKind.VOTE:
        raise ValidationFailed(
            [
                Problem(
                    "Votes at an event go through supportPitch (it applies the audience rules).",
                    field="eventId",
                    code=ErrorCode.INVALID,
                )
            ]
        )
    event = await PitchingEvent.get_or_none(
        pk=decode_id(event_id, "PitchingEvent", field="eventId")
    )
    if event is None:
        raise NotFound("No pitching event has the ID given in eventId.", field="eventId")
    if event.state != EventState.LIVE:
        raise Conflict(
            f"The event is {event.state}, not LIVE.", field="eventId", code=ErrorCode.EVENT_NOT_LIVE
        )
    if not await Pitch.exists(event=event, project=project):
        raise NotFound("This project is not pitched at this event.", field="projectId")
    return event


async def _insert(
    project: Project,
    backer: Actor,
    person: Actor,
    request: PledgeRequest,
    idempotency: tuple[str | None, str],
    event: PitchingEvent | None,
) -> Pledge:
    idempotency_key, fingerprint = idempotency
    async with in_transaction():
        if event is not None and not await event_still_live(event.pk):
            raise Conflict(
                "The event stopped being LIVE before this pledge was recorded.",
                field="eventId",
                code=ErrorCode.EVENT_NOT_LIVE,
            )
        pledge = await Pledge.create(
            project=project,
            backer=backer,
            made_by=person,
            kind=request.kind,
            amount_minor=request.amount_minor,
            currency=request.currency,
            hours_hundredths=request.hours_hundredths,
            description=request.description,
            active_vote_backer=backer if request.kind == PledgeKind.VOTE else None,
            idempotency_key=idempotency_key,
            request_fingerprint=fingerprint,
            event=event,
        )
        await record_activity(
            verb="pledge.made",
            subject=pledge,
            actor=backer,
            performed_by=person,
            community_id=project.community_id,
            details={"projectId": to_global_id("Project", project.pk), "kind": request.kind.value},
        )
    return pledge


@dataclass(frozen=True)
class PledgeNotice:
    """Who must hear that a project's support changed: its viewers, its community's, and
    the screens of the LIVE events pitching it."""

    project_id: int
    community_id: int
    live_event_ids: list[int]


async def pledge_notice(project_id: int, community_id: int | None = None) -> PledgeNotice:
    """Who hears of a change of the project's support (its community, when known, is not
    read again)."""
    if community_id is None:
        community_id = (await Project.get(pk=project_id)).community_id
    pitches = await Pitch.filter(project_id=project_id, event__state=EventState.LIVE)
    return PledgeNotice(project_id, community_id, [pitch.event_id for pitch in pitches])
