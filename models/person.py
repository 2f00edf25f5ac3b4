"""Persons' own rows: the bearer tokens of their signed-in sessions.

A person itself is an ``Actor`` row (``models/actor.py``) of kind PERSON.
"""

from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model

if TYPE_CHECKING:
    from models.actor import Actor


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
