"""Projects: proposing them for issues, moving them through their life, drafts, filters."""

import pytest

from models import (
    AffectedGroup,
    Issue,
    IssueAffectedGroup,
    IssueSdgGoal,
    IssueStatus,
    Membership,
    MembershipRole,
    Project,
    ProjectStatus,
    Sector,
)
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

PROPOSE_PROJECT = """
mutation Propose($input: ProposeProjectInput!) {
  proposeProject(input: $input) {
    __typename
    ... on ProposeProjectSuccess {
      project {
        id title summary status
        requestedBudget { amount currency }
        lead { __typename id }
        community { id }
        partners { id sector }
        issues { totalCount nodes { id status } }
      }
    }
    ... on Error { code field }
    ... on ValidationError { problems { field code } }
  }
}
"""

UPDATE_PROJECT = """
mutation Update($input: UpdateProjectInput!) {
  updateProject(input: $input) {
    __typename
    ... on UpdateProjectSuccess { project { title status } }
    ... on Error { code field }
    ... on ValidationError { problems { field code } }
  }
}
"""

PROJECT_TITLES = """
query Titles($filter: ProjectFilter) {
  projects(filter: $filter, orderBy: {field: TITLE, descending: false}) {
    totalCount nodes { title }
  }
}
"""

NODE_TITLE = "query Node($id: ID!) { node(id: $id) { __typename ... on Project { title } } }"


def project_input(community, issues, **overrides):
    values = {
        "communityId": gid(community),
        "title": "Solar streetlights",
        "summary": "Replace six dark lamps with solar ones.",
        "requestedBudget": {"amount": "1500.50", "currency": "UAH"},
        "issueIds": [gid(issue) for issue in issues],
    }
    values.update(overrides)
    return values


async def test_proposing_a_project_addresses_its_issues(client):
    # given
    community = await make_community()
    person = await make_person()
    issue = await make_issue(community, person)
    authority = await make_organization(Sector.PUBLIC)
    business = await make_organization(Sector.BUSINESS)
    # when
    body = await graphql(
        client,
        PROPOSE_PROJECT,
        {"input": project_input(community, [issue], partnerIds=[gid(business), gid(authority)])},
        token=await token_for(person),
    )
    # then
    result = body["data"]["proposeProject"]
    assert result["__typename"] == "ProposeProjectSuccess"
    project = result["project"]
    assert project.pop("id") == gid(await Project.get(title="Solar streetlights"))
    assert project == {
        "title": "Solar streetlights",
        "summary": "Replace six dark lamps with solar ones.",
        "status": "PROPOSED",
        "requestedBudget": {"amount": "1500.50", "currency": "UAH"},
        "lead": {"__typename": "Person", "id": gid(person)},
        "community": {"id": gid(community)},
        "partners": [
            {"id": gid(authority), "sector": "PUBLIC"},
            {"id": gid(business), "sector": "BUSINESS"},
        ],
        "issues": {"totalCount": 1, "nodes": [{"id": gid(issue), "status": "ADDRESSED"}]},
    }
    assert (await Issue.get(pk=issue.pk)).status == IssueStatus.ADDRESSED


@pytest.mark.parametrize("zero", ["0", "00", "0.000", "-0"])
async def test_a_zero_budget_is_allowed(client, zero):
    # given
    community = await make_community()
    person = await make_person()
    issue = await make_issue(community, person)
    # when
    body = await graphql(
        client,
        PROPOSE_PROJECT,
        {"input": project_input(community, [issue], requestedBudget={"amount": zero})},
        token=await token_for(person),
    )
    # then: the currency defaults to UAH
    assert body["data"]["proposeProject"]["project"]["requestedBudget"] == {
        "amount": "0.00",
        "currency": "UAH",
    }


@pytest.mark.parametrize("amount", ["-5", "abc", "1.234", "NaN", ""])
async def test_an_invalid_budget_is_an_invalid_amount(client, amount):
    # given
    community = await make_community()
    person = await make_person()
    issue = await make_issue(community, person)
    # when
    body = await graphql(
        client,
        PROPOSE_PROJECT,
        {"input": project_input(community, [issue], requestedBudget={"amount": amount})},
        token=await token_for(person),
    )
    # then
    assert body["data"]["proposeProject"] == {
        "__typename": "ValidationError",
        "code": "INVALID_AMOUNT",
        "field": "requestedBudget.amount",
        "problems": [{"field": "requestedBudget.amount", "code": "INVALID_AMOUNT"}],
    }
    assert await Project.all().count() == 0


async def test_an_issue_of_another_community_is_refused(client):
    # given
    smila, kaniv = await make_community("Smila"), await make_community("Kaniv")
    person = await make_person()
    local, foreign = await make_issue(smila, person), await make_issue(kaniv, person)
    # when
    body = await graphql(
        client,
        PROPOSE_PROJECT,
        {"input": project_input(smila, [local, foreign])},
        token=await token_for(person),
    )
    # then
    assert body["data"]["proposeProject"] == {
        "__typename": "ValidationError",
        "code": "DIFFERENT_COMMUNITY",
        "field": "issueIds",
        "problems": [{"field": "issueIds", "code": "DIFFERENT_COMMUNITY"}],
    }
    assert await Project.all().count() == 0
    assert (await Issue.get(pk=local.pk)).status == IssueStatus.OPEN


