"""What every resolver sees as ``info.context``: who is asking, dataloaders, the live hub,
and the limits the request runs within."""

import secrets
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, TypeAlias

import strawberry

from models import Actor, ApiKey
from resolvers.loaders import Loaders
from resolvers.rate_limits import Bucket, Guard, RateLimiter, Throttles
from schema.checked_documents import DEFAULT_LIMITS, DocumentLimits
from subscriptions.hub import LiveHub
from subscriptions.notifier import Notifier

# The cookie that binds a phone's anonymous joins of OPEN events to one attendee per event.
DEVICE_COOKIE = "si_device"
DEVICE_COOKIE_MAX_AGE = 365 * 24 * 3600


def set_device_cookie(response: Any, request: Any) -> str:
    """Give the caller a device cookie (on an HTTP response); returns its value."""
    device_id = secrets.token_urlsafe(24)
    response.set_cookie(
        DEVICE_COOKIE,
        device_id,
        max_age=DEVICE_COOKIE_MAX_AGE,
        httponly=True,
        samesite="lax",
        secure=getattr(getattr(request, "url", None), "scheme", "") == "https",
    )
    return device_id


@dataclass
class Context:
    """Per-request context (for WebSockets: per connection, so loaders are rebuilt per event).

    ``viewer`` is the signed-in person, or for a partner API key (``api_key``) the key's
    organization. ``limiter`` is None where nothing is rate-limited (the hub's own cohorts
    and server-rendered pages).
    """

    viewer: Actor | None
    raw_token: str | None
    notifier: Notifier
    token_lifetime: timedelta
    request: Any = None
    response: Any = None
    hub: LiveHub | None = None  # the process's live hub, for subscriptions
    # strawberry puts the WebSocket connection_init payload here (see live/websocket.py).
    connection_params: Any = None
    api_key: ApiKey | None = None
    client_ip: str | None = None
    request_id: str | None = None
    limiter: RateLimiter | None = None
    # The process's signed-in WebSockets (live/sessions.py): a connection signing in joins.
    sessions: Any = None
    throttles: Throttles = field(default_factory=Throttles)
    document_limits: DocumentLimits = DEFAULT_LIMITS
    loaders: Loaders = field(init=False)

    def __post_init__(self) -> None:
        self.renew_loaders()

    def renew_loaders(self) -> None:
        """Fresh dataloaders: a subscription calls this before each event it sends."""
        self.loaders = Loaders(viewer_id=self.viewer.pk if self.viewer else None)

    def guard(self) -> Guard:
        """The rate limits a resolver applies to this caller."""
        return Guard(self.limiter, self.client_ip, self.throttles)

    def device_id(self) -> str | None:
        """The caller's device cookie: from this HTTP request, or the WebSocket's handshake
        (the pages set it); over HTTP, one is made and set when missing."""
        cookies = getattr(self.request, "cookies", None) or {}
        given = cookies.get(DEVICE_COOKIE)
        if given:
            return str(given)
        if not hasattr(self.response, "set_cookie"):  # a WebSocket whose handshake had none
            return None
        return set_device_cookie(self.response, self.request)

    def rate_bucket(self) -> tuple[str, Bucket] | None:
        """Whose cost points a request spends: the key's, the person's, else the address's."""
        if self.limiter is None:
            return None
        if self.api_key is not None:
            return f"key:{self.api_key.pk}", self.throttles.key
        if self.viewer is not None:
            return f"person:{self.viewer.pk}", self.throttles.person
        if self.client_ip is not None:
            return f"ip:{self.client_ip}", self.throttles.ip
        return None


Info: TypeAlias = strawberry.Info[Context, None]
