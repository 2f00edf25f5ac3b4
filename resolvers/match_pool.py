"""Match pools: opened by a funder, topped up by others, closed early; read for the graph.

A pool's running totals change only under its row lock (see ``resolvers.matching``); the
ledger, the contributions and the per-project figures are read from the rows themselves.
"""

from dataclasses import dataclass, field
from datetime import UTC, datetime

from tortoise.functions import Sum
from tortoise.transactions import in_transaction

from models import (
    Actor,
    ActorKind,
    Community,
    Match,
    MatchContribution,
    MatchPool,
    MatchPoolProject,
    MatchShare,
    PitchingEvent,
    Project,
    ProjectStatus,
)
from models.money import to_minor_units
from resolvers.activity import record_activity
from resolvers.errors import Conflict, ErrorCode, NotFound, PermissionDenied
from resolvers.ids import decode_id
from resolvers.matching import CITIZEN, id_set, pool_scope
from resolvers.pagination import Page, PageArgs, page_of_query
from resolvers.permissions import acting_actor, acts_as_admin_of, require_signed_in
from resolvers.project import MoneyArgs
from resolvers.validation import Checker

MAX_RATIO_TERM = 1000
MAX_RESTRICTED_PROJECTS = 100
MAX_MIN_BACKERS = 10_000
SECTORS = (CITIZEN, "PUBLIC", "NONPROFIT", "BUSINESS")


@dataclass(frozen=True)
class PoolArgs:
    community_id: str
    acting_for: str | None
    title: str
    total: MoneyArgs
    ratio: str
    cap_per_pledge: str | None = None
    cap_per_backer_per_project: str | None = None
    cap_per_backer: str | None = None
    cap_per_project: str | None = None
    sectors: list[str] = field(default_factory=list)
    min_backers: int = 0
    event_id: str | None = None
    project_ids: list[str] = field(default_factory=list)
    opens_at: datetime | None = None
    closes_at: datetime | None = None


def parse_ratio(checker: Checker, ratio: str) -> tuple[int, int] | None:
    """ "2:1" -> (2, 1): the pool adds 2 for every 1 given; both whole numbers 1-1000."""
    parts = ratio.strip().split(":")
    if len(parts) != 2 or not all(p.strip().isdigit() for p in parts):
        checker.add("ratio", ErrorCode.INVALID, 'ratio is "funds:per", e.g. "1:1" or "2:1".')
        return None
    funds, per = (int(p) for p in parts)
    if not (1 <= funds <= MAX_RATIO_TERM and 1 <= per <= MAX_RATIO_TERM):
        checker.add(
            "ratio", ErrorCode.OUT_OF_RANGE, f"Both terms of ratio are 1 to {MAX_RATIO_TERM}."
        )
        return None
    return funds, per


def _cap(checker: Checker, name: str, value: str | None, total_minor: int | None) -> int | None:
    if value is None:
        return None
    amount = checker.positive_decimal(name, value)
    if amount is None:
        return None
    minor = to_minor_units(amount)
    if total_minor is not None and minor > total_minor:
        checker.add(
            name,
            ErrorCode.OUT_OF_RANGE,
            f"{name} is above the pool's total: the pool could not pay it.",
        )
    return minor


@dataclass(frozen=True)
class Caps:
    """A pool's caps in minor units (None: no cap)."""

    pledge: int | None
    backer_per_project: int | None
    backer: int | None
    project: int | None


@dataclass(frozen=True)
class CheckedPool:
    total_minor: int
    ratio: tuple[int, int]
    caps: Caps
    title: str
    opens_at: datetime
    closes_at: datetime | None


def check_pool(args: PoolArgs, now: datetime) -> CheckedPool:
    checker = Checker()
    title = checker.text("title", args.title, max_length=200)
    total = checker.positive_decimal("total.amount", args.total.amount)
    total_minor = to_minor_units(total) if total is not None else None
    ratio = parse_ratio(checker, args.ratio)
    caps = Caps(
        pledge=_cap(checker, "capPerPledge", args.cap_per_pledge, total_minor),
        backer_per_project=_cap(
            checker, "capPerBackerPerProject", args.cap_per_backer_per_project, total_minor
        ),
        backer=_cap(checker, "capPerBacker", args.cap_per_backer, total_minor),
        project=_cap(checker, "capPerProject", args.cap_per_project, total_minor),
    )
    if not 0 <= args.min_backers <= MAX_MIN_BACKERS:
        checker.add("minBackers", ErrorCode.OUT_OF_RANGE, f"minBackers is 0 to {MAX_MIN_BACKERS}.")
    if len(args.project_ids) > MAX_RESTRICTED_PROJECTS:
        checker.add(
            "projectIds", ErrorCode.OUT_OF_RANGE, f"At most {MAX_RESTRICTED_PROJECTS} projects."
        )
    opens_at = args.opens_at or now
    if args.closes_at is not None and args.closes_at <= max(opens_at, now):
        checker.add("closesAt", ErrorCode.OUT_OF_RANGE, "closesAt must be after opensAt and now.")
    checker.raise_if_any()
    assert total_minor is not None
    assert ratio is not None
    return CheckedPool(total_minor, ratio, caps, title, opens_at, args.closes_at)


