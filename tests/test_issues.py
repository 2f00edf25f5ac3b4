"""Local issues: defining, editing, following and finding them."""

import pytest

from models import (
    AffectedGroup,
    Issue,
    IssueAffectedGroup,
    IssueSdgGoal,
    IssueStatus,
    Membership,
    MembershipRole,
    Sector,
)
from resolvers.ids import to_global_id
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

ISSUE_FIELDS = """
  title description status category sdgGoals affectedGroups
  location { latitude longitude }
  community { id }
  author { __typename id displayName }
  followerCount viewerFollows
"""

DEFINE_ISSUE = f"""
mutation Define($input: DefineIssueInput!) {{
  defineIssue(input: $input) {{
    __typename
    ... on DefineIssueSuccess {{ issue {{ id {ISSUE_FIELDS} }} }}
    ... on Error {{ code field }}
    ... on ValidationError {{ problems {{ field code }} }}
  }}
}}
"""

UPDATE_ISSUE = """
mutation Update($input: UpdateIssueInput!) {
  updateIssue(input: $input) {
    __typename
    ... on UpdateIssueSuccess { issue { title status sdgGoals affectedGroups } }
    ... on Error { code field }
    ... on ValidationError { problems { field code } }
  }
}
"""

FOLLOW_ISSUE = """
mutation Follow($input: FollowIssueInput!) {
  followIssue(input: $input) {
    __typename
    ... on FollowIssueSuccess { following issue { followerCount viewerFollows } }
    ... on Error { code field }
  }
}
"""

ISSUE_TITLES = """
query Titles($filter: IssueFilter, $orderBy: IssueOrder) {
  issues(filter: $filter, orderBy: $orderBy) { totalCount nodes { title } }
}
"""


def issue_input(community, **overrides):
    values = {
        "communityId": gid(community),
        "title": "Broken streetlights on Shevchenka Street",
        "description": "Six lamps have been dark since October.",
        "location": {"latitude": 49.23, "longitude": 31.87},
        "category": "INFRASTRUCTURE",
        "sdgGoals": [11, 3, 11],
        "affectedGroups": ["LOW_INCOME", "ELDERLY"],
    }
    values.update(overrides)
    return values


async def test_a_person_defines_an_issue_and_follows_it(client):
    # given
    community = await make_community()
    person = await make_person("Oksana")
    # when
    body = await graphql(
        client, DEFINE_ISSUE, {"input": issue_input(community)}, token=await token_for(person)
    )
    # then
    result = body["data"]["defineIssue"]
    assert result["__typename"] == "DefineIssueSuccess"
    issue = result["issue"]
    assert issue.pop("id") == gid(await Issue.get(title="Broken streetlights on Shevchenka Street"))
    assert issue == {
        "title": "Broken streetlights on Shevchenka Street",
        "description": "Six lamps have been dark since October.",
        "status": "OPEN",
        "category": "INFRASTRUCTURE",
        "sdgGoals": [3, 11],
        "affectedGroups": ["ELDERLY", "LOW_INCOME"],
        "location": {"latitude": 49.23, "longitude": 31.87},
        "community": {"id": gid(community)},
        "author": {"__typename": "Person", "id": gid(person), "displayName": "Oksana"},
        "followerCount": 1,
        "viewerFollows": True,
    }


async def test_an_issue_defined_for_an_organization_is_authored_by_it(client):
    # given
    community = await make_community()
    person = await make_person()
    authority = await make_organization(Sector.PUBLIC, admin=person, name="Smila City Council")
    # when
    body = await graphql(
        client,
        DEFINE_ISSUE,
        {"input": issue_input(community, actingFor=gid(authority))},
        token=await token_for(person),
    )
    # then: the organization is the author, the person who typed it follows it
    issue = body["data"]["defineIssue"]["issue"]
    assert issue["author"] == {
        "__typename": "Organization",
        "id": gid(authority),
        "displayName": "Smila City Council",
    }
    assert (issue["followerCount"], issue["viewerFollows"]) == (1, True)


