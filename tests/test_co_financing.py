"""Co-financing through the public API: pledges that are kept, and match pools.

Every scenario runs on SQLite and on PostgreSQL (whichever TEST_DATABASE_URL names); the
500-confirmation race is in tests/test_match_pool_concurrency.py (PostgreSQL).
"""

from typing import Any

import httpx
import pytest

from models import ActivityEntry, ProjectStatus, Sector
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

PLEDGE = """
mutation($v: PledgeInput!) {
  pledge(input: $v) { __typename ... on PledgeSuccess { pledge { id } } ... on Error { code } }
}"""
MOVE_FIELDS = """
  __typename
  ... on PledgeMoveSuccess {
    pledge { status receivedAmount { amount } fulfilledOn declineReason }
    matched { amount { amount } rule shares { amount { amount } funder { displayName } } }
    released { amount { amount } }
  }
  ... on Error { code field message }
"""
CONFIRM = f"mutation($v: ConfirmPledgeInput!) {{ confirmPledge(input: $v) {{ {MOVE_FIELDS} }} }}"
FULFILL = f"mutation($v: FulfillPledgeInput!) {{ fulfillPledge(input: $v) {{ {MOVE_FIELDS} }} }}"
DECLINE = f"mutation($v: DeclinePledgeInput!) {{ declinePledge(input: $v) {{ {MOVE_FIELDS} }} }}"
WITHDRAW = """
mutation($v: WithdrawPledgeInput!) {
  withdrawPledge(input: $v) { __typename ... on Error { code } }
}"""
POOL_FIELDS = """
  __typename
  ... on MatchPoolSuccess {
    pool { id isOpen total { amount } matched { amount } remaining { amount } ratio { text }
      contributions { funder { displayName } amount { amount } drawn { amount }
        unspent { amount } } }
  }
  ... on Error { code field message }
"""
OPEN_POOL = f"mutation($v: OpenMatchPoolInput!) {{ openMatchPool(input: $v) {{ {POOL_FIELDS} }} }}"
TOP_UP = f"mutation($v: TopUpMatchPoolInput!) {{ topUpMatchPool(input: $v) {{ {POOL_FIELDS} }} }}"
CLOSE = f"mutation($v: CloseMatchPoolInput!) {{ closeMatchPool(input: $v) {{ {POOL_FIELDS} }} }}"
PROJECT = """
query($id: ID!) { node(id: $id) { ... on Project {
  support { money { amount } moneyConfirmed { amount } moneyFulfilled { amount }
    matched { amount } hoursConfirmed inKindConfirmedCount }
  funding { requestedBudget { amount } ownMoney { amount } matched { amount }
    remainingNeed { amount } }
  matchPools { pool { title } matched { amount } matchable { amount } }
} } }"""
POOL = """
query($id: ID!) { node(id: $id) { ... on MatchPool {
  total { amount } matched { amount } remaining { amount }
  contributions { amount { amount } drawn { amount } }
  perProject { project { id } matched { amount } }
  ledger(first: 100) { totalCount nodes { amount { amount } rule releasedAt releaseReason
    pledgeId shares { amount { amount } funder { id } } } }
} } }"""


