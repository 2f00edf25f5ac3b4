"""Duplicate-suggestion quality on the labelled set, against the configured ``DATABASE_URL``.

    .venv/bin/python -m bench.suggestion_quality              # SQLite file by default
    DATABASE_URL=postgres://... .venv/bin/python -m bench.suggestion_quality --filler 100000

Applies the migrations, seeds the labelled community of ``tests/suggestion_quality.py``
(45 existing issues, 46 reports with known duplicates) under a fresh name, optionally
buries it among ``--filler`` unrelated issues, asks for 5 suggestions per report, and
prints precision and recall at 1 and 5, the time per request and the misses. It all runs
in one transaction that is rolled back: the database is left as it was.
"""

import argparse
import asyncio
import random
import time
import uuid

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.transactions import in_transaction

from models import Issue, IssueCategory
from resolvers import suggestion_candidates
from tests.suggestion_quality import (
    CENTRE,
    EXISTING,
    REPORTS,
    LabelledCommunity,
    measure_quality,
    seed_labelled_community,
)
from web.database import apply_migrations, open_database
from web.settings import Settings

FILLER_WORDS = [
    "broken", "street", "lamps", "pothole", "road", "bins", "park", "ramp", "bus", "stop",
    "water", "heating", "school", "roof", "dogs", "market", "crossing", "bench", "square",
    "trees", "noise", "shelter", "вибоїна", "ліхтарі", "вулиці", "дорозі", "школі", "парку",
    "собаки", "сміття", "пандус", "зупинка", "тротуар", "освітлення",
]  # fmt: skip


def report(line: str) -> None:
    print(line)  # noqa: T201  (a benchmark prints its figures)


async def add_filler(labelled: LabelledCommunity, count: int) -> None:
    """Unrelated open issues spread over ~10 km around the labelled ones."""
    chance = random.Random(2020)
    rows = [
        Issue(
            community_id=labelled.community.pk,
            title=" ".join(chance.choice(FILLER_WORDS) for _ in range(chance.randint(3, 7))),
            description="",
            latitude=CENTRE.latitude + chance.uniform(-0.05, 0.05),
            longitude=CENTRE.longitude + chance.uniform(-0.07, 0.07),
            category=chance.choice(list(IssueCategory)),
            author_id=labelled.author.pk,
            created_by_id=labelled.author.pk,
        )
        for _ in range(count)
    ]
    await Issue.bulk_create(rows, batch_size=1000)


class _RollBack(Exception):
    """Raised to undo everything the run created (a rollback is faster than deletes)."""


async def run(database_url: str, filler: int) -> None:
    await apply_migrations(database_url)
    async with open_database(database_url):
        try:
            async with in_transaction() as connection:
                await measure(connection, filler)
                raise _RollBack
        except _RollBack:
            pass


async def measure(connection: BaseDBAsyncClient, filler: int) -> None:
    labelled = await seed_labelled_community(f"bench {uuid.uuid4().hex[:8]}")
    dialect = connection.capabilities.dialect
    if filler:
        await add_filler(labelled, filler)
        if dialect == "postgres":
            await connection.execute_script("ANALYZE issue")
    started = time.perf_counter()
    figures = await measure_quality(labelled)
    elapsed = (time.perf_counter() - started) / len(REPORTS)
    route = "Python trigram port"
    if dialect == "postgres" and await suggestion_candidates.trigrams_see_letters(connection):
        route = "pg_trgm + GIN/GiST indexes"
    report(f"database: {dialect} ({route}), community of {len(EXISTING) + filler} issues")
    report(figures.summary())
    report(f"time per similarIssues: {elapsed * 1000:.1f} ms")
    for miss in figures.misses():
        report(f"  miss: {miss}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--filler", type=int, default=0, help="unrelated issues to add")
    args = parser.parse_args()
    asyncio.run(run(Settings().database_url, args.filler))


if __name__ == "__main__":
    main()
