"""Confirmations per second against one hot match pool, through the served hub on PostgreSQL.

    .venv/bin/python -m bench.match_confirmations [--rates 200,300] [--duration 10] [--workers 2]

Issue 12's figure: ``confirmPledge`` of MONEY pledges, all matched by ONE open pool of the
community, so every confirmation takes the pool's row lock (after its project's) and they
queue on it. Starts (or takes from DATABASE_URL / BROADCAST_URL) PostgreSQL and Redis
(``bench/services.py``), makes a scratch database on that server (``bench/pg_scratch.py``),
migrates it, and serves it with ``si-hub serve --workers N --no-access-log`` (rate limits on,
in Redis as in production, unless ``--no-rate-limits``).

The cast, seeded directly: an NGO with ``--admins`` admins (the people who confirm; each
request signs in as a random one, so no one person's cost bucket is the limit), a council and
a business that fund the pools, ``--backers`` people. Each measured run has a scene of its
own: a community, ``--projects`` projects led by the NGO (budgets too large to cap a match),
one 1:1 pool funded by the two funders with ``--funded`` of what the run's pledges add up to
(so it runs dry part-way and the "pool empty" path is measured too: such a confirmation still
locks the pool and records a zero match), and rate x duration pledges of 50-500 UAH from the
backers, confirmed in a random order. A warm-up scene is driven first on each server.

Open loop: confirmation n is sent at n/rate s after the start, each on its own task, over
keep-alive HTTP/1.1 connections (``bench/http_client.py``: httpx costs ~1 ms of the driver's
CPU per request, too much beside the hub on a small machine), up to ``--connections`` per
admin; its latency runs from the moment it was due to its whole answer (waiting for a free
connection counts). While a run lasts, PostgreSQL's sessions on the database are sampled
(waiting for a lock, running a statement, idle inside a transaction: holding its locks while
the app's Python runs). After it, the ledger is checked from the database: the pool never
overdrawn, its running total equal to its live matches, no pledge matched twice, each
contribution's drawn total equal to its shares, and what the answers said matched equal to
what the ledger holds (a request the driver gave up on, 30 s after the last send, may still
commit: the ledger is read once the server is quiet, in one snapshot). The gap between
consecutive matches' ``created_at`` (taken under the pool's lock) is how long the lock turned
over once the queue was long. CPU of the app processes, the driver and PostgreSQL's
processes over the run, and how busy the whole machine was (other people's work included).
When the PostgreSQL server preloads ``pg_stat_statements`` (a DATABASE_URL of such a
server; ``scripts/services.sh`` does not), each run also prints its top statements by time.

``--pool-per-project`` is the contrast: the same load with a pool restricted to each project,
so no lock is shared between projects and what remains is the CPU of a confirmation.

Then, in this process through ASGI (no HTTP, no Redis, no rate limits), ``--profile``
confirmations one at a time with tortoise's query log and the transaction's end timed: the
SQL statements one confirmation sends, and how long the project's and the pool's locks are
held with no contention at all (the floor of the lock's turnover); and as many again under
cProfile, their CPU by package.
"""

import argparse
import asyncio
import contextlib
import cProfile
import itertools
import json
import logging
import math
import os
import pstats
import random
import re
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from unittest import mock

import asyncpg  # type: ignore[import-untyped]
import httpx
import uvloop
from tortoise.transactions import in_transaction

from bench.feed_query import has_statement_statistics, machine_line
from bench.http_client import HttpError, LeanHttpPool
from bench.live_load import free_port, server_pids, start_server, stop_process
from bench.live_load import wait_healthy as wait_started
from bench.pg_scratch import say, scratch_database
from bench.procstats import CpuWindow
from bench.services import REPO, database_and_broadcast
from models import (
    Actor,
    ActorKind,
    Community,
    MatchContribution,
    MatchPool,
    MatchPoolProject,
    Membership,
    MembershipRole,
    Pledge,
    PledgeKind,
    Project,
    Sector,
)
from resolvers import pledge_status
from resolvers.ids import to_global_id
from tests.factories import make_community, make_organization, make_person, make_project, token_for
from web.app import create_app
from web.database import apply_migrations, open_database
from web.settings import Settings

BIN = Path(sys.executable).parent
TARGET_RATE = 200.0
TARGET_P99_MS = 100.0
MAX_EXTRA_SECONDS = 30.0  # what is unanswered this long after the last send is cancelled
SAMPLE_SECONDS = 0.02  # PostgreSQL's sessions are sampled this often during a run
BUDGET_MINOR = 10**12  # projects ask for more than any run confirms: the need never caps
AMOUNTS_UAH = (50, 100, 100, 200, 250, 500)
COUNCIL_SHARE = Decimal("0.75")  # of the pool; the business puts in the rest
CONFIRM = """
mutation Confirm($input: ConfirmPledgeInput!) {
  confirmPledge(input: $input) {
    __typename
    ... on PledgeMoveSuccess { pledge { status } matched { amount { amount } rule } }
    ... on Error { code message }
  }
}"""
TOP_STATEMENTS = """
SELECT calls, total_exec_time AS total_ms, mean_exec_time AS mean_ms, query
FROM pg_stat_statements
WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
  AND query NOT LIKE '%pg_stat%'
ORDER BY total_exec_time DESC LIMIT 12
"""
SESSIONS = """
SELECT count(*) FILTER (WHERE wait_event_type = 'Lock') AS waiting,
       count(*) FILTER (WHERE state = 'active' AND wait_event_type IS DISTINCT FROM 'Lock')
         AS running,
       count(*) FILTER (WHERE state = 'idle in transaction') AS idle_in_transaction
FROM pg_stat_activity
WHERE datname = current_database() AND pid <> pg_backend_pid()
"""


