"""Match pools: a funder adds money to what backers pledge, by a ratio, within caps.

Every matched amount is a ``Match`` row (pool, pledge, amount, the rule that capped it), split
into ``MatchShare`` rows between the pool's contributions; the pool's and each contribution's
running totals are kept beside the rows, under the pool's row lock, and checked by the
database (never negative, never above what was put in).
"""

from enum import StrEnum
from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.migrations.constraints import CheckConstraint
from tortoise.models import Model

from models.money import Currency

if TYPE_CHECKING:
    from models.actor import Actor
    from models.community import Community
    from models.event import PitchingEvent
    from models.pledge import Pledge
    from models.project import Project


class MatchRule(StrEnum):
    """What set a match's amount: the ratio in full, or the cap that held it lower."""

    RATIO = "RATIO"
    PER_PLEDGE = "PER_PLEDGE"
    PER_BACKER_PER_PROJECT = "PER_BACKER_PER_PROJECT"
    PER_BACKER = "PER_BACKER"
    PER_PROJECT = "PER_PROJECT"
    PROJECT_NEED = "PROJECT_NEED"
    POOL_BALANCE = "POOL_BALANCE"


class MatchRelease(StrEnum):
    """Why a match's money went back to its pool."""

    WITHDRAWN = "WITHDRAWN"
    DECLINED = "DECLINED"
    RECEIVED_LESS = "RECEIVED_LESS"


class MatchPool(Model):
    """Money a funder puts up to match confirmed pledges in a community."""

    id = fields.IntField(primary_key=True)
    community: fields.ForeignKeyRelation["Community"] = fields.ForeignKeyField(
        "models.Community", related_name="match_pools", on_delete=fields.RESTRICT
    )
    community_id: int
    funder: fields.ForeignKeyRelation["Actor"] = fields.ForeignKeyField(
        "models.Actor", related_name="match_pools", on_delete=fields.RESTRICT
    )
    funder_id: int
    opened_by: fields.ForeignKeyRelation["Actor"] = fields.ForeignKeyField(
        "models.Actor", related_name="match_pools_opened", on_delete=fields.RESTRICT
    )
    opened_by_id: int
    event: fields.ForeignKeyNullableRelation["PitchingEvent"] = fields.ForeignKeyField(
        "models.PitchingEvent", related_name="match_pools", null=True, on_delete=fields.RESTRICT
    )
    event_id: int | None
    title = fields.CharField(max_length=200)
    currency = fields.CharEnumField(Currency, max_length=3)
    # The pool adds ratio_funds for every ratio_per a backer gives (2:1, 1:1, 1:2).
    ratio_funds = fields.IntField()
    ratio_per = fields.IntField()
    # Caps in minor units; NULL: none.
    cap_per_pledge_minor = fields.BigIntField(null=True)
    cap_per_backer_per_project_minor = fields.BigIntField(null=True)
    cap_per_backer_minor = fields.BigIntField(null=True)
    cap_per_project_minor = fields.BigIntField(null=True)
    # Sectors whose pledges qualify (CITIZEN, PUBLIC, NONPROFIT, BUSINESS); empty: all.
    sectors: list[str] = fields.JSONField(default=list)
    min_backers = fields.IntField(default=0)
    opens_at = fields.DatetimeField()
    closes_at = fields.DatetimeField(null=True)
    closed_at = fields.DatetimeField(null=True)
    # Running totals (minor units), changed only under this row's lock.
    total_minor = fields.BigIntField()
    matched_minor = fields.BigIntField(default=0)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "match_pool"
        indexes = (("community_id", "currency"),)
        constraints = (
            CheckConstraint(
                check="matched_minor >= 0 AND matched_minor <= total_minor",
                name="match_pool_never_overdrawn",
            ),
        )


