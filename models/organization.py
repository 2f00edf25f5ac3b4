"""Organizations' own rows: the people who belong to them, and the partner API keys they hold.

An organization itself is an ``Actor`` row (``models/actor.py``) of kind ORGANIZATION.
"""

from enum import StrEnum
from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model

if TYPE_CHECKING:
    from models.actor import Actor


class MembershipRole(StrEnum):
    MEMBER = "MEMBER"
    ADMIN = "ADMIN"


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


class ApiKey(Model):
    """A partner's key: acts for its organization, read-only or read-write, until it
    expires or is revoked. Only the SHA-256 digest of the key is stored."""

    id = fields.IntField(primary_key=True)
    organization: fields.ForeignKeyRelation["Actor"] = fields.ForeignKeyField(
        "models.Actor", related_name="api_keys", on_delete=fields.CASCADE
    )
    organization_id: int
    created_by: fields.ForeignKeyNullableRelation["Actor"] = fields.ForeignKeyField(
        "models.Actor", related_name="api_keys_created", null=True, on_delete=fields.SET_NULL
    )
    created_by_id: int | None
    name = fields.CharField(max_length=100)
    prefix = fields.CharField(max_length=16)  # the key's first characters, to recognise it
    digest = fields.CharField(max_length=64, unique=True)
    can_write = fields.BooleanField(default=False)
    created_at = fields.DatetimeField(auto_now_add=True)
    expires_at = fields.DatetimeField()
    revoked_at = fields.DatetimeField(null=True)
    last_used_at = fields.DatetimeField(null=True)

    class Meta:
        table = "api_key"
