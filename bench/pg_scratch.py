"""A PostgreSQL server and a scratch database on it, for the benchmarks that seed their own data.

The server is ``TEST_POSTGRES_URL`` or ``DATABASE_URL`` (postgres://) when set, else a
throwaway one started with ``scripts/services.sh`` and deleted afterwards. The scratch
database is created on it (the role needs CREATEDB) and dropped at the end with
everything seeded into it.
"""

import contextlib
import os
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg  # type: ignore[import-untyped]

from web.settings import normalize_database_url

REPO = Path(__file__).resolve().parent.parent
START_POSTGRES = """
source scripts/services.sh
trap stop_services EXIT
start_postgres >&2 || exit 1
echo "$TEST_POSTGRES_URL"
read -r _
"""


def say(text: str = "") -> None:
    """Figures go to stdout, line by line (the house style has no print)."""
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


@contextlib.contextmanager
def postgres_url() -> Iterator[str]:
    """The URL of a PostgreSQL server: the configured one, or a throwaway one."""
    configured = os.environ.get("TEST_POSTGRES_URL") or os.environ.get("DATABASE_URL")
    if configured:
        url = normalize_database_url(configured)
        if not url.startswith("postgres://"):
            raise SystemExit(f"the benchmark needs PostgreSQL, not {url.split(':')[0]}")
        yield url
        return
    shell = subprocess.Popen(
        ["bash", "-c", START_POSTGRES], cwd=REPO, stdin=subprocess.PIPE, stdout=subprocess.PIPE
    )
    assert shell.stdin is not None
    assert shell.stdout is not None
    try:
        url = shell.stdout.readline().decode().strip()
        if not url:
            raise SystemExit("could not start PostgreSQL (scripts/services.sh)")
        yield url
    finally:
        shell.stdin.close()  # the shell's `read` ends: it stops PostgreSQL and cleans up
        shell.wait(timeout=60)


@contextlib.asynccontextmanager
async def scratch_database(server_url: str, prefix: str) -> AsyncIterator[str]:
    """A new database on the server, dropped afterwards with everything seeded into it."""
    name = f"{prefix}_{os.getpid()}"  # our own name: no user input reaches the SQL
    admin = await asyncpg.connect(server_url)
    await admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield urlunsplit(urlsplit(server_url)._replace(path=f"/{name}"))
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()
