"""Pledges: backing a project with votes, money, time or in-kind help, and the live totals."""

import pytest

from models import Pledge, PledgeStatus, ProjectStatus, Sector
from tests.factories import (
    gid,
    graphql,
    make_community,
    make_issue,
    make_organization,
    make_person,
    make_project,
    token_for,
)

SUPPORT = """
fragment Support on ProjectSupport {
  votes
  money { amount currency }
  hours
  inKindCount
  inKindValue { amount currency }
  backers
  bySector { sector votes money { amount currency } hours inKindCount backers }
}
"""

PLEDGE = (
    """
mutation Pledge($input: PledgeInput!) {
  pledge(input: $input) {
    __typename
    ... on PledgeSuccess {
      replayed
      pledge { id kind status amount { amount currency } hours description backer { id } }
      project { support { ...Support } }
    }
    ... on Error { code field }
    ... on ValidationError { problems { field code } }
  }
}
"""
    + SUPPORT
)

WITHDRAW = (
    """
mutation Withdraw($pledgeId: ID!) {
  withdrawPledge(input: {pledgeId: $pledgeId}) {
    __typename
    ... on WithdrawPledgeSuccess { pledge { status } project { support { ...Support } } }
    ... on Error { code field }
  }
}
"""
    + SUPPORT
)

PROJECT_SUPPORT = (
    """
query Support($id: ID!) { node(id: $id) { ... on Project { support { ...Support } } } }
"""
    + SUPPORT
)

NO_SUPPORT = {
    "votes": 0,
    "money": [],
    "hours": "0.00",
    "inKindCount": 0,
    "inKindValue": [],
    "backers": 0,
    "bySector": [],
}


def sector(name, *, votes=0, money=(), hours="0.00", in_kind_count=0, backers=1):
    return {
        "sector": name,
        "votes": votes,
        "money": list(money),
        "hours": hours,
        "inKindCount": in_kind_count,
        "backers": backers,
    }


async def open_project(status=ProjectStatus.PROPOSED):
    community = await make_community()
    lead = await make_person()
    return await make_project(community, lead, [await make_issue(community, lead)], status=status)


async def support_of(client, project):
    body = await graphql(client, PROJECT_SUPPORT, {"id": gid(project)})
    return body["data"]["node"]["support"]


@pytest.mark.parametrize(
    ("pledge_input", "expected_pledge", "expected_support"),
    [
        (
            {"kind": "VOTE"},
            {"kind": "VOTE", "amount": None, "hours": None, "description": ""},
            {**NO_SUPPORT, "votes": 1, "backers": 1, "bySector": [sector("CITIZEN", votes=1)]},
        ),
        (
            {"kind": "MONEY", "amount": {"amount": "250", "currency": "UAH"}},
            {
                "kind": "MONEY",
                "amount": {"amount": "250.00", "currency": "UAH"},
                "hours": None,
                "description": "",
            },
            {
                **NO_SUPPORT,
                "money": [{"amount": "250.00", "currency": "UAH"}],
                "backers": 1,
                "bySector": [sector("CITIZEN", money=[{"amount": "250.00", "currency": "UAH"}])],
            },
        ),
        (
            {"kind": "TIME", "hours": "4.5", "description": "Weekend digging"},
            {"kind": "TIME", "amount": None, "hours": "4.50", "description": "Weekend digging"},
            {
                **NO_SUPPORT,
                "hours": "4.50",
                "backers": 1,
                "bySector": [sector("CITIZEN", hours="4.50")],
            },
        ),
        (
            {
                "kind": "IN_KIND",
                "description": "Two truckloads of gravel",
                "amount": {"amount": "1200.75", "currency": "UAH"},
            },
            {
                "kind": "IN_KIND",
                "amount": {"amount": "1200.75", "currency": "UAH"},
                "hours": None,
                "description": "Two truckloads of gravel",
            },
            {
                **NO_SUPPORT,
                "inKindCount": 1,
                "inKindValue": [{"amount": "1200.75", "currency": "UAH"}],
                "backers": 1,
                "bySector": [sector("CITIZEN", in_kind_count=1)],
            },
        ),
    ],
    ids=["vote", "money", "time", "in-kind"],
)
async def test_each_kind_of_pledge_counts_in_the_support(
    client, pledge_input, expected_pledge, expected_support
):
    # given
    project = await open_project()
    backer = await make_person()
    # when
    body = await graphql(
        client,
        PLEDGE,
        {"input": {"projectId": gid(project), **pledge_input}},
        token=await token_for(backer),
    )
    # then
    result = body["data"]["pledge"]
    assert result["__typename"] == "PledgeSuccess"
    assert result["replayed"] is False
    pledge = result["pledge"]
    assert pledge.pop("id") == gid(await Pledge.get(project_id=project.pk))
    assert pledge == {**expected_pledge, "status": "PLEDGED", "backer": {"id": gid(backer)}}
    assert result["project"]["support"] == expected_support
    assert await support_of(client, project) == expected_support


