"""Communities with issues at known points and tags, for the community page and map tests.

Rows come straight from the factories (fast); the pages then read them through the API.
"""

from dataclasses import dataclass

from models import (
    Actor,
    AffectedGroup,
    Community,
    Issue,
    IssueAffectedGroup,
    IssueSdgGoal,
    IssueStatus,
    Sector,
)
from tests.factories import gid, make_community, make_issue, make_organization, make_person


@dataclass(frozen=True)
class Spot:
    """One issue to seed: where, its status, SDGs, groups, and who defined it."""

    latitude: float
    longitude: float
    status: IssueStatus = IssueStatus.OPEN
    sdg_goals: tuple[int, ...] = ()
    groups: tuple[AffectedGroup, ...] = ()
    by_business: bool = False
    title: str | None = None


@dataclass(frozen=True)
class SeededCommunity:
    community: Community
    issues: list[Issue]

    @property
    def global_id(self) -> str:
        return gid(self.community)


async def seed_community(
    spots: list[Spot], *, name: str | None = None, population: int | None = 12000
) -> SeededCommunity:
    community = await make_community(name)
    if population != community.population:
        community.population = population
        await community.save(update_fields=["population"])
    resident: Actor = await make_person()
    business = await make_organization(Sector.BUSINESS)
    issues = []
    for spot in spots:
        extra = {"title": spot.title} if spot.title else {}
        issue = await make_issue(
            community,
            business if spot.by_business else resident,
            latitude=spot.latitude,
            longitude=spot.longitude,
            status=spot.status,
            **extra,
        )
        await IssueSdgGoal.bulk_create([IssueSdgGoal(issue=issue, goal=g) for g in spot.sdg_goals])
        await IssueAffectedGroup.bulk_create(
            [IssueAffectedGroup(issue=issue, group=group) for group in spot.groups]
        )
        issues.append(issue)
    return SeededCommunity(community, issues)


# Five issues for the insights chart: per SDG, 3 is open 1 + resolved 1, 6 is resolved 1,
# 11 is open 2 + addressed 1; per group, ELDERLY is open 2 + resolved 1, LOW_INCOME open 1,
# CHILDREN_AND_YOUTH addressed 1.
INSIGHTS_SPOTS = [
    Spot(49.44, 32.06, IssueStatus.OPEN, (3, 11), (AffectedGroup.ELDERLY,)),
    Spot(49.44, 32.06, IssueStatus.OPEN, (11,), (AffectedGroup.ELDERLY, AffectedGroup.LOW_INCOME)),
    Spot(49.44, 32.06, IssueStatus.ADDRESSED, (11,), (AffectedGroup.CHILDREN_AND_YOUTH,)),
    Spot(49.44, 32.06, IssueStatus.RESOLVED, (3,), (AffectedGroup.ELDERLY,)),
    Spot(49.44, 32.06, IssueStatus.RESOLVED, (6,), ()),
]
