"""GraphQL of pitching events: their types, inputs and results, and reading them.

The organiser's and the audience's mutations are in ``schema/event_mutations.py``.
"""

from datetime import datetime
from typing import Annotated

import strawberry

from models import EventState, SupportMode
from models import Pitch as PitchRow
from models import PitchingEvent as PitchingEventRow
from resolvers import event as event_resolvers
from resolvers.event_live import load_event_live
from resolvers.ids import decode_id, to_global_id
from schema.community import CommunityRef, load_community
from schema.context import Info
from schema.errors import AnyError
from schema.event_live import EventLive
from schema.node import Node
from schema.organization import Organization, load_organizations
from schema.pledge import Pledge
from schema.project import Project

SupportModeEnum = strawberry.enum(SupportMode, description="Who may support projects at an event.")


@strawberry.type(description="A project's slot on an event's agenda.")
class Pitch(Node):
    row: strawberry.Private[PitchRow]
    position: int = strawberry.field(description="Place on the agenda (ascending).")
    minutes: int = strawberry.field(description="Length of the pitch in minutes.")

    @strawberry.field(description="The project pitched.")
    async def project(self, info: Info) -> Project:
        row = await info.context.loaders.project_by_id.load(self.row.project_id)
        assert row is not None  # guaranteed by the foreign key
        return Project.from_row(row)

    @classmethod
    def from_row(cls, row: PitchRow) -> "Pitch":
        return cls(
            id=strawberry.ID(to_global_id("Pitch", row.pk)),
            row=row,
            position=row.position,
            minutes=row.minutes,
        )


@strawberry.type(description="A public pitching session in a community.")
class PitchingEvent(Node):
    row: strawberry.Private[PitchingEventRow]
    title: str = strawberry.field(description="Event title.")
    venue: str = strawberry.field(description="Where it takes place.")
    starts_at: datetime = strawberry.field(description="Scheduled start (UTC).")
    join_code: str = strawberry.field(description="Short code the audience joins with.")
    state: EventState = strawberry.field(description="SCHEDULED, LIVE or CLOSED.")
    supports_per_attendee: int = strawberry.field(
        description="How many projects one attendee may support."
    )
    results_hidden: bool = strawberry.field(
        description="Whether counts stay hidden until the organiser reveals them."
    )
    support_mode: SupportMode = strawberry.field(
        description="Who may support: OPEN (anyone, anonymously), CODES (holders of the "
        "organiser's personal codes) or SIGNED_IN (people with an account)."
    )

    @strawberry.field(description="The community the event is held in.")
    async def community(self, info: Info) -> CommunityRef:
        return await load_community(info, self.row.community_id)

    @strawberry.field(description="The organising organization.")
    async def organizer(self, info: Info) -> Organization:
        (organizer,) = await load_organizations(info, [self.row.organizer_id])
        return organizer  # the foreign key guarantees the row

    @strawberry.field(description="The agenda, in order.")
    async def pitches(self, info: Info) -> list[Pitch]:
        rows = await info.context.loaders.pitches_by_event.load(self.row.pk)
        return [Pitch.from_row(row) for row in rows]

    @strawberry.field(description="The live snapshot now (subscribe to eventLive for updates).")
    async def live(self) -> EventLive:
        snapshot = await load_event_live(self.row.pk)
        assert snapshot is not None  # this event exists
        return EventLive.from_snapshot(snapshot)

    @classmethod
    def from_row(cls, row: PitchingEventRow) -> "PitchingEvent":
        return cls(
            id=strawberry.ID(to_global_id("PitchingEvent", row.pk)),
            row=row,
            title=row.title,
            venue=row.venue,
            starts_at=row.starts_at,
            join_code=row.join_code,
            state=EventState(row.state),
            supports_per_attendee=row.supports_per_attendee,
            results_hidden=row.results_hidden,
            support_mode=SupportMode(row.support_mode),
        )


@strawberry.input(description="Schedule a pitching event, acting for the organising organization.")
class CreatePitchingEventInput:
    community_id: strawberry.ID = strawberry.field(description="Community of the event.")
    acting_for: strawberry.ID = strawberry.field(
        description="The organising organization (you must be its admin)."
    )
    title: str = strawberry.field(description="Event title, 3-200 characters.")
    venue: str = strawberry.field(default="", description="Where it takes place.")
    starts_at: datetime = strawberry.field(description="Scheduled start, with a time zone.")
    supports_per_attendee: int = strawberry.field(
        default=3, description="How many projects one attendee may support (1-50)."
    )
    results_hidden: bool = strawberry.field(
        default=False, description="Hide counts from the audience until revealResults."
    )
    support_mode: SupportMode = strawberry.field(
        default=SupportMode.OPEN,
        description="Who may support: OPEN (anyone in the hall, anonymously: shown as "
        "anonymous support), CODES (holders of personal codes, see issueAttendeeCodes) or "
        "SIGNED_IN. Only CODES and SIGNED_IN support is verified, what a budget counts.",
    )


