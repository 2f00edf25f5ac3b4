"""GraphQL types of live snapshots: what audiences and big screens receive."""

import strawberry

from models import EventState
from resolvers.event_live import EventLiveSnapshot, LiveProject, ProjectSupportSnapshot
from resolvers.ids import to_global_id
from schema.support import ProjectSupport, project_support

EventStateEnum = strawberry.enum(EventState, description="Where a pitching event is.")


@strawberry.type(description="A pitched project with its live support.")
class LiveProjectSupport:
    pitch_id: strawberry.ID = strawberry.field(description="Global ID of the pitch.")
    project_id: strawberry.ID = strawberry.field(description="Global ID of the project.")
    title: str = strawberry.field(description="Project title.")
    lead_name: str = strawberry.field(description="Name of the project's lead.")
    position: int = strawberry.field(description="Place on the agenda, from 1.")
    minutes: int = strawberry.field(description="Length of the pitch in minutes.")
    support: ProjectSupport | None = strawberry.field(
        description="Live support; null while the organiser keeps results hidden."
    )

    @classmethod
    def from_snapshot(cls, project: LiveProject) -> "LiveProjectSupport":
        return cls(
            pitch_id=strawberry.ID(to_global_id("Pitch", project.pitch_id)),
            project_id=strawberry.ID(to_global_id("Project", project.project_id)),
            title=project.title,
            lead_name=project.lead_name,
            position=project.position,
            minutes=project.minutes,
            support=project_support(project.support) if project.support else None,
        )


@strawberry.type(description="The whole live state of a pitching event at one moment.")
class EventLive:
    event_id: strawberry.ID = strawberry.field(description="Global ID of the event.")
    version: int = strawberry.field(
        description="Grows with every change; a client keeps the highest version it has seen."
    )
    state: EventState = strawberry.field(description="SCHEDULED, LIVE or CLOSED.")
    title: str = strawberry.field(description="Event title.")
    join_code: str = strawberry.field(description="Short code attendees join with.")
    current_pitch_id: strawberry.ID | None = strawberry.field(
        description="The pitch on stage, while LIVE."
    )
    results_visible: bool = strawberry.field(
        description="False while the organiser hides the counts (before revealResults)."
    )
    supports_per_attendee: int = strawberry.field(
        description="How many projects one attendee may support."
    )
    projects: list[LiveProjectSupport] = strawberry.field(
        description="Every pitched project in agenda order, with its support."
    )

    @classmethod
    def from_snapshot(cls, snapshot: EventLiveSnapshot) -> "EventLive":
        current = snapshot.current_pitch_id
        return cls(
            event_id=strawberry.ID(to_global_id("PitchingEvent", snapshot.event_id)),
            version=snapshot.version,
            state=snapshot.state,
            title=snapshot.title,
            join_code=snapshot.join_code,
            current_pitch_id=strawberry.ID(to_global_id("Pitch", current)) if current else None,
            results_visible=snapshot.results_visible,
            supports_per_attendee=snapshot.supports_per_attendee,
            projects=[LiveProjectSupport.from_snapshot(p) for p in snapshot.projects],
        )


@strawberry.type(description="A project's live support at one moment.")
class ProjectSupportUpdate:
    project_id: strawberry.ID = strawberry.field(description="Global ID of the project.")
    version: int = strawberry.field(description="Grows with every pledge or withdrawal.")
    support: ProjectSupport = strawberry.field(description="The project's support.")

    @classmethod
    def from_snapshot(cls, snapshot: ProjectSupportSnapshot) -> "ProjectSupportUpdate":
        return cls(
            project_id=strawberry.ID(to_global_id("Project", snapshot.project_id)),
            version=snapshot.version,
            support=project_support(snapshot.support),
        )
