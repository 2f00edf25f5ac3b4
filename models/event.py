"""Public pitching events: an agenda of pitches, an audience, and a live state machine."""

from enum import StrEnum
from typing import TYPE_CHECKING, Any

from tortoise import fields
from tortoise.models import Model

if TYPE_CHECKING:
    from models.actor import Actor
    from models.community import Community
    from models.project import Project


class EventState(StrEnum):
    SCHEDULED = "SCHEDULED"
    LIVE = "LIVE"
    CLOSED = "CLOSED"


class SupportMode(StrEnum):
    """Who may support projects at an event."""

    OPEN = "OPEN"  # anyone in the hall, anonymously (one attendee per device, joins limited)
    CODES = "CODES"  # holders of the one-time personal codes the organiser hands out
    SIGNED_IN = "SIGNED_IN"  # people signed in with an account


class PitchingEvent(Model):
    """A public session where projects are pitched and the audience supports them."""

    id = fields.IntField(primary_key=True)
    community: fields.ForeignKeyRelation["Community"] = fields.ForeignKeyField(
        "models.Community", related_name="events", on_delete=fields.RESTRICT
    )
    community_id: int
    organizer: fields.ForeignKeyRelation["Actor"] = fields.ForeignKeyField(
        "models.Actor", related_name="organized_events", on_delete=fields.RESTRICT
    )
    organizer_id: int
    created_by: fields.ForeignKeyRelation["Actor"] = fields.ForeignKeyField(
        "models.Actor", related_name="created_events", on_delete=fields.RESTRICT
    )
    created_by_id: int
    title = fields.CharField(max_length=200)
    venue = fields.CharField(max_length=200, default="")
    starts_at = fields.DatetimeField()
    join_code = fields.CharField(max_length=12, unique=True)
    state = fields.CharEnumField(EventState, max_length=16, default=EventState.SCHEDULED)
    # The pitch on stage while LIVE (a plain column: pitches reference events already).
    current_pitch_id = fields.IntField(null=True)
    supports_per_attendee = fields.SmallIntField(default=3)
    support_mode = fields.CharEnumField(SupportMode, max_length=16, default=SupportMode.OPEN)
    results_hidden = fields.BooleanField(default=False)
    results_revealed_at = fields.DatetimeField(null=True)
    # Bumped by every organiser action, so snapshot versions move on every change.
    revision = fields.IntField(default=0)
    started_at = fields.DatetimeField(null=True)
    closed_at = fields.DatetimeField(null=True)
    # The results as they stood at closing: closing freezes them.
    final_results: fields.JSONField[dict[str, Any] | None] = fields.JSONField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "pitching_event"
        indexes = (("community_id", "starts_at"),)


class Pitch(Model):
    """A project's slot on an event's agenda."""

    id = fields.IntField(primary_key=True)
    event: fields.ForeignKeyRelation[PitchingEvent] = fields.ForeignKeyField(
        "models.PitchingEvent", related_name="pitches", on_delete=fields.CASCADE
    )
    event_id: int
    project: fields.ForeignKeyRelation["Project"] = fields.ForeignKeyField(
        "models.Project", related_name="pitches", on_delete=fields.RESTRICT
    )
    project_id: int
    position = fields.SmallIntField()
    minutes = fields.SmallIntField(default=5)

    class Meta:
        table = "pitch"
        unique_together = (("event", "project"),)


class EventAttendee(Model):
    """Someone in the audience: a signed-in person, or an anonymous guest with a token."""

    id = fields.IntField(primary_key=True)
    event: fields.ForeignKeyRelation[PitchingEvent] = fields.ForeignKeyField(
        "models.PitchingEvent", related_name="attendees", on_delete=fields.CASCADE
    )
    event_id: int
    # Anonymous attendees get a guest person (no email, no password) so their support
    # is an ordinary pledge with a backer, under the same database constraints.
    person: fields.ForeignKeyRelation["Actor"] = fields.ForeignKeyField(
        "models.Actor", related_name="attendances", on_delete=fields.CASCADE
    )
    person_id: int
    token_digest = fields.CharField(max_length=64, unique=True, null=True)
    # OPEN events: the digest of the device cookie an anonymous attendee joined with, so
    # the same phone joining again gets the same attendee (and the same supports).
    device_digest = fields.CharField(max_length=64, null=True)
    # Known to the hub: signed in, or holding a personal code. Their votes count as
    # verified support (a budget counts those only); anonymous guests' are shown apart.
    verified = fields.BooleanField(default=False, db_default=False)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "event_attendee"
        unique_together = (("event", "person"), ("event", "device_digest"))


class AttendeeCode(Model):
    """A one-time personal code an organiser hands out (a QR card): whoever joins with it
    is a verified attendee, and nobody else can join with it again."""

    id = fields.IntField(primary_key=True)
    event: fields.ForeignKeyRelation[PitchingEvent] = fields.ForeignKeyField(
        "models.PitchingEvent", related_name="attendee_codes", on_delete=fields.CASCADE
    )
    event_id: int
    digest = fields.CharField(max_length=64, unique=True)
    attendee: fields.ForeignKeyNullableRelation[EventAttendee] = fields.ForeignKeyField(
        "models.EventAttendee", related_name="codes", null=True, on_delete=fields.SET_NULL
    )
    attendee_id: int | None
    created_at = fields.DatetimeField(auto_now_add=True)
    used_at = fields.DatetimeField(null=True)

    class Meta:
        table = "attendee_code"
