"""The mobile feed query over HTTP: the hub beside a hand-written graphql-core + asyncpg server.

    .venv/bin/python -m bench.feed_query [--issues 500] [--requests 500] [--concurrency 1,2,4,8,16]

A community's 50 newest issues with their projects, the projects' leads and support
totals: what a phone asks when it opens a community. Needs a PostgreSQL server, found as
``bench/map_queries.py`` finds it (``bench/pg_scratch.py``): a scratch database on it is
migrated with the committed migrations, seeded by ``bench/feed_seed.py`` (one community,
``--issues`` issues, one project per two issues, pledges of every kind) and dropped.

Two servers, one uvicorn process each, measured in turns: the hub as ``si-hub serve``
runs it, and the lower bound of our overhead, ``bench/feed_bare_server.py`` (the same
query shape on graphql-core and three hand-written SQL statements). Both must answer the
same ``data`` for pages of 5, 20 and 50 issues, or the benchmark stops.

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
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path
from typing import Any

import asyncpg  # type: ignore[import-untyped]
import httpx
import uvloop
from starlette.types import ASGIApp

from bench.closed_loop import KeepAlive, Load, closed_loop
from bench.feed_bare_server import POOL_SIZE, bare_app, global_id
from bench.feed_seed import seed
from bench.live_load import free_port, start_server, stop_process, wait_healthy
from bench.pg_scratch import postgres_url, say, scratch_database
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


async def check_same_answers(
    hub: httpx.AsyncClient, bare: httpx.AsyncClient, community: str
) -> str:
    """Both servers answer the same data (or we stop); returns what the last page holds."""
    for first in PAGE_SIZES:
        body = feed_request(community, first)
        ours, theirs = await answer(hub, body), await answer(bare, body)
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
async def serving(url: str) -> AsyncIterator[tuple[Server, Server]]:
    """``si-hub serve`` and the bare server on free ports, one uvicorn process each."""
    env = {**os.environ, "DATABASE_URL": url, "BROADCAST_URL": "memory://"}
    commands = {
        "hub": [str(BIN / "si-hub"), "serve", "--port"],
        "bare": [str(BIN / "python"), "-m", "bench.feed_bare_server", "--port"],
    }
    with tempfile.TemporaryDirectory() as logs:
        servers = []
        try:
            for name, command in commands.items():
                port, log = free_port(), Path(logs) / f"{name}.log"
                servers.append(Server(name, port, start_server([*command, str(port)], env, log)))
                await wait_healthy(f"http://127.0.0.1:{port}/graphql", servers[-1].process, log)
            yield servers[0], servers[1]
        finally:
            for server in servers:
                stop_process(server.process)


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


async def measure(db: Any, url: str, arguments: argparse.Namespace) -> None:
    started = time.perf_counter()
    community = global_id("Community", await seed(db, arguments.issues, random.Random(2020)))
    seeded_in = time.perf_counter() - started
    say(machine_line(await db.fetchval("SHOW server_version")))
    async with serving(url) as servers:
        hub, bare = (httpx.AsyncClient(base_url=f"http://127.0.0.1:{s.port}") for s in servers)
        async with hub, bare:
            page = await check_same_answers(hub, bare, community)
            say(f"{arguments.issues:,} issues seeded in {seeded_in:.1f} s; the page of 50: {page}")
            say()
            if await has_statement_statistics(db):
                counts = {
                    s.name: await statements_per_request(http, community, server_statements(db))
                    for s, http in zip(servers, (hub, bare), strict=True)
                }
                how = "pg_stat_statements of the served processes"
            else:
                counts = await statements_in_process(url, community)
                how = "in-process: tortoise's query log, asyncpg's query logger"
        steps = await load_steps(servers, feed_request(community, LOAD_PAGE), arguments)
    report_statements(counts, how)
    report_load(steps)
    report_best(steps)
    say()
    say(f"load average at the end: {os.getloadavg()[0]:.1f}")


async def load_steps(
    servers: tuple[Server, Server], body: bytes, arguments: argparse.Namespace
) -> list[tuple[Server, Load]]:
    """A warm-up, then every concurrency on each server in turn (so both see much the
    same background load)."""
    for server in servers:
        probe = await KeepAlive.open(server.port, body)
        server.answer_size = len(await probe.exchange())
        probe.close()
    warm_up = [(4, max(50, arguments.requests // 10))]
    steps = []
    for clients, requests in warm_up + [(n, arguments.requests) for n in arguments.concurrency]:
        for server in servers:
            pid, size = server.process.pid, server.answer_size
            load = await closed_loop(server.port, pid, body, clients, requests, size)
            steps.append((server, load))
    return steps[len(servers) :]


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
