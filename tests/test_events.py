"""Pitching events: the organiser's state machine, the audience's limited support."""

import asyncio
from collections import Counter
from typing import Any

import httpx
import pytest
from tortoise.connection import connections
from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from models import ActivityEntry, EventState, PitchingEvent, Pledge
from resolvers import pledge as pledge_resolvers
from resolvers.event_vote import EventVote, insert_event_vote
from tests.conftest import IS_POSTGRES
from tests.event_stage import JOIN, RESULT, Stage
from tests.factories import (
    gid,
    make_person,
    token_for,
)
from tests.query_counter import count_statements


async def test_organiser_runs_the_state_machine(client):
    # given a scheduled event with two pitches
    stage = await Stage(client).build()
    assert stage.event["state"] == "SCHEDULED"
    assert len(stage.event["joinCode"]) == 6
    # when the organiser starts, moves on, and closes
    started = await stage.act("startEvent")
    moved = await stage.act("nextPitch")
    past_the_end = await stage.act("nextPitch")
    closed = await stage.act("closeEvent")
    # then the event walks SCHEDULED -> LIVE (first, then second pitch) -> CLOSED
    assert started["event"]["state"] == "LIVE"
    assert started["event"]["live"]["currentPitchId"] == stage.pitches[0]
    assert moved["event"]["live"]["currentPitchId"] == stage.pitches[1]
    assert past_the_end["__typename"] == "ConflictError"
    assert past_the_end["code"] == "NO_NEXT_PITCH"
    assert closed["event"]["state"] == "CLOSED"
    assert closed["event"]["live"]["currentPitchId"] is None
    versions = [e["event"]["live"]["version"] for e in (started, moved, closed)]
    assert versions[0] < versions[1] < versions[2]


async def test_invalid_transitions_and_strangers_get_typed_errors(client):
    stage = await Stage(client).build()
    stranger = await token_for(await make_person())
    assert (await stage.act("nextPitch"))["code"] == "INVALID_STATUS_TRANSITION"
    assert (await stage.act("startEvent", token=stranger))["code"] == "NOT_A_MEMBER"
    await stage.act("startEvent")
    assert (await stage.act("startEvent"))["code"] == "INVALID_STATUS_TRANSITION"
    await stage.act("closeEvent")
    assert (await stage.act("closeEvent"))["code"] == "INVALID_STATUS_TRANSITION"


async def test_an_anonymous_attendee_supports_within_the_limit(client):
    # given a live event allowing one support per attendee
    stage = await Stage(client).build(supportsPerAttendee=1)
    await stage.act("startEvent")
    attendee = await stage.join()
    # when the attendee supports a project, again, and then another one
    first = await stage.support(attendee, 0)
    again = await stage.support(attendee, 0)
    other = await stage.support(attendee, 1)
    unpitched = await stage.support(attendee, 2)
    # then only the first counts
    assert first == {
        "__typename": "SupportPitchSuccess",
        "remainingSupports": 0,
        "pledge": {"kind": "VOTE"},
    }
    assert (again["__typename"], again["code"]) == ("ConflictError", "ALREADY_VOTED")
    assert (other["__typename"], other["code"]) == ("ConflictError", "SUPPORT_LIMIT_REACHED")
    assert (unpitched["__typename"], unpitched["code"]) == ("NotFoundError", "NOT_FOUND")
    live = await stage.live()
    assert [p["support"]["votes"] for p in live["projects"]] == [1, 0]


