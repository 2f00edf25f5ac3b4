"""Organizations' own rows: the people who belong to them, and in which role.

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
