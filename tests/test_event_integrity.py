"""Live votes a budget can trust: who may support at an event, and support shown by kind."""

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from models import EventAttendee, Pledge, Sector
from tests.event_stage import ADD, RESULT, SUPPORT, Stage
from tests.factories import (
    gid,
    graphql,
    make_issue,
    make_organization,
    make_person,
    make_project,
    token_for,
)
from web.app import create_app
from web.settings import Settings

JOIN = f"""
mutation($code: String!, $attendee: String) {{
  joinEvent(input: {{code: $code, attendeeCode: $attendee}}) {{
    {RESULT} ... on JoinEventSuccess {{ attendeeToken }}
    ... on ThrottledError {{ retryAfterSeconds }} }} }}"""
CODES = f"""
mutation($input: IssueAttendeeCodesInput!) {{ issueAttendeeCodes(input: $input) {{
  {RESULT} ... on IssueAttendeeCodesSuccess {{ codes }} }} }}"""
SUPPORT_COUNTS = """
query($id: ID!) { node(id: $id) { ... on PitchingEvent { live { projects {
  support { votes verifiedVotes anonymousVotes } } } } } }"""


async def join(stage: Stage, attendee: str | None = None, *, new_phone: bool = True) -> Any:
    if new_phone:
        stage.client.cookies.clear()
    body = await graphql(
        stage.client, JOIN, {"code": stage.event["joinCode"], "attendee": attendee}, token=""
    )
    return body["data"]["joinEvent"]


async def support(stage: Stage, token: str | None, project: int, bearer: str = "") -> Any:
    variables = {
        "input": {
            "eventId": stage.event["id"],
            "projectId": gid(stage.projects[project]),
            "attendeeToken": token,
        }
    }
    return (await graphql(stage.client, SUPPORT, variables, token=bearer))["data"]["supportPitch"]


async def counts(stage: Stage) -> list[dict[str, int]]:
    body = await graphql(stage.client, SUPPORT_COUNTS, {"id": stage.event["id"]})
    return [project["support"] for project in body["data"]["node"]["live"]["projects"]]


@pytest.fixture
async def few_joins(database: str) -> AsyncIterator[httpx.AsyncClient]:
    """An app that lets one address make 5 anonymous joins at once (and 1 more a second)."""
    settings = Settings(
        database_url=database,
        broadcast_url="memory://",
        joins_per_ip_capacity=5,
        joins_per_ip_per_second=1,
    )
    transport = httpx.ASGITransport(app=create_app(settings))
    async with httpx.AsyncClient(transport=transport, base_url="http://hub.test") as client:
        yield client


async def test_the_same_phone_joining_again_is_the_same_attendee(client):
    # given a LIVE open event, and a phone that joined and supported a project
    stage = await Stage(client).build()
    await stage.act("startEvent")
    first = await join(stage)
    assert (await support(stage, first["attendeeToken"], 0))["__typename"] == "SupportPitchSuccess"
    # when the same phone (its device cookie) joins again and supports the project again
    again = await join(stage, new_phone=False)
    repeated = await support(stage, again["attendeeToken"], 0)
    # then it is the same attendee: no second vote; and the old token stopped working
    assert repeated["code"] == "ALREADY_VOTED"
    assert await EventAttendee.all().count() == 1
    assert (await support(stage, first["attendeeToken"], 1))["code"] == "NOT_AN_ATTENDEE"
    # and another phone is another attendee
    other = await join(stage)
    assert (await support(stage, other["attendeeToken"], 0))["__typename"] == "SupportPitchSuccess"


async def test_anonymous_joins_from_one_address_are_limited(few_joins):
    # given an open event (one client once joined 30 times and cast 30 votes in 0.43 s)
    stage = await Stage(few_joins).build()
    await stage.act("startEvent")
    # when one address joins 30 times without cookies and votes each time
    joins = [await join(stage) for _ in range(30)]
    tokens = [joined["attendeeToken"] for joined in joins if "attendeeToken" in joined]
    votes = [await support(stage, token, 0) for token in tokens]
    # then 5 joins got through (the bucket's capacity, within the second the test takes),
    # the rest were throttled with a wait, and at most that many votes counted
    throttled = [joined for joined in joins if joined["__typename"] == "ThrottledError"]
    assert 5 <= len(tokens) <= 7
    assert len(throttled) == 30 - len(tokens)
    assert all(joined["retryAfterSeconds"] >= 1 for joined in throttled)
    assert await Pledge.filter(event_id__isnull=False).count() == len(votes)


