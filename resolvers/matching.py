"""Matching confirmed pledges from match pools, and giving matched money back.

Made safe by row locks, in one order everywhere: the project's row first, then its pools'
rows by id (``SELECT ... FOR UPDATE`` on PostgreSQL; SQLite runs one transaction at a time).
Every cap is computed from the pool's own match rows read under its lock, so 500
confirmations at once cannot overdraw a pool or exceed a cap; CHECK constraints on the
running totals refuse a negative or overdrawn pool even if a bug tried.

Several pools may match one pledge: each matches it by its own ratio and caps, applied in
this order, which decides who pays while a project's remaining need is the cap: pools
restricted to chosen projects first, then pools of a pitching event, then community-wide
pools; within each, the oldest pool first.
"""

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from tortoise.expressions import F, Q
from tortoise.functions import Sum

from models import (
    Actor,
    ActorKind,
    Match,
    MatchContribution,
    MatchPool,
    MatchPoolProject,
    MatchRelease,
    MatchRule,
    MatchShare,
    Pitch,
    Pledge,
    PledgeKind,
    PledgeStatus,
    Project,
)
from resolvers.activity import record_activity
from resolvers.ids import to_global_id
from resolvers.spatial_sql import on_postgres

COUNTED = (PledgeStatus.CONFIRMED, PledgeStatus.FULFILLED)
CITIZEN = "CITIZEN"


async def id_set(query: Any) -> set[int]:
    """The IDs a ``values_list(..., flat=True)`` query returns."""
    return {int(str(value)) for value in await query}


def sector_of(actor: Actor) -> str:
    """CITIZEN for a person backing as themselves, else the organization's sector."""
    return _sector(actor.kind, actor.sector)


def _sector(kind: object, sector: object) -> str:
    return CITIZEN if kind == ActorKind.PERSON else str(sector)


def counted_minor(pledge: Pledge) -> int:
    """What a pledge brings: the money received once FULFILLED, else the amount pledged."""
    if pledge.status == PledgeStatus.FULFILLED and pledge.received_minor is not None:
        return int(pledge.received_minor)
    return int(pledge.amount_minor or 0)