# --- the cast and the scenes -------------------------------------------------------------


@dataclass(frozen=True)
class Cast:
    ngo: Actor
    council: Actor
    council_admin: Actor
    business: Actor
    business_admin: Actor
    tokens: list[str]  # one per admin of the NGO
    backers: list[int]


async def seed_cast(admins: int, backers: int) -> Cast:
    people = [await make_person() for _ in range(admins)]
    ngo = await make_organization(Sector.NONPROFIT, admin=people[0])
    await Membership.bulk_create(
        [Membership(organization=ngo, person=p, role=MembershipRole.ADMIN) for p in people[1:]]
    )
    council_admin, business_admin = await make_person(), await make_person()
    council = await make_organization(Sector.PUBLIC, admin=council_admin)
    business = await make_organization(Sector.BUSINESS, admin=business_admin)
    await Actor.bulk_create(
        [
            Actor(kind=ActorKind.PERSON, display_name=f"Backer {n}", email=f"b{n}@example.org")
            for n in range(backers)
        ]
    )
    backer_ids = await Actor.filter(display_name__startswith="Backer ").values_list("id", flat=True)
    return Cast(
        ngo,
        council,
        council_admin,
        business,
        business_admin,
        [await token_for(person) for person in people],
        [int(str(pk)) for pk in backer_ids],
    )


@dataclass(frozen=True)
class Scene:
    pool_ids: list[int]  # one; or one per project with --pool-per-project
    pledge_ids: list[int]  # in the order they are confirmed
    amounts: list[int]  # minor units, in that order

    def bodies(self) -> list[bytes]:
        return [
            json.dumps(
                {"query": CONFIRM, "variables": {"input": {"pledgeId": to_global_id("Pledge", pk)}}}
            ).encode()
            for pk in self.pledge_ids
        ]


async def seed_scene(
    cast: Cast,
    *,
    projects: int,
    pledges: int,
    funded: float,
    caps: bool,
    rng: random.Random,
    per_project: bool = False,
) -> Scene:
    """A community with its projects, one open 1:1 pool and ``pledges`` MONEY pledges
    (``per_project``: a pool restricted to each project instead, each funded with its share:
    no lock shared between projects, the contrast to the hot pool)."""
    community = await make_community()
    rows = [await make_project(community, cast.ngo, []) for _ in range(projects)]
    project_ids = [row.pk for row in rows]
    await Project.filter(pk__in=project_ids).update(requested_budget_minor=BUDGET_MINOR)
    amounts = [rng.choice(AMOUNTS_UAH) * 100 for _ in range(pledges)]
    placed = [(rng.choice(project_ids), rng.choice(cast.backers)) for _ in range(pledges)]
    await Pledge.bulk_create(
        [
            Pledge(
                project_id=project,
                backer_id=backer,
                made_by_id=backer,
                kind=PledgeKind.MONEY,
                amount_minor=amount,
                currency="UAH",
            )
            for (project, backer), amount in zip(placed, amounts, strict=True)
        ],
        batch_size=1000,
    )
    made = await Pledge.filter(project_id__in=project_ids).values_list(
        "id", "amount_minor", "project_id"
    )
    order = [(int(pk), int(amount)) for pk, amount, _ in made]
    rng.shuffle(order)
    pool_ids = []
    for restricted in project_ids if per_project else [None]:
        pledged = sum(int(amount) for _, amount, project in made if restricted in (None, project))
        pool = await open_pool(cast, community, int(funded * pledged), caps)
        if restricted is not None:
            await MatchPoolProject.create(pool=pool, project_id=restricted)
        pool_ids.append(pool.pk)
    return Scene(pool_ids, [pk for pk, _ in order], [amount for _, amount in order])


async def open_pool(cast: Cast, community: Community, total: int, caps: bool) -> MatchPool:
    """A 1:1 pool holding ``total``: three quarters from the council, the rest from the
    business."""
    cap = total if caps else None  # caps that never bind, but are computed under the lock
    pool = await MatchPool.create(
        community=community,
        funder=cast.council,
        opened_by=cast.council_admin,
        title="Council co-financing",
        currency="UAH",
        ratio_funds=1,
        ratio_per=1,
        cap_per_project_minor=cap,
        cap_per_backer_minor=cap,
        opens_at=datetime.now(UTC) - timedelta(minutes=1),
        total_minor=total,
    )
    council_part = int(COUNCIL_SHARE * total)
    for funder, admin, amount in (
        (cast.council, cast.council_admin, council_part),
        (cast.business, cast.business_admin, total - council_part),
    ):
        await MatchContribution.create(pool=pool, funder=funder, made_by=admin, amount_minor=amount)
    return pool


# --- the load ----------------------------------------------------------------------------


class SignedInPool(LeanHttpPool):
    """The lean keep-alive pool, every request signed in with one person's bearer token."""

    def __init__(self, host: str, port: int, size: int, token: str) -> None:
        super().__init__(host, port, size)
        self.authorization = f"\r\nAuthorization: Bearer {token}".encode()

    def request(self, path: str, body: bytes) -> bytes:
        request_line, rest = super().request(path, body).split(b"\r\n", 1)
        return request_line + self.authorization + b"\r\n" + rest