@pytest.mark.parametrize(
    ("overrides", "code", "field"),
    [
        ({"title": ""}, "REQUIRED", "title"),
        ({"title": "   "}, "REQUIRED", "title"),
        ({"title": "x" * 201}, "TOO_LONG", "title"),
        ({"title": "ab"}, "TOO_SHORT", "title"),
        ({"location": {"latitude": 95, "longitude": 31.87}}, "OUT_OF_RANGE", "location.latitude"),
        (
            {"location": {"latitude": 49.23, "longitude": -200}},
            "OUT_OF_RANGE",
            "location.longitude",
        ),
        ({"sdgGoals": [0]}, "OUT_OF_RANGE", "sdgGoals"),
        ({"sdgGoals": [18]}, "OUT_OF_RANGE", "sdgGoals"),
        ({"communityId": "not-an-id"}, "INVALID_ID", "communityId"),
    ],
    ids=[
        "empty-title",
        "blank-title",
        "title-201-chars",
        "title-2-chars",
        "latitude-95",
        "longitude-minus-200",
        "sdg-0",
        "sdg-18",
        "garbage-community-id",
    ],
)
async def test_an_invalid_issue_is_refused_with_one_problem(client, overrides, code, field):
    # given
    community = await make_community()
    token = await token_for(await make_person())
    # when
    body = await graphql(
        client, DEFINE_ISSUE, {"input": issue_input(community, **overrides)}, token=token
    )
    # then
    assert body["data"]["defineIssue"] == {
        "__typename": "ValidationError",
        "code": code,
        "field": field,
        "problems": [{"field": field, "code": code}],
    }
    assert await Issue.all().count() == 0


async def test_a_title_of_exactly_200_characters_is_accepted(client):
    # given
    community = await make_community()
    token = await token_for(await make_person())
    # when
    body = await graphql(
        client, DEFINE_ISSUE, {"input": issue_input(community, title="x" * 200)}, token=token
    )
    # then
    assert body["data"]["defineIssue"]["issue"]["title"] == "x" * 200


async def test_an_issue_with_several_problems_reports_them_all(client):
    # given
    community = await make_community()
    token = await token_for(await make_person())
    bad = issue_input(
        community, title="", location={"latitude": 95, "longitude": -200}, sdgGoals=[0, 18]
    )
    # when
    body = await graphql(client, DEFINE_ISSUE, {"input": bad}, token=token)
    # then
    assert body["data"]["defineIssue"]["problems"] == [
        {"field": "title", "code": "REQUIRED"},
        {"field": "location.latitude", "code": "OUT_OF_RANGE"},
        {"field": "location.longitude", "code": "OUT_OF_RANGE"},
        {"field": "sdgGoals", "code": "OUT_OF_RANGE"},
    ]


async def test_an_unknown_community_is_not_found(client):
    # given
    token = await token_for(await make_person())
    missing = to_global_id("Community", 424242)
    # when
    body = await graphql(
        client,
        DEFINE_ISSUE,
        {"input": issue_input(await make_community(), communityId=missing)},
        token=token,
    )
    # then
    assert body["data"]["defineIssue"] == {
        "__typename": "NotFoundError",
        "code": "NOT_FOUND",
        "field": "communityId",
    }


async def test_a_project_id_as_community_is_a_wrong_id_type(client):
    # given
    person = await make_person()
    community = await make_community()
    project = await make_project(community, person, [await make_issue(community, person)])
    # when
    body = await graphql(
        client,
        DEFINE_ISSUE,
        {"input": issue_input(community, communityId=gid(project))},
        token=await token_for(person),
    )
    # then
    assert body["data"]["defineIssue"] == {
        "__typename": "ValidationError",
        "code": "WRONG_ID_TYPE",
        "field": "communityId",
        "problems": [{"field": "communityId", "code": "WRONG_ID_TYPE"}],
    }


async def test_defining_an_issue_requires_authentication(client):
    # given
    community = await make_community()
    # when
    body = await graphql(client, DEFINE_ISSUE, {"input": issue_input(community)})
    # then
    assert body["data"]["defineIssue"] == {
        "__typename": "PermissionDeniedError",
        "code": "AUTHENTICATION_REQUIRED",
        "field": None,
    }
    assert await Issue.all().count() == 0


async def test_acting_for_an_organization_you_do_not_belong_to_is_refused(client):
    # given
    community = await make_community()
    organization = await make_organization(Sector.NONPROFIT, admin=await make_person())
    outsider = await make_person()
    # when
    body = await graphql(
        client,
        DEFINE_ISSUE,
        {"input": issue_input(community, actingFor=gid(organization))},
        token=await token_for(outsider),
    )
    # then
    assert body["data"]["defineIssue"] == {
        "__typename": "PermissionDeniedError",
        "code": "NOT_A_MEMBER",
        "field": "actingFor",
    }
    assert await Issue.all().count() == 0


async def test_only_the_author_may_update_an_issue(client):
    # given
    community = await make_community()
    issue = await make_issue(community, await make_person(), title="Potholes on Lesi Ukrainky")
    stranger = await make_person()
    # when
    body = await graphql(
        client,
        UPDATE_ISSUE,
        {"input": {"issueId": gid(issue), "title": "Hijacked title"}},
        token=await token_for(stranger),
    )
    # then
    assert body["data"]["updateIssue"] == {
        "__typename": "PermissionDeniedError",
        "code": "NOT_OWNER",
        "field": None,
    }
    assert (await Issue.get(pk=issue.pk)).title == "Potholes on Lesi Ukrainky"


