"""Regions and communities (hromadas): the places an interaction space belongs to."""

from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model

if TYPE_CHECKING:
    from models.actor import Actor


class Region(Model):
    """An administrative region (oblast) grouping communities."""

    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=120, unique=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "region"


class Community(Model):
    """A territorial community (hromada) with its own interaction space."""

    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=160)
    region: fields.ForeignKeyRelation[Region] = fields.ForeignKeyField(
        "models.Region", related_name="communities", on_delete=fields.RESTRICT
    )
    region_id: int
    population = fields.IntField(null=True)
    centre_latitude = fields.FloatField()
    centre_longitude = fields.FloatField()
    opened_by: fields.ForeignKeyNullableRelation["Actor"] = fields.ForeignKeyField(
        "models.Actor", related_name="opened_communities", null=True, on_delete=fields.SET_NULL
    )
    opened_by_id: int | None
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "community"
        unique_together = (("region", "name"),)