async def test_an_attendee_vote_is_two_reads_and_one_write_with_its_activity_entry(client):
    # given a live event and an attendee who already used one of two supports
    stage = await Stage(client).build(supportsPerAttendee=2)
    await stage.act("startEvent")
    attendee = await stage.join()
    await stage.support(attendee, 0)
    # when the attendee supports the other project
    with count_statements() as counter:
        second = await stage.support(attendee, 1)
    # then it counts, with the slot left reported...
    assert (second["__typename"], second["remainingSupports"]) == ("SupportPitchSuccess", 0)
    # ...for two reads (event, attendee and pitch; votes and LIVE events) and one write:
    # on PostgreSQL a single statement, on SQLite one transaction (the event still LIVE?
    # the pledge, its entry)
    reads, writes = counter.statements[:2], counter.statements[2:]
    assert all(statement.startswith("SELECT") for statement in reads), counter.statements
    expected_writes = ["WITH"] if IS_POSTGRES else ["SELECT", "INSERT", "INSERT"]
    assert [statement.split()[0] for statement in writes] == expected_writes, writes
    # and the vote is logged like any pledge, in the event's community
    vote = await Pledge.filter(project_id=stage.projects[1].pk).get()
    entry = await ActivityEntry.get(subject_type="Pledge", subject_id=vote.pk)
    assert (entry.verb, entry.actor_id, entry.performed_by_id) == (
        "pledge.made",
        vote.backer_id,
        vote.backer_id,
    )
    assert entry.community_id == stage.community.pk
    assert entry.details == {
        "projectId": gid(stage.projects[1]),
        "kind": "VOTE",
        "eventId": stage.event["id"],
    }
    first = await Pledge.filter(project_id=stage.projects[0].pk).get()
    assert {first.event_slot, vote.event_slot} == {1, 2}
    assert vote.active_vote_backer_id == vote.backer_id


async def _voted_once(client: httpx.AsyncClient) -> tuple[Stage, Pledge]:
    """A LIVE event (2 supports per attendee) where one attendee voted for project 0."""
    stage = await Stage(client).build(supportsPerAttendee=2)
    await stage.act("startEvent")
    await stage.support(await stage.join(), 0)
    return stage, await Pledge.get(project_id=stage.projects[0].pk)


def _next_vote(stage: Stage, first: Pledge, *, slot: int) -> EventVote:
    """The same attendee's vote for project 1, past its reads, about to be written."""
    assert first.event_id is not None
    return EventVote(
        event_pk=first.event_id,
        project_pk=stage.projects[1].pk,
        backer_pk=first.backer_id,
        made_by_pk=first.backer_id,
        slot=slot,
        community_id=stage.community.pk,
        verified=first.verified,
    )


def _other_slot(first: Pledge) -> int:
    return 2 if first.event_slot == 1 else 1


async def test_a_vote_into_a_taken_slot_raises_and_writes_nothing(client):
    # given an attendee whose vote took a slot
    stage, taken = await _voted_once(client)
    assert taken.event_slot is not None
    # when a vote for the other project tries the same slot (as a racing request would)
    racing = _next_vote(stage, taken, slot=taken.event_slot)
    pledges, entries = await Pledge.all().count(), await ActivityEntry.all().count()
    # then it is refused as a conflict (the request then looks again for a free slot)...
    with pytest.raises(IntegrityError):
        await insert_event_vote(racing)
    # ...with neither the pledge nor its activity entry written
    assert (await Pledge.all().count(), await ActivityEntry.all().count()) == (pledges, entries)


async def test_a_vote_written_after_the_event_closed_is_not_recorded(client):
    # given an attendee's vote read while the event was LIVE (its first two reads)...
    stage, first = await _voted_once(client)
    late = _next_vote(stage, first, slot=_other_slot(first))
    # ...when the organiser closes the event before the vote is written
    await stage.act("closeEvent")
    pledges, entries = await Pledge.all().count(), await ActivityEntry.all().count()
    # then the write refuses it (the request answers EVENT_NOT_LIVE), writing nothing, so
    # the frozen results stay the event's last word
    assert await insert_event_vote(late) is None
    assert (await Pledge.all().count(), await ActivityEntry.all().count()) == (pledges, entries)