def minor(amount: object) -> int:
    return int(Decimal(str(amount)) * 100)


@dataclass
class Answer:
    due: float  # seconds after the start
    latency_ms: float
    outcome: str  # "matched", "pool empty", an error code, or what failed
    matched_minor: int = 0
    available: float | None = None  # the caller's cost bucket after this request


def classify(payload: dict[str, Any]) -> tuple[str, int]:
    result = (payload.get("data") or {}).get("confirmPledge")
    if result is None:
        errors = payload.get("errors") or [{}]
        return str(errors[0].get("extensions", {}).get("code", "GraphQL error")), 0
    if result["__typename"] != "PledgeMoveSuccess":
        return str(result.get("code", result["__typename"])), 0
    matched = sum(minor(match["amount"]["amount"]) for match in result["matched"])
    return ("matched" if matched else "pool empty"), matched


@dataclass
class Sessions:
    """PostgreSQL's sessions on the database, sampled while a run lasts."""

    waiting: list[int] = field(default_factory=list)
    running: list[int] = field(default_factory=list)
    idle_in_transaction: list[int] = field(default_factory=list)

    async def sample(self, db: Any) -> None:
        while True:
            row = await db.fetchrow(SESSIONS)
            self.waiting.append(int(row["waiting"]))
            self.running.append(int(row["running"]))
            self.idle_in_transaction.append(int(row["idle_in_transaction"]))
            await asyncio.sleep(SAMPLE_SECONDS)

    def line(self) -> str:
        def shown(values: list[int]) -> str:
            return f"{statistics.fmean(values):.1f} (max {max(values)})" if values else "-"

        return (
            f"waiting for a lock {shown(self.waiting)}, running a statement "
            f"{shown(self.running)}, idle in a transaction {shown(self.idle_in_transaction)}"
        )


async def drive(
    pools: list[SignedInPool], bodies: list[bytes], rate: float, rng: random.Random
) -> tuple[list[Answer], float]:
    """Send ``bodies`` in order at ``rate``/s, each as a random admin; the answers and the
    window from the start to the last answer."""
    who = [rng.randrange(len(pools)) for _ in bodies]
    answers: list[Answer] = []
    start = time.perf_counter()

    async def one(number: int) -> None:
        due = start + number / rate
        try:
            raw = await pools[who[number]].post("/graphql", bodies[number])
            payload = json.loads(raw)
            outcome, matched = classify(payload)
            status = payload.get("extensions", {}).get("cost", {}).get("throttleStatus")
            available = float(status["currentlyAvailable"]) if status else None
        except HttpError as error:  # a 429 (throttled) among them
            outcome, matched, available = str(error).split(":", 1)[0], 0, None
        except Exception as error:  # counted and shown, the run goes on
            outcome, matched, available = type(error).__name__, 0, None
        answers.append(
            Answer(due - start, (time.perf_counter() - due) * 1000, outcome, matched, available)
        )

    tasks: list[asyncio.Task[None]] = []
    for number in range(len(bodies)):
        await asyncio.sleep(max(0.0, start + number / rate - time.perf_counter()))
        tasks.append(asyncio.create_task(one(number)))
    _, late = await asyncio.wait(tasks, timeout=MAX_EXTRA_SECONDS) if tasks else (set(), set())
    for task in late:
        task.cancel()
    answers += [Answer(math.nan, math.inf, "unanswered") for _ in late]
    return answers, time.perf_counter() - start


# --- the ledger after a run --------------------------------------------------------------


@dataclass
class Ledger:
    total_minor: int
    matched_minor: int
    overdrawn_pools: int
    unequal_pools: int  # whose running total is not the sum of their live matches
    live_sum: int
    matches: int
    pledges_matched: int
    pledges_matched_twice: int
    confirmed: int
    contributions_ok: bool
    shares_ok: bool
    gaps_ms: list[float]
    span_s: float  # from the first match to the last

    @property
    def per_second(self) -> float:
        """Matches made per second, first to last: what the pool's lock let through."""
        return (self.matches - 1) / self.span_s if self.span_s > 0 else math.nan

    def problems(self, answers: list[Answer]) -> list[str]:
        ok = sum(a.outcome in ("matched", "pool empty") for a in answers)
        unknown = sum(a.outcome not in ("matched", "pool empty") for a in answers)
        answered = sum(a.matched_minor for a in answers)
        found = []
        if self.overdrawn_pools or self.matched_minor > self.total_minor:
            found.append(f"OVERDRAWN: {self.overdrawn_pools} pools")
        if self.unequal_pools or self.live_sum != self.matched_minor:
            found.append(f"{self.unequal_pools} pools' totals are not their live matches")
        if self.pledges_matched_twice or self.pledges_matched != self.matches:
            found.append(f"{self.pledges_matched_twice} pledges matched twice")
        if self.matches != self.confirmed:
            found.append(f"{self.matches} matches for {self.confirmed} confirmed pledges")
        if not ok <= self.confirmed <= ok + unknown:
            found.append(f"{self.confirmed} confirmed, {ok} answered ok, {unknown} unknown")
        if not unknown and answered != self.matched_minor:
            found.append(f"answers say {answered} matched, the ledger {self.matched_minor}")
        if not self.contributions_ok:
            found.append("a contribution's drawn total is not its shares (or over its amount)")
        if not self.shares_ok:
            found.append("a match's shares do not add up to it")
        return found


