"""Pitching events: the organiser's state machine SCHEDULED -> LIVE -> CLOSED and its agenda."""

import hashlib
import secrets
from datetime import UTC, datetime

from tortoise.exceptions import IntegrityError
from tortoise.functions import Max
from tortoise.transactions import in_transaction

from models import (
    Actor,
    AttendeeCode,
    EventState,
    Pitch,
    PitchingEvent,
    Project,
    ProjectStatus,
    SupportMode,
)
from resolvers.activity import record_activity
from resolvers.community import community_authority_id, community_by_global_id
from resolvers.errors import Conflict, ErrorCode, NotFound, PermissionDenied
from resolvers.event_live import load_event_live, snapshot_to_json
from resolvers.ids import decode_id, to_global_id
from resolvers.permissions import acting_actor, may_act_as, require_signed_in
from resolvers.pledge import ACCEPTING_SUPPORT
from resolvers.project import project_by_global_id
from resolvers.validation import Checker

JOIN_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L: read aloud safely
JOIN_CODE_LENGTH = 6
MAX_JOIN_CODE_INPUT = 32  # longer text is no join code, however it is spaced
ATTENDEE_CODE_LENGTH = 10
MAX_CODES_AT_ONCE = 500
MAX_PITCHES_PER_EVENT = 50  # an evening of 50 pitches is long already
MAX_SUPPORTS_PER_ATTENDEE = 50
MAX_PITCH_MINUTES = 120


def new_join_code() -> str:
    return "".join(secrets.choice(JOIN_CODE_ALPHABET) for _ in range(JOIN_CODE_LENGTH))


def normalize_join_code(code: str) -> str:
    return code.strip().upper().replace("-", "").replace(" ", "")


def attendee_code_digest(code: str) -> str:
    """The stored form of a personal attendee code, however it was typed."""
    return hashlib.sha256(normalize_join_code(code).encode()).hexdigest()


def new_attendee_code() -> str:
    """A personal code for a card: 10 characters of the join-code alphabet (31^10 choices,
    so guessing one is hopeless under the join limits), grouped to read aloud."""
    raw = "".join(secrets.choice(JOIN_CODE_ALPHABET) for _ in range(ATTENDEE_CODE_LENGTH))
    return f"{raw[:5]}-{raw[5:]}"


async def event_by_global_id(global_id: str, *, field: str = "eventId") -> PitchingEvent:
    event = await PitchingEvent.get_or_none(pk=decode_id(global_id, "PitchingEvent", field=field))
    if event is None:
        raise NotFound(f"No pitching event has the ID given in {field}.", field=field)
    return event


async def event_with_code(code: str) -> PitchingEvent | None:
    """The event a join code (as typed: any case, dashes, spaces) names, if any."""
    if len(code) > MAX_JOIN_CODE_INPUT:
        checker = Checker()
        checker.add("code", ErrorCode.TOO_LONG, "This is not a join code: they have 6 characters.")
        checker.raise_if_any()
    normalized = normalize_join_code(code)
    if len(normalized) != JOIN_CODE_LENGTH:
        return None  # no event has it (and the database column holds 12 characters at most)
    return await PitchingEvent.get_or_none(join_code=normalized)


async def event_by_code(code: str) -> PitchingEvent:
    event = await event_with_code(code)
    if event is None:
        raise NotFound("No pitching event has this join code.", field="code")
    return event


async def community_events(community_id: int, *, limit: int) -> list[PitchingEvent]:
    """A community's pitching events, soonest first."""
    query = PitchingEvent.filter(community_id=community_id).order_by("starts_at", "id")
    return await query.limit(limit)


async def _as_organiser(viewer: Actor | None, event: PitchingEvent) -> Actor:
    """Only admins of the organising organization (or its API key) drive an event; returns
    who performs the action."""
    await acting_actor(
        viewer, _organization_id(event.organizer_id), require_admin=True, field="eventId"
    )
    return require_signed_in(viewer)


def _organization_id(pk: int) -> str:
    return to_global_id("Organization", pk)