async def _a_statement_waits_on_a_row_lock() -> None:
    """Return once a statement of this database waits on a lock another one holds."""
    waiting = (
        "SELECT count(*) AS waiting FROM pg_stat_activity "
        "WHERE datname = current_database() AND wait_event_type = 'Lock'"
    )
    connection = connections.get("default")
    for _ in range(500):  # polled for 10 s at most
        if (await connection.execute_query_dict(waiting))[0]["waiting"] > 0:
            return
        await asyncio.sleep(0.02)
    raise AssertionError("no statement waited on a lock")


@pytest.mark.skipif(not IS_POSTGRES, reason="row locks: PostgreSQL only")
async def test_a_vote_waiting_on_a_closing_event_is_refused_once_the_close_commits(client):
    # given a LIVE event and an attendee's next vote, already past its reads
    stage, first = await _voted_once(client)
    late = _next_vote(stage, first, slot=_other_slot(first))
    go = asyncio.Event()

    async def write_when_told() -> Pledge | None:
        await go.wait()
        return await insert_event_vote(late)

    # (made out here: a task made inside the transaction would share its connection)
    writing = asyncio.create_task(write_when_told())
    blocked = asyncio.create_task(_a_statement_waits_on_a_row_lock())
    # when a close holds the event row (as closeEvent does while it freezes the results)
    async with in_transaction() as closing:
        locked = "SELECT id FROM pitching_event WHERE id = $1 FOR UPDATE"
        await closing.execute_query(locked, [first.event_id])
        close = "UPDATE pitching_event SET state = 'CLOSED' WHERE id = $1"
        await closing.execute_query(close, [first.event_id])
        go.set()
        # then the vote waits for it (PostgreSQL shows its statement waiting on the lock)...
        await asyncio.wait_for(blocked, 10)
        assert not writing.done()
    # ...and once the close commits, it sees CLOSED and writes nothing
    assert await asyncio.wait_for(writing, 10) is None
    assert await Pledge.filter(project_id=stage.projects[1].pk).count() == 0


async def test_concurrent_supports_of_one_attendee_never_exceed_the_limit(client):
    # given a live event with a limit of 1 and one attendee hammering both pitches
    stage = await Stage(client).build(supportsPerAttendee=1)
    await stage.act("startEvent")
    attendee = await stage.join()
    # when 20 supports for the two projects arrive at once
    results = await asyncio.gather(*(stage.support(attendee, i % 2) for i in range(20)))
    # then exactly one succeeded
    outcomes = Counter(r.get("code", r["__typename"]) for r in results)
    assert outcomes["SupportPitchSuccess"] == 1
    assert sum(outcomes.values()) == 20
    assert set(outcomes) <= {"SupportPitchSuccess", "ALREADY_VOTED", "SUPPORT_LIMIT_REACHED"}
    assert await Pledge.filter(event_id__isnull=False).count() == 1


async def test_support_only_while_live_and_closing_freezes_results(client):
    stage = await Stage(client).build()
    attendee = await stage.join()
    before = await stage.support(attendee, 0)
    assert (before["__typename"], before["code"]) == ("ConflictError", "EVENT_NOT_LIVE")
    await stage.act("startEvent")
    assert (await stage.support(attendee, 0))["__typename"] == "SupportPitchSuccess"
    await stage.act("closeEvent")
    after = await stage.support(await stage.join(), 1)
    assert (after["__typename"], after["code"]) == ("ConflictError", "EVENT_NOT_LIVE")
    frozen = await stage.live()
    # a vote through the ordinary API after closing moves the project, not the frozen results
    voter = await token_for(await make_person())
    vote = "mutation($p: ID!) { pledge(input: {projectId: $p, kind: VOTE}) { __typename } }"
    await stage.call(vote, {"p": gid(stage.projects[0])}, token=voter)
    assert await stage.live() == frozen
    assert [p["support"]["votes"] for p in frozen["projects"]] == [1, 0]