async def test_a_person_votes_only_once(client):
    # given
    project = await open_project()
    token = await token_for(await make_person())
    vote = {"input": {"projectId": gid(project), "kind": "VOTE"}}
    await graphql(client, PLEDGE, vote, token=token)
    # when
    body = await graphql(client, PLEDGE, vote, token=token)
    # then
    assert body["data"]["pledge"] == {
        "__typename": "ConflictError",
        "code": "ALREADY_VOTED",
        "field": "projectId",
    }
    assert (await support_of(client, project))["votes"] == 1
    assert await Pledge.filter(project_id=project.pk).count() == 1


async def test_a_person_and_their_organization_each_have_a_vote(client):
    # given
    project = await open_project()
    person = await make_person()
    nonprofit = await make_organization(Sector.NONPROFIT, admin=person)
    token = await token_for(person)
    await graphql(
        client, PLEDGE, {"input": {"projectId": gid(project), "kind": "VOTE"}}, token=token
    )
    # when
    body = await graphql(
        client,
        PLEDGE,
        {"input": {"projectId": gid(project), "kind": "VOTE", "actingFor": gid(nonprofit)}},
        token=token,
    )
    # then
    assert body["data"]["pledge"]["pledge"]["backer"] == {"id": gid(nonprofit)}
    assert body["data"]["pledge"]["project"]["support"] == {
        **NO_SUPPORT,
        "votes": 2,
        "backers": 2,
        "bySector": [sector("CITIZEN", votes=1), sector("NONPROFIT", votes=1)],
    }


async def test_pledging_for_an_organization_you_do_not_belong_to_is_refused(client):
    # given
    project = await open_project()
    nonprofit = await make_organization(Sector.NONPROFIT, admin=await make_person())
    # when
    body = await graphql(
        client,
        PLEDGE,
        {"input": {"projectId": gid(project), "kind": "VOTE", "actingFor": gid(nonprofit)}},
        token=await token_for(await make_person()),
    )
    # then
    assert body["data"]["pledge"] == {
        "__typename": "PermissionDeniedError",
        "code": "NOT_A_MEMBER",
        "field": "actingFor",
    }
    assert await Pledge.all().count() == 0


async def test_pledging_requires_authentication(client):
    # given
    project = await open_project()
    # when
    body = await graphql(client, PLEDGE, {"input": {"projectId": gid(project), "kind": "VOTE"}})
    # then
    assert body["data"]["pledge"] == {
        "__typename": "PermissionDeniedError",
        "code": "AUTHENTICATION_REQUIRED",
        "field": None,
    }


async def test_withdrawing_a_vote_frees_it_to_vote_again(client):
    # given
    project = await open_project()
    token = await token_for(await make_person())
    vote = {"input": {"projectId": gid(project), "kind": "VOTE"}}
    first = await graphql(client, PLEDGE, vote, token=token)
    # when
    withdrawn = await graphql(
        client, WITHDRAW, {"pledgeId": first["data"]["pledge"]["pledge"]["id"]}, token=token
    )
    again = await graphql(client, PLEDGE, vote, token=token)
    # then
    assert withdrawn["data"]["withdrawPledge"] == {
        "__typename": "WithdrawPledgeSuccess",
        "pledge": {"status": "WITHDRAWN"},
        "project": {"support": NO_SUPPORT},
    }
    assert again["data"]["pledge"]["__typename"] == "PledgeSuccess"
    assert again["data"]["pledge"]["project"]["support"]["votes"] == 1
    statuses = (
        await Pledge.filter(project_id=project.pk).order_by("id").values_list("status", flat=True)
    )
    assert [str(status) for status in statuses] == ["WITHDRAWN", "PLEDGED"]


async def test_withdrawing_twice_is_a_conflict(client):
    # given
    project = await open_project()
    token = await token_for(await make_person())
    made = await graphql(
        client, PLEDGE, {"input": {"projectId": gid(project), "kind": "VOTE"}}, token=token
    )
    pledge_id = made["data"]["pledge"]["pledge"]["id"]
    await graphql(client, WITHDRAW, {"pledgeId": pledge_id}, token=token)
    # when
    body = await graphql(client, WITHDRAW, {"pledgeId": pledge_id}, token=token)
    # then
    assert body["data"]["withdrawPledge"] == {
        "__typename": "ConflictError",
        "code": "ALREADY_WITHDRAWN",
        "field": "pledgeId",
    }


