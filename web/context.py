"""Building the GraphQL context of a request: who is asking, fresh dataloaders."""

from datetime import timedelta

from starlette.requests import Request
from starlette.responses import Response
from starlette.websockets import WebSocket

from resolvers.person import person_for_token
from schema.context import Context
from subscriptions.hub import LiveHub
from subscriptions.notifier import Notifier

BEARER_PREFIX = "bearer "


def bearer_token(request: Request | WebSocket) -> str | None:
    header = request.headers.get("authorization", "")
    if header.lower().startswith(BEARER_PREFIX):
        token = header[len(BEARER_PREFIX) :].strip()
        return token or None
    return None


async def build_context(
    request: Request | WebSocket,
    response: Response | WebSocket | None,
    *,
    notifier: Notifier,
    token_lifetime: timedelta,
    hub: LiveHub | None = None,
) -> Context:
    raw_token = bearer_token(request)
    viewer = await person_for_token(raw_token) if raw_token else None
    return Context(
        viewer=viewer,
        raw_token=raw_token if viewer else None,
        notifier=notifier,
        token_lifetime=token_lifetime,
        request=request,
        response=response,
        hub=hub,
    )