async def test_hidden_results_stay_hidden_until_revealed(client):
    stage = await Stage(client).build(resultsHidden=True)
    await stage.act("startEvent")
    await stage.support(await stage.join(), 1)
    hidden = await stage.live()
    assert hidden["resultsVisible"] is False
    assert [p["support"] for p in hidden["projects"]] == [None, None]
    await stage.act("revealResults")
    shown = await stage.live()
    assert shown["resultsVisible"] is True
    assert [p["support"]["votes"] for p in shown["projects"]] == [0, 1]
    assert shown["version"] > hidden["version"]


async def test_wrong_join_code_and_foreign_token_are_typed_errors(client):
    stage = await Stage(client).build()
    await stage.act("startEvent")
    wrong = await stage.call(JOIN, {"code": "NOPE42"}, token="")
    assert (wrong["joinEvent"]["__typename"], wrong["joinEvent"]["code"]) == (
        "NotFoundError",
        "NOT_FOUND",
    )
    other = await Stage(client).build()
    foreign = await other.join()
    refused = await stage.support(foreign, 0)
    assert (refused["__typename"], refused["code"]) == ("PermissionDeniedError", "NOT_AN_ATTENDEE")


async def test_money_pledged_as_the_event_closes_is_refused_and_not_recorded(client, monkeypatch):
    # given a live event, closed right after a money pledge found it LIVE, before its write
    stage = await Stage(client).build()
    await stage.act("startEvent")
    found_live = pledge_resolvers._live_event

    async def closed_meanwhile(*args: Any) -> PitchingEvent:
        event = await found_live(*args)
        await PitchingEvent.filter(pk=event.pk).update(state=EventState.CLOSED)
        return event

    monkeypatch.setattr(pledge_resolvers, "_live_event", closed_meanwhile)
    money = {
        "projectId": gid(stage.projects[0]),
        "eventId": stage.event["id"],
        "kind": "MONEY",
        "amount": {"amount": "300.00"},
    }
    pledge = f"mutation($input: PledgeInput!) {{ pledge(input: $input) {{ {RESULT} }} }}"
    # when a resident pledges
    late = await stage.call(pledge, {"input": money}, token=await token_for(await make_person()))
    # then it is refused as the event is no longer LIVE, and nothing was written
    assert (late["pledge"]["__typename"], late["pledge"]["code"]) == (
        "ConflictError",
        "EVENT_NOT_LIVE",
    )
    assert await Pledge.filter(kind="MONEY").count() == 0


async def test_signed_in_people_pledge_money_at_a_live_event(client):
    # given a live event and a signed-in resident
    stage = await Stage(client).build()
    await stage.act("startEvent")
    resident = await token_for(await make_person())
    pledge = f"""
    mutation($input: PledgeInput!) {{ pledge(input: $input) {{ {RESULT}
      ... on PledgeSuccess {{ pledge {{ amount {{ amount }} }} }} }} }}"""
    money = {
        "projectId": gid(stage.projects[0]),
        "eventId": stage.event["id"],
        "kind": "MONEY",
        "amount": {"amount": "300.00"},
    }
    # when they pledge money at the event, and try a vote through pledge
    given = await stage.call(pledge, {"input": money}, token=resident)
    vote = await stage.call(
        pledge, {"input": {**money, "kind": "VOTE", "amount": None}}, token=resident
    )
    # then the money counts on the live screen, attributed to the event; the vote is refused
    assert given["pledge"] == {
        "__typename": "PledgeSuccess",
        "pledge": {"amount": {"amount": "300.00"}},
    }
    assert (vote["pledge"]["__typename"], vote["pledge"]["code"]) == ("ValidationError", "INVALID")
    assert await Pledge.filter(event_id__isnull=False, kind="MONEY").count() == 1
    live = await stage.live()
    assert live["projects"][0]["support"]["backers"] == 1
    await stage.act("closeEvent")
    late = await stage.call(pledge, {"input": money}, token=resident)
    assert (late["pledge"]["__typename"], late["pledge"]["code"]) == (
        "ConflictError",
        "EVENT_NOT_LIVE",
    )