async def test_the_author_updates_title_and_goals_and_keeps_groups(client):
    # given
    author = await make_person()
    issue = await make_issue(await make_community(), author, title="Potholes")
    await IssueSdgGoal.create(issue=issue, goal=9)
    await IssueAffectedGroup.create(issue=issue, group=AffectedGroup.ELDERLY)
    # when
    body = await graphql(
        client,
        UPDATE_ISSUE,
        {
            "input": {
                "issueId": gid(issue),
                "title": "Potholes on Lesi Ukrainky",
                "sdgGoals": [17, 1],
            }
        },
        token=await token_for(author),
    )
    # then
    assert body["data"]["updateIssue"] == {
        "__typename": "UpdateIssueSuccess",
        "issue": {
            "title": "Potholes on Lesi Ukrainky",
            "status": "OPEN",
            "sdgGoals": [1, 17],
            "affectedGroups": ["ELDERLY"],
        },
    }


async def test_a_member_of_the_authoring_organization_may_update_the_issue(client):
    # given
    founder, colleague = await make_person(), await make_person()
    organization = await make_organization(Sector.NONPROFIT, admin=founder)
    await Membership.create(organization=organization, person=colleague, role=MembershipRole.MEMBER)
    issue = await make_issue(await make_community(), organization)
    # when
    body = await graphql(
        client,
        UPDATE_ISSUE,
        {"input": {"issueId": gid(issue), "status": "RESOLVED"}},
        token=await token_for(colleague),
    )
    # then
    assert body["data"]["updateIssue"]["issue"]["status"] == "RESOLVED"


async def test_an_issue_cannot_be_set_to_duplicate_directly(client):
    # given
    author = await make_person()
    issue = await make_issue(await make_community(), author)
    # when
    body = await graphql(
        client,
        UPDATE_ISSUE,
        {"input": {"issueId": gid(issue), "status": "DUPLICATE"}},
        token=await token_for(author),
    )
    # then
    assert body["data"]["updateIssue"] == {
        "__typename": "ValidationError",
        "code": "INVALID_STATUS_TRANSITION",
        "field": "status",
        "problems": [{"field": "status", "code": "INVALID_STATUS_TRANSITION"}],
    }
    assert (await Issue.get(pk=issue.pk)).status == IssueStatus.OPEN


async def test_following_and_unfollowing_changes_the_follower_count(client):
    # given: an issue its author does not follow (made by the factory)
    issue = await make_issue(await make_community(), await make_person())
    first, second = await token_for(await make_person()), await token_for(await make_person())
    follow = {"input": {"issueId": gid(issue)}}
    unfollow = {"input": {"issueId": gid(issue), "follow": False}}
    # when / then
    body = await graphql(client, FOLLOW_ISSUE, follow, token=first)
    assert body["data"]["followIssue"] == {
        "__typename": "FollowIssueSuccess",
        "following": True,
        "issue": {"followerCount": 1, "viewerFollows": True},
    }
    body = await graphql(client, FOLLOW_ISSUE, follow, token=second)
    assert body["data"]["followIssue"]["issue"] == {"followerCount": 2, "viewerFollows": True}
    # following again changes nothing
    body = await graphql(client, FOLLOW_ISSUE, follow, token=second)
    assert body["data"]["followIssue"]["issue"] == {"followerCount": 2, "viewerFollows": True}
    body = await graphql(client, FOLLOW_ISSUE, unfollow, token=first)
    assert body["data"]["followIssue"] == {
        "__typename": "FollowIssueSuccess",
        "following": False,
        "issue": {"followerCount": 1, "viewerFollows": False},
    }


async def test_following_requires_authentication(client):
    # given
    issue = await make_issue(await make_community(), await make_person())
    # when
    body = await graphql(client, FOLLOW_ISSUE, {"input": {"issueId": gid(issue)}})
    # then
    assert body["data"]["followIssue"] == {
        "__typename": "PermissionDeniedError",
        "code": "AUTHENTICATION_REQUIRED",
        "field": None,
    }


