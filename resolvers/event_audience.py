"""The audience of a pitching event: joining by code, and supporting pitched projects.

Anonymous attendees get a guest person (no email, no password) and an attendee token bound
to the event, so their support is an ordinary VOTE pledge under the same constraints:
one active vote per backer per project, and at most ``supports_per_attendee`` event votes
per backer, enforced by the unique (event, backer, slot) constraint.
"""

import secrets
from contextlib import suppress
from dataclasses import dataclass

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from models import (
    Actor,
    ActorKind,
    EventAttendee,
    EventState,
    PitchingEvent,
    Pledge,
)
from resolvers.errors import Conflict, ErrorCode, NotFound, PermissionDenied
from resolvers.event import event_by_code
from resolvers.event_vote import (
    AtEvent,
    EventVote,
    at_event,
    insert_event_vote,
    votes_and_live_events,
)
from resolvers.ids import decode_id
from resolvers.person import token_digest

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


def _require_live(state: EventState) -> None:
    if state != EventState.LIVE:
        raise Conflict(
            f"Support opens while the event is LIVE; it is {state}.",
            field="eventId",
            code=ErrorCode.EVENT_NOT_LIVE,
        )


async def _backer_pk(viewer: Actor | None, event_pk: int, event: AtEvent) -> int:
    """The attendee token's person, or the signed-in viewer (joining the audience)."""
    if event.attendee_person_id is not None:
        return event.attendee_person_id
    if viewer is None:
        raise PermissionDenied(
            "Join the event first (joinEvent) or sign in.",
            field="attendeeToken",
            code=ErrorCode.AUTHENTICATION_REQUIRED,
        )
    if not await EventAttendee.exists(event_id=event_pk, person_id=viewer.pk):
        with suppress(IntegrityError):  # joined by a concurrent request meanwhile
            await EventAttendee.create(event_id=event_pk, person_id=viewer.pk)
    return int(viewer.pk)


@dataclass(frozen=True)
class Support:
    """A recorded event vote, with what its notices need."""

    pledge: Pledge
    remaining_supports: int
    community_id: int  # the project's
    live_event_ids: list[int]  # LIVE events pitching the project: their screens must hear


async def support_pitch(
    viewer: Actor | None, *, event_id: str, project_id: str, attendee_token: str | None
) -> Support:
    """Record a VOTE for a pitched project: two reads and one write (``event_vote``)."""
    event_pk = decode_id(event_id, "PitchingEvent", field="eventId")
    project_pk = decode_id(project_id, "Project", field="projectId")
    digest = token_digest(attendee_token) if attendee_token else None
    event = await at_event(event_pk, digest, project_pk)
    if event is None:
        raise NotFound("No pitching event has the ID given in eventId.", field="eventId")
    _require_live(event.state)
    if event.project_community_id is None:
        raise NotFound("This project is not pitched at this event.", field="projectId")
    if attendee_token and event.attendee_person_id is None:
        raise PermissionDenied(
            "This attendee token does not belong to this event: join it first.",
            field="attendeeToken",
            code=ErrorCode.NOT_AN_ATTENDEE,
        )
    backer_pk = await _backer_pk(viewer, event_pk, event)
    limit = event.supports_per_attendee
    # Each event vote takes a numbered slot; the unique (event, backer, slot) constraint
    # makes concurrent requests of one attendee unable to exceed the limit.
    for _ in range(limit):
        votes = await votes_and_live_events(event_pk, backer_pk, project_pk)
        if votes.supports_project:
            break
        free = sorted(set(range(1, limit + 1)) - votes.used_slots)
        if not free:
            raise Conflict(
                f"Each attendee may support {limit} project(s) at this event.",
                field="projectId",
                code=ErrorCode.SUPPORT_LIMIT_REACHED,
            )
        vote = EventVote(
            event_pk=event_pk,
            project_pk=project_pk,
            backer_pk=backer_pk,
            made_by_pk=viewer.pk if viewer is not None else backer_pk,
            # Spread by project: one attendee's supports for different projects, sent at
            # the same moment, then mostly take different slots instead of racing for one.
            slot=free[project_pk % len(free)],
            community_id=event.community_id,
        )
        try:
            pledge = await insert_event_vote(vote)
        except IntegrityError:
            continue  # another request took this slot or this vote: look again
        if pledge is None:
            raise Conflict(
                "The event stopped being LIVE before this support was recorded.",
                field="eventId",
                code=ErrorCode.EVENT_NOT_LIVE,
            )
        return Support(pledge, len(free) - 1, event.project_community_id, votes.live_event_ids)
    raise Conflict(
        "You already support this project.", field="projectId", code=ErrorCode.ALREADY_VOTED
    )
