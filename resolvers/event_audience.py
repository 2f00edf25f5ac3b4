"""The audience of a pitching event: joining by code, and supporting pitched projects.

Who may support is the event's ``support_mode``:
- ``OPEN``: anyone in the hall. An anonymous attendee gets a guest person (no email, no
  password) and an attendee token bound to the event; its join is bound to the device's
  cookie (the same phone joining again gets the same attendee, and so the same supports)
  and anonymous joins are limited per IP address. Their votes are anonymous support.
- ``CODES``: holders of the one-time personal codes the organiser hands out; a code joins
  one attendee only (again from the same device: the same attendee).
- ``SIGNED_IN``: people with an account.
Signed-in people and code holders are *verified* attendees: their votes are verified
support, shown apart from anonymous support, and the only kind a budget counts.

A vote is an ordinary VOTE pledge under the same constraints as any: one active vote per
backer per project, and at most ``supports_per_attendee`` event votes per backer, enforced
by the unique (event, backer, slot) constraint.
"""

import hashlib
import secrets
from contextlib import suppress
from dataclasses import dataclass
from datetime import UTC, datetime

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from models import (
    Actor,
    ActorKind,
    AttendeeCode,
    EventAttendee,
    EventState,
    PitchingEvent,
    Pledge,
    SupportMode,
)
from resolvers.errors import Conflict, ErrorCode, NotFound, PermissionDenied
from resolvers.event import attendee_code_digest, event_by_code
from resolvers.event_vote import (
    AtEvent,
    EventVote,
    at_event,
    insert_event_vote,
    votes_and_live_events,
)
from resolvers.ids import decode_id
from resolvers.permissions import require_person
from resolvers.person import token_digest
from resolvers.rate_limits import Guard
from resolvers.validation import Checker

GUEST_NAME = "Guest"
MAX_ATTENDEE_CODE_LENGTH = 64
MAX_DEVICE_ID_LENGTH = 128


@dataclass(frozen=True)
class Attendance:
    event: PitchingEvent
    attendee: EventAttendee
    attendee_token: str | None  # only for anonymous attendees, shown once


def device_digest(device_id: str | None) -> str | None:
    """The stored form of a device cookie (None: the client sent none, or a bad one)."""
    if not device_id or len(device_id) > MAX_DEVICE_ID_LENGTH:
        return None
    return hashlib.sha256(device_id.encode()).hexdigest()


async def join_event(
    viewer: Actor | None,
    *,
    code: str,
    attendee_code: str | None = None,
    device_id: str | None = None,
    guard: Guard | None = None,
) -> Attendance:
    """Join an event's audience by its code; joining again is harmless."""
    if attendee_code is not None and len(attendee_code) > MAX_ATTENDEE_CODE_LENGTH:
        checker = Checker()
        checker.add("attendeeCode", ErrorCode.TOO_LONG, "This is not an attendee code.")
        checker.raise_if_any()
    event = await event_by_code(code)
    if viewer is not None:
        require_person(viewer)  # an audience is people: an API key may not join one
        attendee, _ = await EventAttendee.get_or_create(
            event=event, person=viewer, defaults={"verified": True}
        )
        return Attendance(event, attendee, None)
    mode = SupportMode(event.support_mode)
    if mode == SupportMode.SIGNED_IN:
        raise PermissionDenied(
            "Sign in to support projects at this event.",
            field="code",
            code=ErrorCode.SIGN_IN_REQUIRED,
        )
    device = device_digest(device_id)
    if mode == SupportMode.CODES:
        return await _join_with_code(event, attendee_code, device)
    if device is not None:
        known = await EventAttendee.get_or_none(event=event, device_digest=device)
        if known is not None:
            return await _with_new_token(event, known)
    guard = guard or Guard()
    await guard.take("join", guard.throttles.joins_per_ip, "anonymous joins")
    return await _new_guest(event, device=device, verified=False)