async def settle(db: Any, limit: float = 90.0) -> float:
    """Wait until no session of the hub is busy on the database (requests the driver gave
    up on still run to their end on the server); the seconds it took."""
    started = time.perf_counter()
    while time.perf_counter() - started < limit:
        row = await db.fetchrow(SESSIONS)
        if not (row["waiting"] or row["running"] or row["idle_in_transaction"]):
            break
        await asyncio.sleep(0.1)
    return time.perf_counter() - started


async def read_ledger(db: Any, scene: Scene) -> Ledger:
    """The pool's ledger, read as of one moment."""
    async with db.transaction(isolation="repeatable_read", readonly=True):
        return await _read_ledger(db, scene)


async def _read_ledger(db: Any, scene: Scene) -> Ledger:
    pools = await db.fetch(
        "SELECT p.total_minor, p.matched_minor, coalesce(sum(m.amount_minor)"
        " FILTER (WHERE m.active_pledge_id IS NOT NULL), 0) AS live"
        " FROM match_pool p LEFT JOIN match m ON m.pool_id = p.id"
        " WHERE p.id = ANY($1::int[]) GROUP BY p.id",
        scene.pool_ids,
    )
    live = await db.fetchrow(
        "SELECT coalesce(sum(amount_minor), 0) AS total, count(*) AS matches,"
        " count(DISTINCT pledge_id) AS pledges FROM match"
        " WHERE pool_id = ANY($1::int[]) AND active_pledge_id IS NOT NULL",
        scene.pool_ids,
    )
    twice = await db.fetchval(
        "SELECT count(*) FROM (SELECT pledge_id FROM match WHERE pool_id = ANY($1::int[])"
        " GROUP BY pledge_id HAVING count(*) > 1) AS twice",
        scene.pool_ids,
    )
    confirmed = await db.fetchval(
        "SELECT count(*) FROM pledge WHERE id = ANY($1::int[]) AND status = 'CONFIRMED'",
        scene.pledge_ids,
    )
    contributions = await db.fetch(
        "SELECT c.amount_minor, c.drawn_minor, coalesce(sum(s.amount_minor), 0) AS shares"
        " FROM match_contribution c LEFT JOIN match_share s ON s.contribution_id = c.id"
        " WHERE c.pool_id = ANY($1::int[]) GROUP BY c.id",
        scene.pool_ids,
    )
    unequal = await db.fetchval(
        "SELECT count(*) FROM match m LEFT JOIN (SELECT match_id, sum(amount_minor) AS total"
        " FROM match_share GROUP BY match_id) s ON s.match_id = m.id"
        " WHERE m.pool_id = ANY($1::int[]) AND m.amount_minor <> coalesce(s.total, 0)",
        scene.pool_ids,
    )
    made = [
        row["created_at"]
        for row in await db.fetch(
            "SELECT created_at FROM match WHERE pool_id = ANY($1::int[]) ORDER BY id",
            scene.pool_ids,
        )
    ]
    return Ledger(
        total_minor=sum(int(row["total_minor"]) for row in pools),
        matched_minor=sum(int(row["matched_minor"]) for row in pools),
        overdrawn_pools=sum(row["matched_minor"] > row["total_minor"] for row in pools),
        unequal_pools=sum(row["matched_minor"] != row["live"] for row in pools),
        live_sum=int(live["total"]),
        matches=int(live["matches"]),
        pledges_matched=int(live["pledges"]),
        pledges_matched_twice=int(twice),
        confirmed=int(confirmed),
        contributions_ok=all(
            row["drawn_minor"] == row["shares"] <= row["amount_minor"] for row in contributions
        ),
        shares_ok=unequal == 0,
        gaps_ms=[(b - a).total_seconds() * 1000 for a, b in itertools.pairwise(made)],
        span_s=(made[-1] - made[0]).total_seconds() if made else 0.0,
    )


# --- one run and its figures -------------------------------------------------------------


def percentile(values: list[float], point: float) -> float:
    """Nearest rank (``bench/closed_loop.py``'s p99)."""
    if not values:
        return math.nan
    ordered = sorted(values)
    return ordered[max(0, math.ceil(point * len(ordered)) - 1)]


def ms(value: float) -> str:
    """A latency; infinite: not answered at all."""
    return "-" if math.isnan(value) else "unanswered" if math.isinf(value) else f"{value:.0f}"


def spread(values: list[float]) -> str:
    if not values:
        return "-"
    return " / ".join(ms(percentile(values, point)) for point in (0.5, 0.95, 0.99, 1.0))