async def test_a_project_without_issues_is_refused(client):
    # given
    community = await make_community()
    # when
    body = await graphql(
        client,
        PROPOSE_PROJECT,
        {"input": project_input(community, [])},
        token=await token_for(await make_person()),
    )
    # then
    assert body["data"]["proposeProject"] == {
        "__typename": "ValidationError",
        "code": "REQUIRED",
        "field": "issueIds",
        "problems": [{"field": "issueIds", "code": "REQUIRED"}],
    }


async def test_a_duplicate_issue_cannot_be_addressed(client):
    # given
    community = await make_community()
    person = await make_person()
    duplicate = await make_issue(community, person, status=IssueStatus.DUPLICATE)
    # when
    body = await graphql(
        client,
        PROPOSE_PROJECT,
        {"input": project_input(community, [duplicate])},
        token=await token_for(person),
    )
    # then
    assert body["data"]["proposeProject"] == {
        "__typename": "ValidationError",
        "code": "INVALID",
        "field": "issueIds",
        "problems": [{"field": "issueIds", "code": "INVALID"}],
    }


async def test_a_project_moves_forward_but_not_back(client):
    # given
    community = await make_community()
    lead = await make_person()
    project = await make_project(community, lead, [await make_issue(community, lead)])
    token = await token_for(lead)
    # when
    funded = await graphql(
        client,
        UPDATE_PROJECT,
        {"input": {"projectId": gid(project), "status": "FUNDED"}},
        token=token,
    )
    back = await graphql(
        client,
        UPDATE_PROJECT,
        {"input": {"projectId": gid(project), "status": "PROPOSED"}},
        token=token,
    )
    # then
    assert funded["data"]["updateProject"] == {
        "__typename": "UpdateProjectSuccess",
        "project": {"title": project.title, "status": "FUNDED"},
    }
    assert back["data"]["updateProject"] == {
        "__typename": "ValidationError",
        "code": "INVALID_STATUS_TRANSITION",
        "field": "status",
        "problems": [{"field": "status", "code": "INVALID_STATUS_TRANSITION"}],
    }
    assert (await Project.get(pk=project.pk)).status == ProjectStatus.FUNDED


async def test_a_proposed_project_cannot_go_back_to_draft(client):
    # given
    community = await make_community()
    lead = await make_person()
    project = await make_project(community, lead, [await make_issue(community, lead)])
    # when
    body = await graphql(
        client,
        UPDATE_PROJECT,
        {"input": {"projectId": gid(project), "status": "DRAFT"}},
        token=await token_for(lead),
    )
    # then
    assert body["data"]["updateProject"]["code"] == "INVALID_STATUS_TRANSITION"
    assert (await Project.get(pk=project.pk)).status == ProjectStatus.PROPOSED


async def test_only_the_lead_may_update_a_project(client):
    # given
    community = await make_community()
    lead = await make_person()
    project = await make_project(community, lead, [await make_issue(community, lead)])
    # when
    body = await graphql(
        client,
        UPDATE_PROJECT,
        {"input": {"projectId": gid(project), "title": "Taken over"}},
        token=await token_for(await make_person()),
    )
    # then
    assert body["data"]["updateProject"] == {
        "__typename": "PermissionDeniedError",
        "code": "NOT_OWNER",
        "field": None,
    }
    assert (await Project.get(pk=project.pk)).title == project.title


async def test_a_member_of_the_leading_organization_may_update_it(client):
    # given
    community = await make_community()
    founder, colleague = await make_person(), await make_person()
    nonprofit = await make_organization(Sector.NONPROFIT, admin=founder)
    await Membership.create(organization=nonprofit, person=colleague, role=MembershipRole.MEMBER)
    project = await make_project(community, nonprofit, [await make_issue(community, founder)])
    # when
    body = await graphql(
        client,
        UPDATE_PROJECT,
        {"input": {"projectId": gid(project), "title": "Drainage for Sadova Street"}},
        token=await token_for(colleague),
    )
    # then
    assert body["data"]["updateProject"] == {
        "__typename": "UpdateProjectSuccess",
        "project": {"title": "Drainage for Sadova Street", "status": "PROPOSED"},
    }


