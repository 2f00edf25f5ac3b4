"""Subscriptions over real WebSockets to a real hub process, with clients we did not write.

The hub runs under ``si-hub serve`` in a subprocess on the test database with the embedded
``memory://`` broadcast, so every write here goes through that same process's HTTP API.
"""

import asyncio
import json
from collections.abc import AsyncIterator, Iterator
from contextlib import suppress
from typing import Any

import httpx
import pytest
import websockets
from gql import Client, GraphQLRequest
from gql.transport.exceptions import TransportQueryError
from gql.transport.websockets import WebsocketsTransport
from websockets.exceptions import ConnectionClosed
from websockets.typing import Subprotocol

from tests.factories import (
    gid,
    graphql,
    make_community,
    make_issue,
    make_person,
    make_project,
    token_for,
)
from tests.live_event_stage import start_live_event
from tests.live_server import HubProcess, running_hub

WAIT = 10  # seconds: the longest any single update may take
TRANSPORT_WS = WebsocketsTransport.GRAPHQLWS_SUBPROTOCOL  # "graphql-transport-ws"
LEGACY_WS = WebsocketsTransport.APOLLO_SUBPROTOCOL  # "graphql-ws"

PROJECT_SUPPORT = """
subscription($id: ID!) {
  projectSupport(projectId: $id) { projectId version support { votes backers } }
}"""
EVENT_LIVE = """
subscription($id: ID!) {
  eventLive(eventId: $id) {
    eventId version state projects { projectId support { votes backers } }
  }
}"""
COMMUNITY_ACTIVITY = """
subscription($id: ID!, $after: ID) {
  communityActivity(communityId: $id, after: $after) {
    __typename verb subjectId actor { displayName }
  }
}"""
VOTE = """
mutation($p: ID!) { pledge(input: {projectId: $p, kind: VOTE}) { __typename } }"""


@pytest.fixture(scope="module")
def hub(database: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[HubProcess]:
    # A keepalive every second, so the clients below also meet the server's pings.
    logs = tmp_path_factory.mktemp("hub")
    with running_hub(database, "memory://", logs, WS_KEEPALIVE_INTERVAL="1") as process:
        yield process


@pytest.fixture
async def api(hub: HubProcess) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=hub.url, timeout=WAIT) as client:
        yield client


def gql_client(hub: HubProcess, protocol: str, token: str | None = None) -> Client:
    transport = WebsocketsTransport(
        url=hub.ws_url,
        subprotocols=[protocol],
        init_payload={"authorization": f"Bearer {token}"} if token else {},
    )
    return Client(transport=transport)


async def next_result(updates: Any) -> dict[str, Any]:
    result: dict[str, Any] = await asyncio.wait_for(anext(updates), WAIT)
    return result


async def project_and_resident(name: str = "Olena") -> tuple[Any, str]:
    community = await make_community()
    lead = await make_person()
    project = await make_project(community, lead, [await make_issue(community, lead)])
    return project, await token_for(await make_person(name))


async def vote(api: httpx.AsyncClient, project_id: str, token: str) -> None:
    body = await graphql(api, VOTE, {"p": project_id}, token=token)
    assert body == {"data": {"pledge": {"__typename": "PledgeSuccess"}}}


def support_update(project: Any, version: int, votes: int) -> dict[str, Any]:
    return {
        "projectSupport": {
            "projectId": gid(project),
            "version": version,
            "support": {"votes": votes, "backers": votes},
        }
    }


async def test_gql_client_follows_project_support_over_graphql_transport_ws(hub, api):
    # given a project, and gql subscribed to its support with a resident's token
    project, token = await project_and_resident()
    request = GraphQLRequest(PROJECT_SUPPORT, variable_values={"id": gid(project)})
    async with gql_client(hub, TRANSPORT_WS, token) as session:
        updates = session.subscribe(request)
        # then the current support comes at once
        assert await next_result(updates) == support_update(project, version=0, votes=0)
        # when the resident votes through the hub's API
        await vote(api, gid(project), token)
        # then the subscriber gets the new support
        assert await next_result(updates) == support_update(project, version=1, votes=1)
        await updates.aclose()


async def test_gql_client_follows_an_event_over_legacy_graphql_ws(hub, api):
    # given a LIVE event with three pitches, and gql subscribed with the legacy protocol
    stage = await start_live_event(api)
    request = GraphQLRequest(EVENT_LIVE, variable_values={"id": stage.event_id})
    async with gql_client(hub, LEGACY_WS) as session:
        updates = session.subscribe(request)
        first = (await next_result(updates))["eventLive"]
        assert first["state"] == "LIVE"
        assert [p["support"] for p in first["projects"]] == [{"votes": 0, "backers": 0}] * 3
        # when an anonymous attendee supports the second pitch
        result = await stage.support(1, await stage.join())
        assert result["__typename"] == "SupportPitchSuccess", result
        # then the event's snapshot shows it, with a higher version
        second = (await next_result(updates))["eventLive"]
        assert second["version"] > first["version"]
        assert [p["support"]["votes"] for p in second["projects"]] == [0, 1, 0]
        await updates.aclose()


