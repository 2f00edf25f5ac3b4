"""The SQL of an event vote: what ``supportPitch`` reads and writes, in three round trips.

This is the request a pitching night repeats hundreds of times a second, and on a busy
machine each round trip to the database costs more than the SQL it carries; building
queries through the ORM cost as much again. So the hot path is written in SQL:

- one read of the event, the attendee the token belongs to and the pitch (``AT_EVENT``);
- one read of the backer's votes and the project's LIVE events (``VOTES_AND_LIVE_EVENTS``);
- one write, which goes in only if the event is still LIVE (a close may have committed
  since the first read). Through the ORM it is a transaction (the state, two INSERTs). On
  PostgreSQL it is one statement: a data-modifying CTE checks the event row and inserts
  the pledge and its activity entry together, and a single statement is atomic by itself,
  so a conflict (a second vote, a taken slot) leaves neither row behind. SQLite takes the
  ORM transaction.

The reads are portable SQL written with PostgreSQL's ``$n`` parameters (``portable`` turns
them into SQLite's ``?``).
"""

import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from models import EventState, Pledge, PledgeKind, PledgeStatus, SupportMode
from resolvers.activity import record_activity
from resolvers.ids import to_global_id
from resolvers.spatial_sql import on_postgres

VERB = "pledge.made"

AT_EVENT = """
SELECT e.state, e.supports_per_attendee, e.community_id, e.support_mode,
       a.person_id AS attendee_person_id, a.verified AS attendee_verified,
       pj.community_id AS project_community_id
FROM pitching_event e
LEFT JOIN event_attendee a ON a.event_id = e.id AND a.token_digest = $2
LEFT JOIN pitch pi ON pi.event_id = e.id AND pi.project_id = $3
LEFT JOIN project pj ON pj.id = pi.project_id
WHERE e.id = $1
"""

# Each arm names the backer so that each can use its unique index: (event, backer, slot)
# and (project, active_vote_backer).
VOTES_AND_LIVE_EVENTS = f"""
SELECT 'vote' AS row_kind, pl.event_id, pl.event_slot, pl.project_id, pl.status,
       pl.active_vote_backer_id
FROM pledge pl
WHERE (pl.event_id = $2 AND pl.backer_id = $1 AND pl.event_slot IS NOT NULL)
   OR (pl.project_id = $3 AND pl.active_vote_backer_id = $1 AND pl.backer_id = $1)
UNION ALL
SELECT 'live', pi.event_id, NULL, NULL, NULL, NULL
FROM pitch pi JOIN pitching_event e ON e.id = pi.event_id
WHERE pi.project_id = $3 AND e.state = '{EventState.LIVE}'
"""

# The same rows as the ORM path below (columns the statement leaves out are nullable).
# - The vote goes in only while the event is LIVE, checked on the event row locked FOR KEY
#   SHARE (the lock the foreign key check takes anyway). ``closeEvent`` holds the row FOR
#   UPDATE while it freezes the results: a vote arriving then waits, sees CLOSED once the
#   close commits (READ COMMITTED re-reads a row it waited for) and inserts nothing, so no
#   vote lands after the frozen results. A vote that locked the row first commits first,
#   and the close then counts it.
# - A unique conflict (a taken slot, a second vote) inserts nothing: ``ON CONFLICT DO
#   NOTHING`` instead of an error, which PostgreSQL would log with the whole statement and
#   tortoise would translate through an exception with its traceback.
# One row comes back: whether the event was LIVE, and the new pledge's ID (NULL: none).
VOTE_WITH_ENTRY = f"""
WITH live AS (
    SELECT id FROM pitching_event WHERE id = $4 AND state = '{EventState.LIVE}' FOR KEY SHARE
), vote AS (
    INSERT INTO pledge (project_id, backer_id, made_by_id, kind, status, description,
                        active_vote_backer_id, event_id, event_slot, verified, created_at,
                        updated_at)
    SELECT $1, $2, $3, '{PledgeKind.VOTE}', '{PledgeStatus.PLEDGED}', '', $2, live.id, $5,
           $9, $6, $6
    FROM live
    ON CONFLICT DO NOTHING
    RETURNING id
), entry AS (
    INSERT INTO activity_entry (actor_id, performed_by_id, verb, subject_type, subject_id,
                                community_id, is_public, details, created_at)
    SELECT $2, $3, '{VERB}', 'Pledge', vote.id, $7, TRUE, $8::jsonb, $6 FROM vote
    RETURNING subject_id
)
SELECT EXISTS (SELECT 1 FROM live) AS live, (SELECT subject_id FROM entry) AS pledge_id
"""


@dataclass(frozen=True)
class EventVote:
    """A VOTE at a pitching event, taking one of the attendee's numbered support slots."""

    event_pk: int
    project_pk: int
    backer_pk: int
    made_by_pk: int  # the signed-in person, or the guest backer itself
    slot: int
    community_id: int  # the event's: where the activity entry is listed
    verified: bool  # by someone known to the hub (signed in, or holding a personal code)

    def details(self) -> dict[str, object]:
        return {
            "projectId": to_global_id("Project", self.project_pk),
            "kind": PledgeKind.VOTE.value,
            "eventId": to_global_id("PitchingEvent", self.event_pk),
        }

    def pledge(self, now: datetime, **pk: int) -> Pledge:
        return Pledge(
            **pk,
            project_id=self.project_pk,
            backer_id=self.backer_pk,
            made_by_id=self.made_by_pk,
            kind=PledgeKind.VOTE,
            status=PledgeStatus.PLEDGED,
            description="",
            active_vote_backer_id=self.backer_pk,
            event_id=self.event_pk,
            event_slot=self.slot,
            verified=self.verified,
            created_at=now,
            updated_at=now,
        )


