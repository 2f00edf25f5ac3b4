"""The newcomer's demo community is complete, consistent and seeded only once."""

from demo.seed import seed_demo_community
from models import (
    Actor,
    ActorKind,
    Community,
    EventState,
    Issue,
    MatchPool,
    PitchingEvent,
    Pledge,
    PledgeStatus,
    Project,
    Sector,
)


async def test_demo_seed_builds_a_community_with_all_three_sectors_once():
    # when the demo is seeded twice
    first = await seed_demo_community()
    second = await seed_demo_community()
    # then one community holds residents, all sectors, issues, projects, pledges, a live event
    assert "Seeded" in first
    assert "already exists" in second
    assert await Community.all().count() == 1
    assert await Actor.filter(kind=ActorKind.PERSON).count() == 6
    organizations = await Actor.filter(kind=ActorKind.ORGANIZATION)
    assert sorted(org.sector for org in organizations if org.sector) == sorted(Sector)
    assert await Issue.all().count() == 5
    assert await Project.all().count() == 3
    assert await Pledge.all().count() == 18
    # and the council's match pool has matched two residents' confirmed pledges 1:1
    pool = await MatchPool.get()
    assert (pool.total_minor, pool.matched_minor) == (100_000_00, 2_500_00)
    assert await Pledge.filter(status=PledgeStatus.CONFIRMED).count() == 2
    night = await PitchingEvent.get()
    assert night.state == EventState.LIVE
    assert f"/e/{night.join_code}" in first
