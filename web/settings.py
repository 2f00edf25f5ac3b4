"""Settings from environment variables, declared once: name, type, default and meaning.

Each field of ``Settings`` is read from the environment variable of its name in capitals
(``database_url`` from ``DATABASE_URL``), typed and checked by pydantic-settings, so a bad
value stops the process with a message naming the variable. The defaults are the embedded
ones, so a fresh checkout runs with no services. The README's settings table is made from
these fields (``si-hub settings``), and a test checks that it still matches.
"""

from typing import Any

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict
from tortoise.backends.base.config_generator import expand_db_url

DEFAULT_DATABASE_URL = "sqlite://data/hub.sqlite3"
DEFAULT_BROADCAST_URL = "memory://"


class Settings(BaseSettings):
    """Runtime configuration of one hub process."""

    model_config = SettingsConfigDict(frozen=True)

    database_url: str = Field(
        DEFAULT_DATABASE_URL,
        description="`postgres://user:pass@host:5432/db` in production",
    )
    database_pool_size: int = Field(
        20,
        ge=1,
        description="PostgreSQL connections per process at most (`?maxsize=` in "
        "`DATABASE_URL` wins)",
    )
    broadcast_url: str = Field(
        DEFAULT_BROADCAST_URL, description="`redis://host:6379/0` in production"
    )
    token_lifetime_days: int = Field(30, ge=1, description="lifetime of bearer tokens")
    graphiql: bool = Field(True, description="`0` turns the GraphiQL page off")
    live_refresh_interval: float = Field(
        0.15,
        gt=0,
        description="seconds: at most one snapshot load per live channel per interval",
    )
    live_outage_poll_interval: float = Field(
        2,
        ge=0,
        description="seconds: while Redis is unreachable, re-read live channels this often "
        "(`0`: off)",
    )
    live_safety_refresh_interval: float = Field(
        30,
        ge=0,
        description="seconds: re-read every live channel this often even with Redis up, so a "
        "lost notice delays an update by at most this long (`0`: off)",
    )
    live_cohorts: bool = Field(
        True,
        description="run `eventLive`/`projectSupport` once per cohort of identical requests "
        "(document, operation, variables) and send every member the same encoded payload; "
        "`0`: once per viewer",
    )
    publish_timeout: float = Field(
        1, gt=0, description="seconds a write waits at most to publish its change notice"
    )
    gc_threshold: int = Field(
        20000,
        ge=0,
        description="a served process freezes what start-up allocated and runs Python's young "
        "GC every this many allocations instead of 700, the middle one every 2 young ones and "
        "a full one after 1,000 middle ones, so no collection pauses a big live night for "
        "long (`web/collector.py`; `0`: Python's defaults)",
    )
    ws_max_subscriptions: int = Field(20, ge=1, description="operations at once on one WebSocket")
    ws_keepalive_interval: float = Field(
        15, gt=0, description="seconds between server keepalives (`ping` / legacy `ka`)"
    )
    ws_ping_interval: float = Field(
        20, gt=0, description="seconds between uvicorn's WebSocket pings (`si-hub serve`)"
    )
    ws_ping_timeout: float = Field(
        20, gt=0, description="seconds without a pong before uvicorn drops the client"
    )
    map_tile_url: str = Field(
        "",
        description="map tiles under the community map, e.g. "
        "`https://tile.example.org/{z}/{x}/{y}.png` (empty: a plain background)",
    )
    map_tile_attribution: str = Field(
        "", description="the credit line the tile server asks for, shown on the map"
    )
    # Bounded work before execution (schema/checked_documents.py, web/request_body.py).
    max_body_bytes: int = Field(
        262_144, ge=1024, description="bytes a request body may have; larger ones get 413"
    )
    max_document_characters: int = Field(
        65_536,
        ge=1024,
        description="characters a GraphQL document's text may have (long texts go in "
        "variables: the parser reads a document one character at a time)",
    )
    max_document_tokens: int = Field(
        2_000,
        ge=100,
        description="tokens a GraphQL document may have (names, punctuation...; the "
        "introspection query has 183)",
    )
    max_query_depth: int = Field(12, ge=1, description="levels of nested fields")
    max_aliases: int = Field(30, ge=0, description="aliased fields, fragments expanded")
    max_fields: int = Field(2_000, ge=10, description="field selections, fragments expanded")
    max_definitions: int = Field(
        100, ge=1, description="operations and fragments one document may define"
    )
    max_same_name_fields: int = Field(
        20,
        ge=1,
        description="fields of one response name in one selection set (their pairwise checks "
        "are what makes validation slow)",
    )
    max_query_nodes: int = Field(
        50_000,
        ge=1,
        description="objects one request may ask for (each `first`/`last` multiplies what is "
        "below it); more is refused before execution",
    )
    max_mutations_per_request: int = Field(5, ge=1, description="mutation fields per request")
    document_cache_bytes: int = Field(
        64 * 1024 * 1024,
        ge=0,
        description="memory for parsed and validated documents, estimated from their size",
    )
    # Rate limits: leaky buckets of cost points (resolvers/rate_limits.py).
    rate_limit_url: str = Field(
        "",
        description="where the buckets live: `redis://...`, or `memory://` (one process); "
        "empty: `BROADCAST_URL` when it is Redis, else memory",
    )
    rate_limits: bool = Field(
        True,
        description="`0`: no cost buckets (behind a gateway that limits requests itself); "
        "the node, mutation and document limits stay",
    )
    rate_limit_ip_capacity: int = Field(
        200_000,
        ge=1,
        description="cost points anonymous callers from one IP address may spend at once (a "
        "village hall's phones share one address)",
    )
    rate_limit_ip_per_second: float = Field(
        5_000, gt=0, description="points per second an IP address's bucket regains"
    )
    rate_limit_person_capacity: int = Field(
        100_000, ge=1, description="cost points a signed-in person may spend at once"
    )
    rate_limit_person_per_second: float = Field(
        2_000, gt=0, description="points per second a person's bucket regains"
    )
    rate_limit_key_capacity: int = Field(
        500_000, ge=1, description="cost points a partner API key may spend at once"
    )
    rate_limit_key_per_second: float = Field(
        10_000, gt=0, description="points per second a key's bucket regains"
    )
    login_free_attempts: int = Field(
        5,
        ge=1,
        description="wrong passwords for one account (or from one IP address, times 4) "
        "before each further attempt waits, doubling from 1 s",
    )
    login_max_wait: float = Field(
        900, gt=0, description="seconds the longest wait between login attempts lasts"
    )
    joins_per_ip_capacity: int = Field(
        300,
        ge=1,
        description="anonymous joins of a pitching event one IP address may make at once (a "
        "village hall shares one)",
    )
    joins_per_ip_per_second: float = Field(
        5, gt=0, description="anonymous joins per second an IP address's bucket regains"
    )
    registrations_per_ip_capacity: int = Field(
        20, ge=1, description="accounts one IP address may register at once"
    )
    registrations_per_ip_per_second: float = Field(
        0.05, gt=0, description="registrations per second an IP address's bucket regains"
    )
    # Trusted documents (web/trusted_documents.py).
    trusted_documents_only: bool = Field(
        False,
        description="anonymous callers may only run the hub's own (trusted) documents; "
        "signed-in people and API keys may still send text",
    )
    persisted_get_max_age: int = Field(
        30,
        ge=0,
        description="seconds a browser or proxy may keep an anonymous GET of a persisted "
        "document (`documentId`) before asking again (`0`: not cached)",
    )
    forwarded_allow_ips: str = Field(
        "127.0.0.1",
        description="proxies whose `X-Forwarded-For` names the client (`si-hub serve`; `*`: "
        "any): rate limits count the client's address, not the proxy's",
    )
    log_format: str = Field(
        "text",
        pattern="^(text|json)$",
        description="`json`: one JSON object per log line, with the request id",
    )


