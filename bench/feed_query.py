"""The mobile feed query over HTTP: the hub beside a hand-written graphql-core + asyncpg server.

    .venv/bin/python -m bench.feed_query [--issues 500] [--requests 500] [--concurrency 1,2,4,8,16]

A community's 50 newest issues with their projects, the projects' leads and support
totals: what a phone asks when it opens a community. Needs a PostgreSQL server, found as
``bench/map_queries.py`` finds it (``bench/pg_scratch.py``): a scratch database on it is
migrated with the committed migrations, seeded by ``bench/feed_seed.py`` (one community,
``--issues`` issues, one project per two issues, pledges of every kind) and dropped.

Three servers, one uvicorn process each, measured in turns: the hub as ``si-hub serve``
runs it; the hub with ``RATE_LIMITS=0`` (no cost buckets: what the API protection's rate
limiting costs is the difference); and the lower bound of our overhead,
``bench/feed_bare_server.py`` (the same query shape on graphql-core and three
hand-written SQL statements). All must answer the same ``data`` for pages of 5, 20 and 50
issues, or the benchmark stops. The cost analysis (``schema/cost.py``, which no setting
turns off) is timed apart: its CPU per feed request, against the request's.

1. SQL statements per request at those page sizes, and how many times a request takes a
   connection from the pool (asyncpg resets each one it takes back: one more round trip):
   counted by ``pg_stat_statements`` in the served processes when the PostgreSQL server
   preloads it; else in this process, by tortoise's query log for the hub
   (``tests/query_counter.py``, the app called through ASGI; it sees no resets) and by
   asyncpg's query logger for the bare server.
2. Closed-loop load on the 50-issue page (``bench/closed_loop.py``): at each concurrency,
   that many keep-alive HTTP/1.1 connections from a small asyncio client in this process
   (uvloop), ``--requests`` requests in all, after a warm-up step; requests/s, p50, p99,
   and CPU of the server, of the client and of the whole machine (client, servers and
   PostgreSQL share it): the client's CPU shows whether it limits. Then the most
   requests/s of each server whose p99 stays within 100 ms.
"""

import argparse
import asyncio
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path
from typing import Any

import asyncpg  # type: ignore[import-untyped]
import httpx
import uvloop
from graphql import get_operation_ast, parse
from starlette.types import ASGIApp

from bench.closed_loop import KeepAlive, Load, closed_loop, merged
from bench.feed_bare_server import POOL_SIZE, bare_app, global_id
from bench.feed_seed import seed
from bench.live_load import free_port, start_server, stop_process, wait_healthy
from bench.pg_scratch import postgres_url, say, scratch_database
from resolvers.rate_limits import Bucket, MemoryRateLimiter
from schema import schema
from schema.checked_documents import graphql_core_schema
from schema.cost import actual_cost, operation_cost
from tests.query_counter import count_statements
from web.app import create_app
from web.database import apply_migrations, open_database
from web.settings import Settings

BIN = Path(sys.executable).parent
PAGE_SIZES = (5, 20, 50)
LOAD_PAGE = 50
P99_BUDGET_MS = 100.0
FEED = """
query Feed($community: ID!, $first: Int!) {
  issues(filter: {communityId: $community}, first: $first) {
    totalCount
    pageInfo { hasNextPage endCursor }
    nodes {
      id title status sdgGoals affectedGroups
      projects {
        nodes {
          id title
          lead { __typename displayName ... on Organization { sector } }
          support { votes backers hours money { amount currency } }
        }
      }
    }
  }
}
"""
# asyncpg's pool resets a connection it takes back with these, in one round trip.
RESET = ("SELECT pg_advisory_unlock_all()", "CLOSE ALL", "UNLISTEN *", "RESET ALL")
SERVER_STATEMENTS = """
SELECT coalesce(sum(calls) FILTER (WHERE query <> ALL($1::text[])), 0) AS statements,
       coalesce(sum(calls) FILTER (WHERE query = $2), 0) AS resets
FROM pg_stat_statements
WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
  AND query NOT LIKE '%pg_stat_statements%'
"""
Counts = dict[str, float]  # "statements" sent, and pooled connections "resets" when known
Counted = Callable[[], Awaitable[Counts]]


def feed_request(community: str, first: int) -> bytes:
    return json.dumps(
        {"query": FEED, "variables": {"community": community, "first": first}}
    ).encode()


async def answer(http: httpx.AsyncClient, body: bytes) -> dict[str, Any]:
    response = await http.post(
        "/graphql", content=body, headers={"content-type": "application/json"}
    )
    payload = response.json() if response.status_code == 200 else {}
    if payload.get("errors") or not payload.get("data"):
        raise SystemExit(f"{http.base_url} answered {response.status_code}: {response.text[:800]}")
    data: dict[str, Any] = payload["data"]
    return data


