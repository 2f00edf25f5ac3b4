"""Settings from environment variables, with embedded defaults so a fresh checkout runs."""

import os
from dataclasses import dataclass, field
from typing import Any

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


def normalize_database_url(url: str) -> str:
    """Accept the common ``postgresql://`` spelling as tortoise's ``postgres://``."""
    if url.startswith("postgresql://"):
        return "postgres://" + url.removeprefix("postgresql://")
    return url


def tortoise_config(database_url: str) -> dict[str, Any]:
    """The tortoise-orm configuration for one database URL."""
    return {
        "connections": {"default": normalize_database_url(database_url)},
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
