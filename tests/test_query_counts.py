"""Relations resolve through dataloaders: statement counts do not grow with page size."""

import pytest

from models import Pledge, PledgeKind, Sector
from tests.factories import (
    gid,
    graphql,
    make_community,
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
    # project ids, projects, partner ids, support sums, support backers
    assert len(counter.statements) == 12, counter.statements
