"""Partner API keys: made by admins, shown once, acting for their organization and no more."""

import asyncio
import json
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
import websockets
from websockets.exceptions import ConnectionClosed
from websockets.typing import Subprotocol

from models import (
    ApiKey,
    Issue,
    MatchContribution,
    MatchPool,
    Membership,
    MembershipRole,
    Pledge,
    PledgeKind,
    Sector,
)
from schema import schema
from schema.checked_documents import graphql_core_schema
from tests.factories import (
    gid,
    graphql,
    make_community,
    make_event,
    make_issue,
    make_organization,
    make_person,
    make_project,
    token_for,
)
from tests.served_app import WAIT, served_app

CREATE_KEY = """
mutation($input: CreateApiKeyInput!) {
  createApiKey(input: $input) {
    __typename
    ... on CreateApiKeySuccess { secret apiKey { id name prefix scopes expiresAt revokedAt } }
    ... on Error { code field }
  }
}"""
REVOKE_KEY = """
mutation($id: ID!) {
  revokeApiKey(input: {keyId: $id}) {
    __typename ... on RevokeApiKeySuccess { apiKey { revokedAt } } ... on Error { code }
  }
}"""
KEYS = """
query($id: ID!) {
  node(id: $id) { ... on Organization { apiKeys { name prefix scopes lastUsedAt } } }
}"""


async def make_key(
    client: httpx.AsyncClient, admin_token: str, organization: Any, scopes: list[str]
) -> str:
    body = await graphql(
        client,
        CREATE_KEY,
        {"input": {"organizationId": gid(organization), "name": "Open data", "scopes": scopes}},
        token=admin_token,
    )
    result = body["data"]["createApiKey"]
    assert result["__typename"] == "CreateApiKeySuccess", result
    return str(result["secret"])


async def test_an_admin_makes_a_key_shown_once_and_stored_as_a_digest(client):
    # given the admin of a nonprofit
    admin = await make_person()
    ngo = await make_organization(Sector.NONPROFIT, admin=admin)
    token = await token_for(admin)
    # when they make a key
    body = await graphql(
        client,
        CREATE_KEY,
        {"input": {"organizationId": gid(ngo), "name": "Open data", "scopes": ["READ"]}},
        token=token,
    )
    # then its secret comes back once, and only its digest and first characters are kept
    made = body["data"]["createApiKey"]
    secret = made["secret"]
    assert secret.startswith("sik_")
    assert len(secret) > 40
    assert made["apiKey"]["prefix"] == secret[:12]
    assert made["apiKey"]["scopes"] == ["READ"]
    row = await ApiKey.get()
    assert secret not in (row.digest, row.prefix, row.name)
    # and the admins see it listed (with its last use once used); others see nothing
    await graphql(client, "{ viewer { id } }", token=secret)
    listed = await graphql(client, KEYS, {"id": gid(ngo)}, token=token)
    (key,) = listed["data"]["node"]["apiKeys"]
    assert (key["name"], key["prefix"], key["lastUsedAt"] is not None) == (
        "Open data",
        secret[:12],
        True,
    )
    stranger = await graphql(
        client, KEYS, {"id": gid(ngo)}, token=await token_for(await make_person())
    )
    assert stranger["data"]["node"]["apiKeys"] is None


async def test_a_plain_member_may_not_make_keys(client):
    member, admin = await make_person(), await make_person()
    ngo = await make_organization(Sector.NONPROFIT, admin=admin)
    await Membership.create(organization=ngo, person=member, role=MembershipRole.MEMBER)
    body = await graphql(
        client,
        CREATE_KEY,
        {"input": {"organizationId": gid(ngo), "name": "Mine", "scopes": ["READ", "WRITE"]}},
        token=await token_for(member),
    )
    assert body["data"]["createApiKey"] == {
        "__typename": "PermissionDeniedError",
        "code": "ADMIN_REQUIRED",
        "field": "organizationId",
    }
    assert await ApiKey.all().count() == 0


