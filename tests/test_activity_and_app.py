"""The public activity log, and the HTTP surface of the app: health, GraphiQL, bad requests."""

from collections.abc import AsyncIterator

import httpx
import pytest

from models import ActivityEntry
from tests.factories import gid, graphql, make_community, make_person, token_for
from web.app import create_app
from web.settings import Settings

DEFINE_ISSUE = """
mutation Define($communityId: ID!) {
  defineIssue(input: {
    communityId: $communityId, title: "Flooded underpass", description: "Knee-deep after rain.",
    location: {latitude: 49.23, longitude: 31.87}, category: INFRASTRUCTURE
  }) { ... on DefineIssueSuccess { issue { id } } }
}
"""

PROPOSE_PROJECT = """
mutation Propose($communityId: ID!, $issueId: ID!, $draft: Boolean!) {
  proposeProject(input: {
    communityId: $communityId, title: "Drainage repair", summary: "New drains.",
    requestedBudget: {amount: "90000"}, issueIds: [$issueId], draft: $draft
  }) { ... on ProposeProjectSuccess { project { id } } }
}
"""

PLEDGE_VOTE = """
mutation Vote($projectId: ID!) {
  pledge(input: {projectId: $projectId, kind: VOTE}) { ... on PledgeSuccess { pledge { id } } }
}
"""

ACTIVITY = """
query Activity($communityId: ID!) {
  activity(communityId: $communityId) {
    totalCount
    nodes { verb subjectType subjectId actor { __typename id } }
  }
}
"""


def nested_query(levels):
    """A query `levels` fields deep (plus the `id` leaf), from issues to their projects to
    their issues..., one of each (so its cost stays small)."""
    path = ["issues(first: 1)", "nodes", "projects(first: 1)", "nodes"] * 4
    fields = path[:levels]
    return "{ " + " { ".join(fields) + " { id }" + " }" * len(fields)


@pytest.fixture
async def http(database: str) -> AsyncIterator[httpx.AsyncClient]:
    """Like `client`, but an exception escaping the app becomes a 500, as under a server."""
    app = create_app(Settings(database_url=database, broadcast_url="memory://"))
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://hub.test") as client:
        yield client


async def test_defining_proposing_and_pledging_are_logged_newest_first(client):
    # given
    community = await make_community()
    person = await make_person()
    token = await token_for(person)
    defined = await graphql(client, DEFINE_ISSUE, {"communityId": gid(community)}, token=token)
    issue_id = defined["data"]["defineIssue"]["issue"]["id"]
    proposed = await graphql(
        client,
        PROPOSE_PROJECT,
        {"communityId": gid(community), "issueId": issue_id, "draft": False},
        token=token,
    )
    project_id = proposed["data"]["proposeProject"]["project"]["id"]
    voted = await graphql(client, PLEDGE_VOTE, {"projectId": project_id}, token=token)
    pledge_id = voted["data"]["pledge"]["pledge"]["id"]
    # when
    body = await graphql(client, ACTIVITY, {"communityId": gid(community)})
    # then
    actor = {"__typename": "Person", "id": gid(person)}
    assert body["data"]["activity"] == {
        "totalCount": 3,
        "nodes": [
            {
                "verb": "pledge.made",
                "subjectType": "Pledge",
                "subjectId": pledge_id,
                "actor": actor,
            },
            {
                "verb": "project.proposed",
                "subjectType": "Project",
                "subjectId": project_id,
                "actor": actor,
            },
            {
                "verb": "issue.defined",
                "subjectType": "Issue",
                "subjectId": issue_id,
                "actor": actor,
            },
        ],
    }


async def test_a_draft_project_is_not_in_the_public_activity(client):
    # given
    community = await make_community()
    token = await token_for(await make_person())
    defined = await graphql(client, DEFINE_ISSUE, {"communityId": gid(community)}, token=token)
    issue_id = defined["data"]["defineIssue"]["issue"]["id"]
    await graphql(
        client,
        PROPOSE_PROJECT,
        {"communityId": gid(community), "issueId": issue_id, "draft": True},
        token=token,
    )
    # when
    body = await graphql(client, ACTIVITY, {"communityId": gid(community)})
    # then: recorded, but privately
    assert [node["verb"] for node in body["data"]["activity"]["nodes"]] == ["issue.defined"]
    assert body["data"]["activity"]["totalCount"] == 1
    assert await ActivityEntry.filter(verb="project.drafted", is_public=False).count() == 1