async def check_same_answers(clients: list[httpx.AsyncClient], community: str) -> str:
    """Every server answers the same data (or we stop); returns what the last page holds."""
    for first in PAGE_SIZES:
        body = feed_request(community, first)
        answers = [await answer(client, body) for client in clients]
        ours = answers[0]
        for theirs in answers[1:]:
            if json.dumps(ours, sort_keys=True) != json.dumps(theirs, sort_keys=True):
                raise SystemExit(f"the servers disagree on a page of {first}:\n{ours}\n{theirs}")
    issues = ours["issues"]["nodes"]
    projects = [project for issue in issues for project in issue["projects"]["nodes"]]
    return (
        f"{len(issues)} issues of {ours['issues']['totalCount']}, {len(projects)} projects "
        f"({sum(p['lead']['__typename'] == 'Organization' for p in projects)} led by "
        f"organizations), {sum(p['support']['backers'] for p in projects)} backers, "
        f"{sum(len(p['support']['money']) for p in projects)} money totals"
    )


async def statements_per_request(
    http: httpx.AsyncClient, community: str, counted: Counted, repeats: int = 3
) -> list[Counts]:
    """Counts per request at each page size, after requests that warm every pooled
    connection (asyncpg introspects types on a connection's first use of them)."""
    per_request = []
    for first in PAGE_SIZES:
        body = feed_request(community, first)
        await asyncio.gather(*(answer(http, body) for _ in range(2 * POOL_SIZE)))
        before = await counted()
        for _ in range(repeats):
            await answer(http, body)
        after = await counted()
        per_request.append({key: (after[key] - before[key]) / repeats for key in after})
    return per_request


def server_statements(db: Any) -> Counted:
    async def counted() -> Counts:
        row = await db.fetchrow(SERVER_STATEMENTS, list(RESET), RESET[0])
        return {"statements": int(row["statements"]), "resets": int(row["resets"])}

    return counted


async def has_statement_statistics(db: Any) -> bool:
    try:
        await db.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
        await db.fetchval("SELECT count(*) FROM pg_stat_statements")
    except asyncpg.PostgresError:  # not in shared_preload_libraries, or not ours to create
        return False
    return True


@asynccontextmanager
async def asgi_client(app: ASGIApp) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://in-process") as http:
        yield http


async def statements_in_process(url: str, community: str) -> dict[str, list[Counts]]:
    """The count when the server keeps no statistics: both apps called here through ASGI."""
    counts = {}
    async with open_database(url):
        hub = create_app(Settings(database_url=url, broadcast_url="memory://"))
        await hub.state.broadcast.connect()
        with count_statements() as counter:

            async def logged() -> Counts:
                return {"statements": len(counter.statements)}  # tortoise logs no resets

            async with asgi_client(hub) as http:
                counts["hub"] = await statements_per_request(http, community, logged)
        await hub.state.broadcast.disconnect()
    queries: list[str] = []

    async def log_queries(connection: Any) -> None:
        connection.add_query_logger(lambda record: queries.append(record.query))

    async def sent() -> Counts:
        resets = sum(query.lstrip().startswith(RESET[0]) for query in queries)
        return {"statements": len(queries) - resets, "resets": resets}

    bare = bare_app(url, on_connect=log_queries)
    async with bare.router.lifespan_context(bare), asgi_client(bare) as http:
        counts["bare"] = await statements_per_request(http, community, sent)
    return counts


@dataclass(eq=False)  # each server is itself: hashed by identity
class Server:
    name: str
    port: int
    process: subprocess.Popen[bytes]
    answer_size: int = 0


@asynccontextmanager
async def serving(url: str) -> AsyncIterator[tuple[Server, ...]]:
    """``si-hub serve`` (with and without rate limits) and the bare server on free ports,
    one uvicorn process each."""
    # One hash seed for every server: dict layouts (and so speed) then differ by nothing
    # but the code; with random seeds, two identical hubs differed by up to 12 %.
    env = {**os.environ, "DATABASE_URL": url, "BROADCAST_URL": "memory://", "PYTHONHASHSEED": "0"}
    hub = [str(BIN / "si-hub"), "serve", "--no-access-log", "--port"]
    commands = {
        "hub": (hub, {}),
        "hub, rate limits off": (hub, {"RATE_LIMITS": "0"}),
        "bare": ([str(BIN / "python"), "-m", "bench.feed_bare_server", "--port"], {}),
    }
    with tempfile.TemporaryDirectory() as logs:
        servers = []
        try:
            for name, (command, extra) in commands.items():
                port, log = free_port(), Path(logs) / f"{port_tag(name)}.log"
                process = start_server([*command, str(port)], {**env, **extra}, log)
                servers.append(Server(name, port, process))
                await wait_healthy(f"http://127.0.0.1:{port}/graphql", process, log)
            yield tuple(servers)
        finally:
            for server in servers:
                stop_process(server.process)


