"""Opening the database outside the web app (command line, seeding, tests)."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from tortoise import Tortoise
from tortoise.migrations.api import migrate

from web.settings import normalize_database_url, tortoise_config


def ensure_sqlite_folder(database_url: str) -> None:
    """SQLite creates the file but not its folder: make the folder."""
    url = normalize_database_url(database_url)
    if url.startswith("sqlite://") and ":memory:" not in url:
        Path(url.removeprefix("sqlite://").split("?")[0]).parent.mkdir(parents=True, exist_ok=True)


async def apply_migrations(database_url: str) -> None:
    """Bring the database schema up to date with the committed migrations."""
    ensure_sqlite_folder(database_url)
    await migrate(config=tortoise_config(database_url))
    await Tortoise.close_connections()


@asynccontextmanager
async def open_database(database_url: str) -> AsyncIterator[None]:
    ensure_sqlite_folder(database_url)
    await Tortoise.init(config=tortoise_config(database_url), _enable_global_fallback=True)
    try:
        yield
    finally:
        await Tortoise.close_connections()
