"""Relations resolve through dataloaders: statement counts do not grow with page size."""

import pytest

from models import Pledge, PledgeKind, Sector
from tests.factories import (
    gid,
    graphql,
    make_community,
    make_event,
    make_issue,
    make_organization,
    make_person,
    make_project,
)
from tests.query_counter import count_statements

FEED = """
query Feed($community: ID!, $first: Int!) {
  issues(filter: {communityId: $community}, first: $first) {
    totalCount
    nodes {
      id title status sdgGoals affectedGroups followerCount viewerFollows
      author { __typename displayName }
      community { name }
      projects(first: 5) {
        totalCount
        nodes {
          title
          lead { __typename displayName ... on Organization { sector } }
          partners { displayName }
          support { votes backers hours money { amount currency } bySector { sector votes } }
        }
      }
    }
  }
}
"""


async def _feed_community(issue_count: int):
    community = await make_community()
    resident = await make_person()
    ngo = await make_organization(Sector.NONPROFIT, admin=resident)
    for index in range(issue_count):
        issue = await make_issue(community, resident if index % 2 else ngo)
        project = await make_project(community, ngo if index % 2 else resident, [issue])
        await Pledge.create(
            project=project,
            backer=resident,
            made_by=resident,
            kind=PledgeKind.VOTE,
            active_vote_backer=resident,
        )
    return community


@pytest.mark.parametrize("page_size", [5, 50])
async def test_feed_of_issues_with_projects_leads_and_support_costs_fixed_statements(
    client, page_size
):
    # given a community with 50 issues, each addressed by a project with a vote
    community = await _feed_community(50)
    # when a phone asks for a page of the feed
    with count_statements() as counter:
        body = await graphql(client, FEED, {"community": gid(community), "first": page_size})
    # then every issue came back with its project's support...
    issues = body["data"]["issues"]["nodes"]
    assert len(issues) == page_size
    assert all(issue["projects"]["nodes"][0]["support"]["votes"] == 1 for issue in issues)
    # ...for the same number of statements whatever the page size:
    # count + page of issues, SDGs, groups, follower counts, communities, authors,
    # project ids, projects, partner ids, support sums, support backers, matched sums
    assert len(counter.statements) == 13, counter.statements


EVENTS = """
query Events($community: ID!) {
  pitchingEvents(communityId: $community) {
    title state joinCode
    community { name }
    organizer { displayName members { role person { displayName } } }
    pitches { position project { title lead { displayName } support { votes } } }
  }
}
"""


@pytest.mark.parametrize("event_count", [2, 30])
async def test_a_communitys_events_with_agendas_cost_fixed_statements(client, event_count):
    # given a community whose council runs many events, each pitching three projects
    community = await make_community()
    mayor = await make_person()
    council = await make_organization(Sector.PUBLIC, admin=mayor)
    projects = [
        await make_project(community, mayor, [await make_issue(community, mayor)]) for _ in range(3)
    ]
    for _ in range(event_count):
        await make_event(community, council, projects)
    # when a partner lists them with their agendas
    with count_statements() as counter:
        body = await graphql(client, EVENTS, {"community": gid(community)})
    # then every event came with its three pitches in order...
    events = body["data"]["pitchingEvents"]
    assert len(events) == event_count
    assert all([p["position"] for p in e["pitches"]] == [1, 2, 3] for e in events)
    assert {e["organizer"]["members"][0]["role"] for e in events} == {"ADMIN"}
    # ...for the same statements whatever the number of events: events, communities,
    # organizers, pitches, memberships, projects, people (the members and the leads, one
    # statement: the mayor is both), support sums, support backers, matched sums
    assert len(counter.statements) == 10, counter.statements