async def test_only_the_backer_may_withdraw_a_pledge(client):
    # given
    project = await open_project()
    made = await graphql(
        client,
        PLEDGE,
        {"input": {"projectId": gid(project), "kind": "VOTE"}},
        token=await token_for(await make_person()),
    )
    # when
    body = await graphql(
        client,
        WITHDRAW,
        {"pledgeId": made["data"]["pledge"]["pledge"]["id"]},
        token=await token_for(await make_person()),
    )
    # then
    assert body["data"]["withdrawPledge"] == {
        "__typename": "PermissionDeniedError",
        "code": "NOT_OWNER",
        "field": None,
    }
    assert (await support_of(client, project))["votes"] == 1
    assert (await Pledge.get(project_id=project.pk)).status == PledgeStatus.PLEDGED


@pytest.mark.parametrize(
    ("pledge_input", "code", "field"),
    [
        ({"kind": "MONEY"}, "REQUIRED", "amount"),
        ({"kind": "MONEY", "amount": {"amount": "0"}}, "INVALID_AMOUNT", "amount.amount"),
        ({"kind": "MONEY", "amount": {"amount": "-1"}}, "INVALID_AMOUNT", "amount.amount"),
        ({"kind": "MONEY", "amount": {"amount": "NaN"}}, "INVALID_AMOUNT", "amount.amount"),
        ({"kind": "MONEY", "amount": {"amount": "Infinity"}}, "INVALID_AMOUNT", "amount.amount"),
        ({"kind": "MONEY", "amount": {"amount": "12.345"}}, "INVALID_AMOUNT", "amount.amount"),
        ({"kind": "MONEY", "amount": {"amount": "ten"}}, "INVALID_AMOUNT", "amount.amount"),
        # Finite but absurd: above the 10^12 ceiling, so out of range rather than malformed.
        ({"kind": "MONEY", "amount": {"amount": "1e999"}}, "OUT_OF_RANGE", "amount.amount"),
        ({"kind": "TIME"}, "REQUIRED", "hours"),
        ({"kind": "TIME", "hours": "0"}, "INVALID_AMOUNT", "hours"),
        ({"kind": "TIME", "hours": "10000.01"}, "OUT_OF_RANGE", "hours"),
        ({"kind": "VOTE", "amount": {"amount": "10"}}, "INVALID", "amount"),
        ({"kind": "VOTE", "hours": "2"}, "INVALID", "hours"),
        ({"kind": "IN_KIND"}, "REQUIRED", "description"),
        ({"kind": "VOTE", "idempotencyKey": ""}, "OUT_OF_RANGE", "idempotencyKey"),
    ],
    ids=[
        "money-without-amount",
        "money-zero",
        "money-negative",
        "money-nan",
        "money-infinity",
        "money-three-decimals",
        "money-words",
        "money-1e999",
        "time-without-hours",
        "time-zero",
        "time-over-10000",
        "vote-with-amount",
        "vote-with-hours",
        "in-kind-without-description",
        "empty-idempotency-key",
    ],
)
async def test_an_invalid_pledge_is_refused_with_one_problem(client, pledge_input, code, field):
    # given
    project = await open_project()
    # when
    body = await graphql(
        client,
        PLEDGE,
        {"input": {"projectId": gid(project), **pledge_input}},
        token=await token_for(await make_person()),
    )
    # then
    assert body["data"]["pledge"] == {
        "__typename": "ValidationError",
        "code": code,
        "field": field,
        "problems": [{"field": field, "code": code}],
    }
    assert await Pledge.all().count() == 0


@pytest.mark.parametrize("status", [ProjectStatus.WITHDRAWN, ProjectStatus.COMPLETED])
async def test_a_project_that_is_not_open_accepts_no_support(client, status):
    # given
    project = await open_project(status)
    # when
    body = await graphql(
        client,
        PLEDGE,
        {"input": {"projectId": gid(project), "kind": "VOTE"}},
        token=await token_for(await make_person()),
    )
    # then
    assert body["data"]["pledge"] == {
        "__typename": "ConflictError",
        "code": "NOT_ACCEPTING_SUPPORT",
        "field": "projectId",
    }
    assert await Pledge.all().count() == 0


async def test_someone_elses_draft_is_not_found_so_its_existence_stays_private(client):
    # given a draft project of someone else
    project = await open_project(ProjectStatus.DRAFT)
    # when a resident pledges to it
    body = await graphql(
        client,
        PLEDGE,
        {"input": {"projectId": gid(project), "kind": "VOTE"}},
        token=await token_for(await make_person()),
    )
    # then it looks like no project at all
    assert body["data"]["pledge"] == {
        "__typename": "NotFoundError",
        "code": "NOT_FOUND",
        "field": "projectId",
    }
    assert await Pledge.all().count() == 0


