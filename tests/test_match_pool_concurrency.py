"""500 confirmations at once against a pool that covers 50: never overdrawn, no cap exceeded.

Runs in the normal suite, on PostgreSQL (row locks, many connections at once) and on SQLite
(one transaction at a time); the answers must be the same.
"""

import asyncio
from collections import Counter, defaultdict
from datetime import UTC, datetime
from typing import Any

from tortoise.functions import Sum

from models import (
    ActivityEntry,
    Match,
    MatchContribution,
    MatchPool,
    MatchShare,
    Membership,
    MembershipRole,
    Pledge,
    PledgeKind,
    PledgeStatus,
    Sector,
)
from tests.factories import (
    gid,
    graphql,
    make_community,
    make_organization,
    make_person,
    make_project,
    token_for,
)

CONFIRM = """
mutation($v: ConfirmPledgeInput!) {
  confirmPledge(input: $v) {
    __typename ... on PledgeMoveSuccess { matched { amount { amount } } } ... on Error { code }
  }
}"""
TOP_UP = """
mutation($v: TopUpMatchPoolInput!) {
  topUpMatchPool(input: $v) { __typename ... on Error { code } }
}"""
PLEDGE_MINOR = 100_00  # each pledge: 100.00 UAH, matched 1:1
POOL_MINOR = 50 * PLEDGE_MINOR  # covers 50 of the 500
CAP_PER_PROJECT = 700_00
CAP_PER_BACKER = 200_00


async def _scene() -> tuple[MatchPool, list[Pledge], list[str], list[str], str]:
    # ten admins of the leading NGO confirm (one person's rate limit is not the point here)
    admins = [await make_person() for _ in range(10)]
    ngo = await make_organization(Sector.NONPROFIT, admin=admins[0])
    for admin in admins[1:]:
        await Membership.create(organization=ngo, person=admin, role=MembershipRole.ADMIN)
    funder_admin = await make_person()
    council = await make_organization(Sector.PUBLIC, admin=funder_admin)
    donor_admin = await make_person()
    donor = await make_organization(Sector.BUSINESS, admin=donor_admin)
    community = await make_community()
    projects = [await make_project(community, ngo, []) for _ in range(10)]
    backers = [await make_person() for _ in range(100)]
    pool = await MatchPool.create(
        community=community,
        funder=council,
        opened_by=funder_admin,
        title="Council match",
        currency="UAH",
        ratio_funds=1,
        ratio_per=1,
        cap_per_project_minor=CAP_PER_PROJECT,
        cap_per_backer_minor=CAP_PER_BACKER,
        opens_at=datetime.now(UTC),
        total_minor=POOL_MINOR,
    )
    for funder, made_by in ((council, funder_admin), (donor, donor_admin)):  # half each
        await MatchContribution.create(
            pool=pool, funder=funder, made_by=made_by, amount_minor=POOL_MINOR // 2
        )
    pledges = [
        await Pledge.create(
            project=projects[n % 10],
            backer=backers[n % 100],
            made_by=backers[n % 100],
            kind=PledgeKind.MONEY,
            amount_minor=PLEDGE_MINOR,
            currency="UAH",
        )
        for n in range(500)
    ]
    tokens = [await token_for(admin) for admin in admins]
    return pool, pledges, tokens, [gid(donor)], await token_for(donor_admin)


def _confirmations(client: Any, pledges: list[Pledge], tokens: list[str]) -> list[Any]:
    return [
        graphql(client, CONFIRM, {"v": {"pledgeId": gid(pledge)}}, token=tokens[n % 10])
        for n, pledge in enumerate(pledges)
    ]