@strawberry.input(description="Put a project on an event's agenda.")
class AddPitchInput:
    event_id: strawberry.ID = strawberry.field(description="The event.")
    project_id: strawberry.ID = strawberry.field(description="The project to pitch.")
    minutes: int = strawberry.field(default=5, description="Length of the pitch (1-120).")


@strawberry.input(description="Set the order of an event's agenda.")
class ReorderPitchesInput:
    event_id: strawberry.ID = strawberry.field(description="The event.")
    pitch_ids: list[strawberry.ID] = strawberry.field(
        description="Every pitch of the event, once each, in the new order."
    )


@strawberry.input(description="An organiser action on an event.")
class EventActionInput:
    event_id: strawberry.ID = strawberry.field(description="The event.")


@strawberry.input(description="Put a given pitch on stage.")
class SetCurrentPitchInput:
    event_id: strawberry.ID = strawberry.field(description="The event.")
    pitch_id: strawberry.ID = strawberry.field(description="The pitch to put on stage.")


@strawberry.input(description="Join an event's audience.")
class JoinEventInput:
    code: str = strawberry.field(description="The join code shown in the hall.")
    attendee_code: str | None = strawberry.field(
        default=None,
        description="CODES events: the personal code on your card (one attendee per code).",
    )


@strawberry.input(description="Make personal attendee codes for an event's cards.")
class IssueAttendeeCodesInput:
    event_id: strawberry.ID = strawberry.field(description="The event.")
    count: int = strawberry.field(description="How many codes (1-500).")


@strawberry.type(description="New personal codes: print them now, they are shown only once.")
class IssueAttendeeCodesSuccess:
    codes: list[str] = strawberry.field(
        description="The codes, each joining one attendee (`/e/{joinCode}?attendee={code}`)."
    )
    event: "PitchingEvent" = strawberry.field(description="The event.")


@strawberry.input(description="Support a pitched project during a LIVE event.")
class SupportPitchInput:
    event_id: strawberry.ID = strawberry.field(description="The event.")
    project_id: strawberry.ID = strawberry.field(description="The pitched project.")
    attendee_token: str | None = strawberry.field(
        default=None, description="Anonymous attendees: the token joinEvent returned."
    )


@strawberry.type(description="The event as it now is.")
class PitchingEventSuccess:
    event: PitchingEvent = strawberry.field(description="The event.")


@strawberry.type(description="The pitch was added.")
class AddPitchSuccess:
    pitch: Pitch = strawberry.field(description="The new pitch.")


@strawberry.type(description="You are in the audience.")
class JoinEventSuccess:
    event: PitchingEvent = strawberry.field(description="The event joined.")
    attendee_token: str | None = strawberry.field(
        description="For anonymous attendees: pass it to supportPitch (shown once)."
    )


@strawberry.type(description="Your support was recorded.")
class SupportPitchSuccess:
    pledge: Pledge = strawberry.field(description="The VOTE pledge recorded.")
    remaining_supports: int = strawberry.field(
        description="How many more projects you may support."
    )


PitchingEventResult = Annotated[
    PitchingEventSuccess | AnyError,
    strawberry.union("PitchingEventResult", description="The event, or why not."),
]
AddPitchResult = Annotated[
    AddPitchSuccess | AnyError,
    strawberry.union("AddPitchResult", description="The pitch, or why not."),
]
JoinEventResult = Annotated[
    JoinEventSuccess | AnyError,
    strawberry.union("JoinEventResult", description="The event joined, or why not."),
]
IssueAttendeeCodesResult = Annotated[
    IssueAttendeeCodesSuccess | AnyError,
    strawberry.union("IssueAttendeeCodesResult", description="The new codes, or why not."),
]
SupportPitchResult = Annotated[
    SupportPitchSuccess | AnyError,
    strawberry.union("SupportPitchResult", description="The support, or why not."),
]


MAX_EVENTS_LISTED = 100


@strawberry.type
class EventQuery:
    @strawberry.field(description="A pitching event by its ID.")
    async def pitching_event(self, info: Info, id: strawberry.ID) -> PitchingEvent | None:
        pk = decode_id(id, "PitchingEvent", field="id")
        row = await info.context.loaders.pitching_event_by_id.load(pk)
        return PitchingEvent.from_row(row) if row else None

    @strawberry.field(description="A pitching event by the join code shown in the hall.")
    async def pitching_event_by_code(self, code: str) -> PitchingEvent | None:
        row = await event_resolvers.event_with_code(code)
        return PitchingEvent.from_row(row) if row else None

    @strawberry.field(
        description=f"A community's pitching events, soonest first (at most {MAX_EVENTS_LISTED})."
    )
    async def pitching_events(self, info: Info, community_id: strawberry.ID) -> list[PitchingEvent]:
        pk = decode_id(community_id, "Community", field="communityId")
        rows = await event_resolvers.community_events(pk, limit=MAX_EVENTS_LISTED)
        info.context.loaders.prime(rows)
        return [PitchingEvent.from_row(row) for row in rows]
