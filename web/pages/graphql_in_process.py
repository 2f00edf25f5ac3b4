"""GraphQL run in-process for server-rendered pages.

A page reads exactly what an API client reads — the same resolvers, labels and visibility
rules — without an HTTP round trip: the schema is executed with a context built the way
``/graphql`` builds one for the request (so a bearer token, if any, counts the same).
"""

from typing import Any

from starlette.requests import Request

from schema import schema
from web.context import ContextFactory


class PageQueryFailed(RuntimeError):
    """A page's own query failed: a bug or an outage, never the visitor's input."""


async def execute(request: Request, query: str, variables: dict[str, Any]) -> dict[str, Any]:
    """The ``data`` of ``query``; any GraphQL error raises (the page answers 500).

    Pages validate what the visitor typed (IDs, filters) before querying, so an error here
    is never the visitor's fault.
    """
    # A page's own queries are fixed and bounded: they pay nothing to the rate limits.
    contexts: ContextFactory = request.app.state.contexts
    context = await contexts.for_request(request, None, limited=False)
    result = await schema.execute(query, variable_values=variables, context_value=context)
    if result.errors:
        messages = "; ".join(error.message for error in result.errors)
        raise PageQueryFailed(f"page query failed: {messages}")
    assert result.data is not None  # no errors means data
    return result.data
