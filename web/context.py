"""Building the GraphQL context of a request: who is asking, and within which limits.

A bearer token is a person's session token, or a partner API key (``sik_...``), whose
requests act as its organization. Every context but the hub's own (cohorts, pages) carries
the rate limiter and the caller's address, so its requests pay from the right bucket.
"""

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from starlette.requests import HTTPConnection
from starlette.responses import Response
from starlette.websockets import WebSocket

from resolvers.api_key import viewer_for_bearer
from resolvers.rate_limits import (
    Bucket,
    MemoryRateLimiter,
    RateLimiter,
    RedisRateLimiter,
    Throttles,
)
from schema import cost, document_shape
from schema.checked_documents import DocumentLimits
from schema.context import Context
from subscriptions.hub import LiveHub
from subscriptions.notices import uses_redis
from subscriptions.notifier import Notifier
from web.settings import Settings

BEARER_PREFIX = "bearer "


def bearer_token(request: HTTPConnection) -> str | None:
    header = request.headers.get("authorization", "")
    if header.lower().startswith(BEARER_PREFIX):
        token = header[len(BEARER_PREFIX) :].strip()
        return token or None
    return None


def throttles_from(settings: Settings) -> Throttles:
    return Throttles(
        ip=Bucket(settings.rate_limit_ip_capacity, settings.rate_limit_ip_per_second),
        person=Bucket(settings.rate_limit_person_capacity, settings.rate_limit_person_per_second),
        key=Bucket(settings.rate_limit_key_capacity, settings.rate_limit_key_per_second),
        joins_per_ip=Bucket(settings.joins_per_ip_capacity, settings.joins_per_ip_per_second),
        registrations_per_ip=Bucket(
            settings.registrations_per_ip_capacity, settings.registrations_per_ip_per_second
        ),
        login_free_attempts=settings.login_free_attempts,
        login_max_wait=settings.login_max_wait,
    )


def document_limits_from(settings: Settings) -> DocumentLimits:
    return DocumentLimits(
        characters=settings.max_document_characters,
        tokens=settings.max_document_tokens,
        shape=document_shape.Limits(
            depth=settings.max_query_depth,
            aliases=settings.max_aliases,
            fields=settings.max_fields,
            same_name=settings.max_same_name_fields,
            definitions=settings.max_definitions,
        ),
        cost=cost.Limits(
            nodes=settings.max_query_nodes, mutations=settings.max_mutations_per_request
        ),
    )


def rate_limiter_for(settings: Settings) -> RateLimiter | None:
    """Redis when ``RATE_LIMIT_URL`` is Redis, or when it is empty and the notices go
    through Redis (the same server, on the limiter's own bounded pool); else in memory;
    None with ``RATE_LIMITS=0``."""
    if not settings.rate_limits:
        return None
    url = settings.rate_limit_url or settings.broadcast_url
    if uses_redis(url):
        return RedisRateLimiter(url)
    return MemoryRateLimiter()


@dataclass
class ContextFactory:
    """Makes every context of one app: per request, and the hub's own."""

    notifier: Notifier
    token_lifetime: timedelta
    hub: LiveHub | None
    limiter: RateLimiter | None
    throttles: Throttles
    document_limits: DocumentLimits
    sessions: Any = None  # live.sessions.Sessions of the app, for WebSockets signing in

    async def for_request(
        self,
        request: HTTPConnection,
        response: Response | WebSocket | None,
        *,
        limited: bool = True,
    ) -> Context:
        raw_token = bearer_token(request)
        viewer, key = await viewer_for_bearer(raw_token) if raw_token else (None, None)
        return Context(
            viewer=viewer,
            raw_token=raw_token if viewer else None,
            notifier=self.notifier,
            token_lifetime=self.token_lifetime,
            request=request,
            response=response,
            hub=self.hub,
            api_key=key,
            client_ip=request.client.host if request.client else None,
            request_id=request.scope.get("state", {}).get("request_id"),
            limiter=self.limiter if limited else None,
            throttles=self.throttles,
            document_limits=self.document_limits,
            sessions=self.sessions,
        )

    def anonymous(self) -> Context:
        """The hub's own context (a cohort executes with it): nobody, nothing to pay."""
        return Context(
            viewer=None,
            raw_token=None,
            notifier=self.notifier,
            token_lifetime=self.token_lifetime,
            hub=self.hub,
            throttles=self.throttles,
            document_limits=self.document_limits,
        )