async def create_event(
    viewer: Actor | None,
    *,
    community_id: str,
    acting_for: str,
    title: str,
    venue: str,
    starts_at: datetime,
    supports_per_attendee: int,
    results_hidden: bool,
    support_mode: SupportMode = SupportMode.OPEN,
) -> PitchingEvent:
    checker = Checker()
    clean_title = checker.text("title", title, min_length=3, max_length=200)
    clean_venue = checker.text("venue", venue, min_length=0, max_length=200)
    checker.number_range(
        "supportsPerAttendee", supports_per_attendee, minimum=1, maximum=MAX_SUPPORTS_PER_ATTENDEE
    )
    if starts_at.tzinfo is None:
        checker.add("startsAt", ErrorCode.INVALID, "startsAt needs a time zone (e.g. ...Z).")
    checker.raise_if_any()
    community = await community_by_global_id(community_id)
    organizer = await acting_actor(viewer, acting_for, require_admin=True)
    person = require_signed_in(viewer)
    for _ in range(5):  # a join-code collision is rare; retry with a fresh code
        try:
            async with in_transaction():
                event = await PitchingEvent.create(
                    community=community,
                    organizer=organizer,
                    created_by=person,
                    title=clean_title,
                    venue=clean_venue,
                    starts_at=starts_at,
                    join_code=new_join_code(),
                    supports_per_attendee=supports_per_attendee,
                    results_hidden=results_hidden,
                    support_mode=support_mode,
                )
                await _log(event, "event.created", organizer, person)
            return event
        except IntegrityError:
            continue
    raise Conflict("Could not allocate a join code; try again.", code=ErrorCode.ALREADY_EXISTS)


async def issue_attendee_codes(viewer: Actor | None, *, event_id: str, count: int) -> list[str]:
    """New one-time personal codes for an event's cards; returned once (only digests stay)."""
    checker = Checker()
    checker.number_range("count", count, minimum=1, maximum=MAX_CODES_AT_ONCE)
    checker.raise_if_any()
    event = await event_by_global_id(event_id)
    person = await _as_organiser(viewer, event)
    _require_state(event, EventState.SCHEDULED, EventState.LIVE, action="issue codes for")
    codes = [new_attendee_code() for _ in range(count)]
    async with in_transaction():
        await AttendeeCode.bulk_create(
            [AttendeeCode(event=event, digest=attendee_code_digest(code)) for code in codes]
        )
        await record_activity(
            verb="event.codes_issued",
            subject=event,
            actor=event.organizer_id,
            performed_by=person,
            community_id=event.community_id,
            is_public=False,
            details={"count": count},
        )
    return codes


async def _log(event: PitchingEvent, verb: str, actor: Actor | None, person: Actor) -> None:
    await record_activity(
        verb=verb,
        subject=event,
        actor=actor,
        performed_by=person,
        community_id=event.community_id,
        details={"title": event.title, "state": str(event.state)},
    )


async def _bump(event: PitchingEvent, verb: str, person: Actor, **changes: object) -> None:
    """Apply organiser changes, bump the revision and log it, in one transaction."""
    async with in_transaction():
        event.update_from_dict({**changes, "revision": event.revision + 1})
        await event.save()
        await _log(event, verb, await Actor.get(pk=event.organizer_id), person)


def _require_state(event: PitchingEvent, *allowed: EventState, action: str) -> None:
    if event.state not in allowed:
        raise Conflict(
            f"Cannot {action} a {event.state} event.",
            field="eventId",
            code=ErrorCode.INVALID_STATUS_TRANSITION,
        )


async def add_pitch(viewer: Actor | None, *, event_id: str, project_id: str, minutes: int) -> Pitch:
    checker = Checker()
    checker.number_range("minutes", minutes, minimum=1, maximum=MAX_PITCH_MINUTES)
    checker.raise_if_any()
    event = await event_by_global_id(event_id)
    person = await _as_organiser(viewer, event)
    _require_state(event, EventState.SCHEDULED, EventState.LIVE, action="add pitches to")
    project = await project_by_global_id(project_id)
    if project.community_id != event.community_id:
        raise Conflict(
            "The project belongs to another community.",
            field="projectId",
            code=ErrorCode.DIFFERENT_COMMUNITY,
        )
    if project.status not in ACCEPTING_SUPPORT:
        raise Conflict(
            f"A {project.status} project cannot be pitched.",
            field="projectId",
            code=ErrorCode.NOT_ACCEPTING_SUPPORT,
        )
    await _may_pitch(person, event, project)
    if await Pitch.filter(event=event).count() >= MAX_PITCHES_PER_EVENT:
        raise Conflict(
            f"An agenda holds at most {MAX_PITCHES_PER_EVENT} pitches.",
            field="eventId",
            code=ErrorCode.OUT_OF_RANGE,
        )
    last = await Pitch.filter(event=event).annotate(last=Max("position")).values("last")
    position = int(last[0]["last"] or 0) + 1 if last else 1
    try:
        async with in_transaction():
            pitch = await Pitch.create(
                event=event, project=project, position=position, minutes=minutes
            )
            if project.status == ProjectStatus.PROPOSED:
                await Project.filter(pk=project.pk).update(status=ProjectStatus.PITCHED)
            await _bump(event, "event.pitch_added", person)
    except IntegrityError:
        raise Conflict(
            "This project is already on the agenda.",
            field="projectId",
            code=ErrorCode.ALREADY_EXISTS,
        ) from None
    return pitch