async def test_a_revoked_or_expired_key_is_refused(client):
    admin = await make_person()
    ngo = await make_organization(Sector.NONPROFIT, admin=admin)
    token = await token_for(admin)
    revoked, expired = [await make_key(client, token, ngo, ["READ"]) for _ in range(2)]
    (first, second) = await ApiKey.all().order_by("id")
    body = await graphql(client, REVOKE_KEY, {"id": gid(first)}, token=token)
    assert body["data"]["revokeApiKey"]["apiKey"]["revokedAt"] is not None
    await ApiKey.filter(pk=second.pk).update(expires_at=datetime(2020, 1, 1, tzinfo=UTC))
    # a request with either is anonymous: it may read public data, and write nothing
    community = await make_community()
    for secret in (revoked, expired):
        define = await graphql(client, DEFINE_ISSUE, {"community": gid(community)}, token=secret)
        assert define["data"]["defineIssue"]["code"] == "AUTHENTICATION_REQUIRED"


async def test_a_read_key_runs_queries_and_no_mutation(client):
    admin = await make_person()
    council = await make_organization(Sector.PUBLIC, admin=admin)
    secret = await make_key(client, await token_for(admin), council, ["READ"])
    community = await make_community()
    read = await graphql(
        client,
        "query($id: ID!) { community(id: $id) { name } }",
        {"id": gid(community)},
        token=secret,
    )
    write = await graphql(client, DEFINE_ISSUE, {"community": gid(community)}, token=secret)
    assert read["data"]["community"]["name"] == community.name
    assert write["data"] is None
    assert write["errors"][0]["extensions"] == {"code": "SCOPE_REQUIRED", "scope": "WRITE"}
    assert await Issue.all().count() == 0


DEFINE_ISSUE = """
mutation($community: ID!) {
  defineIssue(input: {communityId: $community, title: "Flooded cellar", description: "After rain",
    location: {latitude: 49.44, longitude: 32.06}, category: INFRASTRUCTURE}) {
    __typename ... on DefineIssueSuccess { issue { author { id } } } ... on Error { code }
  }
}"""


@dataclass
class World:
    """Two organizations with their own things; the key is organization A's."""

    key: str
    a: Any
    b: Any
    community: Any
    a_issue: Any
    b_issue: Any
    a_project: Any
    b_project: Any
    a_event: Any
    b_event: Any
    live_event: Any  # B's, LIVE, pitching A's project
    a_pledge: Any
    b_pledge: Any
    a_pool: Any = None
    b_pool: Any = None


async def _pool(community: Any, funder: Any) -> MatchPool:
    pool = await MatchPool.create(
        community=community,
        funder=funder,
        opened_by=funder,
        title="Match",
        currency="UAH",
        ratio_funds=1,
        ratio_per=1,
        opens_at=datetime.now(UTC),
        total_minor=100_000,
    )
    await MatchContribution.create(pool=pool, funder=funder, made_by=funder, amount_minor=100_000)
    return pool


@pytest.fixture
async def world(client) -> World:
    admin_a, admin_b = await make_person(), await make_person()
    a = await make_organization(Sector.PUBLIC, admin=admin_a)
    b = await make_organization(Sector.NONPROFIT, admin=admin_b)
    community = await make_community()
    community.opened_by_id = a.pk  # A is the community's own authority
    await community.save()
    a_issue, b_issue = await make_issue(community, a), await make_issue(community, b)
    a_project = await make_project(community, a, [a_issue])
    b_project = await make_project(community, b, [b_issue])
    a_event = await make_event(community, a, [a_project])
    b_event = await make_event(community, b, [b_project])
    live_event = await make_event(community, b, [a_project], state="LIVE")
    pledges = []
    for backer, project in ((a, b_project), (b, a_project)):
        pledges.append(
            await Pledge.create(
                project=project,
                backer=backer,
                made_by=backer,
                kind=PledgeKind.MONEY,
                amount_minor=10_000,
                currency="UAH",
            )
        )
    key = await make_key(client, await token_for(admin_a), a, ["READ", "WRITE"])
    return World(
        key,
        a,
        b,
        community,
        a_issue,
        b_issue,
        a_project,
        b_project,
        a_event,
        b_event,
        live_event,
        pledges[0],
        pledges[1],
        a_pool=await _pool(community, a),
        b_pool=await _pool(community, b),
    )