class Scene:
    """A community with a council (the funder), a nonprofit leading a project, residents."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client

    async def build(self) -> "Scene":
        self.mayor = await make_person("Mayor")
        self.council = await make_organization(Sector.PUBLIC, admin=self.mayor, name="Council")
        self.lead = await make_person("Lead")
        self.ngo = await make_organization(Sector.NONPROFIT, admin=self.lead, name="NGO")
        self.community = await make_community()
        issue = await make_issue(self.community, self.lead)
        self.project = await make_project(self.community, self.ngo, [issue])  # asks 10,000.00
        self.mayor_token = await token_for(self.mayor)
        self.lead_token = await token_for(self.lead)
        return self

    async def ask(self, document: str, variables: dict[str, Any], token: str) -> Any:
        body = await graphql(self.client, document, {"v": variables}, token=token)
        assert "errors" not in body, body
        (result,) = body["data"].values()
        return result

    async def resident(self) -> str:
        return await token_for(await make_person())

    async def pledge(self, token: str, amount: str, project: Any = None, **extra: Any) -> str:
        variables = {
            "projectId": gid(project or self.project),
            "kind": "MONEY",
            "amount": {"amount": amount},
            **extra,
        }
        result = await self.ask(PLEDGE, variables, token)
        assert result["__typename"] == "PledgeSuccess", result
        return str(result["pledge"]["id"])

    async def confirm(self, pledge_id: str, token: str | None = None) -> Any:
        return await self.ask(CONFIRM, {"pledgeId": pledge_id}, token or self.lead_token)

    async def open_pool(self, **fields: Any) -> Any:
        variables = {
            "communityId": gid(self.community),
            "actingFor": gid(self.council),
            "title": "Council match 2027",
            "total": {"amount": "5000"},
            "ratio": "1:1",
            **fields,
        }
        return await self.ask(OPEN_POOL, variables, self.mayor_token)

    async def read(self, document: str, node_id: str) -> Any:
        body = await graphql(self.client, document, {"id": node_id})
        assert "errors" not in body, body
        return body["data"]["node"]


@pytest.fixture
async def scene(client: httpx.AsyncClient) -> Scene:
    return await Scene(client).build()


def amounts(money: list[dict[str, str]]) -> list[str]:
    return [m["amount"] for m in money]


async def test_a_money_pledge_is_confirmed_then_fulfilled_with_what_arrived(scene):
    # given a resident's pledge of 1,000 UAH
    pledge_id = await scene.pledge(await scene.resident(), "1000")
    # when the project's lead (an admin of the leading NGO) confirms it
    confirmed = await scene.confirm(pledge_id)
    assert confirmed["pledge"]["status"] == "CONFIRMED"
    # and records 800 received
    received = await scene.ask(
        FULFILL,
        {
            "pledgeId": pledge_id,
            "receivedOn": "2026-11-30",
            "reference": "bank transfer 42",
            "receivedAmount": {"amount": "800"},
        },
        scene.lead_token,
    )
    assert received["pledge"] == {
        "status": "FULFILLED",
        "receivedAmount": {"amount": "800.00"},
        "fulfilledOn": "2026-11-30",
        "declineReason": "",
    }
    # then the project shows it pledged, confirmed and fulfilled, and its funding counts 800
    project = await scene.read(PROJECT, gid(scene.project))
    support = project["support"]
    assert amounts(support["money"]) == ["1000.00"]
    assert amounts(support["moneyConfirmed"]) == ["800.00"]
    assert amounts(support["moneyFulfilled"]) == ["800.00"]
    assert project["funding"] == {
        "requestedBudget": {"amount": "10000.00"},
        "ownMoney": {"amount": "800.00"},
        "matched": {"amount": "0.00"},
        "remainingNeed": {"amount": "9200.00"},
    }
    # and each step is in the activity log
    verbs = await ActivityEntry.filter(subject_type="Pledge").values_list("verb", flat=True)
    assert {"pledge.made", "pledge.confirmed", "pledge.fulfilled"} <= set(verbs)


async def test_only_the_right_side_moves_a_pledge_and_only_along_its_lifecycle(scene):
    backer = await scene.resident()
    pledge_id = await scene.pledge(backer, "100")
    # the backer cannot confirm their own pledge to someone else's project
    assert (await scene.confirm(pledge_id, backer))["code"] == "NOT_OWNER"
    # nor can a member of the NGO who is not its admin, nor the anonymous
    body = await graphql(scene.client, CONFIRM, {"v": {"pledgeId": pledge_id}}, token="")
    assert body["data"]["confirmPledge"]["code"] == "AUTHENTICATION_REQUIRED"
    # a pledge is confirmed once
    assert (await scene.confirm(pledge_id))["pledge"]["status"] == "CONFIRMED"
    twice = await scene.confirm(pledge_id)
    assert (twice["code"], twice["field"]) == ("INVALID_STATUS_TRANSITION", "pledgeId")
    # a declined pledge is not fulfilled; a decline needs a reason
    no_reason = await scene.ask(DECLINE, {"pledgeId": pledge_id, "reason": " "}, scene.lead_token)
    assert (no_reason["code"], no_reason["field"]) == ("REQUIRED", "reason")
    declined = await scene.ask(
        DECLINE, {"pledgeId": pledge_id, "reason": "Not needed now."}, scene.lead_token
    )
    assert declined["pledge"]["status"] == "DECLINED"
    fulfil = await scene.ask(
        FULFILL, {"pledgeId": pledge_id, "receivedOn": "2026-11-30"}, scene.lead_token
    )
    assert fulfil["code"] == "INVALID_STATUS_TRANSITION"
    # a withdrawn pledge is not fulfilled either, and a fulfilled one is not withdrawn
    other = await scene.pledge(backer, "50")
    assert (await scene.ask(WITHDRAW, {"pledgeId": other}, backer))["__typename"] == (
        "WithdrawPledgeSuccess"
    )
    late = await scene.ask(FULFILL, {"pledgeId": other, "receivedOn": "2026-11-30"}, backer)
    assert late["code"] == "NOT_OWNER"
    late = await scene.ask(
        FULFILL, {"pledgeId": other, "receivedOn": "2026-11-30"}, scene.lead_token
    )
    assert late["code"] == "INVALID_STATUS_TRANSITION"
    kept = await scene.pledge(backer, "70")
    await scene.confirm(kept)
    await scene.ask(FULFILL, {"pledgeId": kept, "receivedOn": "2026-11-30"}, scene.lead_token)
    assert (await scene.ask(WITHDRAW, {"pledgeId": kept}, backer))["code"] == (
        "INVALID_STATUS_TRANSITION"
    )
    # and declined and withdrawn pledges stop counting
    support = (await scene.read(PROJECT, gid(scene.project)))["support"]
    assert amounts(support["money"]) == ["70.00"]


async def test_money_received_cannot_exceed_the_pledge_or_arrive_in_the_future(scene):
    pledge_id = await scene.pledge(await scene.resident(), "100")
    await scene.confirm(pledge_id)
    cases: list[tuple[dict[str, Any], str, str]] = [
        ({"receivedAmount": {"amount": "100.01"}}, "receivedAmount.amount", "OUT_OF_RANGE"),
        ({"receivedAmount": {"amount": "0"}}, "receivedAmount.amount", "INVALID_AMOUNT"),
        (
            {"receivedAmount": {"amount": "10", "currency": "EUR"}},
            "receivedAmount.currency",
            "CURRENCY_MISMATCH",
        ),
        ({"receivedOn": "2999-01-01"}, "receivedOn", "OUT_OF_RANGE"),
    ]
    for extra, field, code in cases:
        variables = {"pledgeId": pledge_id, "receivedOn": "2026-11-30", **extra}
        result = await scene.ask(FULFILL, variables, scene.lead_token)
        assert (result.get("field"), result.get("code")) == (field, code), extra
    # nothing was half written: the pledge is still CONFIRMED
    assert (await scene.confirm(pledge_id))["code"] == "INVALID_STATUS_TRANSITION"
    support = (await scene.read(PROJECT, gid(scene.project)))["support"]
    assert amounts(support["moneyFulfilled"]) == []


async def test_a_pool_matches_confirmations_one_to_one_and_shows_every_hryvnia(scene):
    # given the council's 1:1 pool of 5,000 UAH, at most 300 per pledge
    pool = (await scene.open_pool(capPerPledge="300"))["pool"]
    assert (pool["ratio"]["text"], pool["isOpen"], pool["remaining"]) == (
        "1:1",
        True,
        {"amount": "5000.00"},
    )
    # when two residents pledge 200 and 500, and the lead confirms both
    first = await scene.pledge(await scene.resident(), "200")
    second = await scene.pledge(await scene.resident(), "500")
    pledged_only = await scene.pledge(await scene.resident(), "900")  # never confirmed
    one = await scene.confirm(first)
    two = await scene.confirm(second)
    # then the first is matched in full, the second up to the cap per pledge
    assert [(m["amount"]["amount"], m["rule"]) for m in one["matched"]] == [("200.00", "RATIO")]
    assert [(m["amount"]["amount"], m["rule"]) for m in two["matched"]] == [
        ("300.00", "PER_PLEDGE")
    ]
    assert two["matched"][0]["shares"] == [
        {"amount": {"amount": "300.00"}, "funder": {"displayName": "Council"}}
    ]
    # and the project's funding counts own money and matched money, not the bare pledge
    project = await scene.read(PROJECT, gid(scene.project))
    assert project["funding"] == {
        "requestedBudget": {"amount": "10000.00"},
        "ownMoney": {"amount": "700.00"},
        "matched": {"amount": "500.00"},
        "remainingNeed": {"amount": "8800.00"},
    }
    assert amounts(project["support"]["matched"]) == ["500.00"]
    assert project["matchPools"] == [
        {
            "pool": {"title": "Council match 2027"},
            "matched": {"amount": "500.00"},
            "matchable": {"amount": "4500.00"},
        }
    ]
    # and the public ledger rebuilds the pool's totals
    read = await scene.read(POOL, pool["id"])
    assert read["matched"] == {"amount": "500.00"}
    rows = read["ledger"]["nodes"]
    assert sum(float(r["amount"]["amount"]) for r in rows if r["releasedAt"] is None) == 500
    assert pledged_only not in {r["pledgeId"] for r in rows}
    assert read["perProject"] == [
        {"project": {"id": gid(scene.project)}, "matched": {"amount": "500.00"}}
    ]


async def test_withdrawing_declining_or_receiving_less_gives_matched_money_back(scene):
    pool = (await scene.open_pool(total={"amount": "1000"}, ratio="2:1"))["pool"]
    backer = await scene.resident()
    kept, withdrawn, declined = [await scene.pledge(backer, "100") for _ in range(3)]
    for pledge_id in (kept, withdrawn, declined):
        assert (await scene.confirm(pledge_id))["matched"][0]["amount"] == {"amount": "200.00"}
    assert (await scene.read(POOL, pool["id"]))["remaining"] == {"amount": "400.00"}
    # when one is withdrawn, one declined and 60 of the third received
    await scene.ask(WITHDRAW, {"pledgeId": withdrawn}, backer)
    declined_move = await scene.ask(
        DECLINE, {"pledgeId": declined, "reason": "Duplicate transfer."}, scene.lead_token
    )
    assert declined_move["released"] == [{"amount": {"amount": "200.00"}}]
    fulfilled = await scene.ask(
        FULFILL,
        {"pledgeId": kept, "receivedOn": "2026-11-30", "receivedAmount": {"amount": "60"}},
        scene.lead_token,
    )
    assert fulfilled["released"] == [{"amount": {"amount": "200.00"}}]
    assert [m["amount"]["amount"] for m in fulfilled["matched"]] == ["120.00"]
    # then the pool holds what is left, to the kopiyka, and the ledger says why
    read = await scene.read(POOL, pool["id"])
    assert (read["matched"], read["remaining"]) == ({"amount": "120.00"}, {"amount": "880.00"})
    assert read["contributions"] == [
        {"amount": {"amount": "1000.00"}, "drawn": {"amount": "120.00"}}
    ]
    reasons = sorted(r["releaseReason"] or "HOLDS" for r in read["ledger"]["nodes"])
    assert reasons == ["DECLINED", "HOLDS", "RECEIVED_LESS", "WITHDRAWN"]
    verbs = await ActivityEntry.filter(verb__startswith="match.").values_list("verb", flat=True)
    assert sorted(str(verb) for verb in verbs) == ["match.made"] * 4 + ["match.released"] * 3


async def test_caps_per_backer_per_project_and_the_project_need_hold(scene):
    await scene.open_pool(
        total={"amount": "5000"}, capPerBackerPerProject="150", capPerProject="400"
    )
    backer = await scene.resident()
    rules = []
    for _ in range(2):  # one backer: 100 matched, then 50 more (the backer's cap)
        move = await scene.confirm(await scene.pledge(backer, "100"))
        rules.append((move["matched"][0]["amount"]["amount"], move["matched"][0]["rule"]))
    for _ in range(3):  # others: 100, 100, then 50 (the project's cap of 400)
        move = await scene.confirm(await scene.pledge(await scene.resident(), "100"))
        rules.append((move["matched"][0]["amount"]["amount"], move["matched"][0]["rule"]))
    assert rules == [
        ("100.00", "RATIO"),
        ("50.00", "PER_BACKER_PER_PROJECT"),
        ("100.00", "RATIO"),
        ("100.00", "RATIO"),
        ("50.00", "PER_PROJECT"),
    ]
    # a project that needs less than the pool would add is matched only up to its need
    small = await make_project(scene.community, scene.ngo, [])
    small.requested_budget_minor = 150_00
    await small.save()
    move = await scene.confirm(await scene.pledge(await scene.resident(), "100", small))
    assert (move["matched"][0]["amount"]["amount"], move["matched"][0]["rule"]) == (
        "50.00",
        "PROJECT_NEED",
    )


async def test_a_pool_matches_only_the_sectors_it_names_and_waits_for_enough_backers(scene):
    await scene.open_pool(sectors=["CITIZEN"], minBackers=3)
    business_admin = await make_person()
    business = await make_organization(Sector.BUSINESS, admin=business_admin)
    business_token = await token_for(business_admin)
    # a business's pledge never qualifies; the first two residents wait for a third backer
    business_move = await scene.confirm(
        await scene.pledge(business_token, "100", actingFor=gid(business))
    )
    waiting = [await scene.confirm(await scene.pledge(await scene.resident(), "100"))]
    waiting.append(await scene.confirm(await scene.pledge(await scene.resident(), "100")))
    assert [m["matched"] for m in [business_move, *waiting]] == [[], [], []]
    # the resident who makes it three brings every waiting resident's match with theirs
    third = await scene.confirm(await scene.pledge(await scene.resident(), "100"))
    assert [m["amount"]["amount"] for m in third["matched"]] == ["100.00"] * 3
    funding = (await scene.read(PROJECT, gid(scene.project)))["funding"]
    assert (funding["ownMoney"], funding["matched"]) == ({"amount": "400.00"}, {"amount": "300.00"})


async def test_funders_top_up_a_pool_and_are_drawn_in_proportion_to_what_each_has_left(scene):
    pool = (await scene.open_pool(total={"amount": "100"}))["pool"]
    donor_admin = await make_person()
    donor = await make_organization(Sector.BUSINESS, admin=donor_admin, name="Bakery")
    donor_token = await token_for(donor_admin)
    topped = await scene.ask(
        TOP_UP,
        {"poolId": pool["id"], "actingFor": gid(donor), "amount": {"amount": "300"}},
        donor_token,
    )
    assert topped["pool"]["total"] == {"amount": "400.00"}
    move = await scene.confirm(await scene.pledge(await scene.resident(), "101"))
    assert sorted(
        (s["funder"]["displayName"], s["amount"]["amount"]) for s in move["matched"][0]["shares"]
    ) == [("Bakery", "75.75"), ("Council", "25.25")]
    # closing early leaves each funder's unspent money with them; a closed pool takes none
    closed = await scene.ask(CLOSE, {"poolId": pool["id"]}, scene.mayor_token)
    assert closed["pool"]["isOpen"] is False
    assert [c["unspent"] for c in closed["pool"]["contributions"]] == [
        {"amount": "74.75"},
        {"amount": "224.25"},
    ]
    late = await scene.ask(
        TOP_UP,
        {"poolId": pool["id"], "actingFor": gid(donor), "amount": {"amount": "1"}},
        donor_token,
    )
    assert (late["code"], late["field"]) == ("POOL_CLOSED", "poolId")
    after = await scene.confirm(await scene.pledge(await scene.resident(), "10"))
    assert after["matched"] == []
    # only the funder's admins close it
    not_theirs = await scene.ask(CLOSE, {"poolId": pool["id"]}, donor_token)
    assert not_theirs["code"] == "ADMIN_REQUIRED"


@pytest.mark.parametrize(
    ("fields", "field", "code"),
    [
        ({"total": {"amount": "0"}}, "total.amount", "INVALID_AMOUNT"),
        ({"total": {"amount": "-5"}}, "total.amount", "INVALID_AMOUNT"),
        ({"ratio": "0:1"}, "ratio", "OUT_OF_RANGE"),
        ({"ratio": "one to one"}, "ratio", "INVALID"),
        ({"capPerProject": "5000.01"}, "capPerProject", "OUT_OF_RANGE"),
        ({"capPerPledge": "0"}, "capPerPledge", "INVALID_AMOUNT"),
        ({"minBackers": -1}, "minBackers", "OUT_OF_RANGE"),
        ({"closesAt": "2020-01-01T00:00:00Z"}, "closesAt", "OUT_OF_RANGE"),
        ({"title": ""}, "title", "REQUIRED"),
        ({"actingFor": None}, "actingFor", None),
    ],
)
async def test_a_bad_pool_is_a_typed_error_and_writes_nothing(scene, fields, field, code):
    variables = {
        "communityId": gid(scene.community),
        "actingFor": gid(scene.council),
        "title": "Council match 2027",
        "total": {"amount": "5000"},
        "ratio": "1:1",
        **fields,
    }
    body = await graphql(scene.client, OPEN_POOL, {"v": variables}, token=scene.mayor_token)
    if code is None:  # a required argument missing: GraphQL's own validation error
        assert body["errors"]
    else:
        result = body["data"]["openMatchPool"]
        assert (result["field"], result["code"]) == (field, code), result
    pools = await graphql(
        scene.client,
        "query($c: ID!) { matchPools(communityId: $c) { totalCount } }",
        {"c": gid(scene.community)},
    )
    assert pools["data"]["matchPools"]["totalCount"] == 0


async def test_only_an_organizations_admin_opens_a_pool_in_its_currency(scene):
    member = await make_person()
    resident_token = await token_for(member)
    refused = await scene.ask(
        OPEN_POOL,
        {
            "communityId": gid(scene.community),
            "actingFor": gid(scene.council),
            "title": "Mine",
            "total": {"amount": "10"},
            "ratio": "1:1",
        },
        resident_token,
    )
    assert refused["code"] == "NOT_A_MEMBER"
    pool = (await scene.open_pool(total={"amount": "100", "currency": "EUR"}))["pool"]
    # a UAH pledge is not matched by a EUR pool; a EUR top-up only goes into a EUR pool
    assert (await scene.confirm(await scene.pledge(await scene.resident(), "10")))["matched"] == []
    wrong = await scene.ask(
        TOP_UP,
        {"poolId": pool["id"], "actingFor": gid(scene.council), "amount": {"amount": "5"}},
        scene.mayor_token,
    )
    assert (wrong["code"], wrong["field"]) == ("CURRENCY_MISMATCH", "amount.currency")


async def test_a_projects_own_pool_pays_before_the_communitys(scene):
    # given a community-wide pool opened first, then one for this project only
    await scene.open_pool(title="Everyone")
    await scene.open_pool(title="Just this one", projectIds=[gid(scene.project)])
    # when a pledge of 9,000 is confirmed (the project asks 10,000: 1,000 still needed)
    move = await scene.confirm(await scene.pledge(await scene.resident(), "9000"))
    # then the project's own pool pays the need, and the community's pays nothing more
    assert [(m["amount"]["amount"], m["rule"]) for m in move["matched"]] == [
        ("1000.00", "PROJECT_NEED"),
        ("0.00", "PROJECT_NEED"),
    ]
    pools = (await scene.read(PROJECT, gid(scene.project)))["matchPools"]
    assert {p["pool"]["title"]: p["matched"]["amount"] for p in pools} == {
        "Everyone": "0.00",
        "Just this one": "1000.00",
    }


async def test_a_pool_cannot_name_a_draft_project(scene):
    # a draft is its author's alone: a pool naming it would publish its title
    draft = await make_project(scene.community, scene.lead, [], status=ProjectStatus.DRAFT)
    refused = await scene.open_pool(projectIds=[gid(draft)])
    assert (refused["code"], refused["field"]) == ("NOT_FOUND", "projectIds")
