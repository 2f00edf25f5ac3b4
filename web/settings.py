"""Settings from environment variables, with embedded defaults so a fresh checkout runs."""

import os
from dataclasses import dataclass, field
from typing import Any

from tortoise.backends.base.config_generator import expand_db_url

DEFAULT_DATABASE_URL = "sqlite://data/hub.sqlite3"
DEFAULT_BROADCAST_URL = "memory://"


@dataclass(frozen=True)
class Settings:
    """Runtime configuration of one hub process."""

    database_url: str = field(
        default_factory=lambda: os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL)
    )
    broadcast_url: str = field(
        default_factory=lambda: os.environ.get("BROADCAST_URL", DEFAULT_BROADCAST_URL)
    )
    token_lifetime_days: int = field(
        default_factory=lambda: int(os.environ.get("TOKEN_LIFETIME_DAYS", "30"))
    )
    graphiql: bool = field(
        default_factory=lambda: os.environ.get("GRAPHIQL", "1") not in ("0", "false", "no")
    )
    # Live updates: at most one snapshot load per channel per interval (seconds).
    live_refresh_interval: float = field(
        default_factory=lambda: float(os.environ.get("LIVE_REFRESH_INTERVAL", "0.15"))
    )
    # While Redis is unreachable, re-read every live channel this often (0: never).
    live_outage_poll_interval: float = field(
        default_factory=lambda: float(os.environ.get("LIVE_OUTAGE_POLL_INTERVAL", "2"))
    )
    # Re-read every live channel this often even when Redis is up (0: never), so a notice
    # lost to a failed publish delays an update by at most this long instead of until the
    # next change.
    live_safety_refresh_interval: float = field(
        default_factory=lambda: float(os.environ.get("LIVE_SAFETY_REFRESH_INTERVAL", "30"))
    )
    # Run each snapshot subscription once per cohort of identical requests (document,
    # operation, variables) and share its encoded result; off: once per viewer (for
    # benchmarks that measure what cohorts save).
    live_cohorts: bool = field(
        default_factory=lambda: os.environ.get("LIVE_COHORTS", "1") not in ("0", "false", "no")
    )
    # Python's young-generation GC threshold for a served process, which also freezes what
    # start-up allocated (web/collector.py); 0 leaves the collector alone (the tests do).
    gc_threshold: int = field(default_factory=lambda: int(os.environ.get("GC_THRESHOLD", "20000")))
    # A write waits at most this long to publish its notice (seconds), then goes on.
    publish_timeout: float = field(
        default_factory=lambda: float(os.environ.get("PUBLISH_TIMEOUT", "1"))
    )
    ws_max_subscriptions: int = field(
        default_factory=lambda: int(os.environ.get("WS_MAX_SUBSCRIPTIONS", "20"))
    )
    # GraphQL-level keepalive (graphql-transport-ws ping, graphql-ws "ka"), seconds.
    ws_keepalive_interval: float = field(
        default_factory=lambda: float(os.environ.get("WS_KEEPALIVE_INTERVAL", "15"))
    )
    # WebSocket ping frames from uvicorn: a client silent past the timeout is dropped.
    ws_ping_interval: float = field(
        default_factory=lambda: float(os.environ.get("WS_PING_INTERVAL", "20"))
    )
    ws_ping_timeout: float = field(
        default_factory=lambda: float(os.environ.get("WS_PING_TIMEOUT", "20"))
    )
    # Map pages: tile server URL template with {z}, {x}, {y} (empty: no tiles, plain background).
    map_tile_url: str = field(default_factory=lambda: os.environ.get("MAP_TILE_URL", ""))
    # Credit line the tile server asks for (e.g. "© OpenStreetMap contributors").
    map_tile_attribution: str = field(
        default_factory=lambda: os.environ.get("MAP_TILE_ATTRIBUTION", "")
    )


def normalize_database_url(url: str) -> str:
    """Accept the common ``postgresql://`` spelling as tortoise's ``postgres://``."""
    if url.startswith("postgresql://"):
        return "postgres://" + url.removeprefix("postgresql://")
    return url


async def keep_session(connection: object) -> None:
    """asyncpg's pool reset, run when a pooled connection is given back: nothing to do.

    tortoise takes a pooled connection for every statement outside a transaction, and
    asyncpg's default reset then sends ``SELECT pg_advisory_unlock_all(); CLOSE ALL;
    UNLISTEN *; RESET ALL`` each time: one more round trip per statement, an eighth of the
    app's CPU under pledge load. The hub never changes session state beyond a transaction
    (``SET LOCAL``, ``set_config(..., true)``, ``SET TRANSACTION``), holds no advisory lock,
    cursor or LISTEN on pooled connections, and asyncpg still rolls back a transaction left
    open before calling this.
    """


def connection_config(database_url: str) -> str | dict[str, Any]:
    """tortoise's connection entry: the URL, or for PostgreSQL its credentials plus the reset."""
    url = normalize_database_url(database_url)
    if not url.startswith("postgres://"):
        return url
    config: dict[str, Any] = expand_db_url(url)
    config["credentials"]["reset"] = keep_session
    # tortoise's default pool of 5 connections starves a busy process: every statement holds
    # a connection until the event loop gets round to its answer, and on a live night that
    # may be several milliseconds. ``?maxsize=`` in the URL still wins.
    config["credentials"].setdefault("maxsize", int(os.environ.get("DATABASE_POOL_SIZE", "20")))
    # asyncpg re-arms an idle-connection timer on every release by default; the pool is
    # small and bounded, so idle connections may simply stay open.
    config["credentials"].setdefault("max_inactive_connection_lifetime", 0)
    return config


def tortoise_config(database_url: str) -> dict[str, Any]:
    """The tortoise-orm configuration for one database URL."""
    return {
        "connections": {"default": connection_config(database_url)},
        "apps": {
            "models": {
                "models": ["models"],
                "migrations": "models.migrations",
                "default_connection": "default",
            }
        },
        "use_tz": True,
        "timezone": "UTC",
    }


# The tortoise command line (`tortoise makemigrations`) reads this, see pyproject.toml.
TORTOISE_ORM = tortoise_config(Settings().database_url)
