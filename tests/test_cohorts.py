"""Snapshot subscriptions run once per cohort of identical requests, not once per viewer.

The app runs in this process under a real uvicorn server (so the cohorts' counters can be
read) and viewers are real WebSocket clients speaking graphql-transport-ws.
"""

import asyncio
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
import websockets
from graphql import GraphQLNamedType, GraphQLObjectType, get_named_type
from websockets.typing import Subprotocol

from live.cohorts import COHORT_FIELDS, Cohorts
from live.protocol import OUR_PROTOCOL, uvicorn_own_protocol, websocket_protocol
from schema import schema
from subscriptions.hub import LiveHub
from tests.factories import (
    gid,
    graphql,
    make_community,
    make_issue,
    make_person,
    make_project,
    token_for,
)
from tests.served_app import served_app
from tests.waiting import until

WAIT = 10
PROJECT_SUPPORT = """
subscription($id: ID!) { projectSupport(projectId: $id) { version support { votes } } }"""
PROJECT_SUPPORT_BACKERS = """
subscription($id: ID!) { projectSupport(projectId: $id) { version support { backers } } }"""
VOTE = """
mutation($p: ID!) { pledge(input: {projectId: $p, kind: VOTE}) { __typename } }"""


@dataclass
class LiveApp:
    hub: LiveHub
    cohorts: Cohorts
    http: httpx.AsyncClient
    ws_url: str
    direct_writes: bool  # whether the server offers write_text_frame


@pytest.fixture(params=["as served", uvicorn_own_protocol()])
async def live_app(database: str, request: pytest.FixtureRequest) -> AsyncIterator[LiveApp]:
    # as si-hub serve runs it (direct writes where this uvicorn has them), and on uvicorn's
    # own protocol, where every frame goes through ASGI
    protocol = websocket_protocol() if request.param == "as served" else request.param
    async with served_app(database, protocol=protocol, live_refresh_interval=0.05) as served:
        cohorts = served.app.state.cohorts
        assert isinstance(cohorts, Cohorts)
        yield LiveApp(
            served.app.state.hub,
            cohorts,
            served.http,
            served.ws_url,
            direct_writes=protocol == OUR_PROTOCOL,
        )


@dataclass
class Viewer:
    """A graphql-transport-ws client following one subscription; keeps the raw frames."""

    frames: list[str] = field(default_factory=list)
    connection: Any = None

    async def open(self, url: str, query: str, variables: dict[str, Any]) -> None:
        protocols = [Subprotocol("graphql-transport-ws")]
        self.connection = await websockets.connect(url, subprotocols=protocols)
        await self.connection.send(json.dumps({"type": "connection_init"}))
        assert json.loads(await self.connection.recv())["type"] == "connection_ack"
        message = {"query": query, "variables": variables}
        await self.connection.send(json.dumps({"id": "1", "type": "subscribe", "payload": message}))

    async def follow(self) -> None:
        async for frame in self.connection:
            self.frames.append(frame)

    def payloads(self) -> list[dict[str, Any]]:
        messages = [json.loads(frame) for frame in self.frames]
        assert all(message["type"] == "next" and message["id"] == "1" for message in messages)
        return [message["payload"] for message in messages]

    def last_version(self) -> int | None:
        payloads = self.payloads()
        return payloads[-1]["data"]["projectSupport"]["version"] if payloads else None


def test_cohort_fields_return_plain_snapshot_data_only():
    # A cohort executes as an anonymous viewer and shares the result with every member: so
    # nothing under a cohort field may be a Node (nodes have viewer-dependent fields).
    def reachable(named: GraphQLNamedType, seen: set[str]) -> None:
        if named.name in seen or not isinstance(named, GraphQLObjectType):
            return
        seen.add(named.name)
        assert not named.interfaces, f"{named.name} implements {named.interfaces}"
        for field_ in named.fields.values():
            assert not field_.args, f"{named.name}.{field_.name} takes arguments"
            reachable(get_named_type(field_.type), seen)

    subscription = schema._schema.subscription_type
    assert subscription is not None
    for name in COHORT_FIELDS:
        reachable(get_named_type(subscription.fields[name].type), set())


