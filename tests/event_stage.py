"""A pitching event with two pitched projects, run by the admin of a local council, driven
through the API as its organiser and audience would."""

from models import Sector
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

RESULT = "__typename ... on Error { code field message }"
CREATE = f"""
mutation($input: CreatePitchingEventInput!) {{ createPitchingEvent(input: $input) {{
  {RESULT} ... on PitchingEventSuccess {{ event {{ id joinCode state }} }} }} }}"""
ADD = f"""
mutation($input: AddPitchInput!) {{ addPitch(input: $input) {{
  {RESULT} ... on AddPitchSuccess {{ pitch {{ id position project {{ status }} }} }} }} }}"""
ACTION = """
mutation($input: EventActionInput!) {{ {name}(input: $input) {{
  {result} ... on PitchingEventSuccess {{ event {{ state live {{ currentPitchId version }} }} }}
}} }}"""
JOIN = f"""
mutation($code: String!) {{ joinEvent(input: {{code: $code}}) {{
  {RESULT} ... on JoinEventSuccess {{ attendeeToken event {{ id }} }} }} }}"""
SUPPORT = f"""
mutation($input: SupportPitchInput!) {{ supportPitch(input: $input) {{
  {RESULT} ... on SupportPitchSuccess {{ remainingSupports pledge {{ kind }} }} }} }}"""
LIVE = """
query($id: ID!) { node(id: $id) { ... on PitchingEvent { live {
  version state resultsVisible currentPitchId
  projects { title position support { votes backers } } } } } }"""


class Stage:
    """An event with two pitched projects, run by the admin of a local council."""

    def __init__(self, client):
        self.client = client

    async def build(self, **event_fields):
        self.community = await make_community()
        self.admin = await make_person()
        self.token = await token_for(self.admin)
        self.council = await make_organization(Sector.PUBLIC, admin=self.admin)
        issue = await make_issue(self.community, self.admin)
        self.projects = [await make_project(self.community, self.admin, [issue]) for _ in range(3)]
        body = await self.call(
            CREATE,
            {
                "input": {
                    "communityId": gid(self.community),
                    "actingFor": gid(self.council),
                    "title": "Pitch night 2020",
                    "startsAt": "2020-02-01T18:00:00Z",
                    **event_fields,
                }
            },
        )
        self.event = body["createPitchingEvent"]["event"]
        self.pitches = []
        for project in self.projects[:2]:
            added = await self.call(
                ADD, {"input": {"eventId": self.event["id"], "projectId": gid(project)}}
            )
            self.pitches.append(added["addPitch"]["pitch"]["id"])
        return self

    async def call(self, query, variables, token=None):
        body = await graphql(
            self.client, query, variables, token=self.token if token is None else token
        )
        assert "errors" not in body, body
        return body["data"]

    async def act(self, name, token=None):
        query = ACTION.format(name=name, result=RESULT)
        return (await self.call(query, {"input": {"eventId": self.event["id"]}}, token))[name]

    async def live(self):
        return (await self.call(LIVE, {"id": self.event["id"]}))["node"]["live"]

    async def join(self):
        self.client.cookies.clear()  # another phone: no device cookie
        joined = await self.call(JOIN, {"code": self.event["joinCode"].lower()}, token="")
        return joined["joinEvent"]["attendeeToken"]

    async def support(self, attendee_token, project_index):
        variables = {
            "input": {
                "eventId": self.event["id"],
                "projectId": gid(self.projects[project_index]),
                "attendeeToken": attendee_token,
            }
        }
        return (await self.call(SUPPORT, variables, token=""))["supportPitch"]
