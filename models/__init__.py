"""Tortoise models of the collaboration graph (the app label is ``models``)."""

from models.activity import ActivityEntry
from models.actor import Actor, ActorKind, Sector
from models.community import Community, Region
from models.event import (
    AttendeeCode,
    EventAttendee,
    EventState,
    Pitch,
    PitchingEvent,
    SupportMode,
)
from models.issue import (
    AffectedGroup,
    Issue,
    IssueAffectedGroup,
    IssueAffectedPerson,
    IssueCategory,
    IssueFollower,
    IssueSdgGoal,
    IssueStatus,
)
from models.match_pool import (
    Match,
    MatchContribution,
    MatchPool,
    MatchPoolProject,
    MatchRelease,
    MatchRule,
    MatchShare,
)
from models.money import Currency
from models.organization import ApiKey, Membership, MembershipRole
from models.person import AuthToken
from models.pledge import Pledge, PledgeKind, PledgeStatus
from models.project import Project, ProjectIssue, ProjectPartner, ProjectStatus

__all__ = [
    "ActivityEntry",
    "Actor",
    "ActorKind",
    "AffectedGroup",
    "ApiKey",
    "AttendeeCode",
    "AuthToken",
    "Community",
    "Currency",
    "EventAttendee",
    "EventState",
    "Issue",
    "IssueAffectedGroup",
    "IssueAffectedPerson",
    "IssueCategory",
    "IssueFollower",
    "IssueSdgGoal",
    "IssueStatus",
    "Match",
    "MatchContribution",
    "MatchPool",
    "MatchPoolProject",
    "MatchRelease",
    "MatchRule",
    "MatchShare",
    "Membership",
    "MembershipRole",
    "Pitch",
    "PitchingEvent",
    "Pledge",
    "PledgeKind",
    "PledgeStatus",
    "Project",
    "ProjectIssue",
    "ProjectPartner",
    "ProjectStatus",
    "Region",
    "Sector",
    "SupportMode",
]