async def test_a_retry_with_the_same_idempotency_key_replays_the_first_pledge(client):
    # given
    project = await open_project()
    token = await token_for(await make_person())
    request = {
        "input": {
            "projectId": gid(project),
            "kind": "MONEY",
            "amount": {"amount": "100", "currency": "EUR"},
            "idempotencyKey": "checkout-7f3a",
        }
    }
    # when
    first = await graphql(client, PLEDGE, request, token=token)
    retry = await graphql(client, PLEDGE, request, token=token)
    # then
    assert first["data"]["pledge"]["replayed"] is False
    assert retry["data"]["pledge"]["replayed"] is True
    assert retry["data"]["pledge"]["pledge"]["id"] == first["data"]["pledge"]["pledge"]["id"]
    assert retry["data"]["pledge"]["project"]["support"]["money"] == [
        {"amount": "100.00", "currency": "EUR"}
    ]
    assert await Pledge.all().count() == 1


async def test_reusing_an_idempotency_key_for_another_pledge_is_a_conflict(client):
    # given
    project = await open_project()
    token = await token_for(await make_person())
    pledge = {
        "projectId": gid(project),
        "kind": "MONEY",
        "amount": {"amount": "100"},
        "idempotencyKey": "checkout-7f3a",
    }
    await graphql(client, PLEDGE, {"input": pledge}, token=token)
    # when
    body = await graphql(
        client, PLEDGE, {"input": {**pledge, "amount": {"amount": "200"}}}, token=token
    )
    # then
    assert body["data"]["pledge"] == {
        "__typename": "ConflictError",
        "code": "IDEMPOTENCY_KEY_REUSED",
        "field": "idempotencyKey",
    }
    assert await Pledge.all().count() == 1


async def test_idempotency_keys_belong_to_the_person_who_chose_them(client):
    # given: two people whose apps happen to pick the same key
    project = await open_project()
    request = {"input": {"projectId": gid(project), "kind": "VOTE", "idempotencyKey": "vote-1"}}
    # when
    first = await graphql(client, PLEDGE, request, token=await token_for(await make_person()))
    second = await graphql(client, PLEDGE, request, token=await token_for(await make_person()))
    # then
    assert first["data"]["pledge"]["replayed"] is False
    assert second["data"]["pledge"]["replayed"] is False
    assert second["data"]["pledge"]["project"]["support"]["votes"] == 2


async def test_money_in_two_currencies_is_summed_per_currency(client):
    # given
    project = await open_project()
    first, second = await token_for(await make_person()), await token_for(await make_person())
    money = [
        (first, "250", "UAH"),
        (second, "100.50", "EUR"),
        (second, "49.99", "UAH"),
        (first, "0.01", "UAH"),
    ]
    # when
    for token, amount, currency in money:
        body = await graphql(
            client,
            PLEDGE,
            {
                "input": {
                    "projectId": gid(project),
                    "kind": "MONEY",
                    "amount": {"amount": amount, "currency": currency},
                }
            },
            token=token,
        )
        assert body["data"]["pledge"]["__typename"] == "PledgeSuccess"
    # then
    totals = [{"amount": "100.50", "currency": "EUR"}, {"amount": "300.00", "currency": "UAH"}]
    assert await support_of(client, project) == {
        **NO_SUPPORT,
        "money": totals,
        "backers": 2,
        "bySector": [sector("CITIZEN", money=totals, backers=2)],
    }


async def test_a_projects_pledges_are_listed_newest_first_in_pages(client):
    # given a project with three pledges (votes from three residents)
    community = await make_community()
    lead = await make_person()
    project = await make_project(community, lead, [await make_issue(community, lead)])
    backers = [await make_person() for _ in range(3)]
    for backer in backers:
        body = await graphql(
            client,
            PLEDGE,
            {"input": {"projectId": gid(project), "kind": "VOTE"}},
            token=await token_for(backer),
        )
        assert body["data"]["pledge"]["__typename"] == "PledgeSuccess"
    query = """
    query($id: ID!, $after: String) {
      node(id: $id) { ... on Project { pledges(first: 2, after: $after) {
        totalCount pageInfo { hasNextPage endCursor } nodes { kind backer { id } }
      } } }
    }"""
    # when they are read two at a time
    first = (await graphql(client, query, {"id": gid(project)}))["data"]["node"]["pledges"]
    after = first["pageInfo"]["endCursor"]
    second = (await graphql(client, query, {"id": gid(project), "after": after}))["data"]
    # then the newest come first, and the second page holds the oldest
    newest_first = [{"kind": "VOTE", "backer": {"id": gid(b)}} for b in reversed(backers)]
    assert (first["totalCount"], first["pageInfo"]["hasNextPage"]) == (3, True)
    assert first["nodes"] == newest_first[:2]
    assert second["node"]["pledges"]["nodes"] == newest_first[2:]