class MatchPoolProject(Model):
    """A project a restricted pool matches (a pool with none matches every project)."""

    id = fields.IntField(primary_key=True)
    pool: fields.ForeignKeyRelation[MatchPool] = fields.ForeignKeyField(
        "models.MatchPool", related_name="restricted_to", on_delete=fields.CASCADE
    )
    pool_id: int
    project: fields.ForeignKeyRelation["Project"] = fields.ForeignKeyField(
        "models.Project", related_name="restricted_pools", on_delete=fields.CASCADE
    )
    project_id: int

    class Meta:
        table = "match_pool_project"
        unique_together = (("pool", "project"),)


class MatchContribution(Model):
    """What one funder put into a pool, and how much of it matches have drawn."""

    id = fields.IntField(primary_key=True)
    pool: fields.ForeignKeyRelation[MatchPool] = fields.ForeignKeyField(
        "models.MatchPool", related_name="contributions", on_delete=fields.CASCADE
    )
    pool_id: int
    funder: fields.ForeignKeyRelation["Actor"] = fields.ForeignKeyField(
        "models.Actor", related_name="match_contributions", on_delete=fields.RESTRICT
    )
    funder_id: int
    made_by: fields.ForeignKeyRelation["Actor"] = fields.ForeignKeyField(
        "models.Actor", related_name="match_contributions_made", on_delete=fields.RESTRICT
    )
    made_by_id: int
    amount_minor = fields.BigIntField()
    drawn_minor = fields.BigIntField(default=0)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "match_contribution"
        constraints = (
            CheckConstraint(
                check="drawn_minor >= 0 AND drawn_minor <= amount_minor",
                name="match_contribution_never_overdrawn",
            ),
        )


class Match(Model):
    """Money a pool added to one confirmed pledge (zero when a cap left nothing)."""

    id = fields.IntField(primary_key=True)
    pool: fields.ForeignKeyRelation[MatchPool] = fields.ForeignKeyField(
        "models.MatchPool", related_name="matches", on_delete=fields.CASCADE
    )
    pool_id: int
    pledge: fields.ForeignKeyRelation["Pledge"] = fields.ForeignKeyField(
        "models.Pledge", related_name="matches", on_delete=fields.CASCADE
    )
    pledge_id: int
    # Equal to pledge_id while the match holds: unique (pool, active_pledge) lets the
    # database refuse a second live match of one pledge by one pool.
    active_pledge: fields.ForeignKeyNullableRelation["Pledge"] = fields.ForeignKeyField(
        "models.Pledge", related_name="active_matches", null=True, on_delete=fields.CASCADE
    )
    active_pledge_id: int | None
    project: fields.ForeignKeyRelation["Project"] = fields.ForeignKeyField(
        "models.Project", related_name="matches", on_delete=fields.CASCADE
    )
    project_id: int
    backer: fields.ForeignKeyRelation["Actor"] = fields.ForeignKeyField(
        "models.Actor", related_name="matches", on_delete=fields.RESTRICT
    )
    backer_id: int
    amount_minor = fields.BigIntField()
    rule = fields.CharEnumField(MatchRule, max_length=32)
    created_at = fields.DatetimeField(auto_now_add=True)
    released_at = fields.DatetimeField(null=True)
    release_reason = fields.CharEnumField(MatchRelease, max_length=16, null=True)

    class Meta:
        table = "match"
        constraints = (CheckConstraint(check="amount_minor >= 0", name="match_not_negative"),)
        unique_together = (("pool", "active_pledge"),)
        indexes = (("pool_id", "project_id"), ("pool_id", "backer_id"), ("project_id",))


class MatchShare(Model):
    """The part of a match drawn from one contribution (in proportion to what is left)."""

    id = fields.IntField(primary_key=True)
    match: fields.ForeignKeyRelation[Match] = fields.ForeignKeyField(
        "models.Match", related_name="shares", on_delete=fields.CASCADE
    )
    match_id: int
    contribution: fields.ForeignKeyRelation[MatchContribution] = fields.ForeignKeyField(
        "models.MatchContribution", related_name="shares", on_delete=fields.CASCADE
    )
    contribution_id: int
    amount_minor = fields.BigIntField()

    class Meta:
        table = "match_share"