@dataclass
class Run:
    workers: int
    rate: float
    answers: list[Answer]
    seconds: float
    window: CpuWindow
    sessions: Sessions
    ledger: Ledger
    settled_s: float
    postgres: list[str]  # names of PostgreSQL's processes in the CPU window
    statements: list[Any]  # pg_stat_statements' top statements, when the server keeps them

    @property
    def successes(self) -> int:
        return sum(a.outcome in ("matched", "pool empty") for a in self.answers)

    @property
    def achieved(self) -> float:
        return self.successes / self.seconds

    def latencies(self, *outcomes: str) -> list[float]:
        return [a.latency_ms for a in self.answers if not outcomes or a.outcome in outcomes]

    @property
    def p99(self) -> float:
        return percentile(self.latencies(), 0.99)

    @property
    def errors(self) -> Counter[str]:
        return Counter(
            a.outcome for a in self.answers if a.outcome not in ("matched", "pool empty")
        )

    def dry_at(self) -> str:
        """When the pool first gave less than 1:1: the confirmation's due time."""
        by_due = sorted(
            (a for a in self.answers if a.outcome in ("matched", "pool empty")),
            key=lambda a: a.due,
        )
        short = [a for a in by_due if a.outcome == "pool empty"]
        if not short:
            return "never"
        return f"{short[0].due:.1f} s"

    def cpu_percent(self, *names: str) -> float:
        return 100 * sum(self.window.used.get(name, 0.0) for name in names) / self.seconds

    def cpu_line(self) -> str:
        apps = [name for name in self.window.used if name.startswith("app")]
        ours = self.cpu_percent(*apps, "driver", *self.postgres)
        machine = 100 * self.window.machine_used / self.seconds
        return (
            f"{' + '.join(f'{self.cpu_percent(app):.0f}' for app in apps)} (app processes, "
            f"peak RSS {max(self.window.peak_mib.get(app, 0.0) for app in apps):.0f} MiB), "
            f"driver {self.cpu_percent('driver'):.0f}, PostgreSQL "
            f"{self.cpu_percent(*self.postgres):.0f}; machine busy {machine:.0f} of "
            f"{100 * (os.cpu_count() or 1)}, not ours (Redis, others) {max(0, machine - ours):.0f}"
        )

    def met(self) -> bool:
        return (
            self.achieved >= 0.98 * self.rate
            and self.p99 <= TARGET_P99_MS
            and not self.errors
            and not self.ledger.problems(self.answers)
        )


async def measured_run(
    args: argparse.Namespace,
    cast: Cast,
    db: Any,
    port: int,
    pids: dict[str, int],
    workers: int,
    rate: float,
    seconds: float,
    rng: random.Random,
) -> Run:
    scene = await seed_scene(
        cast,
        projects=args.projects,
        pledges=max(1, round(rate * seconds)),
        funded=args.funded,
        caps=args.caps,
        rng=rng,
        per_project=args.pool_per_project,
    )
    pools = [SignedInPool("127.0.0.1", port, args.connections, token) for token in cast.tokens]
    bodies = scene.bodies()
    await asyncio.sleep(1.0)  # the seeding's writes settle
    # every process of the PostgreSQL server (the hub's pooled connections are open after
    # the warm-up), but the postmaster's: pg_stat_activity does not list it
    backends = [int(r["pid"]) for r in await db.fetch("SELECT pid FROM pg_stat_activity")]
    postgres = {f"pg{pid}": pid for pid in backends}
    statistics_kept = args.statistics and await has_statement_statistics(db)
    if statistics_kept:
        await db.execute("SELECT pg_stat_statements_reset()")
    sessions = Sessions()
    sampler = asyncio.create_task(sessions.sample(db))  # the only user of db until the end
    window = CpuWindow({**pids, "driver": os.getpid(), **postgres})
    window.start()
    try:
        answers, elapsed = await drive(pools, bodies, rate, rng)
    finally:
        window.stop()
        sampler.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await sampler
        for pool in pools:
            await pool.close()
    settled = await settle(db)
    top = list(await db.fetch(TOP_STATEMENTS)) if statistics_kept else []
    ledger = await read_ledger(db, scene)
    return Run(
        workers, rate, answers, elapsed, window, sessions, ledger, settled, list(postgres), top
    )


def report_run(run: Run) -> None:
    errors = dict(run.errors)
    problems = run.ledger.problems(run.answers)
    gaps = run.ledger.gaps_ms
    available = [a.available for a in run.answers if a.available is not None]
    say(
        f"  {run.workers} worker(s), {run.rate:.0f}/s asked: {run.successes} of "
        f"{len(run.answers)} ok in {run.seconds:.1f} s = {run.achieved:.1f}/s; latency "
        f"p50/p95/p99/max {spread(run.latencies())} ms (matched {spread(run.latencies('matched'))}"
        f"; pool empty {spread(run.latencies('pool empty'))}); errors {errors or 0}"
    )
    say(
        f"    pool ran dry at {run.dry_at()}; ledger: "
        f"{'ok' if not problems else '; '.join(problems)} (matched "
        f"{run.ledger.matched_minor / 100:,.2f} of {run.ledger.total_minor / 100:,.2f} UAH, "
        f"{run.ledger.matches} matches, {run.ledger.confirmed} confirmed)"
    )
    say(
        f"    gap between consecutive matches (the pool lock's turnover): median "
        f"{percentile(gaps, 0.5):.1f} ms, p90 {percentile(gaps, 0.9):.1f} ms "
        f"(1000 / rate = {1000 / run.rate:.1f} ms)"
    )
    say(f"    PostgreSQL sessions (mean of samples): {run.sessions.line()}")
    say(f"    the server went quiet {run.settled_s:.1f} s after the last answer or cut-off")
    if available:
        say(f"    least left in an admin's cost bucket: {min(available):,.0f} points")
    say(f"    CPU, % of one core: {run.cpu_line()}")
    if run.statements:
        say("    pg_stat_statements, the run's top statements by time in PostgreSQL:")
        for row in run.statements:
            say(
                f"      {row['calls']:6} calls {row['total_ms']:8.0f} ms (mean "
                f"{row['mean_ms']:.2f}) {brief(' '.join(row['query'].split()))[:90]}"
            )


