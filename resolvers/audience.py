"""The audience of a pitching event: joining by code, and supporting pitched projects.

Anonymous attendees get a guest person (no email, no password) and an attendee token bound
to the event, so their support is an ordinary VOTE pledge under the same constraints:
one active vote per backer per project, and at most ``supports_per_attendee`` event votes
per backer, enforced by the unique (event, backer, slot) constraint.
"""

import secrets
from dataclasses import dataclass

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from models import (
    Actor,
    ActorKind,
    EventAttendee,
    EventState,
    Pitch,
    PitchingEvent,
    Pledge,
    PledgeKind,
    PledgeStatus,
)
from resolvers.activity import record_activity
from resolvers.auth import token_digest
from resolvers.errors import Conflict, ErrorCode, NotFound, PermissionDenied
from resolvers.event import event_by_code, event_by_global_id
from resolvers.ids import decode_id, to_global_id

GUEST_NAME = "Guest"


@dataclass(frozen=True)
class Attendance:
    event: PitchingEvent
    attendee: EventAttendee
    attendee_token: str | None  # only for anonymous attendees, shown once


async def join_event(viewer: Actor | None, *, code: str) -> Attendance:
    """Join an event's audience by its code; joining again is harmless for signed-in people."""
    event = await event_by_code(code)
    if viewer is not None:
        attendee, _ = await EventAttendee.get_or_create(event=event, person=viewer)
        return Attendance(event, attendee, None)
    raw_token = secrets.token_urlsafe(24)
    async with in_transaction():
        guest = await Actor.create(kind=ActorKind.PERSON, display_name=GUEST_NAME)
        attendee = await EventAttendee.create(
            event=event, person=guest, token_digest=token_digest(raw_token)
        )
    return Attendance(event, attendee, raw_token)


async def _backer(viewer: Actor | None, event: PitchingEvent, attendee_token: str | None) -> Actor:
    if attendee_token:
        attendee = await EventAttendee.get_or_none(
            event=event, token_digest=token_digest(attendee_token)
        ).select_related("person")
        if attendee is None:
            raise PermissionDenied(
                "This attendee token does not belong to this event: join it first.",
                field="attendeeToken",
                code=ErrorCode.NOT_AN_ATTENDEE,
            )
        return attendee.person
    if viewer is None:
        raise PermissionDenied(
            "Join the event first (joinEvent) or sign in.",
            field="attendeeToken",
            code=ErrorCode.AUTHENTICATION_REQUIRED,
        )
    await EventAttendee.get_or_create(event=event, person=viewer)
    return viewer


async def _used_slots(event: PitchingEvent, backer: Actor) -> set[int]:
    rows = await Pledge.filter(event=event, backer=backer, event_slot__isnull=False)
    return {row.event_slot for row in rows if row.event_slot is not None}


async def support_pitch(
    viewer: Actor | None, *, event_id: str, project_id: str, attendee_token: str | None
) -> tuple[Pledge, int]:
    """Record a VOTE for a pitched project; returns the pledge and the supports left."""
    event = await event_by_global_id(event_id)
    project_pk = decode_id(project_id, "Project", field="projectId")
    if event.state != EventState.LIVE:
        raise Conflict(
            f"Support opens while the event is LIVE; it is {event.state}.",
            field="eventId",
            code=ErrorCode.EVENT_NOT_LIVE,
        )
    if not await Pitch.exists(event=event, project_id=project_pk):
        raise NotFound("This project is not pitched at this event.", field="projectId")
    backer = await _backer(viewer, event, attendee_token)
    limit = event.supports_per_attendee
    # Each event vote takes a numbered slot; the unique (event, backer, slot) constraint
    # makes concurrent requests of one attendee unable to exceed the limit.
    for _ in range(limit):
        free = sorted(set(range(1, limit + 1)) - await _used_slots(event, backer))
        if await Pledge.exists(
            project_id=project_pk,
            active_vote_backer_id=backer.pk,
            status__not=PledgeStatus.WITHDRAWN,
        ):
            break
        if not free:
            raise Conflict(
                f"Each attendee may support {limit} project(s) at this event.",
                field="projectId",
                code=ErrorCode.SUPPORT_LIMIT_REACHED,
            )
        try:
            pledge = await _insert_vote(event, project_pk, backer, viewer, free[0])
        except IntegrityError:
            continue  # another request took this slot or this vote: look again
        return pledge, len(free) - 1
    raise Conflict(
        "You already support this project.", field="projectId", code=ErrorCode.ALREADY_VOTED
    )


async def _insert_vote(
    event: PitchingEvent, project_pk: int, backer: Actor, viewer: Actor | None, slot: int
) -> Pledge:
    async with in_transaction():
        pledge = await Pledge.create(
            project_id=project_pk,
            backer=backer,
            made_by=viewer or backer,
            kind=PledgeKind.VOTE,
            active_vote_backer=backer,
            event=event,
            event_slot=slot,
        )
        await record_activity(
            verb="pledge.made",
            subject=pledge,
            actor=backer,
            performed_by=viewer or backer,
            community_id=event.community_id,
            details={
                "projectId": to_global_id("Project", project_pk),
                "kind": "VOTE",
                "eventId": to_global_id("PitchingEvent", event.pk),
            },
        )
    return pledge