Case = tuple[str, str, Callable[[World], dict[str, Any]], str]
EVENT_ACTION = (
    "mutation($v: EventActionInput!) {{ {0}(input: $v) {{ __typename ... on Error {{ code }} }} }}"
)


def _m(field: str, input_type: str) -> str:
    return (
        f"mutation($v: {input_type}!) {{ {field}(input: $v) "
        "{ __typename ... on Error { code } } }"
    )


# Every mutation of the schema, with what organization A's write key gets: it acts as A, for
# A's things only; what a person does for themself, or about accounts, memberships and keys,
# needs a person. (test_every_mutation_is_in_the_table checks the table against the schema.)
CASES: list[Case] = [
    (
        "register",
        _m("register", "RegisterInput"),
        lambda w: {
            "displayName": "Key user",
            "email": "key@example.org",
            "password": "a long password",
        },
        "RegisterSuccess",
    ),
    (
        "login",
        _m("login", "LoginInput"),
        lambda w: {"email": "nobody@example.org", "password": "x" * 12},
        "INVALID_CREDENTIALS",
    ),
    ("logout", _m("logout", "LogoutInput"), lambda w: {}, "PERSON_REQUIRED"),
    (
        "createOrganization",
        _m("createOrganization", "CreateOrganizationInput"),
        lambda w: {"displayName": "Spin-off", "sector": "BUSINESS"},
        "PERSON_REQUIRED",
    ),
    (
        "addMember",
        _m("addMember", "AddMemberInput"),
        lambda w: {"organizationId": gid(w.a), "personId": gid(w.b)},
        "PERSON_REQUIRED",
    ),
    (
        "createApiKey",
        _m("createApiKey", "CreateApiKeyInput"),
        lambda w: {"organizationId": gid(w.a), "name": "Another"},
        "PERSON_REQUIRED",
    ),
    (
        "revokeApiKey",
        _m("revokeApiKey", "RevokeApiKeyInput"),
        lambda w: {"keyId": "QXBpS2V5OjE="},
        "PERSON_REQUIRED",
    ),
    (
        "createCommunity",
        _m("createCommunity", "CreateCommunityInput"),
        lambda w: {
            "name": "Nova",
            "regionName": "Poltavska",
            "centre": {"latitude": 49.5, "longitude": 34.5},
            "actingFor": gid(w.a),
        },
        "CreateCommunitySuccess",
    ),
    (
        "createCommunity for B",
        _m("createCommunity", "CreateCommunityInput"),
        lambda w: {
            "name": "Nova",
            "regionName": "Poltavska",
            "centre": {"latitude": 49.5, "longitude": 34.5},
            "actingFor": gid(w.b),
        },
        "NOT_A_MEMBER",
    ),
    (
        "defineIssue",
        _m("defineIssue", "DefineIssueInput"),
        lambda w: {
            "communityId": gid(w.community),
            "title": "Dark park",
            "description": "No lamps",
            "location": {"latitude": 49.4, "longitude": 32.0},
            "category": "SAFETY",
        },
        "DefineIssueSuccess",
    ),
    (
        "defineIssue for B",
        _m("defineIssue", "DefineIssueInput"),
        lambda w: {
            "communityId": gid(w.community),
            "title": "Dark park",
            "description": "No lamps",
            "location": {"latitude": 49.4, "longitude": 32.0},
            "category": "SAFETY",
            "actingFor": gid(w.b),
        },
        "NOT_A_MEMBER",
    ),
    (
        "updateIssue",
        _m("updateIssue", "UpdateIssueInput"),
        lambda w: {"issueId": gid(w.a_issue), "title": "Renamed"},
        "UpdateIssueSuccess",
    ),
    (
        "updateIssue of B",
        _m("updateIssue", "UpdateIssueInput"),
        lambda w: {"issueId": gid(w.b_issue), "title": "Renamed"},
        "NOT_OWNER",
    ),
    (
        "followIssue",
        _m("followIssue", "FollowIssueInput"),
        lambda w: {"issueId": gid(w.a_issue)},
        "PERSON_REQUIRED",
    ),
    (
        "markDuplicate",
        _m("markDuplicate", "MarkDuplicateInput"),
        lambda w: {"issueId": gid(w.a_issue), "duplicateOfId": gid(w.b_issue)},
        "MarkDuplicateSuccess",
    ),
    (
        "affectsMeToo",
        _m("affectsMeToo", "AffectsMeTooInput"),
        lambda w: {"issueId": gid(w.a_issue)},
        "PERSON_REQUIRED",
    ),
    (
        "proposeProject",
        _m("proposeProject", "ProposeProjectInput"),
        lambda w: {
            "communityId": gid(w.community),
            "title": "Lights",
            "summary": "Lamps",
            "requestedBudget": {"amount": "100"},
            "issueIds": [gid(w.a_issue)],
        },
        "ProposeProjectSuccess",
    ),
    (
        "updateProject of B",
        _m("updateProject", "UpdateProjectInput"),
        lambda w: {"projectId": gid(w.b_project), "title": "Mine now"},
        "NOT_OWNER",
    ),
    (
        "updateProject",
        _m("updateProject", "UpdateProjectInput"),
        lambda w: {"projectId": gid(w.a_project), "title": "Better title"},
        "UpdateProjectSuccess",
    ),
    (
        "pledge",
        _m("pledge", "PledgeInput"),
        lambda w: {"projectId": gid(w.b_project), "kind": "VOTE"},
        "PledgeSuccess",
    ),
    (
        "pledge for B",
        _m("pledge", "PledgeInput"),
        lambda w: {"projectId": gid(w.a_project), "kind": "VOTE", "actingFor": gid(w.b)},
        "NOT_A_MEMBER",
    ),
    (
        "withdrawPledge",
        _m("withdrawPledge", "WithdrawPledgeInput"),
        lambda w: {"pledgeId": gid(w.a_pledge)},
        "WithdrawPledgeSuccess",
    ),
    (
        "withdrawPledge of B",
        _m("withdrawPledge", "WithdrawPledgeInput"),
        lambda w: {"pledgeId": gid(w.b_pledge)},
        "NOT_OWNER",
    ),
    (
        "confirmPledge",
        _m("confirmPledge", "ConfirmPledgeInput"),
        lambda w: {"pledgeId": gid(w.b_pledge)},
        "PledgeMoveSuccess",
    ),
    (
        "confirmPledge of B's project",
        _m("confirmPledge", "ConfirmPledgeInput"),
        lambda w: {"pledgeId": gid(w.a_pledge)},
        "NOT_OWNER",
    ),
    (
        "declinePledge",
        _m("declinePledge", "DeclinePledgeInput"),
        lambda w: {"pledgeId": gid(w.b_pledge), "reason": "We cannot take it."},
        "PledgeMoveSuccess",
    ),
    (
        "fulfillPledge of a PLEDGED pledge",
        _m("fulfillPledge", "FulfillPledgeInput"),
        lambda w: {"pledgeId": gid(w.b_pledge), "receivedOn": "2026-01-01"},
        "INVALID_STATUS_TRANSITION",
    ),
    (
        "fulfillPledge of B's project",
        _m("fulfillPledge", "FulfillPledgeInput"),
        lambda w: {"pledgeId": gid(w.a_pledge), "receivedOn": "2026-01-01"},
        "NOT_OWNER",
    ),
    (
        "openMatchPool",
        _m("openMatchPool", "OpenMatchPoolInput"),
        lambda w: {
            "communityId": gid(w.community),
            "actingFor": gid(w.a),
            "title": "Council match",
            "total": {"amount": "1000"},
            "ratio": "1:1",
        },
        "MatchPoolSuccess",
    ),
    (
        "openMatchPool for B",
        _m("openMatchPool", "OpenMatchPoolInput"),
        lambda w: {
            "communityId": gid(w.community),
            "actingFor": gid(w.b),
            "title": "Council match",
            "total": {"amount": "1000"},
            "ratio": "1:1",
        },
        "NOT_A_MEMBER",
    ),
    (
        "topUpMatchPool",
        _m("topUpMatchPool", "TopUpMatchPoolInput"),
        lambda w: {"poolId": gid(w.b_pool), "actingFor": gid(w.a), "amount": {"amount": "5"}},
        "MatchPoolSuccess",
    ),
    (
        "closeMatchPool",
        _m("closeMatchPool", "CloseMatchPoolInput"),
        lambda w: {"poolId": gid(w.a_pool)},
        "MatchPoolSuccess",
    ),
    (
        "closeMatchPool of B",
        _m("closeMatchPool", "CloseMatchPoolInput"),
        lambda w: {"poolId": gid(w.b_pool)},
        "ADMIN_REQUIRED",
    ),
    (
        "createPitchingEvent",
        _m("createPitchingEvent", "CreatePitchingEventInput"),
        lambda w: {
            "communityId": gid(w.community),
            "actingFor": gid(w.a),
            "title": "Night two",
            "startsAt": "2027-05-01T17:00:00Z",
        },
        "PitchingEventSuccess",
    ),
    (
        "createPitchingEvent for B",
        _m("createPitchingEvent", "CreatePitchingEventInput"),
        lambda w: {
            "communityId": gid(w.community),
            "actingFor": gid(w.b),
            "title": "Night two",
            "startsAt": "2027-05-01T17:00:00Z",
        },
        "NOT_A_MEMBER",
    ),
    (
        "addPitch",
        _m("addPitch", "AddPitchInput"),
        lambda w: {"eventId": gid(w.a_event), "projectId": gid(w.b_project)},
        "AddPitchSuccess",
    ),
    (
        "addPitch to B's event",
        _m("addPitch", "AddPitchInput"),
        lambda w: {"eventId": gid(w.b_event), "projectId": gid(w.a_project)},
        "NOT_A_MEMBER",
    ),
    (
        "reorderPitches",
        _m("reorderPitches", "ReorderPitchesInput"),
        lambda w: {"eventId": gid(w.b_event), "pitchIds": []},
        "NOT_A_MEMBER",
    ),
    (
        "startEvent",
        EVENT_ACTION.format("startEvent"),
        lambda w: {"eventId": gid(w.a_event)},
        "PitchingEventSuccess",
    ),
    (
        "startEvent of B",
        EVENT_ACTION.format("startEvent"),
        lambda w: {"eventId": gid(w.b_event)},
        "NOT_A_MEMBER",
    ),
    (
        "nextPitch of B",
        EVENT_ACTION.format("nextPitch"),
        lambda w: {"eventId": gid(w.b_event)},
        "NOT_A_MEMBER",
    ),
    (
        "setCurrentPitch of B",
        _m("setCurrentPitch", "SetCurrentPitchInput"),
        lambda w: {"eventId": gid(w.b_event), "pitchId": "UGl0Y2g6MQ=="},
        "NOT_A_MEMBER",
    ),
    (
        "revealResults of B",
        EVENT_ACTION.format("revealResults"),
        lambda w: {"eventId": gid(w.b_event)},
        "NOT_A_MEMBER",
    ),
    (
        "closeEvent of B",
        EVENT_ACTION.format("closeEvent"),
        lambda w: {"eventId": gid(w.b_event)},
        "NOT_A_MEMBER",
    ),
    (
        "issueAttendeeCodes",
        _m("issueAttendeeCodes", "IssueAttendeeCodesInput"),
        lambda w: {"eventId": gid(w.a_event), "count": 3},
        "IssueAttendeeCodesSuccess",
    ),
    (
        "joinEvent",
        _m("joinEvent", "JoinEventInput"),
        lambda w: {"code": w.a_event.join_code},
        "PERSON_REQUIRED",
    ),
    (
        "supportPitch",
        _m("supportPitch", "SupportPitchInput"),
        lambda w: {"eventId": gid(w.live_event), "projectId": gid(w.a_project)},
        "PERSON_REQUIRED",
    ),
]