def port_tag(name: str) -> str:
    return "".join(character for character in name if character.isalnum())


def machine_line(postgres_version: str) -> str:
    model = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    packages = ", ".join(
        f"{name} {version(name)}"
        for name in ("strawberry-graphql", "graphql-core", "tortoise-orm", "asyncpg", "uvicorn")
    )
    return (
        f"{model}, {os.cpu_count()} cores, Python {platform.python_version()}, PostgreSQL "
        f"{postgres_version}; {packages}; load average {os.getloadavg()[0]:.1f} at the start"
    )


def report_statements(counts: dict[str, list[Counts]], how: str) -> None:
    say(f"SQL statements per request ({how}):")
    say()
    pages = " | ".join(f"page of {first}" for first in PAGE_SIZES)
    say(f"| server | {pages} | pooled connections taken and reset, page of {PAGE_SIZES[-1]} |")
    say("|---|" + "---:|" * (len(PAGE_SIZES) + 1))
    for name, per_page in counts.items():
        statements = " | ".join(f"{page['statements']:g}" for page in per_page)
        resets = per_page[-1].get("resets")
        say(f"| {name} | {statements} | {'n/a' if resets is None else f'{resets:g}'} |")
    say()


def report_load(steps: list[tuple[Server, Load]]) -> None:
    say(
        f"Closed loop, page of {LOAD_PAGE}, one uvicorn process per server; the client, the "
        f"servers and PostgreSQL share the machine's {os.cpu_count()} cores:"
    )
    say()
    say(
        "| server | clients | requests/s | p50 ms | p99 ms "
        "| server CPU % | client CPU % | machine busy % |"
    )
    say("|---|---:|---:|---:|---:|---:|---:|---:|")
    for server, load in steps:
        say(
            f"| {server.name} | {load.clients} | {load.per_second:.0f} | {load.p50:.1f} | "
            f"{load.p99:.1f} | {load.cpu_percent('server'):.0f} | "
            f"{load.cpu_percent('client'):.0f} | {load.machine_percent():.0f} |"
        )
    say()
    say("CPU % is of one core; machine busy % is of all cores, every process on the machine.")
    say()


def report_best(steps: list[tuple[Server, Load]]) -> None:
    """The figure the issue asks for: the most requests/s whose p99 is within budget."""
    best: dict[str, Load | None] = {}
    for server in dict.fromkeys(server for server, _ in steps):
        within = [load for s, load in steps if s is server and load.p99 <= P99_BUDGET_MS]
        top = best[server.name] = max(within, key=lambda load: load.per_second, default=None)
        if top is None:
            say(f"- {server.name}: no step kept p99 within {P99_BUDGET_MS:.0f} ms")
            continue
        say(
            f"- {server.name}: {top.per_second:.0f} requests/s with p99 {top.p99:.1f} ms "
            f"≤ {P99_BUDGET_MS:.0f} ms ({top.clients} clients), "
            f"{server.answer_size:,} bytes per answer"
        )
    hub, bare = best["hub"], best["bare"]
    if hub and bare:
        share = hub.per_second / bare.per_second
        say(f"- the hub serves {share:.0%} of the bare server's requests/s within the budget")


@dataclass
class PairedRounds:
    """CPU per request of alternating rounds, limits on and off, paired as they ran."""

    on_ms: list[float]
    off_ms: list[float]

    @property
    def ratios(self) -> list[float]:
        return sorted(on / off for on, off in zip(self.on_ms, self.off_ms, strict=True))

    def quartiles(self) -> tuple[float, float, float]:
        q1, median, q3 = statistics.quantiles(self.ratios, n=4)
        return q1, median, q3