async def _community(global_id: str) -> Community:
    community = await Community.get_or_none(
        pk=decode_id(global_id, "Community", field="communityId")
    )
    if community is None:
        raise NotFound("No community has the ID given in communityId.", field="communityId")
    return community


async def _funder(viewer: Actor | None, acting_for: str | None) -> Actor:
    if acting_for is None:
        require_signed_in(viewer)
    funder = await acting_actor(viewer, acting_for, require_admin=True)
    if funder.kind != ActorKind.ORGANIZATION:
        raise PermissionDenied(
            "An organization funds a pool: set actingFor to one you are an admin of.",
            field="actingFor",
            code=ErrorCode.REQUIRED,
        )
    return funder


async def _restrictions(args: PoolArgs, community: Community) -> tuple[int | None, list[int]]:
    event_id: int | None = None
    if args.event_id is not None:
        event = await PitchingEvent.get_or_none(
            pk=decode_id(args.event_id, "PitchingEvent", field="eventId")
        )
        if event is None or event.community_id != community.pk:
            raise NotFound("No pitching event of this community has that eventId.", field="eventId")
        event_id = event.pk
    project_ids = sorted({decode_id(p, "Project", field="projectIds") for p in args.project_ids})
    if project_ids:
        found = (
            await Project.filter(pk__in=project_ids, community_id=community.pk)
            .exclude(status=ProjectStatus.DRAFT)  # a draft is its author's alone
            .count()
        )
        if found != len(project_ids):
            raise NotFound(
                "Every projectIds entry must be a project of this community.", field="projectIds"
            )
    return event_id, project_ids


async def open_pool(viewer: Actor | None, args: PoolArgs) -> MatchPool:
    """Open a pool: the funder's first contribution is its total."""
    now = datetime.now(UTC)
    checked = check_pool(args, now)
    community = await _community(args.community_id)
    funder = await _funder(viewer, args.acting_for)
    event_id, project_ids = await _restrictions(args, community)
    person = require_signed_in(viewer)
    async with in_transaction():
        pool = await MatchPool.create(
            community_id=community.pk,
            funder_id=funder.pk,
            opened_by_id=person.pk,
            event_id=event_id,
            title=checked.title,
            currency=args.total.currency,
            ratio_funds=checked.ratio[0],
            ratio_per=checked.ratio[1],
            sectors=sorted(set(args.sectors)),
            min_backers=args.min_backers,
            opens_at=checked.opens_at,
            closes_at=checked.closes_at,
            total_minor=checked.total_minor,
            cap_per_pledge_minor=checked.caps.pledge,
            cap_per_backer_per_project_minor=checked.caps.backer_per_project,
            cap_per_backer_minor=checked.caps.backer,
            cap_per_project_minor=checked.caps.project,
        )
        await MatchContribution.create(
            pool_id=pool.pk,
            funder_id=funder.pk,
            made_by_id=person.pk,
            amount_minor=checked.total_minor,
        )
        await MatchPoolProject.bulk_create(
            [MatchPoolProject(pool_id=pool.pk, project_id=project_id) for project_id in project_ids]
        )
        await record_activity(
            verb="matchPool.opened",
            subject=pool,
            actor=funder,
            performed_by=person,
            community_id=community.pk,
            details={
                "totalMinor": checked.total_minor,
                "currency": str(pool.currency),
                "ratio": args.ratio,
            },
        )
    return pool


async def _pool(pool_id: str) -> MatchPool:
    pool = await MatchPool.get_or_none(pk=decode_id(pool_id, "MatchPool", field="poolId"))
    if pool is None:
        raise NotFound("No match pool has the ID given in poolId.", field="poolId")
    return pool


def _closed(pool: MatchPool, now: datetime) -> bool:
    return pool.closed_at is not None or (pool.closes_at is not None and pool.closes_at <= now)


def is_open(pool: MatchPool, now: datetime) -> bool:
    """True while the pool matches confirmations (opened, not closed, not past its end)."""
    return pool.opens_at <= now and not _closed(pool, now)