async def test_community_activity_streams_new_public_entries_in_order(hub, api):
    # given a community with a project, and a subscriber to its activity after entry 0
    # (so entries made before the subscription is live are replayed, not lost)
    project, token = await project_and_resident()
    other, other_token = await project_and_resident("Taras")
    variables = {"id": gid(await project.community), "after": _global_id("ActivityEntry", 0)}
    async with gql_client(hub, TRANSPORT_WS) as session:
        updates = session.subscribe(GraphQLRequest(COMMUNITY_ACTIVITY, variable_values=variables))
        # when Olena votes here, Taras votes in another community, then here
        await vote(api, gid(project), token)
        await vote(api, gid(other), other_token)
        await vote(api, gid(project), other_token)
        # then exactly this community's two pledges arrive, in order, with their actors
        entries = [(await next_result(updates))["communityActivity"] for _ in range(2)]
        assert [(e["verb"], e["actor"]["displayName"]) for e in entries] == [
            ("pledge.made", "Olena"),
            ("pledge.made", "Taras"),
        ]
        assert entries[0]["subjectId"] != entries[1]["subjectId"]
        with pytest.raises(TimeoutError):
            await asyncio.wait_for(anext(updates), 0.5)
        await updates.aclose()


async def test_unknown_subjects_end_with_an_error_and_the_connection_survives(hub):
    # given a project, and one gql connection
    project, _ = await project_and_resident()
    bad_requests = [
        (EVENT_LIVE, {"id": "not an id"}),
        (EVENT_LIVE, {"id": _global_id("PitchingEvent", 999_999)}),
        (PROJECT_SUPPORT, {"id": _global_id("Project", 999_999)}),
        (PROJECT_SUPPORT, {"id": gid(await project.community)}),  # wrong type
        (COMMUNITY_ACTIVITY, {"id": _global_id("Community", 999_999)}),
        (COMMUNITY_ACTIVITY, {"id": "%%%"}),
    ]
    async with gql_client(hub, TRANSPORT_WS) as session:
        # when subscribing to each of them on the same connection
        errors = []
        for query, variables in bad_requests:
            request = GraphQLRequest(query, variable_values=variables)
            with pytest.raises(TransportQueryError) as raised:
                await next_result(session.subscribe(request))
            assert raised.value.errors is not None
            errors.append(raised.value.errors[0]["extensions"]["code"])
        # then each ends with a clear error code, and the connection still serves
        assert errors == [
            "INVALID_ID",
            "NOT_FOUND",
            "NOT_FOUND",
            "WRONG_ID_TYPE",
            "NOT_FOUND",
            "INVALID_ID",
        ]
        good = GraphQLRequest(PROJECT_SUPPORT, variable_values={"id": gid(project)})
        updates = session.subscribe(good)
        assert await next_result(updates) == support_update(project, version=0, votes=0)
        await updates.aclose()


def _global_id(type_name: str, pk: int) -> str:
    from resolvers.ids import to_global_id

    return to_global_id(type_name, pk)


async def raw_connection(hub: HubProcess, protocol: str = TRANSPORT_WS) -> Any:
    subprotocols = [Subprotocol(protocol)]
    return await websockets.connect(hub.ws_url, subprotocols=subprotocols, open_timeout=WAIT)


async def closed_with(connection: Any, message: object) -> tuple[int, str]:
    """Send one raw frame; return the close code and reason the server answers with."""
    await connection.send(message if isinstance(message, str) else json.dumps(message))
    for _ in range(10):  # a few replies at most (e.g. an ack) before the close
        try:
            await asyncio.wait_for(connection.recv(), WAIT)
        except ConnectionClosed as closed:
            frame = closed.rcvd
            break
    else:
        pytest.fail("the server did not close the connection")
    assert frame is not None, "closed without a close frame"
    return frame.code, frame.reason


