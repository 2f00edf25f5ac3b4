"""Latency of the map queries over 100,000 issues in one community, on PostgreSQL.

    .venv/bin/python -m bench.map_queries [--issues 100000] [--requests 200]

Needs a PostgreSQL server: ``TEST_POSTGRES_URL`` or ``DATABASE_URL`` (postgres://) when set,
else a throwaway one started with ``scripts/services.sh``. It creates a scratch database
on that server (so the role needs CREATEDB), migrates it, seeds one community whose issues
are spread like a city's (denser near the centre, a few kilometres across), each with one
or two SDGs and up to two affected groups; runs every query ``--requests`` times through
the schema (``schema.execute``: resolvers, dataloaders and SQL, no HTTP), each time around a
slightly different point of the city; prints p50 and p99 latencies as a Markdown table;
drops the scratch database. Not part of the test suite.
"""

import argparse
import asyncio
import math
import os
import platform
import random
import statistics
import time
from datetime import timedelta
from typing import Any

from tortoise import Tortoise
from tortoise.connection import connections

from bench.pg_scratch import postgres_url, say, scratch_database
from models import Actor, ActorKind, Community, Region
from resolvers.ids import to_global_id
from schema import schema
from schema.context import Context
from subscriptions.notifier import Notifier
from web.database import apply_migrations
from web.settings import tortoise_config

CENTRE = (49.4444, 32.0598)  # Cherkasy
PHONE_SCREEN = (390, 844)  # CSS pixels

ISSUE_FIELDS = "id title status location { latitude longitude } sdgGoals affectedGroups"
QUERIES = {
    "issuesInArea": f"""
        query Area($bbox: BoundingBoxInput!, $filter: MapFilter!) {{
          issuesInArea(bbox: $bbox, filter: $filter, first: 20) {{
            __typename ... on IssueConnection {{ totalCount nodes {{ {ISSUE_FIELDS} }} }}
          }}
        }}""",
    "issuesNear": f"""
        query Near($centre: GeoPointInput!, $filter: MapFilter!) {{
          issuesNear(centre: $centre, radiusMeters: 500, filter: $filter, first: 20) {{
            __typename
            ... on IssuesNear {{ totalCount edges {{ distanceMeters node {{ {ISSUE_FIELDS} }} }} }}
          }}
        }}""",
    "issueClusters": """
        query Clusters($bbox: BoundingBoxInput!, $zoom: Int!, $filter: MapFilter!) {
          issueClusters(bbox: $bbox, zoom: $zoom, filter: $filter) {
            __typename
            ... on IssueClusters { totalCount clusters { count centre { latitude longitude }
              bounds { south west north east } topAffectedGroups { group count } issueIds } }
          }
        }""",
}


async def seed(issue_count: int, rng: random.Random) -> Community:
    """One community with ``issue_count`` issues, inserted by three set-based statements."""
    region, _ = await Region.get_or_create(name="Benchmark Oblast")
    author = await Actor.create(kind=ActorKind.PERSON, display_name="Benchmark resident")
    community = await Community.create(
        name=f"Benchmark hromada {rng.randrange(10**9)}",
        region=region,
        centre_latitude=CENTRE[0],
        centre_longitude=CENTRE[1],
    )
    # A dense core and a sparser ring: about 2 km and 5 km standard deviations.
    spread = [0.018 if rng.random() < 0.7 else 0.045 for _ in range(issue_count)]
    latitudes = [rng.gauss(CENTRE[0], s) for s in spread]
    longitudes = [rng.gauss(CENTRE[1], s * 1.5) for s in spread]
    statuses = rng.choices(
        ["OPEN", "ADDRESSED", "RESOLVED", "DUPLICATE"], [60, 20, 15, 5], k=issue_count
    )
    categories = rng.choices(
        ["INFRASTRUCTURE", "TRANSPORT", "SOCIAL_SERVICES", "HEALTH"], k=issue_count
    )
    database = connections.get("default")
    await database.execute_query(
        """
        INSERT INTO issue (title, description, latitude, longitude, category, status,
                           created_at, updated_at, author_id, created_by_id, community_id)
        SELECT 'Issue ' || n, 'Seeded by bench/map_queries.py', lat, lng, category, status,
               now() - n * interval '1 minute', now(), $5, $5, $6
        FROM unnest($1::float8[], $2::float8[], $3::text[], $4::text[])
             WITH ORDINALITY AS seeded(lat, lng, category, status, n)
        """,
        [latitudes, longitudes, categories, statuses, author.pk, community.pk],
    )
    # Tags from the ID: one or two SDGs, none to two groups, spread over all values.
    await database.execute_query(
        """
        INSERT INTO issue_sdg_goal (issue_id, goal)
        SELECT id, 1 + id * 7 % 17 FROM issue WHERE community_id = $1
        UNION ALL
        SELECT id, 1 + (id * 7 + 5) % 17 FROM issue WHERE community_id = $1 AND id % 3 = 0
        """,
        [community.pk],
    )
    await database.execute_query(
        """
        INSERT INTO issue_affected_group (issue_id, "group")
        SELECT id, (ARRAY['LOW_INCOME','ELDERLY','PEOPLE_WITH_DISABILITIES',
                          'INTERNALLY_DISPLACED','VETERANS','CHILDREN_AND_YOUTH'])[1 + id % 6]
        FROM issue WHERE community_id = $1 AND id % 4 <> 0
        UNION ALL
        SELECT id, 'WOMEN' FROM issue WHERE community_id = $1 AND id % 5 = 0
        """,
        [community.pk],
    )
    # What autovacuum does to a live table: statistics, and a visibility map for
    # index-only scans. One statement each: VACUUM refuses to run in a transaction block.
    for table in ("issue", "issue_sdg_goal", "issue_affected_group"):
        await database.execute_script(f"VACUUM ANALYZE {table}")
    return community