async def test_a_codes_event_counts_only_holders_of_its_personal_codes(client):
    # given an event counting code holders only, and two codes printed for it
    stage = await Stage(client).build(supportMode="CODES")
    body = await graphql(
        client, CODES, {"input": {"eventId": stage.event["id"], "count": 2}}, token=stage.token
    )
    codes = body["data"]["issueAttendeeCodes"]["codes"]
    assert len(set(codes)) == 2
    await stage.act("startEvent")
    # when someone joins without a code, one with a code, and another phone with that code
    without = await join(stage)
    holder = await join(stage, codes[0].lower())  # typed in lower case
    same_phone = await join(stage, codes[0], new_phone=False)  # the holder's, again
    stolen = await join(stage, codes[0])
    # then only the card's holder joins; the same phone coming back is the same attendee
    assert without["code"] == "CODE_REQUIRED"
    assert stolen["code"] == "CODE_USED"
    assert same_phone["__typename"] == "JoinEventSuccess"
    vote = await support(stage, same_phone["attendeeToken"], 0)
    assert vote["__typename"] == "SupportPitchSuccess"
    assert holder["attendeeToken"] != same_phone["attendeeToken"]
    # and the vote counts as verified support
    assert (await counts(stage))[0] == {"votes": 1, "verifiedVotes": 1, "anonymousVotes": 0}


async def test_a_signed_in_event_refuses_anonymous_attendees(client):
    stage = await Stage(client).build(supportMode="SIGNED_IN")
    await stage.act("startEvent")
    anonymous = await join(stage)
    signed_in = await support(stage, None, 0, bearer=await token_for(await make_person()))
    assert anonymous["code"] == "SIGN_IN_REQUIRED"
    assert signed_in["__typename"] == "SupportPitchSuccess"
    assert (await counts(stage))[0] == {"votes": 1, "verifiedVotes": 1, "anonymousVotes": 0}


async def test_an_open_event_shows_anonymous_and_verified_support_apart(client):
    # given an open event where two guests and one signed-in person support project 0
    stage = await Stage(client).build()
    await stage.act("startEvent")
    for _ in range(2):
        await support(stage, (await join(stage))["attendeeToken"], 0)
    await support(stage, None, 0, bearer=await token_for(await make_person()))
    # then the snapshot counts them apart, and the rows say which is which
    assert (await counts(stage))[0] == {"votes": 3, "verifiedVotes": 1, "anonymousVotes": 2}
    verified = sorted(bool(row.verified) for row in await Pledge.all())
    assert verified == [False, False, True]


async def test_only_the_lead_side_or_the_communitys_authority_may_pitch_a_project(client):
    # given a community opened by a council, and a PUBLIC organization that is not it, whose
    # new account names it like the council
    stage = await Stage(client).build()
    stage.community.opened_by_id = stage.council.pk
    await stage.community.save()
    impostor = await make_person()
    fake_council = await make_organization(Sector.PUBLIC, admin=impostor, name="Village council")
    impostor_token = await token_for(impostor)
    created = await graphql(
        client,
        """mutation($input: CreatePitchingEventInput!) { createPitchingEvent(input: $input) {
          ... on PitchingEventSuccess { event { id } } } }""",
        {
            "input": {
                "communityId": gid(stage.community),
                "actingFor": gid(fake_council),
                "title": "Our night",
                "startsAt": "2027-01-01T18:00:00Z",
            }
        },
        token=impostor_token,
    )
    event_id = created["data"]["createPitchingEvent"]["event"]["id"]
    own = await make_project(
        stage.community, impostor, [await make_issue(stage.community, impostor)]
    )

    async def pitch(project: Any, token: str, event: str) -> Any:
        body = await graphql(
            client, ADD, {"input": {"eventId": event, "projectId": gid(project)}}, token=token
        )
        return body["data"]["addPitch"]

    # when it pitches someone else's project, and its own
    others = await pitch(stage.projects[2], impostor_token, event_id)
    mine = await pitch(own, impostor_token, event_id)
    # then only its own goes on its agenda; the council's project stays PROPOSED
    assert (others["__typename"], others["code"]) == (
        "PermissionDeniedError",
        "NOT_COMMUNITY_AUTHORITY",
    )
    assert mine["__typename"] == "AddPitchSuccess"
    await stage.projects[2].refresh_from_db()
    assert stage.projects[2].status == "PROPOSED"
    # and the community's own authority may pitch anyone's project at its event
    lead = await make_person()
    theirs = await make_project(stage.community, lead, [await make_issue(stage.community, lead)])
    by_council = await pitch(theirs, stage.token, stage.event["id"])
    assert by_council["__typename"] == "AddPitchSuccess"