async def test_health_check_answers_ok(client):
    # when
    response = await client.get("/healthz")
    # then
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_a_browser_gets_graphiql(client):
    # when
    response = await client.get("/graphql", headers={"Accept": "text/html"})
    # then
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "GraphiQL" in response.text


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            b"{not json",
            "The request body is not JSON: Expecting property name enclosed in double quotes.",
        ),
        (b"", "The request body is not JSON: Expecting value."),
    ],
    ids=["broken-json", "empty-body"],
)
async def test_an_unparsable_body_is_a_400_saying_why(http, body, message):
    # when
    response = await http.post(
        "/graphql", content=body, headers={"Content-Type": "application/json"}
    )
    # then
    assert response.status_code == 400
    assert response.json() == {
        "errors": [{"message": message, "extensions": {"code": "INVALID_JSON"}}],
        "extensions": {"requestId": response.headers["x-request-id"]},
    }


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b'{"variables": {}}', "No GraphQL query found in the request"),
        (b'{"query": 5}', "The GraphQL operation's `query` must be a string or null, if provided."),
    ],
    ids=["no-query", "query-not-a-string"],
)
async def test_a_body_without_a_query_is_a_400(http, body, message):
    # when
    response = await http.post(
        "/graphql", content=body, headers={"Content-Type": "application/json"}
    )
    # then
    assert (response.status_code, response.text) == (400, message)


@pytest.mark.parametrize("body", [b"null", b"42", b'"{ viewer { id } }"'])
async def test_a_json_body_that_is_not_an_object_is_a_400(http, body):
    # when
    response = await http.post(
        "/graphql", content=body, headers={"Content-Type": "application/json"}
    )
    # then
    assert response.status_code == 400


async def test_mutations_are_refused_over_get(client):
    # given
    token = await token_for(await make_person())
    # when: a link could otherwise sign someone out (or pledge) on their behalf
    response = await client.get(
        "/graphql",
        params={"query": "mutation { logout(input: {allSessions: true}) { __typename } }"},
        headers={"Authorization": f"Bearer {token}"},
    )
    # then
    assert (response.status_code, response.text) == (
        400,
        "mutations are not allowed when using GET",
    )
    assert (await graphql(client, "{ viewer { id } }", token=token))["data"]["viewer"] is not None


async def test_a_query_13_levels_deep_is_refused_and_12_answered(client):
    # when
    twelve = await graphql(client, nested_query(12))
    thirteen = await graphql(client, nested_query(13))
    # then
    assert twelve == {"data": {"issues": {"nodes": []}}}
    assert thirteen["data"] is None
    assert [error["message"] for error in thirteen["errors"]] == [
        "The operation is 13 levels deep; at most 12 are allowed."
    ]
    assert thirteen["errors"][0]["extensions"] == {"code": "DEPTH_LIMIT_EXCEEDED", "limit": 12}


async def test_more_than_30_aliases_are_refused(client):
    # given
    def aliased(count):
        return "{ " + " ".join(f"a{i}: viewer {{ id }}" for i in range(count)) + " }"

    # when
    thirty = await graphql(client, aliased(30))
    thirty_one = await graphql(client, aliased(31))
    # then
    assert thirty["data"] == {f"a{i}": None for i in range(30)}
    assert thirty_one["data"] is None
    assert [error["message"] for error in thirty_one["errors"]] == [
        "The operation has 31 aliases; at most 30 are allowed."
    ]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("{ communities(", "Syntax Error: Expected Name, found <EOF>."),
        ("query {", "Syntax Error: Expected Name, found <EOF>."),
        ("{ nope }", "Cannot query field 'nope' on type 'Query'. Did you mean 'node' or 'nodes'?"),
    ],
    ids=["unclosed-arguments", "unclosed-selection", "unknown-field"],
)
async def test_a_malformed_query_gets_errors_not_a_500(http, query, message):
    # when
    response = await http.post("/graphql", json={"query": query})
    # then: strawberry answers 200 today; 400 would be as correct (GraphQL over HTTP)
    assert response.status_code in (200, 400)
    body = response.json()
    assert body["data"] is None
    assert [error["message"] for error in body["errors"]] == [message]
