"""Actors: people and organizations, who belong to organizations through memberships.

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


class MembershipRole(StrEnum):
    MEMBER = "MEMBER"
    ADMIN = "ADMIN"


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


class Membership(Model):
    """A person belonging to an organization, as a member or an admin."""

    id = fields.IntField(primary_key=True)
    organization: fields.ForeignKeyRelation["Actor"] = fields.ForeignKeyField(
        "models.Actor", related_name="memberships", on_delete=fields.CASCADE
    )
    organization_id: int
    person: fields.ForeignKeyRelation["Actor"] = fields.ForeignKeyField(
        "models.Actor", related_name="organization_memberships", on_delete=fields.CASCADE
    )
    person_id: int
    role = fields.CharEnumField(MembershipRole, max_length=16, default=MembershipRole.MEMBER)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "membership"
        unique_together = (("organization", "person"),)


class AuthToken(Model):
    """A bearer token of a signed-in person (only its SHA-256 digest is stored)."""

    id = fields.IntField(primary_key=True)
    person: fields.ForeignKeyRelation["Actor"] = fields.ForeignKeyField(
        "models.Actor", related_name="tokens", on_delete=fields.CASCADE
    )
    person_id: int
    token_digest = fields.CharField(max_length=64, unique=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    expires_at = fields.DatetimeField()
    revoked_at = fields.DatetimeField(null=True)

    class Meta:
        table = "auth_token"
