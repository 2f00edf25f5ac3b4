"""Actors: people and organizations, in one table.

Persons and organizations share one ``actor`` table so that every "who did this" column
(issue author, project lead, pledge backer, activity actor) is one plain foreign key.
Columns that only make sense for one kind are nullable and guarded by check constraints.
"""

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model


class ActorKind(StrEnum):
    PERSON = "PERSON"
    ORGANIZATION = "ORGANIZATION"


class Sector(StrEnum):
    PUBLIC = "PUBLIC"
    NONPROFIT = "NONPROFIT"
    BUSINESS = "BUSINESS"


class Actor(Model):
    """A person (citizen account) or an organization of one of the three sectors."""

    id = fields.IntField(primary_key=True)
    kind = fields.CharEnumField(ActorKind, max_length=16)
    display_name = fields.CharField(max_length=160)
    email = fields.CharField(max_length=254, unique=True, null=True)
    password_hash = fields.CharField(max_length=255, null=True)
    sector = fields.CharEnumField(Sector, max_length=16, null=True)
    description = fields.TextField(default="")
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "actor"
        indexes = (("kind", "sector"),)

    @property
    def is_person(self) -> bool:
        return self.kind == ActorKind.PERSON

    @property
    def is_organization(self) -> bool:
        return self.kind == ActorKind.ORGANIZATION
