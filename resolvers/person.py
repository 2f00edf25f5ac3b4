"""Accounts and bearer tokens: argon2 password hashes, tokens stored as SHA-256 digests."""

import asyncio
import hashlib
import secrets
from contextlib import suppress
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from models import Actor, ActorKind, AuthToken
from resolvers.activity import record_activity
from resolvers.errors import ErrorCode, Problem, ValidationFailed
from resolvers.rate_limits import Guard
from resolvers.validation import Checker

PASSWORD_HASHER = PasswordHasher()
MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 256
MAX_EMAIL_LENGTH = 254
# Verifying against this keeps unknown-email logins as slow as wrong-password ones.
_UNKNOWN_USER_HASH = PASSWORD_HASHER.hash("unknown-user-placeholder")


def token_digest(raw_token: str) -> str:
    return hashlib.sha256(raw_token.encode()).hexdigest()


async def hash_password(password: str) -> str:
    # argon2 is deliberately CPU-heavy: keep it off the event loop.
    return await asyncio.to_thread(PASSWORD_HASHER.hash, password)


async def password_matches(password_hash: str, password: str) -> bool:
    try:
        return await asyncio.to_thread(PASSWORD_HASHER.verify, password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


async def issue_token(person: Actor, *, lifetime: timedelta) -> str:
    """Create a bearer token for ``person``; returns the raw token (shown once)."""
    raw_token = secrets.token_urlsafe(32)
    await AuthToken.create(
        person=person,
        token_digest=token_digest(raw_token),
        expires_at=datetime.now(UTC) + lifetime,
    )
    return raw_token


async def person_for_token(raw_token: str) -> Actor | None:
    """The person a live (unexpired, unrevoked) token belongs to, if any."""
    token = await AuthToken.get_or_none(
        token_digest=token_digest(raw_token),
        revoked_at__isnull=True,
        expires_at__gt=datetime.now(UTC),
    ).select_related("person")
    return token.person if token else None


async def live_token_digests(digests: set[str]) -> set[str]:
    """Which of these token digests still name a live (unexpired, unrevoked) token."""
    if not digests:
        return set()
    rows = await AuthToken.filter(
        token_digest__in=list(digests), revoked_at__isnull=True, expires_at__gt=datetime.now(UTC)
    ).values_list("token_digest", flat=True)
    return {str(digest) for digest in rows}


async def register(display_name: str, email: str, password: str, *, guard: Guard) -> None:
    """Create a citizen account, unless the email already has one.

    Both cases answer alike (the caller signs in next with ``authenticate``): whether an
    email has an account is nobody's business but its owner's. The password is hashed in
    both cases, so they take the same time too.
    """
    checker = Checker()
    name = checker.text("displayName", display_name, max_length=160)
    normalized_email = checker.email("email", email)
    if len(password) < MIN_PASSWORD_LENGTH:
        checker.add(
            "password",
            ErrorCode.WEAK_PASSWORD,
            f"password needs at least {MIN_PASSWORD_LENGTH} characters.",
        )
    elif len(password) > MAX_PASSWORD_LENGTH:
        checker.add("password", ErrorCode.TOO_LONG, "password is too long.")
    checker.raise_if_any()
    await guard.take("register", guard.throttles.registrations_per_ip, "registrations")
    password_hash = await hash_password(password)
    with suppress(IntegrityError):  # the email has an account already: say nothing of it
        async with in_transaction():
            person = await Actor.create(
                kind=ActorKind.PERSON,
                display_name=name,
                email=normalized_email,
                password_hash=password_hash,
            )
            await record_activity(
                verb="person.registered",
                subject=person,
                actor=person,
                performed_by=person,
                is_public=False,
            )


async def authenticate(email: str, password: str, *, guard: Guard) -> Actor:
    """The person signing in; wrong passwords make later attempts wait (``Guard``)."""
    if len(email) > MAX_EMAIL_LENGTH or len(password) > MAX_PASSWORD_LENGTH:
        raise _wrong_credentials()
    await guard.login_attempt(email)
    person = await Actor.get_or_none(email=email.strip().lower(), kind=ActorKind.PERSON)
    stored_hash = person.password_hash if person and person.password_hash else _UNKNOWN_USER_HASH
    if not await password_matches(stored_hash, password) or person is None:
        raise _wrong_credentials()
    await guard.login_succeeded(email)
    return person


def _wrong_credentials() -> ValidationFailed:
    return ValidationFailed(
        [
            Problem(
                "Email or password is wrong.",
                field="password",
                code=ErrorCode.INVALID_CREDENTIALS,
            )
        ]
    )


async def revoke_tokens(person: Actor, raw_token: str | None, *, all_sessions: bool) -> int:
    """Revoke the current token, or every live token of ``person``; returns how many."""
    live = AuthToken.filter(person=person, revoked_at__isnull=True)
    if not all_sessions:
        live = live.filter(token_digest=token_digest(raw_token or ""))
    return await live.update(revoked_at=datetime.now(UTC))
