"""Factories: build rows directly (fast), and call the GraphQL API like a client would."""

import itertools
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from models import (
    Actor,
    ActorKind,
    Community,
    Issue,
    IssueCategory,
    Membership,
    MembershipRole,
    Pitch,
    PitchingEvent,
    Project,
    ProjectIssue,
    ProjectStatus,
    Region,
    Sector,
)
from resolvers.event import new_join_code
from resolvers.ids import to_global_id
from resolvers.person import PASSWORD_HASHER, issue_token

PASSWORD = "correct horse battery"
# Hashing once keeps factories fast; argon2 is deliberately slow.
PASSWORD_HASH = PASSWORD_HASHER.hash(PASSWORD)
_sequence = itertools.count(1)


async def make_person(name: str | None = None) -> Actor:
    number = next(_sequence)
    return await Actor.create(
        kind=ActorKind.PERSON,
        display_name=name or f"Resident {number}",
        email=f"resident{number}@example.org",
        password_hash=PASSWORD_HASH,
    )


async def token_for(person: Actor) -> str:
    return await issue_token(person, lifetime=timedelta(days=1))


async def make_organization(
    sector: Sector = Sector.NONPROFIT, *, admin: Actor | None = None, name: str | None = None
) -> Actor:
    organization = await Actor.create(
        kind=ActorKind.ORGANIZATION,
        display_name=name or f"Organization {next(_sequence)}",
        sector=sector,
    )
    if admin is not None:
        await Membership.create(organization=organization, person=admin, role=MembershipRole.ADMIN)
    return organization


async def make_community(name: str | None = None) -> Community:
    region, _ = await Region.get_or_create(name="Cherkasy Oblast")
    return await Community.create(
        name=name or f"Community {next(_sequence)}",
        region=region,
        population=12000,
        centre_latitude=49.44,
        centre_longitude=32.06,
    )


async def make_issue(community: Community, author: Actor, **fields: Any) -> Issue:
    defaults: dict[str, Any] = {
        "title": f"Issue {next(_sequence)}",
        "description": "Described by a resident.",
        "latitude": 49.44,
        "longitude": 32.06,
        "category": IssueCategory.INFRASTRUCTURE,
    }
    defaults.update(fields)
    return await Issue.create(community=community, author=author, created_by=author, **defaults)


async def make_project(
    community: Community,
    lead: Actor,
    issues: list[Issue],
    *,
    status: ProjectStatus = ProjectStatus.PROPOSED,
) -> Project:
    project = await Project.create(
        community=community,
        title=f"Project {next(_sequence)}",
        summary="Fixes it.",
        requested_budget_minor=1_000_000,
        lead=lead,
        created_by=lead,
        status=status,
    )
    await ProjectIssue.bulk_create([ProjectIssue(project=project, issue=i) for i in issues])
    return project


async def make_event(
    community: Community, organizer: Actor, projects: list[Project], **fields: Any
) -> PitchingEvent:
    """A SCHEDULED pitching event with the projects on its agenda, in order."""
    admin = await Actor.filter(organization_memberships__organization_id=organizer.pk).first()
    event = await PitchingEvent.create(
        community=community,
        organizer=organizer,
        created_by=admin or organizer,
        title=f"Pitch night {next(_sequence)}",
        starts_at=datetime(2027, 3, 1, 17, tzinfo=UTC) + timedelta(days=next(_sequence)),
        join_code=new_join_code(),
        **fields,
    )
    await Pitch.bulk_create(
        [Pitch(event=event, project=p, position=n) for n, p in enumerate(projects, start=1)]
    )
    return event


def gid(row: Any) -> str:
    """The global ID of a row, as the API shows it."""
    if isinstance(row, Actor):
        return to_global_id("Person" if row.kind == ActorKind.PERSON else "Organization", row.pk)
    return to_global_id(type(row).__name__, row.pk)


async def graphql(
    client: httpx.AsyncClient,
    query: str,
    variables: dict[str, Any] | None = None,
    *,
    token: str | None = None,
) -> dict[str, Any]:
    """POST a GraphQL request; returns the decoded response (asserting HTTP 200)."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    response = await client.post(
        "/graphql", json={"query": query, "variables": variables or {}}, headers=headers
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    # Every answer carries its cost and request id (tests/test_api_limits.py checks them);
    # the other tests compare data and errors alone.
    extensions = body.pop("extensions")
    assert extensions["requestId"] == response.headers["x-request-id"]
    return body
