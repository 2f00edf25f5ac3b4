"""Relay plumbing: paging through connections, and fetching any object by its global ID."""

import pytest

from models import Pledge, PledgeKind, Sector
from resolvers.ids import to_global_id
from tests.factories import (
    gid,
    graphql,
    make_community,
    make_issue,
    make_organization,
    make_person,
    make_project,
)

COMMUNITY_PAGE = """
query Page($first: Int, $after: String, $last: Int, $before: String) {
  communities(first: $first, after: $after, last: $last, before: $before) {
    totalCount
    nodes { name }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}
"""

NODE = "query Node($id: ID!) { node(id: $id) { __typename id } }"
NODES = "query Nodes($ids: [ID!]!) { nodes(ids: $ids) { __typename id } }"

NAMES = ["Balakliia", "Cherkasy", "Horodyshche", "Kaniv", "Smila", "Uman", "Zolotonosha"]


async def make_seven_communities():
    # Created out of order: the list is by name, not by creation.
    for name in reversed(NAMES):
        await make_community(name)


async def page(client, **arguments):
    body = await graphql(client, COMMUNITY_PAGE, arguments)
    return body["data"]["communities"]


async def test_first_and_after_page_through_every_community(client):
    # given
    await make_seven_communities()
    # when
    first = await page(client, first=3)
    second = await page(client, first=3, after=first["pageInfo"]["endCursor"])
    third = await page(client, first=3, after=second["pageInfo"]["endCursor"])
    # then
    pages = [first, second, third]
    assert [[node["name"] for node in p["nodes"]] for p in pages] == [
        NAMES[0:3],
        NAMES[3:6],
        NAMES[6:7],
    ]
    assert [p["totalCount"] for p in pages] == [7, 7, 7]
    assert [(p["pageInfo"]["hasPreviousPage"], p["pageInfo"]["hasNextPage"]) for p in pages] == [
        (False, True),
        (True, True),
        (True, False),
    ]


async def test_last_gives_the_final_items(client):
    # given
    await make_seven_communities()
    # when
    tail = await page(client, last=2)
    # then
    assert [node["name"] for node in tail["nodes"]] == ["Uman", "Zolotonosha"]
    assert tail["totalCount"] == 7
    assert (tail["pageInfo"]["hasPreviousPage"], tail["pageInfo"]["hasNextPage"]) == (True, False)


async def test_before_pages_backwards(client):
    # given
    await make_seven_communities()
    tail = await page(client, last=2)
    # when
    previous = await page(client, last=2, before=tail["pageInfo"]["startCursor"])
    # then
    assert [node["name"] for node in previous["nodes"]] == ["Kaniv", "Smila"]
    assert (previous["pageInfo"]["hasPreviousPage"], previous["pageInfo"]["hasNextPage"]) == (
        True,
        True,
    )


async def test_an_empty_list_has_no_cursors(client):
    # when
    empty = await page(client, first=5)
    # then
    assert empty == {
        "totalCount": 0,
        "nodes": [],
        "pageInfo": {
            "hasNextPage": False,
            "hasPreviousPage": False,
            "startCursor": None,
            "endCursor": None,
        },
    }


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"first": 101}, "'first' must be between 0 and 100, got 101."),
        ({"first": -1}, "'first' must be between 0 and 100, got -1."),
        ({"last": 101}, "'last' must be between 0 and 100, got 101."),
        ({"after": "zzz"}, "'after' is not a valid cursor."),
        ({"before": "zzz"}, "'before' is not a valid cursor."),
        # base64 of "cursor:²": a digit to str.isdigit(), not to int()
        ({"after": "Y3Vyc29yOsKy"}, "'after' is not a valid cursor."),
    ],
    ids=["first-101", "first-negative", "last-101", "garbage-after", "garbage-before", "sup-2"],
)
async def test_bad_page_arguments_are_graphql_errors(client, arguments, message):
    # given
    await make_community()
    # when: graphql() also asserts the response is HTTP 200, never a 500
    body = await graphql(client, COMMUNITY_PAGE, arguments)
    # then
    assert body["data"] is None
    assert [error["message"] for error in body["errors"]] == [message]
    assert body["errors"][0]["path"] == ["communities"]


async def test_first_100_is_allowed(client):
    # given
    await make_seven_communities()
    # when
    result = await page(client, first=100)
    # then
    assert len(result["nodes"]) == 7


async def _one_of_each():
    community = await make_community()
    person = await make_person()
    organization = await make_organization(Sector.BUSINESS)
    issue = await make_issue(community, person)
    project = await make_project(community, person, [issue])
    pledge = await Pledge.create(
        project=project, backer=person, made_by=person, kind=PledgeKind.TIME, hours_hundredths=200
    )
    return {
        "Person": gid(person),
        "Organization": gid(organization),
        "Community": gid(community),
        "Issue": gid(issue),
        "Project": gid(project),
        "Pledge": gid(pledge),
    }


@pytest.mark.parametrize(
    "type_name", ["Person", "Organization", "Community", "Issue", "Project", "Pledge"]
)
async def test_node_resolves_each_type(client, type_name):
    # given
    ids = await _one_of_each()
    # when
    body = await graphql(client, NODE, {"id": ids[type_name]})
    # then
    assert body == {"data": {"node": {"__typename": type_name, "id": ids[type_name]}}}


@pytest.mark.parametrize(
    "global_id",
    [
        "garbage",
        "",
        to_global_id("Issue", 999999),
        to_global_id("Spaceship", 1),
        to_global_id("Issue", 2**31),
        "SXNzdWU6wrI",  # base64 of "Issue:²"
    ],
    ids=["garbage", "empty", "unknown-pk", "unknown-type", "pk-beyond-int32", "sup-2"],
)
async def test_node_of_an_id_that_names_nothing_is_null(client, global_id):
    # given
    await _one_of_each()
    # when
    body = await graphql(client, NODE, {"id": global_id})
    # then
    assert body == {"data": {"node": None}}


async def test_a_person_id_under_the_organization_type_is_null(client):
    # given
    person = await make_person()
    # when
    body = await graphql(client, NODE, {"id": to_global_id("Organization", person.pk)})
    # then
    assert body == {"data": {"node": None}}


async def test_nodes_keeps_the_order_of_the_ids(client):
    # given
    ids = await _one_of_each()
    wanted = [ids["Pledge"], "garbage", ids["Person"], ids["Issue"], ids["Pledge"]]
    # when
    body = await graphql(client, NODES, {"ids": wanted})
    # then
    assert body == {
        "data": {
            "nodes": [
                {"__typename": "Pledge", "id": ids["Pledge"]},
                None,
                {"__typename": "Person", "id": ids["Person"]},
                {"__typename": "Issue", "id": ids["Issue"]},
                {"__typename": "Pledge", "id": ids["Pledge"]},
            ]
        }
    }


async def test_nodes_takes_at_most_100_ids(client):
    # given
    community = await make_community()
    # when
    at_limit = await graphql(client, NODES, {"ids": [gid(community)] * 100})
    over_limit = await graphql(client, NODES, {"ids": [gid(community)] * 101})
    # then
    assert len(at_limit["data"]["nodes"]) == 100
    assert over_limit["data"] is None
    assert [error["message"] for error in over_limit["errors"]] == [
        "'ids' takes at most 100 IDs, got 101."
    ]