async def top_up_pool(
    viewer: Actor | None, *, pool_id: str, acting_for: str | None, amount: MoneyArgs
) -> MatchPool:
    """Another contribution to an open pool, by any organization (through an admin)."""
    checker = Checker()
    parsed = checker.positive_decimal("amount.amount", amount.amount)
    checker.raise_if_any()
    assert parsed is not None
    pool = await _pool(pool_id)
    if amount.currency.value != pool.currency:
        raise Conflict(
            f"The pool is in {pool.currency}.",
            field="amount.currency",
            code=ErrorCode.CURRENCY_MISMATCH,
        )
    funder = await _funder(viewer, acting_for)
    person = require_signed_in(viewer)
    minor = to_minor_units(parsed)
    now = datetime.now(UTC)
    async with in_transaction():
        locked = await MatchPool.filter(pk=pool.pk).select_for_update().get()
        if _closed(locked, now):
            raise Conflict("The pool is closed.", field="poolId", code=ErrorCode.POOL_CLOSED)
        await MatchContribution.create(
            pool_id=pool.pk, funder_id=funder.pk, made_by_id=person.pk, amount_minor=minor
        )
        await MatchPool.filter(pk=pool.pk).update(total_minor=locked.total_minor + minor)
        await record_activity(
            verb="matchPool.toppedUp",
            subject=pool,
            actor=funder,
            performed_by=person,
            community_id=pool.community_id,
            details={"amountMinor": minor, "currency": str(pool.currency)},
        )
    await pool.refresh_from_db()
    return pool


async def close_pool(viewer: Actor | None, *, pool_id: str) -> MatchPool:
    """Close a pool early (an admin of its funder): what is unspent stays with each funder."""
    person = require_signed_in(viewer)
    pool = await _pool(pool_id)
    if not await acts_as_admin_of(person, pool.funder_id):
        raise PermissionDenied(
            "Only admins of the pool's funder may close it.",
            field="poolId",
            code=ErrorCode.ADMIN_REQUIRED,
        )
    now = datetime.now(UTC)
    async with in_transaction():
        locked = await MatchPool.filter(pk=pool.pk).select_for_update().get()
        if locked.closed_at is not None:
            raise Conflict(
                "The pool is closed already.", field="poolId", code=ErrorCode.POOL_CLOSED
            )
        await MatchPool.filter(pk=pool.pk).update(closed_at=now)
        await record_activity(
            verb="matchPool.closed",
            subject=pool,
            actor=pool.funder_id,
            performed_by=person,
            community_id=pool.community_id,
            details={"unspentMinor": locked.total_minor - locked.matched_minor},
        )
    await pool.refresh_from_db()
    return pool


async def pools_page(community_id: str, page: PageArgs) -> Page[MatchPool]:
    community = await _community(community_id)
    return await page_of_query(MatchPool.filter(community_id=community.pk).order_by("-id"), page)


async def ledger_page(pool_id: int, page: PageArgs) -> Page[Match]:
    return await page_of_query(Match.filter(pool_id=pool_id).order_by("id"), page)


async def matched_by_project(pool_id: int) -> list[tuple[int, int]]:
    """(project id, matched minor units) for every project the pool matches now."""
    rows = (
        await Match.filter(pool_id=pool_id, active_pledge_id__isnull=False)
        .annotate(total=Sum("amount_minor"))
        .group_by("project_id")
        .values("project_id", "total")
    )
    return sorted((int(r["project_id"]), int(r["total"] or 0)) for r in rows)


@dataclass(frozen=True)
class ProjectPool:
    pool: MatchPool
    matched_minor: int
    matchable_minor: int


async def pools_for_project(project: Project, now: datetime) -> list[ProjectPool]:
    """The pools that match a project or have matched it, with what each may still add."""
    pools = list(await MatchPool.filter(community_id=project.community_id).order_by("id"))
    scope = await pool_scope(project.pk, pools)
    matched = {
        int(r["pool_id"]): int(r["total"] or 0)
        for r in await Match.filter(project_id=project.pk, active_pledge_id__isnull=False)
        .annotate(total=Sum("amount_minor"))
        .group_by("pool_id")
        .values("pool_id", "total")
    }
    result = []
    for pool in pools:
        applies = scope.applies(pool)
        if not applies and pool.pk not in matched:
            continue
        done = matched.get(pool.pk, 0)
        matchable = 0
        if applies and not _closed(pool, now):
            matchable = pool.total_minor - pool.matched_minor
            if pool.cap_per_project_minor is not None:
                matchable = min(matchable, pool.cap_per_project_minor - done)
        result.append(ProjectPool(pool, done, max(0, matchable)))
    return result


async def restricted_project_ids(pool_id: int) -> list[int]:
    rows = MatchPoolProject.filter(pool_id=pool_id).order_by("project_id")
    return sorted(await id_set(rows.values_list("project_id", flat=True)))


async def contributions_of(pool_id: int) -> list[MatchContribution]:
    return list(await MatchContribution.filter(pool_id=pool_id).order_by("id"))


async def shares_of(match_ids: list[int]) -> dict[int, list[tuple[int, int]]]:
    """Per match: (funder id, minor units) of each contribution's part, in one query."""
    result: dict[int, list[tuple[int, int]]] = {}
    if not match_ids:
        return result
    rows = (
        await MatchShare.filter(match_id__in=match_ids)
        .order_by("id")
        .values("match_id", "contribution__funder_id", "amount_minor")
    )
    for row in rows:
        result.setdefault(int(row["match_id"]), []).append(
            (int(row["contribution__funder_id"]), int(row["amount_minor"]))
        )
    return result