def split_in_proportion(amount: int, remaining: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Split ``amount`` between (id, remaining) in proportion to what each has left, exactly
    (largest remainders get the leftover kopiyky, the earliest first on ties)."""
    total = sum(left for _, left in remaining)
    assert 0 <= amount <= total, "never more than what is left"
    if amount == 0:
        return []
    exact = [(key, amount * left // total, amount * left % total) for key, left in remaining]
    leftover = amount - sum(share for _, share, _ in exact)
    by_remainder = sorted(range(len(exact)), key=lambda n: (-exact[n][2], n))
    bonus = set(by_remainder[:leftover])
    shares = [(key, share + (1 if n in bonus else 0)) for n, (key, share, _) in enumerate(exact)]
    return [(key, share) for key, share in shares if share > 0]


@dataclass
class Used:
    """What a pool has matched already, where a cap of the pool needs it."""

    backer_project: int = 0
    backer: int = 0
    project: int = 0


def capped(
    basis_minor: int, pool: MatchPool, used: Used, need: int | None
) -> tuple[int, MatchRule]:
    """The match a pool gives a pledge of ``basis_minor``, and the rule that set it."""
    limits: list[tuple[int, MatchRule]] = [
        (basis_minor * pool.ratio_funds // pool.ratio_per, MatchRule.RATIO)
    ]
    if pool.cap_per_pledge_minor is not None:
        limits.append((pool.cap_per_pledge_minor, MatchRule.PER_PLEDGE))
    if pool.cap_per_backer_per_project_minor is not None:
        left = pool.cap_per_backer_per_project_minor - used.backer_project
        limits.append((left, MatchRule.PER_BACKER_PER_PROJECT))
    if pool.cap_per_backer_minor is not None:
        limits.append((pool.cap_per_backer_minor - used.backer, MatchRule.PER_BACKER))
    if pool.cap_per_project_minor is not None:
        limits.append((pool.cap_per_project_minor - used.project, MatchRule.PER_PROJECT))
    if need is not None:
        limits.append((need, MatchRule.PROJECT_NEED))
    limits.append((pool.total_minor - pool.matched_minor, MatchRule.POOL_BALANCE))
    amount, rule = min(limits, key=lambda limit: limit[0])  # the first of equal limits wins
    return max(0, amount), rule


def pool_order(pool: MatchPool, restricted: set[int]) -> tuple[int, int]:
    """Projects' own pools first, then an event's, then the community's; oldest first."""
    tier = 0 if pool.pk in restricted else 1 if pool.event_id is not None else 2
    return tier, pool.pk


async def lock_project(project_id: int) -> Project:
    """The project's row, locked until the transaction ends (the first lock taken)."""
    return await Project.filter(pk=project_id).select_for_update().get()


async def _lock_pools(pool_ids: Iterable[int]) -> list[MatchPool]:
    ids = sorted(set(pool_ids))
    if not ids:
        return []
    return list(await MatchPool.filter(pk__in=ids).order_by("id").select_for_update())


@dataclass(frozen=True)
class PoolScope:
    """Which of its community's pools apply to one project: a pool restricted to chosen
    projects applies to those only, an event's pool to the projects pitched there."""

    restricting: set[int]  # pools restricted to chosen projects
    restricted: set[int]  # those of them that chose this project
    pitched_at: set[int]  # the events that pitch this project

    def applies(self, pool: MatchPool) -> bool:
        chosen = pool.pk in self.restricted or pool.pk not in self.restricting
        return chosen and (pool.event_id is None or pool.event_id in self.pitched_at)


async def pool_scope(project_id: int, pools: list[MatchPool]) -> PoolScope:
    """The scope of these pools for the project: two queries (one when no pool is an
    event's)."""
    restrictions = await MatchPoolProject.filter(pool_id__in=[p.pk for p in pools]).values(
        "pool_id", "project_id"
    )
    pitched_at: set[int] = set()
    if any(pool.event_id is not None for pool in pools):
        pitched_at = await id_set(
            Pitch.filter(project_id=project_id).values_list("event_id", flat=True)
        )
    return PoolScope(
        restricting={int(r["pool_id"]) for r in restrictions},
        restricted={int(r["pool_id"]) for r in restrictions if r["project_id"] == project_id},
        pitched_at=pitched_at,
    )


async def _pools_for(
    pledge: Pledge, project: Project, now: datetime
) -> tuple[list[MatchPool], set[int]]:
    """The open pools that may match a confirmed pledge (read, not locked: their rules never
    change; their totals are read again under the lock), and those restricted to it."""
    candidates = await MatchPool.filter(
        Q(closes_at__isnull=True) | Q(closes_at__gt=now),
        community_id=project.community_id,
        currency=pledge.currency,
        closed_at__isnull=True,
        opens_at__lte=now,
    )
    if not candidates:
        return [], set()
    scope = await pool_scope(project.pk, candidates)
    eligible = [pool for pool in candidates if scope.applies(pool)]
    return eligible, scope.restricted


async def _active_sum(**conditions: object) -> int:
    row = (
        await Match.filter(active_pledge_id__isnull=False, **conditions)
        .annotate(total=Sum("amount_minor"))
        .first()
        .values("total")
    )
    return int(str(row["total"] or 0)) if row else 0


async def _used_in_project(pool: MatchPool, pledge: Pledge) -> Used:
    """What the pool matched for this project (and for this backer in it): it changes only
    under the project's lock, held already, so it is read before the pool's lock."""
    used = Used()
    if pool.cap_per_backer_per_project_minor is not None:
        used.backer_project = await _active_sum(
            pool_id=pool.pk, backer_id=pledge.backer_id, project_id=pledge.project_id
        )
    if pool.cap_per_project_minor is not None:
        used.project = await _active_sum(pool_id=pool.pk, project_id=pledge.project_id)
    return used


async def _used(pool: MatchPool, pledge: Pledge, in_project: Used) -> Used:
    """Add what the pool matched for the backer across projects (under the pool's lock)."""
    used = Used(in_project.backer_project, 0, in_project.project)
    if pool.cap_per_backer_minor is not None:
        used.backer = await _active_sum(pool_id=pool.pk, backer_id=pledge.backer_id)
    return used


async def remaining_need(project: Project) -> int | None:
    """Requested budget minus confirmed own money and matched money, in the project's
    currency (None when the project asks for no budget: no cap)."""
    if project.requested_budget_minor <= 0:
        return None
    sums = (
        await Pledge.filter(
            project_id=project.pk,
            kind=PledgeKind.MONEY,
            currency=project.currency,
            status__in=COUNTED,
        )
        .annotate(pledged=Sum("amount_minor"), received=Sum("received_minor"))
        .group_by("status")
        .values("status", "pledged", "received")
    )
    own = sum(
        int(str(row["received" if row["status"] == PledgeStatus.FULFILLED else "pledged"] or 0))
        for row in sums
    )
    matched = await _active_sum(project_id=project.pk, pool__currency=project.currency)
    return max(0, int(project.requested_budget_minor) - own - matched)


async def _waiting_pledges(pool: MatchPool, pledge: Pledge) -> list[Pledge]:
    """The pledges this pool matches now: the one just confirmed; for a pool that waits for
    ``min_backers``, every confirmed pledge of the project it has not matched yet, once the
    project has that many distinct qualifying backers of confirmed money (none before)."""
    if pool.min_backers <= 0:
        return [pledge]
    backers = (
        await Pledge.filter(
            project_id=pledge.project_id,
            kind=PledgeKind.MONEY,
            currency=pool.currency,
            status__in=COUNTED,
        )
        .distinct()
        .values("backer_id", "backer__kind", "backer__sector")
    )
    qualifying = {
        row["backer_id"]
        for row in backers
        if not pool.sectors or _sector(row["backer__kind"], row["backer__sector"]) in pool.sectors
    }
    if len(qualifying) < pool.min_backers:
        return []
    seen = Match.filter(pool_id=pool.pk, project_id=pledge.project_id).values_list(
        "pledge_id", flat=True
    )
    window = Q(confirmed_at__gte=pool.opens_at)
    if pool.closes_at is not None:
        window &= Q(confirmed_at__lt=pool.closes_at)
    return list(
        await Pledge.filter(
            window,
            project_id=pledge.project_id,
            kind=PledgeKind.MONEY,
            currency=pool.currency,
            status__in=COUNTED,
        )
        .exclude(pk__in=list(await id_set(seen)))
        .order_by("confirmed_at", "id")
    )


# A contribution as matching sees it under the pool's lock: [id, amount, drawn] (minor units).
Funds = list[list[int]]

# Two statements, not one: a statement that waited for a row lock sees the locked row as
# committed since, but every other row as it was when the statement began; the
# contributions must be read by a statement that starts once the lock is held.
LOCK_POOLS = """
SELECT id, total_minor, matched_minor, closed_at FROM match_pool
WHERE id = ANY($1::int[]) ORDER BY id FOR UPDATE
"""
POOL_FUNDS = """
SELECT pool_id, id, amount_minor, drawn_minor FROM match_contribution
WHERE pool_id = ANY($1::int[]) ORDER BY id
"""


# One round trip for everything a match writes (PostgreSQL), while the pool's lock is held.
RECORD_MATCH = """
WITH new_match AS (
    INSERT INTO "match" (pool_id, pledge_id, active_pledge_id, project_id, backer_id,
                         amount_minor, rule, created_at)
    VALUES ($1, $2, $2, $3, $4, $5, $6, $7)
    RETURNING id
), drawn AS (
    SELECT * FROM unnest($8::int[], $9::bigint[]) AS s(contribution_id, amount_minor)
), shares AS (
    INSERT INTO match_share (match_id, contribution_id, amount_minor)
    SELECT new_match.id, drawn.contribution_id, drawn.amount_minor FROM new_match, drawn
    RETURNING 1
), contributions AS (
    UPDATE match_contribution c SET drawn_minor = c.drawn_minor + drawn.amount_minor
    FROM drawn WHERE c.id = drawn.contribution_id
    RETURNING 1
), pool AS (
    UPDATE match_pool SET matched_minor = matched_minor + $5 WHERE id = $1 AND $5 > 0
    RETURNING 1
), entry AS (
    INSERT INTO activity_entry (actor_id, performed_by_id, verb, subject_type, subject_id,
                                community_id, is_public, details, created_at)
    SELECT $10, NULL, 'match.made', 'Match', new_match.id, $11, TRUE, $12::jsonb, $7
    FROM new_match
    RETURNING 1
)
SELECT id, (SELECT count(*) FROM shares) AS shares, (SELECT count(*) FROM contributions)
       AS contributions, (SELECT count(*) FROM pool) AS pools, (SELECT count(*) FROM entry)
       AS entries
FROM new_match
"""


async def lock_pools_with_funds(pools: list[MatchPool]) -> tuple[list[MatchPool], dict[int, Funds]]:
    """Lock the pools' rows (by id) and read their totals and contributions under the lock.
    The pools' rules never change: the rows given keep them, and get the locked totals."""
    if not pools:
        return [], {}
    funds: dict[int, Funds] = {pool.pk: [] for pool in pools}
    if on_postgres():
        database = MatchPool._meta.db
        _, rows = await database.execute_query(LOCK_POOLS, [sorted(funds)])
        by_id = {pool.pk: pool for pool in pools}
        for row in rows:
            pool = by_id[int(row["id"])]
            pool.total_minor = int(row["total_minor"])
            pool.matched_minor = int(row["matched_minor"])
            pool.closed_at = row["closed_at"]
        _, rows = await database.execute_query(POOL_FUNDS, [sorted(funds)])
        for row in rows:
            funds[int(row["pool_id"])].append(
                [int(row["id"]), int(row["amount_minor"]), int(row["drawn_minor"])]
            )
        return sorted(pools, key=lambda pool: pool.pk), funds
    locked = await _lock_pools(funds)
    for contribution in await MatchContribution.filter(pool_id__in=list(funds)).order_by("id"):
        funds[contribution.pool_id].append(
            [contribution.pk, contribution.amount_minor, contribution.drawn_minor]
        )
    return locked, funds


def _draw(funds: Funds, amount: int) -> list[tuple[int, int]]:
    """Split ``amount`` over the contributions in proportion to what each has left, and
    count it as drawn."""
    shares = split_in_proportion(amount, [(c[0], c[1] - c[2]) for c in funds if c[1] > c[2]])
    drawn = dict(shares)
    for contribution in funds:
        contribution[2] += drawn.get(contribution[0], 0)
    return shares


def _match_details(pool: MatchPool, pledge: Pledge, amount: int, rule: MatchRule) -> dict[str, Any]:
    return {
        "poolId": to_global_id("MatchPool", pool.pk),
        "pledgeId": to_global_id("Pledge", pledge.pk),
        "projectId": to_global_id("Project", pledge.project_id),
        "amountMinor": amount,
        "currency": str(pool.currency),
        "rule": rule.value,
    }


async def _record(
    pool: MatchPool,
    pledge: Pledge,
    amount: int,
    rule: MatchRule,
    project: Project,
    funds: Funds,
) -> Match:
    """Write a match, its shares, the drawn totals and its activity entry (pool locked)."""
    shares = _draw(funds, amount)
    pool.matched_minor += amount
    now = datetime.now(UTC)
    match = Match(
        pool_id=pool.pk,
        pledge_id=pledge.pk,
        active_pledge_id=pledge.pk,
        project_id=pledge.project_id,
        backer_id=pledge.backer_id,
        amount_minor=amount,
        rule=rule,
        created_at=now,
    )
    if on_postgres():
        _, rows = await Match._meta.db.execute_query(
            RECORD_MATCH,
            [
                pool.pk,
                pledge.pk,
                pledge.project_id,
                pledge.backer_id,
                amount,
                rule.value,
                now,
                [c for c, _ in shares],
                [share for _, share in shares],
                pool.funder_id,
                project.community_id,
                json.dumps(_match_details(pool, pledge, amount, rule)),
            ],
        )
        match.id = int(rows[0]["id"])
        match._saved_in_db = True
        return match
    await match.save()
    for contribution_id, share in shares:
        await MatchContribution.filter(pk=contribution_id).update(
            drawn_minor=F("drawn_minor") + share
        )
    if amount:
        await MatchPool.filter(pk=pool.pk).update(matched_minor=F("matched_minor") + amount)
    if shares:
        await MatchShare.bulk_create(
            [MatchShare(match_id=match.pk, contribution_id=c, amount_minor=s) for c, s in shares]
        )
    await record_activity(
        verb="match.made",
        subject=match,
        actor=pool.funder_id,
        performed_by=None,
        community_id=project.community_id,
        details=_match_details(pool, pledge, amount, rule),
    )
    return match


async def match_confirmed(pledge: Pledge, project: Project, now: datetime) -> list[Match]:
    """Match a pledge just confirmed (MONEY only), with the project's row locked already.

    What only changes under the project's lock (which pools apply, the backer's sector, the
    project's need, what each pool matched in the project) is read first; the pools' locks
    are taken last, so they are held for the few statements of the match itself."""
    if pledge.kind != PledgeKind.MONEY or pledge.currency is None:
        return []
    eligible, restricted = await _pools_for(pledge, project, now)
    if not eligible:
        return []
    backer = pledge.backer if isinstance(pledge.backer, Actor) else None  # select_related
    backers = {pledge.backer_id: backer or await Actor.get(pk=pledge.backer_id)}
    need = await remaining_need(project) if pledge.currency == project.currency else None
    in_project = {pool.pk: await _used_in_project(pool, pledge) for pool in eligible}
    locked, funds = await lock_pools_with_funds(eligible)
    pools = [pool for pool in locked if pool.closed_at is None]  # closed while we waited
    made: list[Match] = []
    for pool in sorted(pools, key=lambda pool: pool_order(pool, restricted)):
        waiting_pledges = await _waiting_pledges(pool, pledge)
        for waiting in waiting_pledges:
            if waiting.backer_id not in backers:
                backers[waiting.backer_id] = await Actor.get(pk=waiting.backer_id)
            if pool.sectors and sector_of(backers[waiting.backer_id]) not in pool.sectors:
                continue
            if waiting_pledges == [pledge]:
                used = await _used(pool, waiting, in_project[pool.pk])
            else:  # pledges that waited for enough backers: each sees the ones before
                used = await _used(pool, waiting, await _used_in_project(pool, waiting))
            amount, rule = capped(counted_minor(waiting), pool, used, need)
            made.append(await _record(pool, waiting, amount, rule, project, funds[pool.pk]))
            if need is not None:
                need -= amount
    return made


async def release_matches(
    pledge: Pledge, reason: MatchRelease, project: Project, now: datetime
) -> list[Match]:
    """Give every live match of a pledge back to its pool (the project's row locked)."""
    matches = await Match.filter(active_pledge_id=pledge.pk).order_by("pool_id")
    if not matches:
        return []
    pools = {pool.pk: pool for pool in await _lock_pools(m.pool_id for m in matches)}
    for match in matches:
        await _give_back(match, pools[match.pool_id], reason, project, now)
    return matches


async def _give_back(
    match: Match, pool: MatchPool, reason: MatchRelease, project: Project, now: datetime
) -> None:
    for share in await MatchShare.filter(match_id=match.pk):
        await MatchContribution.filter(pk=share.contribution_id).update(
            drawn_minor=F("drawn_minor") - share.amount_minor
        )
    if match.amount_minor:
        await MatchPool.filter(pk=pool.pk).update(
            matched_minor=F("matched_minor") - match.amount_minor
        )
    await Match.filter(pk=match.pk).update(
        active_pledge_id=None, released_at=now, release_reason=reason
    )
    await record_activity(
        verb="match.released",
        subject=match,
        actor=pool.funder_id,
        performed_by=None,
        community_id=project.community_id,
        details={
            "poolId": to_global_id("MatchPool", pool.pk),
            "pledgeId": to_global_id("Pledge", match.pledge_id),
            "amountMinor": match.amount_minor,
            "currency": str(pool.currency),
            "reason": reason.value,
        },
    )


async def rematch_received(pledge: Pledge, project: Project, now: datetime) -> list[Match]:
    """Money received below the pledge: each match above what the ratio and caps give the
    received amount goes back and is made again on it (pool and cap order kept)."""
    made: list[Match] = []
    matches = await Match.filter(active_pledge_id=pledge.pk).order_by("pool_id")
    pools = {pool.pk: pool for pool in await _lock_pools(m.pool_id for m in matches)}
    for match in matches:
        pool = pools[match.pool_id]
        ratio_amount = counted_minor(pledge) * pool.ratio_funds // pool.ratio_per
        if ratio_amount >= match.amount_minor:
            continue
        await _give_back(match, pool, MatchRelease.RECEIVED_LESS, project, now)
        (pool,), funds = await lock_pools_with_funds([pool])  # the totals as given back
        used = await _used(pool, pledge, await _used_in_project(pool, pledge))
        amount, rule = capped(counted_minor(pledge), pool, used, None)
        made.append(await _record(pool, pledge, amount, rule, project, funds[pool.pk]))
    return made