def report_table(runs: list[Run]) -> None:
    say()
    say(
        "| workers | asked/s | ok / sent | achieved/s | p50 ms | p95 ms | p99 ms | max ms "
        "| p99 matched / pool empty | errors | pool dry at | ledger | matches/s (first to last) "
        "| CPU % app / PostgreSQL | machine busy % |"
    )
    say("|---:|---:|---|---:|---:|---:|---:|---:|---|---|---:|---|---:|---|---:|")
    for run in runs:
        lat = run.latencies()
        app = " + ".join(
            f"{100 * used / run.seconds:.0f}"
            for name, used in run.window.used.items()
            if name.startswith("app")
        )
        machine = 100 * run.window.machine_used / run.seconds / (os.cpu_count() or 1)
        errors = ", ".join(f"{k} {v}" for k, v in run.errors.items()) or "0"
        problems = run.ledger.problems(run.answers)
        say(
            f"| {run.workers} | {run.rate:.0f} | {run.successes} / {len(run.answers)} "
            f"| {run.achieved:.1f} | {ms(percentile(lat, 0.5))} | {ms(percentile(lat, 0.95))} "
            f"| {ms(percentile(lat, 0.99))} | {ms(percentile(lat, 1.0))} "
            f"| {ms(percentile(run.latencies('matched'), 0.99))} / "
            f"{ms(percentile(run.latencies('pool empty'), 0.99))} | {errors} | {run.dry_at()} "
            f"| {'ok' if not problems else 'PROBLEMS'} | {run.ledger.per_second:.1f} "
            f"| {app} / {run.cpu_percent(*run.postgres):.0f} | {machine:.0f} |"
        )
    say()


# --- serving -----------------------------------------------------------------------------


@contextlib.asynccontextmanager
async def served(
    database: str, broadcast: str, workers: int, rate_limits: bool, logs: Path
) -> AsyncIterator[tuple[int, dict[str, int]]]:
    env = {
        **os.environ,
        "DATABASE_URL": database,
        "BROADCAST_URL": broadcast,
        "GRAPHIQL": "0",
        "RATE_LIMITS": "1" if rate_limits else "0",
        "PYTHONHASHSEED": "0",
    }
    port = free_port()
    command = [
        *(str(BIN / "si-hub"), "serve", "--port", str(port), "--workers", str(workers)),
        "--no-access-log",
    ]
    log = logs / f"hub-{workers}-workers.log"
    process = start_server(command, env, log)
    try:
        await wait_started(f"http://127.0.0.1:{port}/healthz", process, log)
        yield port, server_pids(process, workers)
    finally:
        stop_process(process)


# --- one confirmation, in process --------------------------------------------------------


class TimedLog(logging.Handler):
    """Each statement tortoise sends, with when it was sent (perf_counter)."""

    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.records: list[tuple[float, logging.LogRecord]] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append((time.perf_counter(), record))


@contextlib.contextmanager
def timed_log() -> Iterator[TimedLog]:
    logger = logging.getLogger("tortoise.db_client")
    handler, level = TimedLog(), logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    try:
        yield handler
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)


SQL_VERBS = ("SELECT", "INSERT", "UPDATE", "DELETE", "WITH")


@dataclass
class Traced:
    outcome: str
    wall_ms: float
    cpu_ms: float
    statements: list[str]
    project_lock: int  # index of the project's FOR UPDATE
    pool_lock: int  # index of the pool's FOR UPDATE (-1: none)
    committed: int  # statements sent before the commit
    project_held_ms: float
    pool_held_ms: float


def trace(
    records: list[tuple[float, logging.LogRecord]], commits: list[float]
) -> tuple[list[str], int, int, int, float, float]:
    statements, times = [], []
    for when, record in records:
        text = record.getMessage().lstrip()
        if text.upper().startswith(SQL_VERBS):
            statements.append(" ".join(text.split()))
            times.append(when)

    def locking(table: str) -> int:
        return next(
            (
                n
                for n, text in enumerate(statements)
                if f'FROM "{table}"' in text and "FOR UPDATE" in text
            ),
            -1,
        )

    project, pool = locking("project"), locking("match_pool")
    commit = commits[-1] if commits else math.nan
    committed = sum(when < commit for when in times)
    project_held = (commit - times[project]) * 1000 if project >= 0 else math.nan
    pool_held = (commit - times[pool]) * 1000 if pool >= 0 else math.nan
    return statements, project, pool, committed, project_held, pool_held


def package_of(filename: str) -> str:
    """Who a profiled function belongs to: a site package, our code, or the standard library."""
    if "site-packages/" in filename:
        return filename.split("site-packages/", 1)[1].split("/", 1)[0].removesuffix(".py")
    if filename.startswith(str(REPO)):
        return "ours: " + Path(filename).relative_to(REPO).parts[0]
    if filename.startswith("~") or filename.startswith("<"):
        return "builtins"
    return "stdlib: " + Path(filename).parent.name


@dataclass
class InProcess:
    traced: list[Traced]
    cpu_by_package: Counter[str]  # seconds (tottime), over the profiled confirmations
    profiled: int


