"""Test set-up: a real database (SQLite or PostgreSQL) built by the committed migrations.

``TEST_DATABASE_URL`` picks the database (``scripts/test`` runs the suite on both);
without it, a throwaway SQLite file is used.
"""

import os
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from tortoise import Tortoise
from tortoise.connection import connections

from web.app import create_app
from web.database import apply_migrations
from web.settings import Settings, normalize_database_url, tortoise_config

TABLES = [
    "activity_entry",
    "match_share",
    "match",
    "match_contribution",
    "match_pool_project",
    "match_pool",
    "pledge",
    "pitch",
    "attendee_code",
    "event_attendee",
    "pitching_event",
    "project_partner",
    "project_issue",
    "project",
    "issue_follower",
    "issue_affected_person",
    "issue_affected_group",
    "issue_sdg_goal",
    "issue",
    "community",
    "region",
    "auth_token",
    "api_key",
    "membership",
    "actor",
]


def _database_url() -> str:
    configured = os.environ.get("TEST_DATABASE_URL")
    if configured:
        return normalize_database_url(configured)
    return f"sqlite://{Path(tempfile.mkdtemp()) / 'hub-test.sqlite3'}"


DATABASE_URL = _database_url()
IS_POSTGRES = DATABASE_URL.startswith("postgres")


async def _reset_schema() -> None:
    """Start every run from an empty database, so migrations are what builds it."""
    if IS_POSTGRES:
        await Tortoise.init(config=tortoise_config(DATABASE_URL))
        await connections.get("default").execute_script(
            "DROP SCHEMA public CASCADE; CREATE SCHEMA public;"
        )
        await Tortoise.close_connections()
    else:
        Path(DATABASE_URL.removeprefix("sqlite://")).unlink(missing_ok=True)  # noqa: ASYNC240


@pytest.fixture(scope="session", autouse=True)
async def database() -> AsyncIterator[str]:
    await _reset_schema()
    await apply_migrations(DATABASE_URL)
    await Tortoise.init(config=tortoise_config(DATABASE_URL), _enable_global_fallback=True)
    yield DATABASE_URL
    await Tortoise.close_connections()


@pytest.fixture(autouse=True)
async def empty_tables(database: str) -> None:
    connection = connections.get("default")
    if IS_POSTGRES:
        await connection.execute_script(f"TRUNCATE {', '.join(TABLES)} RESTART IDENTITY CASCADE;")
    else:
        for table in TABLES:
            await connection.execute_script(f"DELETE FROM {table};")


@pytest.fixture
async def client(database: str) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client talking to the ASGI app in-process (the database is already open)."""
    app = create_app(Settings(database_url=database, broadcast_url="memory://"))
    await app.state.broadcast.connect()
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://hub.test") as http:
        yield http
    await app.state.broadcast.disconnect()