def test_every_mutation_is_in_the_table():
    graphql_schema = graphql_core_schema(schema)
    assert graphql_schema is not None
    assert graphql_schema.mutation_type is not None
    assert set(graphql_schema.mutation_type.fields) == {name.split(" ")[0] for name, *_ in CASES}


@pytest.mark.parametrize(
    ("name", "document", "variables", "expected"), CASES, ids=[c[0] for c in CASES]
)
async def test_a_write_key_does_what_its_organization_may_and_no_more(
    client, world, name, document, variables, expected
):
    body = await graphql(client, document, {"v": variables(world)}, token=world.key)
    (result,) = body["data"].values()
    assert expected in (result["__typename"], result.get("code")), result


async def _signed_in_viewer(ws_url: str, credential: str, project: Any) -> Any:
    """A WebSocket signed in with ``credential``, following a project's support."""
    connection = await websockets.connect(
        ws_url, subprotocols=[Subprotocol("graphql-transport-ws")]
    )
    init = {"type": "connection_init", "payload": {"authorization": f"Bearer {credential}"}}
    await connection.send(json.dumps(init))
    assert json.loads(await connection.recv())["type"] == "connection_ack"
    subscribe = {
        "query": "subscription($id: ID!) { projectSupport(projectId: $id) { version } }",
        "variables": {"id": gid(project)},
    }
    await connection.send(json.dumps({"id": "1", "type": "subscribe", "payload": subscribe}))
    assert json.loads(await connection.recv())["type"] == "next"
    return connection


