"""Live updates across processes through real Redis, and through a Redis restart.

Two hub processes (``si-hub serve``) share the test database and Redis, as several app
processes or hosts do in production. Process A serves the subscribers; writes go through
process B, so every update A sends crossed Redis (or, after an outage, was re-read).
"""

import asyncio
import os
from collections.abc import AsyncIterator, Iterator
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from gql import Client, GraphQLRequest
from gql.transport.websockets import WebsocketsTransport

from resolvers.event_live import load_project_support
from resolvers.rate_limits import Bucket, RedisRateLimiter
from subscriptions.feeds import project_support_feed
from tests.factories import (
    gid,
    graphql,
    make_community,
    make_issue,
    make_person,
    make_project,
    token_for,
)
from tests.live_server import HubProcess, running_hub
from tests.redis_server import RedisServer
from web.app import close_connections, create_app
from web.settings import Settings

REDIS_URL = os.environ.get("TEST_REDIS_URL", "")
REDIS = RedisServer.from_environment()
WAIT = 10  # seconds
pytestmark = pytest.mark.skipif(
    not REDIS_URL,
    reason="TEST_REDIS_URL is unset: notices cross processes only through Redis "
    "(scripts/test starts a throwaway one)",
)
needs_restartable_redis = pytest.mark.skipif(
    REDIS is None,
    reason="the test Redis was not started by scripts/services.sh (no pidfile in .run/), "
    "so it cannot be stopped and restarted here",
)

SUPPORT_FIELDS = "votes backers money { amount currency }"
PROJECT_SUPPORT = f"""
subscription($id: ID!) {{
  projectSupport(projectId: $id) {{ version support {{ {SUPPORT_FIELDS} }} }}
}}"""
SUPPORT_NOW = f"""
query($id: ID!) {{ node(id: $id) {{ ... on Project {{ support {{ {SUPPORT_FIELDS} }} }} }} }}"""
PLEDGE = """
mutation($input: PledgeInput!) { pledge(input: $input) { __typename } }"""


@pytest.fixture(scope="module")
def hubs(
    database: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[HubProcess, HubProcess]]:
    """Processes A and B on Redis. Outage polling is off, so after a Redis restart only the
    resubscription and re-read from the database can bring A's subscribers up to date."""
    logs = tmp_path_factory.mktemp("hubs")
    off = {"LIVE_OUTAGE_POLL_INTERVAL": "0"}
    with (
        running_hub(database, REDIS_URL, logs, **off) as a,
        running_hub(database, REDIS_URL, logs, **off) as b,
    ):
        yield a, b


@dataclass
class Subscriber:
    """One gql client on its own connection, keeping every update it gets."""

    updates: list[dict[str, Any]] = field(default_factory=list)
    failure: BaseException | None = None

    async def follow(self, hub: HubProcess, project_id: str) -> None:
        transport = WebsocketsTransport(url=hub.ws_url, subprotocols=["graphql-transport-ws"])
        request = GraphQLRequest(PROJECT_SUPPORT, variable_values={"id": project_id})
        try:
            async with Client(transport=transport) as session:
                async for result in session.subscribe(request):
                    self.updates.append(result["projectSupport"])
        except Exception as error:  # recorded: the test asserts nobody was disconnected
            self.failure = error


async def project_and_people(count: int) -> tuple[Any, list[str]]:
    community = await make_community()
    lead = await make_person()
    project = await make_project(community, lead, [await make_issue(community, lead)])
    return project, [await token_for(await make_person()) for _ in range(count)]


async def pledge(api: httpx.AsyncClient, project: Any, token: str, number: int) -> None:
    """A vote first, then money: every call is a new pledge row."""
    fields: dict[str, Any] = {"projectId": gid(project), "kind": "VOTE"}
    if number:
        fields = {**fields, "kind": "MONEY", "amount": {"amount": f"{10 + number}.25"}}
    body = await graphql(api, PLEDGE, {"input": fields}, token=token)
    assert body == {"data": {"pledge": {"__typename": "PledgeSuccess"}}}, body


async def database_truth(api: httpx.AsyncClient, project: Any) -> dict[str, Any]:
    snapshot = await load_project_support(project.pk)
    assert snapshot is not None
    body = await graphql(api, SUPPORT_NOW, {"id": gid(project)})
    return {"version": snapshot.version, "support": body["data"]["node"]["support"]}


async def all_reach(subscribers: list[Subscriber], truth: dict[str, Any]) -> None:
    async def reached() -> None:
        while not all(s.updates and s.updates[-1] == truth for s in subscribers):
            assert not [s.failure for s in subscribers if s.failure], "a subscriber failed"
            await asyncio.sleep(0.05)

    await asyncio.wait_for(reached(), WAIT)


@pytest.fixture
async def apis(hubs: tuple[HubProcess, HubProcess]) -> AsyncIterator[list[httpx.AsyncClient]]:
    async with (
        httpx.AsyncClient(base_url=hubs[0].url, timeout=WAIT) as a,
        httpx.AsyncClient(base_url=hubs[1].url, timeout=WAIT) as b,
    ):
        yield [a, b]