def portable(sql: str, values: list[Any]) -> tuple[str, list[Any]]:
    """PostgreSQL's ``$n`` parameters as they are, or as SQLite's ``?`` in order of use."""
    if on_postgres():
        return sql, values
    order = [int(number) - 1 for number in re.findall(r"\$(\d+)", sql)]
    return re.sub(r"\$\d+", "?", sql), [values[index] for index in order]


async def _rows(sql: str, values: list[Any]) -> list[dict[str, Any]]:
    query, parameters = portable(sql, values)
    _, rows = await Pledge._meta.db.execute_query(query, parameters)
    return [dict(row) for row in rows]


def _int_or_none(value: object) -> int | None:
    return None if value is None else int(str(value))


@dataclass(frozen=True)
class AtEvent:
    """An event as a vote meets it: its state, the token's attendee, the project's pitch."""

    state: EventState
    supports_per_attendee: int
    community_id: int
    support_mode: SupportMode
    attendee_person_id: int | None  # None: no token, or not an attendee of this event
    attendee_verified: bool  # the token's attendee signed in or holds a personal code
    project_community_id: int | None  # None: the project is not pitched at this event


async def at_event(event_pk: int, token_digest: str | None, project_pk: int) -> AtEvent | None:
    """One read of all a vote needs to know about its event (None: no such event)."""
    rows = await _rows(AT_EVENT, [event_pk, token_digest, project_pk])
    if not rows:
        return None
    row = rows[0]
    return AtEvent(
        state=EventState(row["state"]),
        supports_per_attendee=int(row["supports_per_attendee"]),
        community_id=int(row["community_id"]),
        support_mode=SupportMode(row["support_mode"]),
        attendee_person_id=_int_or_none(row["attendee_person_id"]),
        attendee_verified=bool(row["attendee_verified"]),
        project_community_id=_int_or_none(row["project_community_id"]),
    )


@dataclass(frozen=True)
class VotesAndLiveEvents:
    used_slots: set[int]  # the backer's taken support slots at this event
    supports_project: bool  # the backer already votes for the project
    live_event_ids: list[int]  # LIVE events pitching the project: their screens must hear


async def votes_and_live_events(
    event_pk: int, backer_pk: int, project_pk: int
) -> VotesAndLiveEvents:
    rows = await _rows(VOTES_AND_LIVE_EVENTS, [backer_pk, event_pk, project_pk])
    votes = [row for row in rows if row["row_kind"] == "vote"]
    return VotesAndLiveEvents(
        used_slots={
            int(row["event_slot"])
            for row in votes
            if row["event_id"] == event_pk and row["event_slot"] is not None
        },
        supports_project=any(
            row["project_id"] == project_pk
            and row["active_vote_backer_id"] is not None
            and row["status"] != PledgeStatus.WITHDRAWN
            for row in votes
        ),
        live_event_ids=sorted(int(row["event_id"]) for row in rows if row["row_kind"] == "live"),
    )


async def insert_event_vote(vote: EventVote) -> Pledge | None:
    """Insert the vote and its ``pledge.made`` entry; None when the event is no longer LIVE
    (closed since it was read), IntegrityError on a conflict (a taken slot, a second vote).
    """
    now = datetime.now(UTC)
    if not on_postgres():
        return await _insert_through_orm(vote, now)
    _, rows = await Pledge._meta.db.execute_query(
        VOTE_WITH_ENTRY,
        [
            vote.project_pk,
            vote.backer_pk,
            vote.made_by_pk,
            vote.event_pk,
            vote.slot,
            now,
            vote.community_id,
            json.dumps(vote.details()),
            vote.verified,
        ],
    )
    outcome = rows[0]
    if not outcome["live"]:
        return None
    if outcome["pledge_id"] is None:
        raise IntegrityError("another request took this slot, or this vote")
    pledge = vote.pledge(now, id=int(outcome["pledge_id"]))
    pledge._saved_in_db = True
    return pledge


STILL_LIVE = f"SELECT id FROM pitching_event WHERE id = $1 AND state = '{EventState.LIVE}'"


async def event_still_live(event_pk: int) -> bool:
    """Inside a write transaction: is the event still LIVE, so a pledge may count there?

    On PostgreSQL the row is locked FOR KEY SHARE until the transaction ends (the lock its
    foreign key check takes anyway; pledges do not block each other). ``closeEvent`` holds
    it FOR UPDATE while freezing the results: a pledge then waits and reads CLOSED once the
    close commits, or, if it locked first, commits first and is counted. SQLite runs one
    write transaction at a time, which orders them the same way.
    """
    sql = STILL_LIVE + (" FOR KEY SHARE" if on_postgres() else "")
    return bool(await _rows(sql, [event_pk]))


async def _insert_through_orm(vote: EventVote, now: datetime) -> Pledge | None:
    pledge = vote.pledge(now)
    async with in_transaction():
        if not await event_still_live(vote.event_pk):
            return None
        await pledge.save()
        await record_activity(
            verb=VERB,
            subject=pledge,
            actor=vote.backer_pk,
            performed_by=vote.made_by_pk,
            community_id=vote.community_id,
            details=vote.details(),
        )
    return pledge
