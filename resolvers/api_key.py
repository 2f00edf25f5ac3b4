"""Partner API keys: made by an organization's admins, shown once, acting for the organization.

A key is ``sik_`` and 43 random characters; only its SHA-256 digest is stored, with its
first characters (``prefix``) to recognise it in a list. It reads (``READ``) or also writes
(``WRITE``), until it expires (at most ``MAX_LIFETIME_DAYS``) or an admin revokes it. A
request carrying it acts as the organization itself: it can do what the organization may
and nothing more; account and membership matters, keys themselves and a person's own acts
(following, "affects me too", joining an audience) need a signed-in person.
"""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from models import Actor, ApiKey, AuthToken
from resolvers.activity import record_activity
from resolvers.errors import ErrorCode, NotFound
from resolvers.ids import decode_id, to_global_id
from resolvers.permissions import acting_actor, require_person
from resolvers.person import person_for_token
from resolvers.validation import Checker

KEY_PREFIX = "sik_"
SHOWN_PREFIX_LENGTH = 12
DEFAULT_LIFETIME_DAYS = 365
MAX_LIFETIME_DAYS = 730
MAX_KEYS_PER_ORGANIZATION = 50
LAST_USE_PRECISION = timedelta(minutes=1)  # a key's last use is written at most this often


class ApiKeyScope(StrEnum):
    READ = "READ"
    WRITE = "WRITE"


@dataclass(frozen=True)
class NewApiKey:
    key: ApiKey
    secret: str  # shown once


def key_digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def is_key_secret(token: str) -> bool:
    return token.startswith(KEY_PREFIX)


def scopes_of(key: ApiKey) -> list[ApiKeyScope]:
    return [ApiKeyScope.READ, ApiKeyScope.WRITE] if key.can_write else [ApiKeyScope.READ]


async def create_api_key(
    viewer: Actor | None,
    *,
    organization_id: str,
    name: str,
    scopes: list[ApiKeyScope],
    lifetime_days: int | None,
) -> NewApiKey:
    """An admin of the organization makes a key; its secret is returned once."""
    person = require_person(viewer)
    checker = Checker()
    clean_name = checker.text("name", name, min_length=2, max_length=100)
    days = DEFAULT_LIFETIME_DAYS if lifetime_days is None else lifetime_days
    checker.number_range("lifetimeDays", days, minimum=1, maximum=MAX_LIFETIME_DAYS)
    if ApiKeyScope.READ not in scopes:
        checker.add("scopes", ErrorCode.REQUIRED, "Every key reads: scopes must hold READ.")
    checker.raise_if_any()
    organization = await acting_actor(
        person, organization_id, require_admin=True, field="organizationId"
    )
    live = await ApiKey.filter(organization=organization, revoked_at__isnull=True).count()
    if live >= MAX_KEYS_PER_ORGANIZATION:
        checker.add(
            "organizationId",
            ErrorCode.OUT_OF_RANGE,
            f"An organization holds at most {MAX_KEYS_PER_ORGANIZATION} keys: revoke one.",
        )
        checker.raise_if_any()
    secret = KEY_PREFIX + secrets.token_urlsafe(32)
    async with in_transaction():
        key = await ApiKey.create(
            organization=organization,
            created_by=person,
            name=clean_name,
            prefix=secret[:SHOWN_PREFIX_LENGTH],
            digest=key_digest(secret),
            can_write=ApiKeyScope.WRITE in scopes,
            expires_at=datetime.now(UTC) + timedelta(days=days),
        )
        await record_activity(
            verb="api_key.created",
            subject=key,
            actor=organization,
            performed_by=person,
            is_public=False,
            details={"name": clean_name, "scopes": [scope.value for scope in scopes_of(key)]},
        )
    return NewApiKey(key, secret)


async def _admin_key(viewer: Actor | None, key_id: str) -> tuple[Actor, ApiKey]:
    person = require_person(viewer)
    key = await ApiKey.get_or_none(pk=decode_id(key_id, "ApiKey", field="keyId"))
    if key is None:
        raise NotFound("No API key has the ID given in keyId.", field="keyId")
    await acting_actor(
        person,
        to_global_id("Organization", key.organization_id),
        require_admin=True,
        field="keyId",
    )
    return person, key


async def revoke_api_key(viewer: Actor | None, *, key_id: str) -> ApiKey:
    """An admin of the key's organization revokes it (revoking twice changes nothing)."""
    person, key = await _admin_key(viewer, key_id)
    if key.revoked_at is None:
        async with in_transaction():
            await ApiKey.filter(pk=key.pk, revoked_at__isnull=True).update(
                revoked_at=datetime.now(UTC)
            )
            await record_activity(
                verb="api_key.revoked",
                subject=key,
                actor=key.organization_id,
                performed_by=person,
                is_public=False,
                details={"name": key.name},
            )
        await key.refresh_from_db()
    return key


async def keys_of(viewer: Actor | None, organization_id: str) -> list[ApiKey]:
    """An organization's keys, newest first, for its admins only."""
    person = require_person(viewer)
    organization = await acting_actor(
        person, organization_id, require_admin=True, field="organizationId"
    )
    return await ApiKey.filter(organization=organization).order_by("-created_at", "-id")


async def key_for_secret(secret: str) -> ApiKey | None:
    """The live key a secret names, with its organization; marks it used (once a minute)."""
    now = datetime.now(UTC)
    key = await ApiKey.get_or_none(
        digest=key_digest(secret), revoked_at__isnull=True, expires_at__gt=now
    ).select_related("organization")
    if key is None:
        return None
    if key.last_used_at is None or now - key.last_used_at > LAST_USE_PRECISION:
        stale = Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - LAST_USE_PRECISION)
        await ApiKey.filter(stale, pk=key.pk).update(last_used_at=now)
        key.last_used_at = now
    return key


async def viewer_for_bearer(raw_token: str) -> tuple[Actor | None, ApiKey | None]:
    """The viewer a bearer token names (a person, or a live key's organization), and the key."""
    if is_key_secret(raw_token):
        key = await key_for_secret(raw_token)
        return (key.organization, key) if key is not None else (None, None)
    return await person_for_token(raw_token), None


async def revocation_count() -> int:
    """Revoked tokens and keys so far: grows with every revocation (never shrinks)."""
    tokens = await AuthToken.filter(revoked_at__isnull=False).count()
    return tokens + await ApiKey.filter(revoked_at__isnull=False).count()


async def live_key_digests(digests: set[str]) -> set[str]:
    """Which of these key digests still name a live key."""
    if not digests:
        return set()
    rows = await ApiKey.filter(
        digest__in=list(digests), revoked_at__isnull=True, expires_at__gt=datetime.now(UTC)
    ).values_list("digest", flat=True)
    return {str(digest) for digest in rows}
