"""A live snapshot is read as of one moment, even while pledges commit between its queries.

Each snapshot takes several queries (pledge rows for the version, grouped sums for the
totals). Read separately under PostgreSQL's READ COMMITTED, a pledge committing between
them tears the snapshot: a version that does not match its totals, which a client trusting
the version keeps. Here every pledge is one person's vote, so in any true state
``version == votes == backers``; readers load snapshots in a loop while 150 votes commit.
"""

import asyncio

from models import Actor, Pledge, PledgeKind
from resolvers.event_live import load_project_support
from tests.factories import make_community, make_issue, make_person, make_project

VOTERS = 150


async def vote(project_id: int, person: Actor) -> None:
    await Pledge.create(
        project_id=project_id,
        backer=person,
        made_by=person,
        kind=PledgeKind.VOTE,
        active_vote_backer=person,
    )


async def test_every_snapshot_read_during_a_stream_of_votes_is_whole(database):
    # given a project and 150 people
    community = await make_community()
    lead = await make_person()
    project = await make_project(community, lead, [await make_issue(community, lead)])
    people = [await make_person() for _ in range(VOTERS)]
    seen: list[tuple[int, int, int]] = []
    voting_done = asyncio.Event()

    async def read_until_done() -> None:
        while not voting_done.is_set():
            snapshot = await load_project_support(project.pk)
            assert snapshot is not None
            total = snapshot.support.total
            seen.append((snapshot.version, total.votes, total.backers))
            await asyncio.sleep(0)

    async def vote_in_turn(share: list[Actor]) -> None:
        for person in share:
            await vote(project.pk, person)

    # when they vote in 3 streams while 3 readers load snapshots in a loop
    readers = [asyncio.create_task(read_until_done()) for _ in range(3)]
    await asyncio.gather(*(vote_in_turn(people[n::3]) for n in range(3)))
    voting_done.set()
    await asyncio.gather(*readers)
    # then every snapshot describes one state: its version, votes and backers agree
    torn = [reading for reading in seen if len(set(reading)) != 1]
    assert torn == []
    assert len({version for version, _, _ in seen}) > 10  # (reads overlapped the votes)
    # and a snapshot read after the last vote counts them all (a reading still in flight when
    # voting ended may be as of just before the last commit, so it is read here afresh)
    final = await load_project_support(project.pk)
    assert final is not None
    assert (final.version, final.support.total.votes, final.support.total.backers) == (
        VOTERS,
        VOTERS,
        VOTERS,
    )