async def test_a_subscriber_on_one_process_sees_a_pledge_made_through_another(hubs, apis):
    # given a subscriber connected to process A
    project, tokens = await project_and_people(1)
    subscriber = Subscriber()
    following = asyncio.create_task(subscriber.follow(hubs[0], gid(project)))
    try:
        await all_reach([subscriber], await database_truth(apis[1], project))
        # when a resident votes through process B
        await pledge(apis[1], project, tokens[0], 0)
        # then A's subscriber gets the vote
        truth = await database_truth(apis[1], project)
        await all_reach([subscriber], truth)
        assert truth["support"]["votes"] == 1
        assert [update["version"] for update in subscriber.updates] == [0, 1]
    finally:
        following.cancel()
        await asyncio.gather(following, return_exceptions=True)


@needs_restartable_redis
async def test_subscribers_stay_connected_through_a_redis_restart_and_end_exact(hubs, apis):
    # given 10 subscribers on process A, and 12 people pledging through process B
    assert REDIS is not None
    project, tokens = await project_and_people(12)
    subscribers = [Subscriber() for _ in range(10)]
    tasks = [asyncio.create_task(s.follow(hubs[0], gid(project))) for s in subscribers]
    pledges = iter([(token, number) for number in range(3) for token in tokens])

    async def pledge_some(count: int) -> None:
        for token, number in [next(pledges) for _ in range(count)]:
            await pledge(apis[1], project, token, number)

    try:
        await all_reach(subscribers, await database_truth(apis[1], project))
        # when pledges stream in, Redis stops mid-stream (pledges go on), and comes back
        await pledge_some(12)
        async with REDIS.stopped():
            await pledge_some(12)
        # then once Redis is back every subscriber is re-sent the database's counts
        await all_reach(subscribers, await database_truth(apis[1], project))
        # and live notices flow again for the rest of the stream
        await pledge_some(12)
        truth = await database_truth(apis[1], project)
        await all_reach(subscribers, truth)
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    assert truth["version"] == 36
    assert truth["support"]["votes"] == 12
    # and nobody was disconnected, and nobody's versions went backwards
    assert [s.failure for s in subscribers] == [None] * 10
    for subscriber in subscribers:
        versions = [update["version"] for update in subscriber.updates]
        assert versions == sorted(versions)


@needs_restartable_redis
async def test_counts_keep_moving_while_redis_is_down(database):
    # given an in-process app on Redis that re-reads live channels every 0.3 s in outages
    assert REDIS is not None
    settings = Settings(
        database_url=database, broadcast_url=REDIS_URL, live_outage_poll_interval=0.3
    )
    app = create_app(settings)
    project, tokens = await project_and_people(1)
    transport = httpx.ASGITransport(app=app)
    async with (
        AsyncExitStack() as resources,
        app.state.hub.running() as hub,
        httpx.AsyncClient(transport=transport, base_url="http://hub.test") as api,
        hub.watch(project_support_feed(project.pk)) as slot,
    ):
        resources.push_async_callback(close_connections, app)
        assert (await asyncio.wait_for(slot.next(), WAIT)).version == 0
        async with REDIS.stopped():
            await asyncio.sleep(0.2)  # the listener sees the drop
            # when a resident votes while Redis is down (its notice cannot be published)
            await asyncio.wait_for(pledge(api, project, tokens[0], 0), WAIT)
            # then the write still succeeds (its notice given up after PUBLISH_TIMEOUT,
            # not waited for), and the subscriber gets the vote anyway
            assert app.state.notifier.notices_dropped >= 1
            snapshot = await asyncio.wait_for(slot.next(), WAIT)
            assert (snapshot.version, snapshot.support.total.votes) == (1, 1)
            assert not hub.upstream_connected


@needs_restartable_redis
async def test_rate_limits_are_on_again_once_redis_is_back():
    # given a limiter on the test Redis, whose bucket of 10 points is full
    assert REDIS is not None
    limiter = RedisRateLimiter(REDIS_URL, timeout=0.3)
    bucket = Bucket(capacity=10, per_second=0.001)
    key = f"test:restart:{os.getpid()}:{id(limiter)}"
    try:
        assert (await limiter.charge(key, 10, bucket)).allowed
        assert not (await limiter.charge(key, 10, bucket)).allowed
        # when Redis stops, the limits let requests through
        async with REDIS.stopped():
            down = await asyncio.gather(*(limiter.charge(key, 10, bucket) for _ in range(40)))
            assert all(decision.allowed for decision in down)
        # then after the restart (which forgot the bucket) they count again, on the same pool
        after = [await limiter.charge(key, 10, bucket) for _ in range(2)]
        assert [decision.allowed for decision in after] == [True, False]
    finally:
        await limiter.aclose()
