"""Concurrent pledges are never lost and never double counted."""

import asyncio
from collections import Counter

import pytest

from models import Pledge, PledgeKind, PledgeStatus
from tests.factories import (
    gid,
    graphql,
    make_community,
    make_issue,
    make_person,
    make_project,
    token_for,
)

PLEDGE = """
mutation Pledge($input: PledgeInput!) {
  pledge(input: $input) {
    __typename
    ... on PledgeSuccess { replayed pledge { id } }
    ... on Error { code }
  }
}
"""
SUPPORT = """
query($id: ID!) {
  node(id: $id) { ... on Project { support { votes backers money { amount currency } } } }
}
"""

pytestmark = pytest.mark.load


async def _project_with_people(count: int):
    community = await make_community()
    lead = await make_person()
    project = await make_project(community, lead, [await make_issue(community, lead)])
    people = [await make_person() for _ in range(count)]
    tokens = [await token_for(person) for person in people]
    return project, tokens


async def test_1000_concurrent_votes_from_100_people_count_each_person_once(client):
    # given 100 people, each about to send 10 vote requests at once
    project, tokens = await _project_with_people(100)
    vote = {"projectId": gid(project), "kind": "VOTE"}
    # when all 1,000 requests run concurrently
    bodies = await asyncio.gather(
        *(graphql(client, PLEDGE, {"input": vote}, token=token) for token in tokens * 10)
    )
    # then exactly one vote per person was recorded, the rest were refused as conflicts
    outcomes = Counter(
        body["data"]["pledge"].get("code") or body["data"]["pledge"]["__typename"]
        for body in bodies
    )
    assert outcomes == {"PledgeSuccess": 100, "ALREADY_VOTED": 900}
    assert await Pledge.filter(project=project, kind=PledgeKind.VOTE).count() == 100
    support = await graphql(client, SUPPORT, {"id": gid(project)})
    assert support["data"]["node"]["support"] == {"votes": 100, "backers": 100, "money": []}


async def test_concurrent_retries_with_one_idempotency_key_create_one_pledge(client):
    # given 50 people, each sending the same money pledge 4 times at once (client retries)
    project, tokens = await _project_with_people(50)
    requests = []
    for index, token in enumerate(tokens):
        pledge = {
            "projectId": gid(project),
            "kind": "MONEY",
            "amount": {"amount": "10.05", "currency": "UAH"},
            "idempotencyKey": f"pledge-{index}",
        }
        requests += [graphql(client, PLEDGE, {"input": pledge}, token=token) for _ in range(4)]
    # when they all run concurrently
    bodies = await asyncio.gather(*requests)
    # then each person has exactly one pledge, and every retry got that same pledge back
    results = [body["data"]["pledge"] for body in bodies]
    assert Counter(result["__typename"] for result in results) == {"PledgeSuccess": 200}
    assert Counter(result["replayed"] for result in results) == {True: 150, False: 50}
    assert len({result["pledge"]["id"] for result in results}) == 50
    assert await Pledge.filter(project=project, status=PledgeStatus.PLEDGED).count() == 50
    support = await graphql(client, SUPPORT, {"id": gid(project)})
    assert support["data"]["node"]["support"] == {
        "votes": 0,
        "backers": 50,
        "money": [{"amount": "502.50", "currency": "UAH"}],
    }