async def _new_guest(
    event: PitchingEvent, *, device: str | None, verified: bool, code: AttendeeCode | None = None
) -> Attendance:
    raw_token = secrets.token_urlsafe(24)
    async with in_transaction():
        guest = await Actor.create(kind=ActorKind.PERSON, display_name=GUEST_NAME)
        attendee = await EventAttendee.create(
            event=event,
            person=guest,
            token_digest=token_digest(raw_token),
            device_digest=device,
            verified=verified,
        )
        if code is not None:
            # Taken only if still free: two phones joining with one code, one wins.
            taken = await AttendeeCode.filter(pk=code.pk, attendee_id__isnull=True).update(
                attendee_id=attendee.pk, used_at=datetime.now(UTC)
            )
            if not taken:
                raise _code_used()
    return Attendance(event, attendee, raw_token)


async def _with_new_token(event: PitchingEvent, attendee: EventAttendee) -> Attendance:
    """The same attendee for the same device, with a fresh token (the old one stops)."""
    raw_token = secrets.token_urlsafe(24)
    attendee.token_digest = token_digest(raw_token)
    await attendee.save(update_fields=["token_digest"])
    return Attendance(event, attendee, raw_token)


def _code_used() -> Conflict:
    return Conflict(
        "This attendee code was used already.", field="attendeeCode", code=ErrorCode.CODE_USED
    )


async def _join_with_code(
    event: PitchingEvent, attendee_code: str | None, device: str | None
) -> Attendance:
    if not attendee_code:
        raise PermissionDenied(
            "This event needs the personal code on your card: scan it to join.",
            field="attendeeCode",
            code=ErrorCode.CODE_REQUIRED,
        )
    code = await AttendeeCode.get_or_none(event=event, digest=attendee_code_digest(attendee_code))
    if code is None:
        raise NotFound("No attendee code of this event is this one.", field="attendeeCode")
    if code.attendee_id is not None:
        holder = await EventAttendee.get_or_none(pk=code.attendee_id)
        if holder is not None and device is not None and holder.device_digest == device:
            return await _with_new_token(event, holder)  # the same phone, joining again
        raise _code_used()
    with suppress(IntegrityError):  # this device joined before, without a code
        return await _new_guest(event, device=device, verified=True, code=code)
    return await _new_guest(event, device=None, verified=True, code=code)


def _require_live(state: EventState) -> None:
    if state != EventState.LIVE:
        raise Conflict(
            f"Support opens while the event is LIVE; it is {state}.",
            field="eventId",
            code=ErrorCode.EVENT_NOT_LIVE,
        )


def _require_mode(event: AtEvent, verified: bool) -> None:
    """An event that counts verified support only refuses anonymous attendees' votes."""
    if verified or event.support_mode == SupportMode.OPEN:
        return
    if event.support_mode == SupportMode.CODES:
        raise PermissionDenied(
            "This event counts code holders' support only: join with your card's code.",
            field="attendeeToken",
            code=ErrorCode.CODE_REQUIRED,
        )
    raise PermissionDenied(
        "This event counts signed-in people's support only.",
        field="attendeeToken",
        code=ErrorCode.SIGN_IN_REQUIRED,
    )


async def _backer(viewer: Actor | None, event_pk: int, event: AtEvent) -> tuple[int, bool]:
    """The attendee token's person, or the signed-in viewer (joining the audience), and
    whether their support is verified."""
    if event.attendee_person_id is not None:
        return event.attendee_person_id, event.attendee_verified
    if viewer is None:
        raise PermissionDenied(
            "Join the event first (joinEvent) or sign in.",
            field="attendeeToken",
            code=ErrorCode.AUTHENTICATION_REQUIRED,
        )
    require_person(viewer)  # an API key supports projects with pledge, not as an attendee
    if not await EventAttendee.exists(event_id=event_pk, person_id=viewer.pk):
        with suppress(IntegrityError):  # joined by a concurrent request meanwhile
            await EventAttendee.create(event_id=event_pk, person_id=viewer.pk, verified=True)
    return int(viewer.pk), True


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
    backer_pk, verified = await _backer(viewer, event_pk, event)
    _require_mode(event, verified)
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
            verified=verified,
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
