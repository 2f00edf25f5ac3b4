"""GraphQL run in-process for server-rendered pages.

A page reads exactly what an API client reads — the same resolvers, labels and visibility
rules — without an HTTP round trip: the schema is executed with a context built the way
``/graphql`` builds one for the request (so a bearer token, if any, counts the same).
"""

from datetime import timedelta
from typing import Any

from starlette.requests import Request

from schema import schema
from web.context import build_context
from web.settings import Settings


class PageQueryFailed(RuntimeError):
    """A page's own query failed: a bug or an outage, never the visitor's input."""


async def execute(request: Request, query: str, variables: dict[str, Any]) -> dict[str, Any]:
    """The ``data`` of ``query``; any GraphQL error raises (the page answers 500).

    Pages validate what the visitor typed (IDs, filters) before querying, so an error here
    is never the visitor's fault.
    """
    settings: Settings = request.app.state.settings
    context = await build_context(
        request,
        None,
        notifier=request.app.state.notifier,
        token_lifetime=timedelta(days=settings.token_lifetime_days),
    )
    result = await schema.execute(query, variable_values=variables, context_value=context)
    if result.errors:
        messages = "; ".join(error.message for error in result.errors)
        raise PageQueryFailed(f"page query failed: {messages}")
    assert result.data is not None  # no errors means data
    return result.data
