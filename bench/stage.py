"""The benchmark's stage: a LIVE event with pitched projects and many anonymous attendees.

The event is built through the GraphQL API (as in the tests); attendees are inserted
directly, as ``joinEvent`` would make them (a guest person and a token digest), because
joining thousands of people through the API is not what this benchmark measures.
"""

import secrets
from dataclasses import dataclass

import httpx
from tortoise.transactions import in_transaction

from models import Actor, ActorKind, EventAttendee, Pledge
from resolvers.ids import decode_id
from resolvers.person import token_digest
from tests.live_event_stage import start_live_event

CURRENT = """
query($id: ID!) { pitchingEvent(id: $id) { live {
  version projects { projectId support { votes backers } } } } }"""
SUPPORT = """
mutation($input: SupportPitchInput!) { supportPitch(input: $input) {
  __typename ... on Error { code message } ... on SupportPitchSuccess { pledge { id } } } }"""


@dataclass(frozen=True)
class Stage:
    event_id: str
    project_ids: list[str]
    project_pks: list[int]
    attendee_tokens: list[str]

    async def pledge_rows(self) -> int:
        """Pledge rows of the pitched projects: what the snapshot version counts."""
        return await Pledge.filter(project_id__in=self.project_pks).count()

    async def commit_ranks(self) -> dict[int, int] | None:
        """Each pledge row's position in commit order (1 = first committed), or None when
        PostgreSQL does not keep commit timestamps (``track_commit_timestamp``)."""
        connection = Pledge._meta.db
        if connection.capabilities.dialect != "postgres":
            return None
        _, rows = await connection.execute_query("SHOW track_commit_timestamp")
        if rows[0]["track_commit_timestamp"] != "on":
            return None
        _, rows = await connection.execute_query(
            "SELECT id FROM pledge WHERE project_id = ANY($1)"
            " ORDER BY pg_xact_commit_timestamp(xmin), id",
            [self.project_pks],
        )
        return {int(row["id"]): rank for rank, row in enumerate(rows, start=1)}

    async def duplicate_votes(self) -> int:
        """Votes beyond the first of one backer for one project (must be 0)."""
        rows = await Pledge.filter(project_id__in=self.project_pks).values_list(
            "backer_id", "project_id"
        )
        return len(rows) - len(set(rows))

    async def votes_by_project(self) -> dict[str, int]:
        rows = await Pledge.filter(project_id__in=self.project_pks).values_list(
            "project_id", flat=True
        )
        counts = {pk: 0 for pk in self.project_pks}
        for pk in rows:
            counts[int(str(pk))] += 1
        return {gid: counts[pk] for gid, pk in zip(self.project_ids, self.project_pks, strict=True)}


async def build_stage(client: httpx.AsyncClient, *, projects: int, attendees: int) -> Stage:
    titles = tuple(f"Project {number}" for number in range(1, projects + 1))
    live = await start_live_event(client, project_titles=titles, supports_per_attendee=projects)
    event_pk = decode_id(live.event_id, "PitchingEvent", field="eventId")
    tokens = [secrets.token_urlsafe(24) for _ in range(attendees)]
    async with in_transaction():
        for token in tokens:
            guest = await Actor.create(kind=ActorKind.PERSON, display_name="Guest")
            await EventAttendee.create(
                event_id=event_pk, person=guest, token_digest=token_digest(token)
            )
    return Stage(
        event_id=live.event_id,
        project_ids=live.project_ids,
        project_pks=[decode_id(gid, "Project", field="projectId") for gid in live.project_ids],
        attendee_tokens=tokens,
    )


async def current_live(client: httpx.AsyncClient, event_id: str) -> dict[str, object]:
    response = await client.post("/graphql", json={"query": CURRENT, "variables": {"id": event_id}})
    live: dict[str, object] = response.json()["data"]["pitchingEvent"]["live"]
    return live