async def _closed_with(connection: Any) -> int | None:
    """The close code the server ends the connection with (waits for it, up to a deadline)."""
    with suppress(ConnectionClosed):
        async with asyncio.timeout(WAIT):
            while True:
                await connection.recv()
    code: int | None = connection.close_code
    return code


async def test_logging_out_everywhere_closes_the_persons_websockets(database):
    # given a person following a project on two phones, and a neighbour on a third
    community = await make_community()
    person, neighbour = await make_person(), await make_person()
    project = await make_project(community, person, [await make_issue(community, person)])
    tokens = [await token_for(person), await token_for(person)]
    async with served_app(database, live_refresh_interval=0.05) as served:
        phones = [await _signed_in_viewer(served.ws_url, token, project) for token in tokens]
        other = await _signed_in_viewer(served.ws_url, await token_for(neighbour), project)
        # when the person logs out of every session
        body = await graphql(
            served.http,
            "mutation { logout(input: {allSessions: true}) { __typename } }",
            token=tokens[0],
        )
        assert body["data"]["logout"]["__typename"] == "LogoutSuccess"
        # then both of their connections close with 4403; the neighbour's stays open
        assert [await _closed_with(phone) for phone in phones] == [4403, 4403]
        await other.ping()
        await other.close()
        assert served.app.state.sessions.closed == 2


async def test_revoking_a_key_closes_its_websockets(database):
    # given a partner's key following a project over a WebSocket
    admin = await make_person()
    ngo = await make_organization(Sector.NONPROFIT, admin=admin)
    community = await make_community()
    project = await make_project(community, admin, [await make_issue(community, admin)])
    async with served_app(database, live_refresh_interval=0.05) as served:
        admin_token = await token_for(admin)
        secret = await make_key(served.http, admin_token, ngo, ["READ"])
        viewer = await _signed_in_viewer(served.ws_url, secret, project)
        # when an admin revokes the key
        key = await ApiKey.get()
        await graphql(served.http, REVOKE_KEY, {"id": gid(key)}, token=admin_token)
        # then its connection closes with 4403
        assert await _closed_with(viewer) == 4403