async def _may_pitch(person: Actor, event: PitchingEvent, project: Project) -> None:
    """A project goes on an agenda by its own lead's side, or by the community's own
    authority organising the event: no other organiser may pitch (and so lock into
    PITCHED) someone else's project, whatever its sector."""
    if event.organizer_id == await community_authority_id(event.community_id):
        return
    for owner_id in (project.lead_id, project.created_by_id):
        if await may_act_as(person, owner_id):
            return
    raise PermissionDenied(
        "Only the project's lead (or the community's own local authority, organising the "
        "event) may put it on an agenda.",
        field="projectId",
        code=ErrorCode.NOT_COMMUNITY_AUTHORITY,
    )


async def reorder_pitches(
    viewer: Actor | None, *, event_id: str, pitch_ids: list[str]
) -> PitchingEvent:
    event = await event_by_global_id(event_id)
    person = await _as_organiser(viewer, event)
    _require_state(event, EventState.SCHEDULED, EventState.LIVE, action="reorder")
    wanted = [decode_id(pitch_id, "Pitch", field="pitchIds") for pitch_id in pitch_ids]
    current = {pitch.pk for pitch in await Pitch.filter(event=event)}
    if len(wanted) != len(set(wanted)) or set(wanted) != current:
        checker = Checker()
        checker.add("pitchIds", ErrorCode.INVALID, "List every pitch of the event exactly once.")
        checker.raise_if_any()
    async with in_transaction():
        for position, pitch_pk in enumerate(wanted, start=1):
            await Pitch.filter(pk=pitch_pk).update(position=position)
        await _bump(event, "event.reordered", person)
    return event


async def _ordered_pitch_ids(event: PitchingEvent) -> list[int]:
    return [p.pk for p in await Pitch.filter(event=event).order_by("position", "id")]


async def start_event(viewer: Actor | None, *, event_id: str) -> PitchingEvent:
    event = await event_by_global_id(event_id)
    person = await _as_organiser(viewer, event)
    _require_state(event, EventState.SCHEDULED, action="start")
    pitches = await _ordered_pitch_ids(event)
    if not pitches:
        raise Conflict("Add a pitch before starting.", field="eventId", code=ErrorCode.NOT_PITCHED)
    await _bump(
        event,
        "event.started",
        person,
        state=EventState.LIVE,
        current_pitch_id=pitches[0],
        started_at=datetime.now(UTC),
    )
    return event


async def next_pitch(viewer: Actor | None, *, event_id: str) -> PitchingEvent:
    event = await event_by_global_id(event_id)
    person = await _as_organiser(viewer, event)
    _require_state(event, EventState.LIVE, action="move on in")
    pitches = await _ordered_pitch_ids(event)
    index = pitches.index(event.current_pitch_id) if event.current_pitch_id in pitches else -1
    if index + 1 >= len(pitches):
        raise Conflict("This was the last pitch.", field="eventId", code=ErrorCode.NO_NEXT_PITCH)
    await _bump(event, "event.next_pitch", person, current_pitch_id=pitches[index + 1])
    return event


async def set_current_pitch(viewer: Actor | None, *, event_id: str, pitch_id: str) -> PitchingEvent:
    event = await event_by_global_id(event_id)
    person = await _as_organiser(viewer, event)
    _require_state(event, EventState.LIVE, action="change the pitch of")
    pitch_pk = decode_id(pitch_id, "Pitch", field="pitchId")
    if pitch_pk not in await _ordered_pitch_ids(event):
        raise NotFound("No pitch of this event has this ID.", field="pitchId")
    await _bump(event, "event.current_pitch_set", person, current_pitch_id=pitch_pk)
    return event


async def reveal_results(viewer: Actor | None, *, event_id: str) -> PitchingEvent:
    event = await event_by_global_id(event_id)
    person = await _as_organiser(viewer, event)
    if event.results_revealed_at is None:
        await _bump(event, "event.results_revealed", person, results_revealed_at=datetime.now(UTC))
    return event


async def close_event(viewer: Actor | None, *, event_id: str) -> PitchingEvent:
    """Close the event and freeze its results as they stand."""
    event = await event_by_global_id(event_id)
    person = await _as_organiser(viewer, event)
    _require_state(event, EventState.SCHEDULED, EventState.LIVE, action="close")
    async with in_transaction():
        # Lock the event row so a concurrent close cannot freeze different numbers.
        locked = await PitchingEvent.select_for_update().get(pk=event.pk)
        _require_state(locked, EventState.SCHEDULED, EventState.LIVE, action="close")
        await _bump(
            locked,
            "event.closed",
            person,
            state=EventState.CLOSED,
            current_pitch_id=None,
            closed_at=datetime.now(UTC),
        )
        snapshot = await load_event_live(locked.pk, reveal=True)
        assert snapshot is not None  # the row is locked: it exists
        locked.final_results = {"revision": locked.revision, "snapshot": snapshot_to_json(snapshot)}
        await locked.save(update_fields=["final_results"])
    return locked