async def test_500_confirmations_at_once_never_overdraw_a_pool_or_exceed_a_cap(client):
    # given a 1:1 pool of 5,000.00 UAH (a council and a donor half each), capped at 700 per
    # project and 200 per backer, and 500 pledges of 100 to 10 projects from 100 backers
    pool, pledges, lead_tokens, _, _ = await _scene()
    # when all 500 confirmations are sent at once
    bodies = await asyncio.gather(*_confirmations(client, pledges, lead_tokens))
    # then every request succeeded and every pledge is confirmed
    outcomes = Counter(next(iter(body["data"].values()))["__typename"] for body in bodies)
    assert outcomes == {"PledgeMoveSuccess": 500}
    assert await Pledge.filter(status=PledgeStatus.CONFIRMED).count() == 500
    # and the pool is spent to the kopiyka, never beyond
    await pool.refresh_from_db()
    assert (pool.total_minor, pool.matched_minor) == (POOL_MINOR, POOL_MINOR)
    matches = await Match.filter(pool_id=pool.pk, active_pledge_id__isnull=False)
    assert sum(m.amount_minor for m in matches) == POOL_MINOR
    assert all(m.amount_minor >= 0 for m in matches)
    # and no cap was exceeded
    per_project: dict[int, int] = defaultdict(int)
    per_backer: dict[int, int] = defaultdict(int)
    for match in matches:
        per_project[match.project_id] += match.amount_minor
        per_backer[match.backer_id] += match.amount_minor
    assert max(per_project.values()) <= CAP_PER_PROJECT
    assert max(per_backer.values()) <= CAP_PER_BACKER
    # and every matched kopiyka is traceable: one row per pledge, shares adding up to it,
    # each contribution drawn by exactly its shares and never beyond what it holds
    by_pledge = {p.pk: p for p in pledges}
    assert len({m.pledge_id for m in matches}) == len(matches)
    assert all(by_pledge[m.pledge_id].project_id == m.project_id for m in matches)
    shares = await MatchShare.filter(match__pool_id=pool.pk).values("match_id", "amount_minor")
    share_sum: dict[int, int] = defaultdict(int)
    for share in shares:
        share_sum[int(share["match_id"])] += int(share["amount_minor"])
    assert all(share_sum.get(m.pk, 0) == m.amount_minor for m in matches)
    for contribution in await MatchContribution.filter(pool_id=pool.pk):
        drawn = (
            await MatchShare.filter(contribution_id=contribution.pk)
            .annotate(total=Sum("amount_minor"))
            .first()
            .values("total")
        )
        assert drawn is not None
        assert contribution.drawn_minor == int(drawn["total"] or 0) <= contribution.amount_minor
    # and what the confirmations answered is what the ledger holds
    answered = sum(
        round(float(m["amount"]["amount"]) * 100)
        for body in bodies
        if "confirmPledge" in body["data"]
        for m in body["data"]["confirmPledge"]["matched"]
    )
    assert answered == POOL_MINOR
    assert (
        await ActivityEntry.filter(verb="match.made").count()
        == await Match.filter(pool_id=pool.pk).count()
    )
    await _totals_are_their_rows(pool)


async def _totals_are_their_rows(pool: MatchPool) -> None:
    """The pool's and each contribution's running totals equal the sums of their rows."""
    await pool.refresh_from_db()
    matches = await Match.filter(pool_id=pool.pk, active_pledge_id__isnull=False)
    assert 0 <= pool.matched_minor == sum(m.amount_minor for m in matches) <= pool.total_minor
    contributions = await MatchContribution.filter(pool_id=pool.pk)
    assert pool.total_minor == sum(c.amount_minor for c in contributions)
    for contribution in contributions:
        shares = await MatchShare.filter(
            contribution_id=contribution.pk, match__active_pledge_id__isnull=False
        ).values_list("amount_minor", flat=True)
        drawn = sum(int(str(share)) for share in shares)
        assert 0 <= contribution.drawn_minor == drawn <= contribution.amount_minor


async def test_top_ups_racing_confirmations_never_leave_a_total_unexplained(client):
    # given the same pool, and 200 confirmations sent at once with five top-ups among them
    pool, pledges, lead_tokens, (donor_id,), donor_token = await _scene()
    top_up = {"poolId": gid(pool), "actingFor": donor_id, "amount": {"amount": "300"}}
    requests = _confirmations(client, pledges[:200], lead_tokens)
    for at in (0, 40, 80, 120, 160):
        requests.insert(at, graphql(client, TOP_UP, {"v": top_up}, token=donor_token))
    bodies = await asyncio.gather(*requests)
    # then everything succeeded, whatever order the locks gave them
    outcomes = Counter(next(iter(body["data"].values()))["__typename"] for body in bodies)
    assert outcomes == {"PledgeMoveSuccess": 200, "MatchPoolSuccess": 5}
    # and the pool took every top-up, matched at least what it first held (the demand is 4
    # times that), and its totals are exactly their rows
    await pool.refresh_from_db()
    assert pool.total_minor == POOL_MINOR + 5 * 300_00
    assert pool.matched_minor >= POOL_MINOR
    await _totals_are_their_rows(pool)