async def in_process_overhead(url: str, community: str, pairs: int = 20) -> PairedRounds:
    """The hub's CPU per feed request with rate limits on and off, both apps in this one
    process through ASGI (one hash seed, one heap), in adjacent rounds of 20 requests, the
    two orders alternating: the finest measure of what the limits add. Each pair's ratio
    is noisy on a shared machine (a few %), so their median is what counts."""
    body = feed_request(community, LOAD_PAGE)
    headers = {"content-type": "application/json"}
    per_round = 20
    measured = PairedRounds([], [])
    async with open_database(url), AsyncExitStack() as stack:
        clients = {}
        for limited in (True, False):
            settings = Settings(database_url=url, broadcast_url="memory://", rate_limits=limited)
            app = create_app(settings)
            await app.state.broadcast.connect()
            stack.push_async_callback(app.state.broadcast.disconnect)
            clients[limited] = await stack.enter_async_context(asgi_client(app))
            for _ in range(per_round):  # warm: caches, prepared statements
                await clients[limited].post("/graphql", content=body, headers=headers)
        for turn in range(pairs):
            for limited in (True, False) if turn % 2 else (False, True):
                started = time.process_time()
                for _ in range(per_round):
                    await clients[limited].post("/graphql", content=body, headers=headers)
                spent_ms = (time.process_time() - started) / per_round * 1000
                (measured.on_ms if limited else measured.off_ms).append(spent_ms)
    return measured


def cpu_ms_per_request(load: Load) -> float:
    return load.cpu.used["server"] / len(load.latencies_ms) * 1000


def report_limits_overhead(steps: list[tuple[Server, Load]]) -> None:
    """Per concurrency: the hub's requests/s and server CPU per request with rate limits
    on, against off."""
    on = {load.clients: load for server, load in steps if server.name == "hub"}
    off = {load.clients: load for server, load in steps if server.name == "hub, rate limits off"}
    say(
        "Cost analysis and rate limiting, per step: requests/s and the server's CPU per "
        "request with limits on and off (in interleaved rounds):"
    )
    say()
    say("| clients | req/s on | req/s off | on / off | CPU ms/request on | off | on / off |")
    say("|---:|---:|---:|---:|---:|---:|---:|")
    ratios, cpu_ratios = [], []
    for clients in sorted(on.keys() & off.keys()):
        with_limits, without = on[clients].per_second, off[clients].per_second
        cpu_on, cpu_off = cpu_ms_per_request(on[clients]), cpu_ms_per_request(off[clients])
        ratios.append(with_limits / without)
        cpu_ratios.append(cpu_on / cpu_off)
        say(
            f"| {clients} | {with_limits:.0f} | {without:.0f} | {with_limits / without:.1%} "
            f"| {cpu_on:.1f} | {cpu_off:.1f} | {cpu_on / cpu_off:.1%} |"
        )
    say()
    if ratios:
        say(
            f"With limits on, the hub keeps {min(ratios):.1%} of its throughput at the worst "
            f"step, {sum(ratios) / len(ratios):.1%} on average; its CPU per request is "
            f"{sum(cpu_ratios) / len(cpu_ratios):.1%} of what it is with limits off, on average "
            f"(worst step {max(cpu_ratios):.1%})."
        )
        say()


async def report_cost_analysis(
    community: str, page: dict[str, Any], steps: list[tuple[Server, Load]]
) -> None:
    """What cost analysis and rate limiting add to each request, in microseconds of CPU,
    measured in this process: the cost walk of the feed document (run after validation),
    the count of the objects its answer holds (the refund), and the two bucket updates (the
    payment and the refund), against the CPU a feed request takes in the served hub."""
    graphql_schema = graphql_core_schema(schema)
    assert graphql_schema is not None
    document = parse(FEED)
    operation = get_operation_ast(document)
    assert operation is not None
    variables = {"community": community, "first": LOAD_PAGE}
    runs = 2000
    started = time.process_time()
    for _ in range(runs):
        requested = operation_cost(graphql_schema, document, operation, variables)
    walk = (time.process_time() - started) / runs * 1e6
    started = time.process_time()
    for _ in range(runs):
        actual = actual_cost(page, 0)
    counted = (time.process_time() - started) / runs * 1e6
    limiter = MemoryRateLimiter()
    bucket = Bucket(Settings().rate_limit_ip_capacity, Settings().rate_limit_ip_per_second)

    async def pay_and_refund() -> None:
        for _ in range(runs):
            await limiter.charge("ip:127.0.0.1", requested.requested, bucket)
            await limiter.charge("ip:127.0.0.1", actual - requested.requested, bucket)

    started = time.process_time()
    await pay_and_refund()
    buckets = (time.process_time() - started) / runs * 1e6
    total = walk + counted + buckets
    say(
        f"In-process CPU per request: the cost walk {walk:.0f} µs (requested cost "
        f"{requested.requested:,} points), counting the answer's {actual:,} objects "
        f"{counted:.0f} µs, paying and refunding in memory {buckets:.0f} µs: {total:.0f} µs "
        f"({runs:,} runs each)."
    )
    hub = [load for server, load in steps if server.name == "hub" and load.latencies_ms]
    if hub:
        first = hub[0]
        per_request_ms = cpu_ms_per_request(first)
        say(
            f"A feed request takes {per_request_ms:.1f} ms of the served hub's CPU (at "
            f"{first.clients} client): the limits' own work is {total / 10 / per_request_ms:.2f}% "
            f"of it. On Redis a payment and a refund are two round trips instead (~0.1 ms each, "
            f"waiting, not CPU)."
        )
    say()


