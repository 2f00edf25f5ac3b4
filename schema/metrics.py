"""The hub's Prometheus metrics (the official client), served at ``/metrics``.

Labels stay bounded whatever clients send: an operation is named by its trusted document
when it is one, else by its type and first root field (both from the schema), never by the
operation name a client chose. Several worker processes share the numbers through
``PROMETHEUS_MULTIPROC_DIR`` (``si-hub serve`` sets one up); gauges then add up across them.
"""

from prometheus_client import Counter, Gauge, Histogram

GRAPHQL_REQUESTS = Counter(
    "hub_graphql_requests",
    "GraphQL operations answered, by operation and outcome "
    "(ok, error, refused before execution, throttled).",
    ["operation", "outcome"],
)
GRAPHQL_COST = Histogram(
    "hub_graphql_request_cost_points",
    "Requested cost of the GraphQL operations that passed validation, in points.",
    buckets=(1, 5, 10, 25, 50, 100, 250, 1000, 5000, 25_000, 50_000),
)
THROTTLED = Counter(
    "hub_throttled_requests",
    "Requests refused by a rate limit, by bucket (ip, person, key, login, join, register).",
    ["bucket"],
)
LIVE_SUBSCRIPTIONS = Gauge(
    "hub_live_subscriptions",
    "Snapshot subscriptions being served (members of live cohorts).",
    multiprocess_mode="livesum",
)
LIVE_FANOUT_SECONDS = Histogram(
    "hub_live_fanout_seconds",
    "Time a cohort takes to hand one snapshot to all its members.",
    buckets=(0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
)
