"""The append-only activity log: who did what to which subject, and when."""

from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model

if TYPE_CHECKING:
    from models.actor import Actor
    from models.community import Community


class ActivityEntry(Model):
    """One recorded change, written in the same transaction as the change itself."""

    id = fields.BigIntField(primary_key=True)
    actor: fields.ForeignKeyNullableRelation["Actor"] = fields.ForeignKeyField(
        "models.Actor", related_name="activity", null=True, on_delete=fields.SET_NULL
    )
    actor_id: int | None
    performed_by: fields.ForeignKeyNullableRelation["Actor"] = fields.ForeignKeyField(
        "models.Actor", related_name="performed_activity", null=True, on_delete=fields.SET_NULL
    )
    performed_by_id: int | None
    verb = fields.CharField(max_length=64)
    subject_type = fields.CharField(max_length=32)
    subject_id = fields.IntField()
    community: fields.ForeignKeyNullableRelation["Community"] = fields.ForeignKeyField(
        "models.Community", related_name="activity", null=True, on_delete=fields.SET_NULL
    )
    community_id: int | None
    is_public = fields.BooleanField(default=True)
    details: fields.JSONField[dict[str, object]] = fields.JSONField(default=dict)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "activity_entry"
        indexes = (("community_id", "created_at"), ("subject_type", "subject_id"))