def _shown_default(value: object) -> str:
    if isinstance(value, bool):
        return "`1`" if value else "`0`"
    if value == "":
        return "empty"
    return f"`{value}`"


def settings_table() -> str:
    """The README's table of settings, made from ``Settings``."""
    rows = ["| variable | default | meaning |", "|---|---|---|"]
    for name, field in Settings.model_fields.items():
        rows.append(f"| `{name.upper()}` | {_shown_default(field.default)} | {field.description} |")
    return "\n".join(rows) + "\n"


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


def connection_config(database_url: str, pool_size: int) -> str | dict[str, Any]:
    """tortoise's connection entry: the URL, or for PostgreSQL its credentials plus the reset."""
    url = normalize_database_url(database_url)
    if not url.startswith("postgres://"):
        return url
    config: dict[str, Any] = expand_db_url(url)
    config["credentials"]["reset"] = keep_session
    # tortoise's default pool of 5 connections starves a busy process: every statement holds
    # a connection until the event loop gets round to its answer, and on a live night that
    # may be several milliseconds. ``?maxsize=`` in the URL still wins.
    config["credentials"].setdefault("maxsize", pool_size)
    # asyncpg re-arms an idle-connection timer on every release by default; the pool is
    # small and bounded, so idle connections may simply stay open.
    config["credentials"].setdefault("max_inactive_connection_lifetime", 0)
    return config


def tortoise_config(database_url: str, *, pool_size: int | None = None) -> dict[str, Any]:
    """The tortoise-orm configuration for one database URL (``DATABASE_POOL_SIZE`` unless
    ``pool_size`` is given)."""
    size = Settings().database_pool_size if pool_size is None else pool_size
    return {
        "connections": {"default": connection_config(database_url, size)},
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
