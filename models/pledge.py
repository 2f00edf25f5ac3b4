"""Pledges: an actor's support for a project (a vote, money, time or in-kind help)."""

from enum import StrEnum
from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model

from models.money import Currency

if TYPE_CHECKING:
    from models.actor import Actor
    from models.event import PitchingEvent
    from models.project import Project


class PledgeKind(StrEnum):
    VOTE = "VOTE"
    MONEY = "MONEY"
    TIME = "TIME"
    IN_KIND = "IN_KIND"


class PledgeStatus(StrEnum):
    PLEDGED = "PLEDGED"
    CONFIRMED = "CONFIRMED"
    FULFILLED = "FULFILLED"
    WITHDRAWN = "WITHDRAWN"
    DECLINED = "DECLINED"


# Statuses that no longer count toward a project's support.
ENDED = (PledgeStatus.WITHDRAWN, PledgeStatus.DECLINED)


class Pledge(Model):
    """One act of support. Withdrawn and declined pledges stay for the record but stop
    counting."""

    id = fields.IntField(primary_key=True)
    project: fields.ForeignKeyRelation["Project"] = fields.ForeignKeyField(
        "models.Project", related_name="pledges", on_delete=fields.CASCADE
    )
    project_id: int
    backer: fields.ForeignKeyRelation["Actor"] = fields.ForeignKeyField(
        "models.Actor", related_name="pledges", on_delete=fields.RESTRICT
    )
    backer_id: int
    made_by: fields.ForeignKeyRelation["Actor"] = fields.ForeignKeyField(
        "models.Actor", related_name="pledges_made", on_delete=fields.RESTRICT
    )
    made_by_id: int
    kind = fields.CharEnumField(PledgeKind, max_length=16)
    status = fields.CharEnumField(PledgeStatus, max_length=16, default=PledgeStatus.PLEDGED)
    # Money co-financing, or the estimated value of in-kind help.
    amount_minor = fields.BigIntField(null=True)
    currency = fields.CharEnumField(Currency, max_length=3, null=True)
    # Volunteer time in hundredths of an hour, so sums stay exact.
    hours_hundredths = fields.BigIntField(null=True)
    description = fields.TextField(default="")
    # Equal to backer_id while this is an active VOTE, NULL otherwise: the unique
    # (project, active_vote_backer) pair lets the database itself refuse a second vote,
    # portably (NULLs never collide, on PostgreSQL and SQLite alike).
    active_vote_backer: fields.ForeignKeyNullableRelation["Actor"] = fields.ForeignKeyField(
        "models.Actor", related_name="active_votes", null=True, on_delete=fields.CASCADE
    )
    active_vote_backer_id: int | None
    # Support given during a pitching event, and which of the attendee's limited
    # supports it uses: unique (event, backer, slot) caps supports per attendee.
    event: fields.ForeignKeyNullableRelation["PitchingEvent"] = fields.ForeignKeyField(
        "models.PitchingEvent", related_name="pledges", null=True, on_delete=fields.SET_NULL
    )
    event_id: int | None
    event_slot = fields.SmallIntField(null=True)
    # Support from someone known to the hub (an account, or an attendee holding a personal
    # code), as opposed to an anonymous guest at an OPEN event: what a budget counts.
    verified = fields.BooleanField(default=True, db_default=True)
    idempotency_key = fields.CharField(max_length=128, null=True)
    request_fingerprint = fields.CharField(max_length=64, null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)
    withdrawn_at = fields.DatetimeField(null=True)
    # Kept: acknowledged by the project's side, then received (money may arrive short).
    confirmed_at = fields.DatetimeField(null=True)
    fulfilled_on = fields.DateField(null=True)
    fulfillment_reference = fields.CharField(max_length=200, default="", db_default="")
    received_minor = fields.BigIntField(null=True)
    declined_at = fields.DatetimeField(null=True)
    decline_reason = fields.TextField(default="", db_default="")

    class Meta:
        table = "pledge"
        unique_together = (
            ("project", "active_vote_backer"),
            ("made_by", "idempotency_key"),
            ("event", "backer", "event_slot"),
        )
        indexes = (("project_id", "status"),)
