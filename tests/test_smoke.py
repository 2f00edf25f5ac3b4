from tests.factories import graphql, make_community


async def test_communities_lists_a_created_community(client):
    # given
    community = await make_community("Smila")
    # when
    body = await graphql(client, "{ communities(first: 5) { totalCount nodes { name } } }")
    # then
    assert body == {"data": {"communities": {"totalCount": 1, "nodes": [{"name": community.name}]}}}