async def confirm_in_process(
    cast: Cast, database: str, args: argparse.Namespace, rng: random.Random
) -> InProcess:
    """``--profile`` confirmations one after another through ASGI, each traced, and as many
    under cProfile (alternating with the traced ones, so both see the pool with money and
    dry)."""
    count, warm = args.profile, 10
    # the pool holds enough for the warm-up and about half of the measured ones
    funded = (warm + count) / (warm + 2 * count)
    scene = await seed_scene(
        cast,
        projects=args.projects,
        pledges=warm + 2 * count,
        funded=funded,
        caps=args.caps,
        rng=rng,
        per_project=args.pool_per_project,
    )
    profiler = cProfile.Profile()
    app = create_app(Settings(database_url=database, broadcast_url="memory://", rate_limits=False))
    await app.state.broadcast.connect()
    commits: list[float] = []
    real = in_transaction

    @contextlib.asynccontextmanager
    async def timed_transaction(*given: Any, **named: Any) -> AsyncIterator[Any]:
        async with real(*given, **named) as connection:
            yield connection
        commits.append(time.perf_counter())

    traced: list[Traced] = []
    headers = {"content-type": "application/json", "authorization": f"Bearer {cast.tokens[0]}"}
    transport = httpx.ASGITransport(app=app)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://in-process") as http:
            bodies = scene.bodies()
            for body in bodies[:warm]:  # warm: prepared statements, caches, the document cache
                await http.post("/graphql", content=body, headers=headers)
            with mock.patch.object(pledge_status, "in_transaction", timed_transaction):
                for number, body in enumerate(bodies[warm:]):
                    if number % 2:
                        profiler.enable()
                        await http.post("/graphql", content=body, headers=headers)
                        profiler.disable()
                        continue
                    commits.clear()
                    with timed_log() as log:
                        started, cpu = time.perf_counter(), time.process_time()
                        response = await http.post("/graphql", content=body, headers=headers)
                        wall = (time.perf_counter() - started) * 1000
                        cpu_ms = (time.process_time() - cpu) * 1000
                    outcome, _ = classify(response.json())
                    statements, project, pool, committed, project_held, pool_held = trace(
                        log.records, commits
                    )
                    traced.append(
                        Traced(
                            outcome,
                            wall,
                            cpu_ms,
                            statements,
                            project,
                            pool,
                            committed,
                            project_held,
                            pool_held,
                        )
                    )
    finally:
        await app.state.broadcast.disconnect()
    by_package: Counter[str] = Counter()
    for (filename, _, _), row in pstats.Stats(profiler).stats.items():  # type: ignore[attr-defined]
        by_package[package_of(filename)] += row[2]  # tottime
    return InProcess(traced, by_package, count)


def brief(statement: str) -> str:
    """A logged statement without its values and long column lists."""
    text = statement.rsplit(": [", 1)[0]
    text = re.sub(r"^SELECT (.{40,}?) FROM ", "SELECT ... FROM ", text)
    text = re.sub(r"^INSERT INTO (\S+) \(.*?\) VALUES \(.*?\)", r"INSERT INTO \1 ...", text)
    return text[:130]


def report_in_process(found: InProcess) -> None:
    report_traced(found.traced)
    total = sum(found.cpu_by_package.values())
    say(
        f"cProfile of {found.profiled} more confirmations (the same path, interleaved): "
        f"{1000 * total / max(1, found.profiled):.1f} ms of profiled CPU each (the profiler "
        "inflates it), by package, own time (the in-process httpx client and ASGI transport "
        "are in it, not the HTTP server):"
    )
    say()
    say("| package | share | ms per confirmation |")
    say("|---|---:|---:|")
    for name, seconds in found.cpu_by_package.most_common(14):
        say(f"| {name} | {seconds / total:.0%} | {1000 * seconds / found.profiled:.2f} |")
    say()


def report_traced(traced: list[Traced]) -> None:
    say()
    say(
        f"One confirmation at a time, in process through ASGI ({len(traced)} traced after 10 "
        "warm-up ones; tortoise's query log, the transaction's end timed; no contention):"
    )
    say()
    say(
        "| outcome | n | SQL statements | of them under the pool's lock | wall ms (median) "
        "| CPU ms (median) | project lock held ms | pool lock held ms (median / p90) |"
    )
    say("|---|---:|---:|---:|---:|---:|---:|---:|")
    for outcome in ("matched", "pool empty"):
        rows = [t for t in traced if t.outcome == outcome]
        if not rows:
            continue
        counts = Counter(len(t.statements) for t in rows)
        under = Counter(t.committed - t.pool_lock for t in rows if t.pool_lock >= 0)
        say(
            f"| {outcome} | {len(rows)} | {'/'.join(str(c) for c in sorted(counts))} "
            f"| {'/'.join(str(c) for c in sorted(under))} "
            f"| {statistics.median(t.wall_ms for t in rows):.1f} "
            f"| {statistics.median(t.cpu_ms for t in rows):.1f} "
            f"| {statistics.median(t.project_held_ms for t in rows):.1f} "
            f"| {statistics.median(t.pool_held_ms for t in rows):.1f} / "
            f"{percentile([t.pool_held_ms for t in rows], 0.9):.1f} |"
        )
    say()
    sample = next((t for t in traced if t.outcome == "matched"), traced[0] if traced else None)
    if sample is None:
        return
    say("The statements of one matched confirmation, in order (+ BEGIN and COMMIT):")
    say()
    for number, text in enumerate(sample.statements):
        mark = (
            "project lock"
            if number == sample.project_lock
            else "pool lock"
            if number == sample.pool_lock
            else "after commit"
            if number >= sample.committed
            else ""
        )
        say(f"{number + 1:2}. {mark:12} {brief(text)}")
    say()


