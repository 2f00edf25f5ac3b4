"""Mutations of pitching events: the organiser's controls and the audience's support."""

from collections.abc import Awaitable, Callable

import strawberry

from models import PitchingEvent as PitchingEventRow
from resolvers import event as event_resolvers
from resolvers import event_audience
from resolvers.ids import decode_id
from schema.context import Info
from schema.errors import as_result
from schema.event import (
    AddPitchInput,
    AddPitchResult,
    AddPitchSuccess,
    CreatePitchingEventInput,
    EventActionInput,
    IssueAttendeeCodesInput,
    IssueAttendeeCodesResult,
    IssueAttendeeCodesSuccess,
    JoinEventInput,
    JoinEventResult,
    JoinEventSuccess,
    Pitch,
    PitchingEvent,
    PitchingEventResult,
    PitchingEventSuccess,
    ReorderPitchesInput,
    SetCurrentPitchInput,
    SupportPitchInput,
    SupportPitchResult,
    SupportPitchSuccess,
)
from schema.pledge import Pledge


async def _event_result(
    info: Info, action: Callable[[], Awaitable[PitchingEventRow]]
) -> PitchingEventResult:
    async def run() -> PitchingEventSuccess:
        row = await action()
        await info.context.notifier.event_changed(row.pk, row.community_id, "event")
        return PitchingEventSuccess(event=PitchingEvent.from_row(row))

    return await as_result(run())


@strawberry.type
class EventMutation:
    @strawberry.mutation(description="Schedule a pitching event (admins of the organiser).")
    async def create_pitching_event(
        self, info: Info, input: CreatePitchingEventInput
    ) -> PitchingEventResult:
        return await _event_result(
            info,
            lambda: event_resolvers.create_event(
                info.context.viewer,
                community_id=input.community_id,
                acting_for=input.acting_for,
                title=input.title,
                venue=input.venue,
                starts_at=input.starts_at,
                supports_per_attendee=input.supports_per_attendee,
                results_hidden=input.results_hidden,
                support_mode=input.support_mode,
            ),
        )

    @strawberry.mutation(description="Add a project to the agenda; a PROPOSED one becomes PITCHED.")
    async def add_pitch(self, info: Info, input: AddPitchInput) -> AddPitchResult:
        async def run() -> AddPitchSuccess:
            row = await event_resolvers.add_pitch(
                info.context.viewer,
                event_id=input.event_id,
                project_id=input.project_id,
                minutes=input.minutes,
            )
            event = await info.context.loaders.pitching_event_by_id.load(row.event_id)
            assert event is not None  # the pitch was just added to it
            await info.context.notifier.event_changed(event.pk, event.community_id, "event")
            return AddPitchSuccess(pitch=Pitch.from_row(row))

        return await as_result(run())

    @strawberry.mutation(description="Set the order of the agenda.")
    async def reorder_pitches(self, info: Info, input: ReorderPitchesInput) -> PitchingEventResult:
        return await _event_result(
            info,
            lambda: event_resolvers.reorder_pitches(
                info.context.viewer, event_id=input.event_id, pitch_ids=list(input.pitch_ids)
            ),
        )

    @strawberry.mutation(description="SCHEDULED -> LIVE, with the first pitch on stage.")
    async def start_event(self, info: Info, input: EventActionInput) -> PitchingEventResult:
        return await _event_result(
            info, lambda: event_resolvers.start_event(info.context.viewer, event_id=input.event_id)
        )

    @strawberry.mutation(description="Put the next pitch of the agenda on stage.")
    async def next_pitch(self, info: Info, input: EventActionInput) -> PitchingEventResult:
        return await _event_result(
            info, lambda: event_resolvers.next_pitch(info.context.viewer, event_id=input.event_id)
        )

    @strawberry.mutation(description="Put a given pitch on stage.")
    async def set_current_pitch(
        self, info: Info, input: SetCurrentPitchInput
    ) -> PitchingEventResult:
        return await _event_result(
            info,
            lambda: event_resolvers.set_current_pitch(
                info.context.viewer, event_id=input.event_id, pitch_id=input.pitch_id
            ),
        )

    @strawberry.mutation(description="Show the counts to the audience (when they were hidden).")
    async def reveal_results(self, info: Info, input: EventActionInput) -> PitchingEventResult:
        return await _event_result(
            info,
            lambda: event_resolvers.reveal_results(info.context.viewer, event_id=input.event_id),
        )

    @strawberry.mutation(description="LIVE -> CLOSED: support stops and the results freeze.")
    async def close_event(self, info: Info, input: EventActionInput) -> PitchingEventResult:
        return await _event_result(
            info, lambda: event_resolvers.close_event(info.context.viewer, event_id=input.event_id)
        )

    @strawberry.mutation(
        description="Make one-time personal codes for an event (its organiser's admins): whoever "
        "joins with one is a verified attendee. Returned once: print them as cards."
    )
    async def issue_attendee_codes(
        self, info: Info, input: IssueAttendeeCodesInput
    ) -> IssueAttendeeCodesResult:
        async def run() -> IssueAttendeeCodesSuccess:
            codes = await event_resolvers.issue_attendee_codes(
                info.context.viewer, event_id=input.event_id, count=input.count
            )
            event = await info.context.loaders.pitching_event_by_id.load(
                decode_id(input.event_id, "PitchingEvent", field="eventId")
            )
            assert event is not None  # the codes were just issued for it
            return IssueAttendeeCodesSuccess(codes=codes, event=PitchingEvent.from_row(event))

        return await as_result(run())

    @strawberry.mutation(description="Join an event's audience by its code (signed in or not).")
    async def join_event(self, info: Info, input: JoinEventInput) -> JoinEventResult:
        async def run() -> JoinEventSuccess:
            context = info.context
            attendance = await event_audience.join_event(
                context.viewer,
                code=input.code,
                attendee_code=input.attendee_code,
                device_id=context.device_id() if context.viewer is None else None,
                guard=context.guard(),
            )
            return JoinEventSuccess(
                event=PitchingEvent.from_row(attendance.event),
                attendee_token=attendance.attendee_token,
            )

        return await as_result(run())

    @strawberry.mutation(description="Support a pitched project during a LIVE event (a VOTE).")
    async def support_pitch(self, info: Info, input: SupportPitchInput) -> SupportPitchResult:
        async def run() -> SupportPitchSuccess:
            support = await event_audience.support_pitch(
                info.context.viewer,
                event_id=input.event_id,
                project_id=input.project_id,
                attendee_token=input.attendee_token,
            )
            row = support.pledge
            await info.context.notifier.pledge_changed(
                row.project_id, support.community_id, support.live_event_ids
            )
            return SupportPitchSuccess(
                pledge=Pledge.from_row(row), remaining_supports=support.remaining_supports
            )

        return await as_result(run())