@pytest.mark.parametrize(
    ("message", "code"),
    [
        ("not json", 4400),
        ([1, 2, 3], 4400),
        ({"type": 7}, 4400),
        ({"type": "connection_init", "payload": [1]}, 4400),
        ({"type": "connection_init", "payload": {"authorization": 42}}, 4403),
        ({"type": "connection_init", "payload": {"authorization": "Basic abc"}}, 4403),
        ({"type": "connection_init", "payload": {"token": "not-a-real-token"}}, 4403),
        ({"type": "connection_init", "payload": {"token": "x" * 600}}, 4403),
    ],
)
async def test_a_malformed_connection_init_closes_cleanly(hub, message, code):
    # when a client opens with a malformed first message
    async with await raw_connection(hub) as connection:
        closed = await closed_with(connection, message)
    # then the server closes that connection with a protocol code
    assert closed[0] == code
    # and still serves the next client
    async with gql_client(hub, TRANSPORT_WS) as session:
        project, _ = await project_and_resident()
        updates = session.subscribe(
            GraphQLRequest(PROJECT_SUPPORT, variable_values={"id": gid(project)})
        )
        assert (await next_result(updates))["projectSupport"]["version"] == 0
        await updates.aclose()


async def test_a_malformed_subscribe_closes_cleanly(hub):
    # given an acknowledged connection
    async with await raw_connection(hub) as connection:
        await connection.send(json.dumps({"type": "connection_init"}))
        ack = json.loads(await asyncio.wait_for(connection.recv(), WAIT))
        assert ack == {"type": "connection_ack"}
        # when a subscribe message carries no usable payload, then it is closed with 4400
        closed = await closed_with(connection, {"type": "subscribe", "id": "1", "payload": "x"})
    assert closed == (4400, "An operation needs a payload with a query string.")


async def test_a_connection_holds_at_most_20_subscriptions(hub):
    # given a project, and an acknowledged raw graphql-transport-ws connection
    project, _ = await project_and_resident()
    payload = {"query": PROJECT_SUPPORT, "variables": {"id": gid(project)}}
    async with await raw_connection(hub) as connection:
        await connection.send(json.dumps({"type": "connection_init"}))
        await asyncio.wait_for(connection.recv(), WAIT)
        # when 21 subscriptions are started
        for number in range(1, 22):
            message = {"type": "subscribe", "id": str(number), "payload": payload}
            await connection.send(json.dumps(message))
        # then 20 get their first snapshot and the 21st an error
        replies: dict[str, str] = {}
        while len(replies) < 21:
            reply = json.loads(await asyncio.wait_for(connection.recv(), WAIT))
            replies.setdefault(reply["id"], reply["type"])
    assert replies == {**{str(n): "next" for n in range(1, 21)}, "21": "error"}


@pytest.mark.parametrize(
    ("protocol", "keepalive"),
    [(TRANSPORT_WS, {"type": "ping"}), (LEGACY_WS, {"type": "ka"})],
)
@pytest.mark.timing
async def test_the_server_keeps_idle_connections_alive(hub, protocol, keepalive):
    # given an acknowledged, idle connection
    async with await raw_connection(hub, protocol) as connection:
        await connection.send(json.dumps({"type": "connection_init"}))
        ack = json.loads(await asyncio.wait_for(connection.recv(), WAIT))
        assert ack == {"type": "connection_ack"}
        # then the server sends a keepalive within two intervals, and answers ours
        assert json.loads(await asyncio.wait_for(connection.recv(), 2.5)) == keepalive
        if protocol == TRANSPORT_WS:
            await connection.send(json.dumps({"type": "ping"}))
            replies = [json.loads(await asyncio.wait_for(connection.recv(), WAIT))]
            if replies[0] == keepalive:  # the server's next ping came first
                replies.append(json.loads(await asyncio.wait_for(connection.recv(), WAIT)))
            assert replies[-1] == {"type": "pong"}


@pytest.mark.timing
async def test_a_connection_receiving_live_frames_is_not_pinged_until_it_goes_idle(hub, api):
    # given a viewer of a project's support (keepalive every second on this hub)
    project, _ = await project_and_resident()
    voters = [await token_for(await make_person()) for _ in range(8)]
    async with await raw_connection(hub, TRANSPORT_WS) as connection:
        await connection.send(json.dumps({"type": "connection_init"}))
        assert json.loads(await asyncio.wait_for(connection.recv(), WAIT))["type"] == (
            "connection_ack"
        )
        subscribe = {"query": PROJECT_SUPPORT, "variables": {"id": gid(project)}}
        await connection.send(json.dumps({"id": "1", "type": "subscribe", "payload": subscribe}))
        received: list[str] = []

        async def read_for(seconds: float) -> None:
            with suppress(TimeoutError):
                async with asyncio.timeout(seconds):
                    while True:
                        received.append(json.loads(await connection.recv())["type"])

        reader = asyncio.create_task(read_for(3.6))
        # when residents vote every 0.4 s for over three keepalive intervals
        for token in voters:
            await vote(api, gid(project), token)
            await asyncio.sleep(0.4)
        await reader
        # then the viewer got snapshots and no ping
        assert received.count("next") >= 5, received
        assert "ping" not in received, received
        # and once the votes stop, the idle connection is pinged again
        received.clear()
        await read_for(2.5)
        assert "ping" in received, received