async def _seed_issues():
    """Four issues in two communities, by a person and by organizations of each sector."""
    smila, kaniv = await make_community("Smila"), await make_community("Kaniv")
    person = await make_person()
    nonprofit = await make_organization(Sector.NONPROFIT)
    authority = await make_organization(Sector.PUBLIC)
    business = await make_organization(Sector.BUSINESS)
    tags = [
        ("Broken streetlights", smila, person, IssueStatus.OPEN, [11], ["ELDERLY"]),
        (
            "Flooded underpass",
            smila,
            nonprofit,
            IssueStatus.ADDRESSED,
            [6, 11],
            ["CHILDREN_AND_YOUTH"],
        ),
        (
            "No ramp at the clinic",
            smila,
            authority,
            IssueStatus.RESOLVED,
            [3],
            ["PEOPLE_WITH_DISABILITIES", "ELDERLY"],
        ),
        ("Polluted pond", kaniv, business, IssueStatus.OPEN, [6], []),
    ]
    for title, community, author, status, goals, groups in tags:
        issue = await make_issue(community, author, title=title, status=status)
        await IssueSdgGoal.bulk_create([IssueSdgGoal(issue=issue, goal=g) for g in goals])
        await IssueAffectedGroup.bulk_create(
            [IssueAffectedGroup(issue=issue, group=AffectedGroup(g)) for g in groups]
        )
    return {"smila": gid(smila), "kaniv": gid(kaniv)}


@pytest.mark.parametrize(
    ("make_filter", "expected_titles"),
    [
        (
            lambda ids: {"communityId": ids["smila"]},
            ["Broken streetlights", "Flooded underpass", "No ramp at the clinic"],
        ),
        (lambda ids: {"communityId": ids["kaniv"]}, ["Polluted pond"]),
        (lambda ids: {"status": ["OPEN"]}, ["Broken streetlights", "Polluted pond"]),
        (
            lambda ids: {"status": ["ADDRESSED", "RESOLVED"]},
            ["Flooded underpass", "No ramp at the clinic"],
        ),
        pytest.param(
            lambda ids: {"sdgGoal": 6},
            ["Flooded underpass", "Polluted pond"],
        ),
        pytest.param(
            lambda ids: {"sdgGoal": 11},
            ["Broken streetlights", "Flooded underpass"],
        ),
        pytest.param(lambda ids: {"sdgGoal": 17}, []),
        pytest.param(
            lambda ids: {"affectedGroup": "ELDERLY"},
            ["Broken streetlights", "No ramp at the clinic"],
        ),
        pytest.param(
            lambda ids: {"affectedGroup": "CHILDREN_AND_YOUTH"},
            ["Flooded underpass"],
        ),
        (lambda ids: {"authorSector": "NONPROFIT"}, ["Flooded underpass"]),
        (lambda ids: {"authorSector": "PUBLIC"}, ["No ramp at the clinic"]),
        (lambda ids: {"authoredByPeople": True}, ["Broken streetlights"]),
        pytest.param(
            lambda ids: {"communityId": ids["smila"], "sdgGoal": 11, "status": ["OPEN"]},
            ["Broken streetlights"],
        ),
    ],
    ids=[
        "community-smila",
        "community-kaniv",
        "status-open",
        "status-addressed-or-resolved",
        "sdg-6",
        "sdg-11",
        "sdg-17-none",
        "group-elderly",
        "group-children",
        "author-nonprofit",
        "author-public",
        "authored-by-people",
        "combined",
    ],
)
async def test_issue_filters_return_exactly_the_matching_issues(
    client, make_filter, expected_titles
):
    # given
    ids = await _seed_issues()
    # when
    body = await graphql(
        client,
        ISSUE_TITLES,
        {"filter": make_filter(ids), "orderBy": {"field": "TITLE", "descending": False}},
    )
    # then
    assert body["data"]["issues"] == {
        "totalCount": len(expected_titles),
        "nodes": [{"title": title} for title in expected_titles],
    }


async def test_issues_order_by_title_ascending_and_newest_first_by_default(client):
    # given
    await _seed_issues()
    # when
    by_title = await graphql(
        client, ISSUE_TITLES, {"orderBy": {"field": "TITLE", "descending": False}}
    )
    newest_first = await graphql(client, ISSUE_TITLES)
    # then
    assert [node["title"] for node in by_title["data"]["issues"]["nodes"]] == [
        "Broken streetlights",
        "Flooded underpass",
        "No ramp at the clinic",
        "Polluted pond",
    ]
    assert [node["title"] for node in newest_first["data"]["issues"]["nodes"]] == [
        "Polluted pond",
        "No ramp at the clinic",
        "Flooded underpass",
        "Broken streetlights",
    ]


async def test_an_sdg_filter_outside_1_to_17_is_an_error(client):
    # when
    body = await graphql(client, ISSUE_TITLES, {"filter": {"sdgGoal": 18}})
    # then
    assert body["data"] is None
    assert len(body["errors"]) == 1
    assert body["errors"][0]["message"] == "SDG goals are numbered 1 to 17."