def _around(rng: random.Random) -> tuple[float, float]:
    """A point within about 500 m of the centre, so requests differ like real ones."""
    return CENTRE[0] + rng.uniform(-0.0045, 0.0045), CENTRE[1] + rng.uniform(-0.007, 0.007)


def _screen(latitude: float, longitude: float, zoom: int) -> dict[str, float]:
    """The box a phone screen shows at a zoom (web Mercator, 256-pixel tiles)."""
    degrees_per_pixel = 360 / 2**zoom / 256
    half_width = PHONE_SCREEN[0] / 2 * degrees_per_pixel
    half_height = PHONE_SCREEN[1] / 2 * degrees_per_pixel * math.cos(math.radians(latitude))
    return {
        "south": latitude - half_height,
        "west": longitude - half_width,
        "north": latitude + half_height,
        "east": longitude + half_width,
    }


def cases(community_id: str) -> dict[str, tuple[str, Any]]:
    """Benchmark name -> (query, function from a random generator to variables)."""
    filter_ = {"communityId": community_id}

    def block(rng: random.Random) -> dict[str, Any]:
        latitude, longitude = _around(rng)  # about 250 m x 250 m
        bbox = {
            "south": latitude - 0.00112,
            "west": longitude - 0.00173,
            "north": latitude + 0.00112,
            "east": longitude + 0.00173,
        }
        return {"bbox": bbox, "filter": filter_}

    def near(rng: random.Random) -> dict[str, Any]:
        latitude, longitude = _around(rng)
        return {"centre": {"latitude": latitude, "longitude": longitude}, "filter": filter_}

    def clusters(zoom: int) -> Any:
        def variables(rng: random.Random) -> dict[str, Any]:
            return {"bbox": _screen(*_around(rng), zoom), "zoom": zoom, "filter": filter_}

        return variables

    return {
        "issuesInArea (city block, first 20)": (QUERIES["issuesInArea"], block),
        "issuesNear (500 m, first 20)": (QUERIES["issuesNear"], near),
        "issueClusters (zoom 12, phone screen)": (QUERIES["issueClusters"], clusters(12)),
        "issueClusters (zoom 15, phone screen)": (QUERIES["issueClusters"], clusters(15)),
    }


async def measure(
    query: str, make_variables: Any, requests: int, rng: random.Random
) -> dict[str, float]:
    timings, sizes = [], []
    for index in range(requests + 10):  # the first 10 warm caches and are not counted
        context = Context(
            viewer=None, raw_token=None, notifier=Notifier(None), token_lifetime=timedelta(days=1)
        )
        started = time.perf_counter()
        result = await schema.execute(query, make_variables(rng), context_value=context)
        elapsed = time.perf_counter() - started
        if result.errors or result.data is None:
            raise SystemExit(f"query failed: {result.errors}")
        payload = next(iter(result.data.values()))
        if payload["__typename"] not in ("IssueConnection", "IssuesNear", "IssueClusters"):
            raise SystemExit(f"query refused: {payload}")
        if index >= 10:
            timings.append(elapsed * 1000)
            sizes.append(len(payload.get("clusters", [])) or payload["totalCount"])
    timings.sort()
    return {
        "p50": statistics.median(timings),
        "p99": timings[math.ceil(0.99 * len(timings)) - 1],
        "mean": statistics.fmean(timings),
        "results": statistics.median(sizes),
    }


async def run(server_url: str, issue_count: int, requests: int) -> None:
    async with scratch_database(server_url, "hub_map_bench") as url:
        await apply_migrations(url)
        await Tortoise.init(config=tortoise_config(url), _enable_global_fallback=True)
        try:
            await report(issue_count, requests)
        finally:
            await Tortoise.close_connections()


async def report(issue_count: int, requests: int) -> None:
    rng = random.Random(2020)
    started = time.perf_counter()
    community = await seed(issue_count, rng)
    seeded_in = time.perf_counter() - started
    _, rows = await connections.get("default").execute_query("SHOW server_version")
    say(
        f"PostgreSQL {rows[0]['server_version']}, Python {platform.python_version()}, "
        f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}; {issue_count:,} issues "
        f"seeded in {seeded_in:.1f} s; {requests} requests per query after 10 warm-up ones"
    )
    say()
    say("| query | p50 ms | p99 ms | mean ms | median size of the answer |")
    say("|---|---:|---:|---:|---:|")
    for name, (query, make_variables) in cases(to_global_id("Community", community.pk)).items():
        figures = await measure(query, make_variables, requests, rng)
        say(
            f"| {name} | {figures['p50']:.1f} | {figures['p99']:.1f} | "
            f"{figures['mean']:.1f} | {figures['results']:.0f} |"
        )
    say()
    say(f"load average at the end: {os.getloadavg()[0]:.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--issues", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=200)
    arguments = parser.parse_args()
    with postgres_url() as url:
        asyncio.run(run(url, arguments.issues, arguments.requests))


if __name__ == "__main__":
    main()