# --- the whole benchmark -----------------------------------------------------------------


async def run(args: argparse.Namespace) -> None:
    rng = random.Random(12)
    with (
        database_and_broadcast() as (server, broadcast),
        tempfile.TemporaryDirectory(prefix="match-confirmations-") as folder,
    ):
        logs = Path(args.log_dir or folder)
        os.makedirs(logs, exist_ok=True)
        async with scratch_database(server, "hub_match_bench") as database:
            await apply_migrations(database)
            db = await asyncpg.connect(database)
            try:
                say(f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC")
                say(machine_line(await db.fetchval("SHOW server_version")))
                say(
                    f"broadcast and rate limits: {broadcast} (rate limits "
                    f"{'on' if args.rate_limits else 'off: RATE_LIMITS=0'}); "
                    f"{args.admins} admins confirm, {args.projects} projects, "
                    f"pool funded with {args.funded:.0%} of each run's pledges, "
                    f"caps {'on (never binding)' if args.caps else 'none'}, "
                    f"{'a pool per project' if args.pool_per_project else 'ONE pool'}"
                )
                async with open_database(database):
                    started = time.perf_counter()
                    cast = await seed_cast(args.admins, args.backers)
                    say(f"cast seeded in {time.perf_counter() - started:.1f} s")
                    runs = await serve_and_drive(args, cast, db, database, broadcast, logs, rng)
                    report_table(runs)
                    if args.profile:
                        report_in_process(await confirm_in_process(cast, database, args, rng))
                report_target(runs)
                say(f"load average at the end: {os.getloadavg()[0]:.1f}")
            finally:
                await db.close()


async def serve_and_drive(
    args: argparse.Namespace,
    cast: Cast,
    db: Any,
    database: str,
    broadcast: str,
    logs: Path,
    rng: random.Random,
) -> list[Run]:
    runs: list[Run] = []
    for workers in args.workers:
        async with served(database, broadcast, workers, args.rate_limits, logs) as (port, pids):
            if args.warmup:
                warm = await measured_run(
                    args, cast, db, port, pids, workers, args.rates[0], args.warmup, rng
                )
                say(
                    f"  warm-up ({workers} worker(s), {args.warmup:g} s at {args.rates[0]:g}/s): "
                    f"{warm.successes} ok, errors {dict(warm.errors) or 0}"
                )
            for rate in args.rates:
                measured = await measured_run(
                    args, cast, db, port, pids, workers, rate, args.duration, rng
                )
                report_run(measured)
                runs.append(measured)
    return runs


def report_target(runs: list[Run]) -> None:
    at_target = [run for run in runs if run.rate >= TARGET_RATE]
    for run in at_target:
        say(
            f"- {run.workers} worker(s) at {run.rate:.0f}/s: achieved {run.achieved:.1f}/s, "
            f"p99 {ms(run.p99)} ms, errors {sum(run.errors.values())}, ledger "
            f"{'ok' if not run.ledger.problems(run.answers) else 'PROBLEMS'}: target "
            f"({TARGET_RATE:.0f}/s with p99 <= {TARGET_P99_MS:.0f} ms, nothing overdrawn) "
            f"{'met' if run.met() else 'NOT met'}"
        )


def numbers(kind: type[float] | type[int]) -> Any:
    return lambda text: [kind(part) for part in text.split(",")]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rates", type=numbers(float), default=[200.0, 300.0], help="per s")
    parser.add_argument("--duration", type=float, default=10, help="seconds per rate")
    parser.add_argument("--workers", type=numbers(int), default=[2], help="e.g. 1,2")
    parser.add_argument("--warmup", type=float, default=3, help="seconds, on its own pool")
    parser.add_argument("--projects", type=int, default=50)
    parser.add_argument("--admins", type=int, default=20, help="admins of the leading NGO")
    parser.add_argument("--backers", type=int, default=400)
    parser.add_argument(
        "--funded", type=float, default=0.6, help="the pool's share of the pledged money"
    )
    parser.add_argument("--caps", action="store_true", help="per-project and per-backer caps")
    parser.add_argument(
        "--pool-per-project",
        action="store_true",
        help="the contrast: a pool restricted to each project, no lock shared between projects",
    )
    parser.add_argument(
        "--connections", type=int, default=10, help="keep-alive connections per admin at most"
    )
    parser.add_argument(
        "--no-rate-limits", dest="rate_limits", action="store_false", help="RATE_LIMITS=0"
    )
    parser.add_argument(
        "--profile", type=int, default=40, help="confirmations traced in process (0: none)"
    )
    parser.add_argument("--log-dir", default="", help="keep the server logs here")
    parser.add_argument(
        "--no-statistics",
        dest="statistics",
        action="store_false",
        help="no pg_stat_statements figures even when the server preloads it",
    )
    args = parser.parse_args()
    os.chdir(REPO)
    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        runner.run(run(args))


if __name__ == "__main__":
    main()
