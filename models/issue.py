"""Local issues: problems residents and organizations map in their community."""

from enum import StrEnum
from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model

if TYPE_CHECKING:
    from models.actor import Actor
    from models.community import Community


class IssueStatus(StrEnum):
    OPEN = "OPEN"
    ADDRESSED = "ADDRESSED"
    RESOLVED = "RESOLVED"
    DUPLICATE = "DUPLICATE"


class IssueCategory(StrEnum):
    INFRASTRUCTURE = "INFRASTRUCTURE"
    TRANSPORT = "TRANSPORT"
    ENVIRONMENT = "ENVIRONMENT"
    HEALTH = "HEALTH"
    EDUCATION = "EDUCATION"
    SOCIAL_SERVICES = "SOCIAL_SERVICES"
    HOUSING = "HOUSING"
    SAFETY = "SAFETY"
    ECONOMY = "ECONOMY"
    CULTURE_AND_SPORT = "CULTURE_AND_SPORT"
    GOVERNANCE = "GOVERNANCE"
    OTHER = "OTHER"


class AffectedGroup(StrEnum):
    LOW_INCOME = "LOW_INCOME"
    ELDERLY = "ELDERLY"
    PEOPLE_WITH_DISABILITIES = "PEOPLE_WITH_DISABILITIES"
    INTERNALLY_DISPLACED = "INTERNALLY_DISPLACED"
    VETERANS = "VETERANS"
    CHILDREN_AND_YOUTH = "CHILDREN_AND_YOUTH"
    WOMEN = "WOMEN"
    ETHNIC_MINORITIES = "ETHNIC_MINORITIES"
    UNEMPLOYED = "UNEMPLOYED"
    OTHER = "OTHER"


class Issue(Model):
    """A local problem, mapped at a point and tagged with SDGs and affected groups."""

    id = fields.IntField(primary_key=True)
    community: fields.ForeignKeyRelation["Community"] = fields.ForeignKeyField(
        "models.Community", related_name="issues", on_delete=fields.RESTRICT
    )
    community_id: int
    title = fields.CharField(max_length=200)
    description = fields.TextField()
    latitude = fields.FloatField()
    longitude = fields.FloatField()
    category = fields.CharEnumField(IssueCategory, max_length=32)
    author: fields.ForeignKeyRelation["Actor"] = fields.ForeignKeyField(
        "models.Actor", related_name="authored_issues", on_delete=fields.RESTRICT
    )
    author_id: int
    created_by: fields.ForeignKeyRelation["Actor"] = fields.ForeignKeyField(
        "models.Actor", related_name="created_issues", on_delete=fields.RESTRICT
    )
    created_by_id: int
    status = fields.CharEnumField(IssueStatus, max_length=16, default=IssueStatus.OPEN)
    duplicate_of: fields.ForeignKeyNullableRelation["Issue"] = fields.ForeignKeyField(
        "models.Issue", related_name="duplicates", null=True, on_delete=fields.SET_NULL
    )
    duplicate_of_id: int | None
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "issue"
        indexes = (("community_id", "status"), ("community_id", "created_at"))


class IssueSdgGoal(Model):
    """One UN Sustainable Development Goal (1-17) an issue relates to."""

    id = fields.IntField(primary_key=True)
    issue: fields.ForeignKeyRelation["Issue"] = fields.ForeignKeyField(
        "models.Issue", related_name="sdg_goals", on_delete=fields.CASCADE
    )
    issue_id: int
    goal = fields.SmallIntField(db_index=True)

    class Meta:
        table = "issue_sdg_goal"
        unique_together = (("issue", "goal"),)


class IssueAffectedGroup(Model):
    """One vulnerable group an issue hits."""

    id = fields.IntField(primary_key=True)
    issue: fields.ForeignKeyRelation["Issue"] = fields.ForeignKeyField(
        "models.Issue", related_name="affected_groups", on_delete=fields.CASCADE
    )
    issue_id: int
    group = fields.CharEnumField(AffectedGroup, max_length=32, db_index=True)

    class Meta:
        table = "issue_affected_group"
        unique_together = (("issue", "group"),)


class IssueFollower(Model):
    """A person following an issue's progress."""

    id = fields.IntField(primary_key=True)
    issue: fields.ForeignKeyRelation["Issue"] = fields.ForeignKeyField(
        "models.Issue", related_name="followers", on_delete=fields.CASCADE
    )
    issue_id: int
    person: fields.ForeignKeyRelation["Actor"] = fields.ForeignKeyField(
        "models.Actor", related_name="followed_issues", on_delete=fields.CASCADE
    )
    person_id: int
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "issue_follower"
        unique_together = (("issue", "person"),)


class IssueAffectedPerson(Model):
    """A resident saying an issue affects them too (the "me too" of FixMyStreet)."""

    id = fields.IntField(primary_key=True)
    issue: fields.ForeignKeyRelation[Issue] = fields.ForeignKeyField(
        "models.Issue", related_name="affected_people", on_delete=fields.CASCADE
    )
    issue_id: int
    person: fields.ForeignKeyRelation["Actor"] = fields.ForeignKeyField(
        "models.Actor", related_name="affected_by_issues", on_delete=fields.CASCADE
    )
    person_id: int
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "issue_affected_person"
        unique_together = (("issue", "person"),)
