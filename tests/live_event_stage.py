"""A LIVE pitching event built through the GraphQL API, for the audience page tests.

Rows that have no event API of their own (people, a council, projects) come from the
factories; everything about the event itself goes through the API a client would use.
"""

from dataclasses import dataclass
from typing import Any

import httpx

from models import Project, Sector
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

ERROR = "__typename ... on Error { code field message }"
CREATE_EVENT = f"""
mutation($input: CreatePitchingEventInput!) {{ createPitchingEvent(input: $input) {{
  {ERROR} ... on PitchingEventSuccess {{ event {{ id joinCode }} }} }} }}"""
ADD_PITCH = f"""
mutation($input: AddPitchInput!) {{ addPitch(input: $input) {{
  {ERROR} ... on AddPitchSuccess {{ pitch {{ id }} }} }} }}"""
START_EVENT = f"""
mutation($input: EventActionInput!) {{ startEvent(input: $input) {{
  {ERROR} ... on PitchingEventSuccess {{ event {{ state }} }} }} }}"""
JOIN_EVENT = f"""
mutation($code: String!) {{ joinEvent(input: {{code: $code}}) {{
  {ERROR} ... on JoinEventSuccess {{ attendeeToken }} }} }}"""
SUPPORT_PITCH = f"""
mutation($input: SupportPitchInput!) {{ supportPitch(input: $input) {{
  {ERROR} ... on SupportPitchSuccess {{ remainingSupports }} }} }}"""


@dataclass(frozen=True)
class LiveEventStage:
    client: httpx.AsyncClient
    event_id: str
    join_code: str
    project_ids: list[str]
    project_titles: list[str]

    async def join(self) -> str:
        """A new anonymous attendee (another phone: no device cookie); returns their token."""
        self.client.cookies.clear()
        data = await _call(self.client, JOIN_EVENT, {"code": self.join_code})
        token: str = data["joinEvent"]["attendeeToken"]
        return token

    async def support(self, project_index: int, attendee_token: str) -> dict[str, Any]:
        """supportPitch as an attendee; returns the result (success or typed error)."""
        data = await _call(
            self.client,
            SUPPORT_PITCH,
            {
                "input": {
                    "eventId": self.event_id,
                    "projectId": self.project_ids[project_index],
                    "attendeeToken": attendee_token,
                }
            },
        )
        result: dict[str, Any] = data["supportPitch"]
        return result


async def _call(
    client: httpx.AsyncClient, query: str, variables: dict[str, Any], token: str | None = None
) -> dict[str, Any]:
    body = await graphql(client, query, variables, token=token)
    assert "errors" not in body, body
    data: dict[str, Any] = body["data"]
    return data


async def start_live_event(
    client: httpx.AsyncClient,
    *,
    title: str = "Pitch night 2020",
    project_titles: tuple[str, ...] = ("Solar lights", "Clinic ramp", "Advice corner"),
    supports_per_attendee: int = 2,
) -> LiveEventStage:
    """A LIVE event pitching one project per title, the first one on stage."""
    community = await make_community()
    admin = await make_person()
    token = await token_for(admin)
    council = await make_organization(Sector.PUBLIC, admin=admin)
    issue = await make_issue(community, admin)
    projects = [await make_project(community, admin, [issue]) for _ in project_titles]
    for project, project_title in zip(projects, project_titles, strict=True):
        await Project.filter(pk=project.pk).update(title=project_title)
    created = await _call(
        client,
        CREATE_EVENT,
        {
            "input": {
                "communityId": gid(community),
                "actingFor": gid(council),
                "title": title,
                "startsAt": "2020-02-01T18:00:00Z",
                "supportsPerAttendee": supports_per_attendee,
            }
        },
        token,
    )
    event = created["createPitchingEvent"]
    assert event["__typename"] == "PitchingEventSuccess", event
    event_id = event["event"]["id"]
    for project in projects:
        added = await _call(
            client, ADD_PITCH, {"input": {"eventId": event_id, "projectId": gid(project)}}, token
        )
        assert added["addPitch"]["__typename"] == "AddPitchSuccess", added
    started = await _call(client, START_EVENT, {"input": {"eventId": event_id}}, token)
    assert started["startEvent"]["event"]["state"] == "LIVE", started
    return LiveEventStage(
        client=client,
        event_id=event_id,
        join_code=event["event"]["joinCode"],
        project_ids=[gid(project) for project in projects],
        project_titles=list(project_titles),
    )