async def test_a_draft_is_private_to_its_creator(client):
    # given: a creator drafts a project for an issue
    community = await make_community()
    creator, neighbour = await make_person(), await make_person()
    issue = await make_issue(community, creator)
    creator_token, neighbour_token = await token_for(creator), await token_for(neighbour)
    body = await graphql(
        client,
        PROPOSE_PROJECT,
        {"input": project_input(community, [issue], draft=True)},
        token=creator_token,
    )
    draft = body["data"]["proposeProject"]["project"]
    assert draft["status"] == "DRAFT"
    # a draft addresses nothing yet
    assert draft["issues"]["nodes"] == [{"id": gid(issue), "status": "OPEN"}]
    lists = """
    query Lists($issueId: ID!) {
      projects { totalCount nodes { title } }
      drafts: projects(filter: {status: [DRAFT]}) { totalCount nodes { title } }
      issue: node(id: $issueId) { ... on Issue { projects { totalCount } } }
    }
    """
    # when
    for_neighbour = await graphql(client, lists, {"issueId": gid(issue)}, token=neighbour_token)
    for_anonymous = await graphql(client, lists, {"issueId": gid(issue)})
    node_for_neighbour = await graphql(
        client, NODE_TITLE, {"id": draft["id"]}, token=neighbour_token
    )
    node_for_anonymous = await graphql(client, NODE_TITLE, {"id": draft["id"]})
    node_for_creator = await graphql(client, NODE_TITLE, {"id": draft["id"]}, token=creator_token)
    for_creator = await graphql(client, lists, {"issueId": gid(issue)}, token=creator_token)
    # then
    hidden = {
        "projects": {"totalCount": 0, "nodes": []},
        "drafts": {"totalCount": 0, "nodes": []},
        "issue": {"projects": {"totalCount": 0}},
    }
    assert for_neighbour["data"] == hidden
    assert for_anonymous["data"] == hidden
    assert node_for_neighbour["data"] == {"node": None}
    assert node_for_anonymous["data"] == {"node": None}
    assert node_for_creator["data"] == {
        "node": {"__typename": "Project", "title": "Solar streetlights"}
    }
    assert for_creator["data"]["drafts"] == {
        "totalCount": 1,
        "nodes": [{"title": "Solar streetlights"}],
    }


async def test_publishing_a_draft_addresses_its_issues(client):
    # given
    community = await make_community()
    lead = await make_person()
    issue = await make_issue(community, lead)
    project = await make_project(community, lead, [issue], status=ProjectStatus.DRAFT)
    # when
    body = await graphql(
        client,
        UPDATE_PROJECT,
        {"input": {"projectId": gid(project), "status": "PROPOSED"}},
        token=await token_for(lead),
    )
    # then
    assert body["data"]["updateProject"]["project"]["status"] == "PROPOSED"
    assert (await Issue.get(pk=issue.pk)).status == IssueStatus.ADDRESSED


async def _seed_projects():
    """Three projects led by a person, a nonprofit and a business, over two tagged issues."""
    community = await make_community()
    person = await make_person()
    streetlights = await make_issue(community, person, title="Broken streetlights")
    underpass = await make_issue(community, person, title="Flooded underpass")
    await IssueSdgGoal.bulk_create(
        [IssueSdgGoal(issue=streetlights, goal=11), IssueSdgGoal(issue=underpass, goal=6)]
    )
    await IssueAffectedGroup.bulk_create(
        [
            IssueAffectedGroup(issue=streetlights, group=AffectedGroup.ELDERLY),
            IssueAffectedGroup(issue=underpass, group=AffectedGroup.CHILDREN_AND_YOUTH),
        ]
    )
    nonprofit = await make_organization(Sector.NONPROFIT)
    business = await make_organization(Sector.BUSINESS)
    for title, lead, issues in [
        ("Solar streetlights", person, [streetlights]),
        ("Drainage repair", nonprofit, [underpass]),
        ("Safer routes to school", business, [streetlights, underpass]),
    ]:
        project = await make_project(community, lead, issues)
        project.title = title
        await project.save()
    # A person's draft on both issues: it matches several filters below, yet is never listed.
    await make_project(community, person, [streetlights, underpass], status=ProjectStatus.DRAFT)
    return {"streetlights": gid(streetlights), "underpass": gid(underpass)}


@pytest.mark.parametrize(
    ("make_filter", "expected_titles"),
    [
        (lambda ids: {"leadSector": "NONPROFIT"}, ["Drainage repair"]),
        (lambda ids: {"leadSector": "BUSINESS"}, ["Safer routes to school"]),
        (lambda ids: {"ledByPeople": True}, ["Solar streetlights"]),
        pytest.param(
            lambda ids: {"sdgGoal": 11},
            ["Safer routes to school", "Solar streetlights"],
        ),
        pytest.param(
            lambda ids: {"affectedGroup": "CHILDREN_AND_YOUTH"},
            ["Drainage repair", "Safer routes to school"],
        ),
        pytest.param(
            lambda ids: {"issueId": ids["underpass"]},
            ["Drainage repair", "Safer routes to school"],
        ),
        pytest.param(
            lambda ids: {"issueId": ids["streetlights"], "leadSector": "BUSINESS"},
            ["Safer routes to school"],
        ),
    ],
    ids=[
        "lead-nonprofit",
        "lead-business",
        "led-by-people",
        "sdg-11",
        "group-children",
        "issue-underpass",
        "issue-and-sector",
    ],
)
async def test_project_filters_return_exactly_the_matching_projects(
    client, make_filter, expected_titles
):
    # given
    ids = await _seed_projects()
    # when
    body = await graphql(client, PROJECT_TITLES, {"filter": make_filter(ids)})
    # then
    assert body["data"]["projects"] == {
        "totalCount": len(expected_titles),
        "nodes": [{"title": title} for title in expected_titles],
    }
