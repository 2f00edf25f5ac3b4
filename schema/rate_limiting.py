"""Paying for a request from its caller's bucket, and telling the caller what it cost.

Shopify's model: a request pays its requested cost (``schema/cost.py``) before it runs, from
the bucket of its partner key, else its person, else its IP address (``Context.rate_bucket``);
once it has run, what it did not use (its actual cost is the objects the answer holds) goes
back. While the bucket cannot take the cost the request is refused with a ``THROTTLED``
error saying how many seconds to wait (HTTP 429 with ``Retry-After``).

Every HTTP answer carries ``extensions.cost`` (requested, actual, and the bucket: maximum,
currently available, restore rate) and the ``RateLimit-Limit``/``-Remaining``/``-Reset``
headers of the IETF draft; subscription frames do not (they are shared by whole cohorts).
"""

import math
from dataclasses import dataclass
from typing import Any

from graphql import GraphQLError

from resolvers.rate_limits import Decision, seconds_to_wait
from schema.cost import Cost


@dataclass
class Charge:
    """What a request paid, into which bucket, and what came back of it."""

    key: str
    cost: Cost
    decision: Decision
    actual: int | None = None


async def charge(context: Any, cost: Cost) -> Charge | None:
    """Pay the request's requested cost from its caller's bucket (None: nothing limits it)."""
    target = context.rate_bucket() if hasattr(context, "rate_bucket") else None
    if target is None:
        return None
    key, bucket = target
    decision = await context.limiter.charge(key, cost.requested, bucket)
    return Charge(key, cost, decision)


def throttled_error(paid: Charge) -> GraphQLError:
    wait = seconds_to_wait(paid.decision.retry_after)
    return GraphQLError(
        f"This request costs {paid.cost.requested:,} points and its bucket has "
        f"{math.floor(paid.decision.remaining):,} of {paid.decision.bucket.capacity:,.0f} left: "
        f"try again in {wait} s.",
        extensions={"code": "THROTTLED", "retryAfter": wait, "cost": paid.cost.requested},
    )


async def refund_unused(context: Any, paid: Charge, actual: int) -> None:
    """Give back what the answer did not use (a query's actual cost is known only now)."""
    paid.actual = actual
    unused = paid.cost.requested - actual
    if unused > 0 and paid.decision.allowed:
        paid.decision = await context.limiter.charge(paid.key, -unused, paid.decision.bucket)


def cost_extension(paid: Charge | None, cost: Cost | None) -> dict[str, Any]:
    """``extensions.cost`` in Shopify's shape."""
    if cost is None:
        return {}
    shown: dict[str, Any] = {
        "requestedQueryCost": cost.requested,
        "actualQueryCost": paid.actual if paid is not None else None,
    }
    if paid is not None:
        bucket = paid.decision.bucket
        shown["throttleStatus"] = {
            "maximumAvailable": bucket.capacity,
            "currentlyAvailable": math.floor(paid.decision.remaining),
            "restoreRate": bucket.per_second,
        }
    return {"cost": shown}


def set_headers(response: Any, paid: Charge) -> None:
    """The rate limit headers, and 429 + ``Retry-After`` when refused (HTTP only)."""
    headers = getattr(response, "headers", None)
    if headers is None or not hasattr(response, "status_code"):
        return
    decision = paid.decision
    headers["RateLimit-Limit"] = f"{decision.bucket.capacity:.0f}"
    headers["RateLimit-Remaining"] = str(math.floor(decision.remaining))
    headers["RateLimit-Reset"] = str(math.ceil(decision.reset_after))
    if not decision.allowed:
        response.status_code = 429
        headers["Retry-After"] = str(seconds_to_wait(decision.retry_after))
