"""Projects: initiatives that address issues, led by an actor with partner organizations."""

from enum import StrEnum
from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model

from models.money import Currency

if TYPE_CHECKING:
    from models.actor import Actor
    from models.community import Community
    from models.issue import Issue


class ProjectStatus(StrEnum):
    DRAFT = "DRAFT"
    PROPOSED = "PROPOSED"
    PITCHED = "PITCHED"
    FUNDED = "FUNDED"
    IN_PROGRESS = "IN_PROGRESS"
    COMPLETED = "COMPLETED"
    WITHDRAWN = "WITHDRAWN"


class Project(Model):
    """An initiative proposed to address one or more local issues."""

    id = fields.IntField(primary_key=True)
    community: fields.ForeignKeyRelation["Community"] = fields.ForeignKeyField(
        "models.Community", related_name="projects", on_delete=fields.RESTRICT
    )
    community_id: int
    title = fields.CharField(max_length=200)
    summary = fields.TextField()
    requested_budget_minor = fields.BigIntField(default=0)
    currency = fields.CharEnumField(Currency, max_length=3, default=Currency.UAH)
    lead: fields.ForeignKeyRelation["Actor"] = fields.ForeignKeyField(
        "models.Actor", related_name="led_projects", on_delete=fields.RESTRICT
    )
    lead_id: int
    created_by: fields.ForeignKeyRelation["Actor"] = fields.ForeignKeyField(
        "models.Actor", related_name="created_projects", on_delete=fields.RESTRICT
    )
    created_by_id: int
    status = fields.CharEnumField(ProjectStatus, max_length=16, default=ProjectStatus.PROPOSED)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "project"
        indexes = (("community_id", "status"), ("community_id", "created_at"))


class ProjectIssue(Model):
    """A project addressing an issue."""

    id = fields.IntField(primary_key=True)
    project: fields.ForeignKeyRelation["Project"] = fields.ForeignKeyField(
        "models.Project", related_name="addressed_issues", on_delete=fields.CASCADE
    )
    project_id: int
    issue: fields.ForeignKeyRelation["Issue"] = fields.ForeignKeyField(
        "models.Issue", related_name="addressing_projects", on_delete=fields.CASCADE
    )
    issue_id: int

    class Meta:
        table = "project_issue"
        unique_together = (("project", "issue"),)


class ProjectPartner(Model):
    """A partner organization of a project."""

    id = fields.IntField(primary_key=True)
    project: fields.ForeignKeyRelation["Project"] = fields.ForeignKeyField(
        "models.Project", related_name="partnerships", on_delete=fields.CASCADE
    )
    project_id: int
    organization: fields.ForeignKeyRelation["Actor"] = fields.ForeignKeyField(
        "models.Actor", related_name="partnerships", on_delete=fields.CASCADE
    )
    organization_id: int

    class Meta:
        table = "project_partner"
        unique_together = (("project", "organization"),)