async def test_30_viewers_of_two_documents_cost_two_executions_per_snapshot(live_app):
    # given a project, 3 residents, and 30 viewers: 20 with one document, 10 with another
    community = await make_community()
    lead = await make_person()
    project = await make_project(community, lead, [await make_issue(community, lead)])
    tokens = [await token_for(await make_person()) for _ in range(3)]
    variables = {"id": gid(project)}
    votes_viewers = [Viewer() for _ in range(20)]
    backers_viewers = [Viewer() for _ in range(10)]
    for viewer in votes_viewers:
        await viewer.open(live_app.ws_url, PROJECT_SUPPORT, variables)
    for viewer in backers_viewers:
        await viewer.open(live_app.ws_url, PROJECT_SUPPORT_BACKERS, variables)
    viewers = votes_viewers + backers_viewers
    following = [asyncio.create_task(viewer.follow()) for viewer in viewers]
    try:
        await until(lambda: all(viewer.last_version() == 0 for viewer in viewers), WAIT)
        # when the residents vote one after the other, each waiting for the screens
        for number, token in enumerate(tokens, start=1):
            body = await graphql(live_app.http, VOTE, {"p": gid(project)}, token=token)
            assert body == {"data": {"pledge": {"__typename": "PledgeSuccess"}}}

            def all_at(version: int = number) -> bool:
                return all(viewer.last_version() == version for viewer in viewers)

            await until(all_at, WAIT)
        # then each viewer got each version, with its own document's fields
        for viewer in votes_viewers:
            assert [p["data"]["projectSupport"] for p in viewer.payloads()] == [
                {"version": n, "support": {"votes": n}} for n in range(4)
            ]
        for viewer in backers_viewers:
            assert [p["data"]["projectSupport"] for p in viewer.payloads()] == [
                {"version": n, "support": {"backers": n}} for n in range(4)
            ]
        # and the two cohorts executed each snapshot once, not once per viewer
        assert live_app.cohorts.stats.cohorts_started == 2
        assert live_app.cohorts.stats.executions == 2 * 4
        # and every member of a cohort was sent the very same payload bytes
        frames = {viewer.frames[-1] for viewer in votes_viewers}
        assert len(frames) == 1
        # and the sweeps wrote those frames at once (no task per viewer woken): 30 viewers
        # times the 3 votes' snapshots, the first one having raced the subscriptions;
        # straight to the transports where the server offers it, else through ASGI
        stats = live_app.cohorts.stats
        at_once = stats.written_directly + stats.sent_eagerly
        assert at_once + stats.sends_waiting >= 30 * 3, stats
        if live_app.direct_writes:
            assert stats.written_directly > stats.sent_eagerly + stats.sends_waiting, stats
        else:
            assert stats.written_directly == 0, stats
        assert stats.direct_write_failures == 0, stats
        # and a late viewer gets the current snapshot at once from its cohort
        late = Viewer()
        await late.open(live_app.ws_url, PROJECT_SUPPORT, variables)
        viewers.append(late)
        following.append(asyncio.create_task(late.follow()))
        await until(lambda: late.last_version() == 3, WAIT)
        assert live_app.cohorts.stats.executions == 2 * 4
    finally:
        for viewer in viewers:
            await viewer.connection.close()
        await asyncio.gather(*following, return_exceptions=True)
    # and once everyone left, the cohorts and the project's channel are gone (the one left
    # is the credentials feed every app watches, live/sessions.py)
    await until(lambda: live_app.cohorts.count == 0 and live_app.hub.channel_count == 1, WAIT)


async def test_a_cohort_of_an_unknown_project_ends_every_member_with_the_error(live_app):
    # given two viewers of a project that does not exist
    variables = {"id": "UHJvamVjdDo5OTk5OTk="}  # Project:999999
    viewers = [Viewer(), Viewer()]
    for viewer in viewers:
        await viewer.open(live_app.ws_url, PROJECT_SUPPORT, variables)
    # when they read what the server sends
    replies = [
        [json.loads(await asyncio.wait_for(v.connection.recv(), WAIT)) for _ in range(2)]
        for v in viewers
    ]
    # then each gets the NOT_FOUND result and a complete, and the connections stay open
    for reply in replies:
        assert reply[0]["type"] == "next"
        assert reply[0]["payload"]["errors"][0]["extensions"]["code"] == "NOT_FOUND"
        assert reply[1] == {"id": "1", "type": "complete"}
    for viewer in viewers:
        await viewer.connection.ping()
        await viewer.connection.close()
    await until(lambda: live_app.cohorts.count == 0, WAIT)