async def measure(db: Any, url: str, arguments: argparse.Namespace) -> None:
    started = time.perf_counter()
    community = global_id("Community", await seed(db, arguments.issues, random.Random(2020)))
    seeded_in = time.perf_counter() - started
    say(machine_line(await db.fetchval("SHOW server_version")))
    async with serving(url) as servers:
        clients = [httpx.AsyncClient(base_url=f"http://127.0.0.1:{s.port}") for s in servers]
        hub, bare = clients[0], clients[-1]
        async with hub, clients[1], bare:
            page = await check_same_answers(clients, community)
            feed_answer = await answer(hub, feed_request(community, LOAD_PAGE))
            say(f"{arguments.issues:,} issues seeded in {seeded_in:.1f} s; the page of 50: {page}")
            say()
            if await has_statement_statistics(db):
                counts = {
                    s.name: await statements_per_request(http, community, server_statements(db))
                    for s, http in ((servers[0], hub), (servers[-1], bare))
                }
                how = "pg_stat_statements of the served processes"
            else:
                counts = await statements_in_process(url, community)
                how = "in-process: tortoise's query log, asyncpg's query logger"
        steps = await load_steps(servers, feed_request(community, LOAD_PAGE), arguments)
    report_statements(counts, how)
    report_load(steps)
    report_limits_overhead(steps)
    await report_cost_analysis(community, feed_answer, steps)
    paired = await in_process_overhead(url, community)
    q1, median, q3 = paired.quartiles()
    say(
        f"In one process, {len(paired.on_ms)} pairs of adjacent rounds of 20 feed requests "
        f"through ASGI, limits on and off: {statistics.mean(paired.on_ms):.2f} ms of CPU per "
        f"request on, {statistics.mean(paired.off_ms):.2f} ms off; per pair, on / off has "
        f"median {median:.1%} (quartiles {q1:.1%}-{q3:.1%}; the in-process client's own CPU "
        "is in both)."
    )
    say()
    report_best(steps)
    say()
    say(f"load average at the end: {os.getloadavg()[0]:.1f}")


ROUNDS = 8  # each step's requests, in rounds that take the servers in turn


async def load_steps(
    servers: tuple[Server, ...], body: bytes, arguments: argparse.Namespace
) -> list[tuple[Server, Load]]:
    """A warm-up, then every concurrency on each server, in rounds that take the servers
    in turn (each round starting with the next one), so all see much the same background
    load and none is always the first after another's burst."""
    for server in servers:
        probe = await KeepAlive.open(server.port, body)
        server.answer_size = len(await probe.exchange())
        probe.close()
    for server in servers:
        await closed_loop(
            server.port,
            server.process.pid,
            body,
            4,
            max(50, arguments.requests // 10),
            server.answer_size,
        )
    steps = []
    per_round = max(1, arguments.requests // ROUNDS)
    for clients in arguments.concurrency:
        rounds: dict[str, list[Load]] = {server.name: [] for server in servers}
        for turn in range(ROUNDS):
            order = servers[turn % len(servers) :] + servers[: turn % len(servers)]
            for server in order:
                pid, size = server.process.pid, server.answer_size
                load = await closed_loop(server.port, pid, body, clients, per_round, size)
                rounds[server.name].append(load)
        steps += [(server, merged(rounds[server.name])) for server in servers]
    return steps


async def run(server_url: str, arguments: argparse.Namespace) -> None:
    async with scratch_database(server_url, "hub_feed_bench") as url:
        await apply_migrations(url)
        db = await asyncpg.connect(url)
        try:
            await measure(db, url, arguments)
        finally:
            await db.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--issues", type=int, default=500)
    parser.add_argument("--requests", type=int, default=500, help="per step and server")
    parser.add_argument(
        "--concurrency",
        type=lambda text: [int(part) for part in text.split(",")],
        default=[1, 2, 4, 8, 16],
        help="clients of each step, comma-separated",
    )
    arguments = parser.parse_args()
    with postgres_url() as url, asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        runner.run(run(url, arguments))


if __name__ == "__main__":
    main()
