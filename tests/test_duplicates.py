"""Marking duplicates (merging people and projects into the original) and "affects me too"."""

import asyncio
import json
from collections import Counter

import httpx
import pytest
from broadcaster import Broadcast

from models import (
    ActivityEntry,
    Community,
    Issue,
    IssueAffectedPerson,
    IssueFollower,
    IssueStatus,
    Membership,
    MembershipRole,
    ProjectIssue,
    ProjectStatus,
    Sector,
)
from resolvers import issue as issue_resolvers
from resolvers.ids import to_global_id
from subscriptions.channels import community_channel
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
from tests.query_counter import count_statements
from web.app import close_connections, create_app
from web.settings import Settings

MARK_DUPLICATE = """
mutation Mark($input: MarkDuplicateInput!) {
  markDuplicate(input: $input) {
    __typename
    ... on MarkDuplicateSuccess {
      issue { id status duplicateOf { id } followerCount affectedCount }
      original { id status followerCount affectedCount viewerAffected }
    }
    ... on Error { code field message }
  }
}
"""

AFFECTS_ME_TOO = """
mutation MeToo($input: AffectsMeTooInput!) {
  affectsMeToo(input: $input) {
    __typename
    ... on AffectsMeTooSuccess {
      affected
      issue { id affectedCount viewerAffected }
      redirectedFrom { id }
    }
    ... on Error { code field }
  }
}
"""


def mark(issue, original):
    return {"input": {"issueId": gid(issue), "duplicateOfId": gid(original)}}


async def _follow(issue, *people):
    await IssueFollower.bulk_create([IssueFollower(issue=issue, person=p) for p in people])


async def _affect(issue, *people):
    await IssueAffectedPerson.bulk_create(
        [IssueAffectedPerson(issue=issue, person=p) for p in people]
    )


async def _people_of(table, issue):
    return sorted(row.person_id for row in await table.filter(issue=issue))


async def test_the_author_merges_a_duplicate_without_double_counting_people(client):
    # given a duplicate and an original sharing some followers and "me too" people
    community = await make_community()
    author = await make_person()
    both, only_duplicate, only_original, other = [await make_person() for _ in range(4)]
    original = await make_issue(community, await make_person(), title="Broken lamps")
    duplicate = await make_issue(community, author, title="Lamps are broken")
    await _follow(original, both, only_original)
    await _follow(duplicate, author, both, only_duplicate)
    await _affect(original, both)
    await _affect(duplicate, both, only_duplicate, other)
    # when its author marks it a duplicate
    body = await graphql(
        client, MARK_DUPLICATE, mark(duplicate, original), token=await token_for(author)
    )
    # then the people moved to the original, each once
    assert body["data"]["markDuplicate"] == {
        "__typename": "MarkDuplicateSuccess",
        "issue": {
            "id": gid(duplicate),
            "status": "DUPLICATE",
            "duplicateOf": {"id": gid(original)},
            "followerCount": 0,
            "affectedCount": 0,
        },
        "original": {
            "id": gid(original),
            "status": "OPEN",
            "followerCount": 4,
            "affectedCount": 3,
            "viewerAffected": False,
        },
    }
    assert await _people_of(IssueFollower, original) == sorted(
        p.pk for p in (author, both, only_duplicate, only_original)
    )
    assert await _people_of(IssueAffectedPerson, original) == sorted(
        p.pk for p in (both, only_duplicate, other)
    )
    assert await IssueFollower.filter(issue=duplicate).count() == 0
    assert await IssueAffectedPerson.filter(issue=duplicate).count() == 0


async def test_projects_of_the_duplicate_also_address_the_original_once(client):
    # given one project addressing both issues, one only the duplicate, one only the original
    community = await make_community()
    author = await make_person()
    original = await make_issue(community, author)
    duplicate = await make_issue(community, author)
    on_both = await make_project(community, author, [duplicate, original])
    on_duplicate = await make_project(community, author, [duplicate])
    on_original = await make_project(community, author, [original])
    # when
    body = await graphql(
        client, MARK_DUPLICATE, mark(duplicate, original), token=await token_for(author)
    )
    # then each project addresses the original exactly once and keeps the duplicate
    assert body["data"]["markDuplicate"]["__typename"] == "MarkDuplicateSuccess"
    rows = Counter((row.project_id, row.issue_id) for row in await ProjectIssue.all())
    assert rows == {
        (on_both.pk, duplicate.pk): 1,
        (on_both.pk, original.pk): 1,
        (on_duplicate.pk, duplicate.pk): 1,
        (on_duplicate.pk, original.pk): 1,
        (on_original.pk, original.pk): 1,
    }


async def test_an_open_original_becomes_addressed_by_a_live_project_of_the_duplicate(client):
    # given an OPEN original and a duplicate addressed by a proposed project
    community = await make_community()
    author = await make_person()
    original = await make_issue(community, author)
    duplicate = await make_issue(community, author, status=IssueStatus.ADDRESSED)
    await make_project(community, author, [duplicate])
    # when
    body = await graphql(
        client, MARK_DUPLICATE, mark(duplicate, original), token=await token_for(author)
    )
    # then
    assert body["data"]["markDuplicate"]["original"]["status"] == "ADDRESSED"


async def test_a_draft_project_of_the_duplicate_leaves_the_original_open(client):
    community = await make_community()
    author = await make_person()
    original = await make_issue(community, author)
    duplicate = await make_issue(community, author)
    await make_project(community, author, [duplicate], status=ProjectStatus.DRAFT)
    body = await graphql(
        client, MARK_DUPLICATE, mark(duplicate, original), token=await token_for(author)
    )
    assert body["data"]["markDuplicate"]["original"]["status"] == "OPEN"
    assert await ProjectIssue.filter(issue=original).count() == 1


async def test_the_merge_is_recorded_in_the_public_activity_log(client):
    # given
    community = await make_community()
    author = await make_person("Oksana")
    original = await make_issue(community, author)
    duplicate = await make_issue(community, author)
    project = await make_project(community, author, [duplicate])
    await _follow(duplicate, author)
    await _affect(duplicate, author, await make_person())
    # when
    await graphql(client, MARK_DUPLICATE, mark(duplicate, original), token=await token_for(author))
    # then
    entry = await ActivityEntry.get(verb="issue.marked_duplicate")
    assert (entry.subject_type, entry.subject_id, entry.is_public) == ("Issue", duplicate.pk, True)
    assert (entry.actor_id, entry.performed_by_id, entry.community_id) == (
        author.pk,
        author.pk,
        community.pk,
    )
    assert entry.details == {
        "issueId": gid(duplicate),
        "duplicateOfId": gid(original),
        "movedFollowers": 1,
        "movedAffectedPeople": 2,
        "linkedProjectIds": [gid(project)],
        "repointedDuplicates": 0,
    }


async def test_earlier_duplicates_of_the_duplicate_now_point_to_the_original(client):
    # given C is already a duplicate of A
    community = await make_community()
    author = await make_person()
    a, b = await make_issue(community, author), await make_issue(community, author)
    c = await make_issue(community, author, status=IssueStatus.DUPLICATE, duplicate_of_id=a.pk)
    # when A is marked a duplicate of B
    body = await graphql(client, MARK_DUPLICATE, mark(a, b), token=await token_for(author))
    # then the chain is flat: C points to B directly
    assert body["data"]["markDuplicate"]["__typename"] == "MarkDuplicateSuccess"
    assert (await Issue.get(pk=c.pk)).duplicate_of_id == b.pk
    assert (await ActivityEntry.get(verb="issue.marked_duplicate")).details[
        "repointedDuplicates"
    ] == 1


async def test_a_moderator_of_the_community_may_mark_duplicates(client):
    # given a community opened by a council whose member is not the issues' author
    moderator = await make_person()
    council = await make_organization(Sector.PUBLIC, admin=await make_person())
    await Membership.create(organization=council, person=moderator, role=MembershipRole.MEMBER)
    community = await make_community()
    await Community.filter(pk=community.pk).update(opened_by_id=council.pk)
    resident = await make_person()
    original = await make_issue(community, resident)
    duplicate = await make_issue(community, resident)
    # when the moderator marks the duplicate
    body = await graphql(
        client, MARK_DUPLICATE, mark(duplicate, original), token=await token_for(moderator)
    )
    # then it is merged, on the council's behalf
    assert body["data"]["markDuplicate"]["__typename"] == "MarkDuplicateSuccess"
    entry = await ActivityEntry.get(verb="issue.marked_duplicate")
    assert (entry.actor_id, entry.performed_by_id) == (council.pk, moderator.pk)


async def test_a_member_of_the_authoring_organization_may_mark_its_issue(client):
    member = await make_person()
    ngo = await make_organization(Sector.NONPROFIT, admin=member)
    community = await make_community()
    original = await make_issue(community, await make_person())
    duplicate = await make_issue(community, ngo)
    body = await graphql(
        client, MARK_DUPLICATE, mark(duplicate, original), token=await token_for(member)
    )
    assert body["data"]["markDuplicate"]["__typename"] == "MarkDuplicateSuccess"
    entry = await ActivityEntry.get(verb="issue.marked_duplicate")
    assert (entry.actor_id, entry.performed_by_id) == (ngo.pk, member.pk)


@pytest.mark.parametrize("signed_in", [True, False], ids=["stranger", "anonymous"])
async def test_others_may_not_mark_duplicates(client, signed_in):
    # given a community opened by a council the stranger does not belong to
    council = await make_organization(Sector.PUBLIC, admin=await make_person())
    community = await make_community()
    await Community.filter(pk=community.pk).update(opened_by_id=council.pk)
    original = await make_issue(community, await make_person())
    duplicate = await make_issue(community, await make_person())
    token = await token_for(await make_person()) if signed_in else None
    # when
    body = await graphql(client, MARK_DUPLICATE, mark(duplicate, original), token=token)
    # then
    result = body["data"]["markDuplicate"]
    expected_code = "NOT_OWNER" if signed_in else "AUTHENTICATION_REQUIRED"
    assert (result["__typename"], result["code"], result["field"]) == (
        "PermissionDeniedError",
        expected_code,
        None,
    )
    assert (await Issue.get(pk=duplicate.pk)).status == IssueStatus.OPEN


async def _refusal(client, token, variables):
    body = await graphql(client, MARK_DUPLICATE, variables, token=token)
    result = body["data"]["markDuplicate"]
    return result["__typename"], result["code"], result["field"]


async def test_an_issue_cannot_duplicate_itself(client):
    author = await make_person()
    issue = await make_issue(await make_community(), author)
    assert await _refusal(client, await token_for(author), mark(issue, issue)) == (
        "ValidationError",
        "DUPLICATE_OF_ITSELF",
        "duplicateOfId",
    )


async def test_a_duplicate_of_a_duplicate_is_refused_naming_the_real_original(client):
    # given B is a duplicate of A
    community = await make_community()
    author = await make_person()
    a = await make_issue(community, author)
    b = await make_issue(community, author, status=IssueStatus.DUPLICATE, duplicate_of_id=a.pk)
    c = await make_issue(community, author)
    # when C is marked a duplicate of B
    body = await graphql(client, MARK_DUPLICATE, mark(c, b), token=await token_for(author))
    # then it is refused, pointing to A
    result = body["data"]["markDuplicate"]
    assert (result["__typename"], result["code"], result["field"]) == (
        "ConflictError",
        "ORIGINAL_IS_DUPLICATE",
        "duplicateOfId",
    )
    assert gid(a) in result["message"]
    assert (await Issue.get(pk=c.pk)).status == IssueStatus.OPEN


async def test_a_loop_is_refused(client):
    # given B is a duplicate of A
    community = await make_community()
    author = await make_person()
    a = await make_issue(community, author)
    b = await make_issue(community, author, status=IssueStatus.DUPLICATE, duplicate_of_id=a.pk)
    # when A is marked a duplicate of B
    assert await _refusal(client, await token_for(author), mark(a, b)) == (
        "ConflictError",
        "DUPLICATE_LOOP",
        "duplicateOfId",
    )
    assert (await Issue.get(pk=a.pk)).status == IssueStatus.OPEN


async def test_an_issue_already_a_duplicate_cannot_be_marked_again(client):
    community = await make_community()
    author = await make_person()
    a, c = await make_issue(community, author), await make_issue(community, author)
    b = await make_issue(community, author, status=IssueStatus.DUPLICATE, duplicate_of_id=a.pk)
    assert await _refusal(client, await token_for(author), mark(b, c)) == (
        "ConflictError",
        "ALREADY_DUPLICATE",
        "issueId",
    )
    assert (await Issue.get(pk=b.pk)).duplicate_of_id == a.pk


async def test_a_resolved_original_is_refused(client):
    community = await make_community()
    author = await make_person()
    original = await make_issue(community, author, status=IssueStatus.RESOLVED)
    duplicate = await make_issue(community, author)
    assert await _refusal(client, await token_for(author), mark(duplicate, original)) == (
        "ConflictError",
        "ORIGINAL_RESOLVED",
        "duplicateOfId",
    )


async def test_issues_of_different_communities_cannot_be_merged(client):
    author = await make_person()
    original = await make_issue(await make_community(), author)
    duplicate = await make_issue(await make_community(), author)
    assert await _refusal(client, await token_for(author), mark(duplicate, original)) == (
        "ValidationError",
        "DIFFERENT_COMMUNITY",
        "duplicateOfId",
    )
    assert await ActivityEntry.filter(verb="issue.marked_duplicate").count() == 0


@pytest.mark.parametrize(
    ("field", "make_id", "typename", "code"),
    [
        ("issueId", lambda other: gid(other), "ValidationError", "WRONG_ID_TYPE"),
        ("duplicateOfId", lambda other: gid(other), "ValidationError", "WRONG_ID_TYPE"),
        ("issueId", lambda other: "garbage", "ValidationError", "INVALID_ID"),
        ("duplicateOfId", lambda other: "garbage", "ValidationError", "INVALID_ID"),
        ("issueId", lambda other: to_global_id("Issue", 424242), "NotFoundError", "NOT_FOUND"),
        (
            "duplicateOfId",
            lambda other: to_global_id("Issue", 424242),
            "NotFoundError",
            "NOT_FOUND",
        ),
    ],
    ids=[
        "project-as-issue",
        "project-as-original",
        "garbage-issue",
        "garbage-original",
        "unknown-issue",
        "unknown-original",
    ],
)
async def test_bad_ids_are_typed_errors(client, field, make_id, typename, code):
    community = await make_community()
    author = await make_person()
    original = await make_issue(community, author)
    duplicate = await make_issue(community, author)
    project = await make_project(community, author, [original])
    variables = mark(duplicate, original)
    variables["input"][field] = make_id(project)
    assert await _refusal(client, await token_for(author), variables) == (typename, code, field)


async def test_concurrent_opposite_merges_never_both_succeed(client):
    # given 10 pairs of issues, and for each pair both "A duplicates B" and "B duplicates A"
    community = await make_community()
    author = await make_person()
    token = await token_for(author)
    pairs = [
        (await make_issue(community, author), await make_issue(community, author))
        for _ in range(10)
    ]
    requests = []
    for a, b in pairs:
        requests += [
            graphql(client, MARK_DUPLICATE, mark(a, b), token=token),
            graphql(client, MARK_DUPLICATE, mark(b, a), token=token),
        ]
    # when all 20 requests run at once
    bodies = await asyncio.gather(*requests)
    # then per pair exactly one merge won and the other saw the loop
    outcomes = [
        body["data"]["markDuplicate"].get("code") or body["data"]["markDuplicate"]["__typename"]
        for body in bodies
    ]
    assert Counter(outcomes) == {"MarkDuplicateSuccess": 10, "DUPLICATE_LOOP": 10}
    for index, (a, b) in enumerate(pairs):
        pair = {row.pk: row for row in await Issue.filter(pk__in=[a.pk, b.pk])}
        statuses = sorted(str(row.status) for row in pair.values())
        assert statuses == ["DUPLICATE", "OPEN"], index
        loser = next(row for row in pair.values() if row.status == IssueStatus.DUPLICATE)
        winner = next(row for row in pair.values() if row.status == IssueStatus.OPEN)
        assert (loser.duplicate_of_id, winner.duplicate_of_id) == (winner.pk, None)
    assert await ActivityEntry.filter(verb="issue.marked_duplicate").count() == 10


async def test_marking_a_duplicate_publishes_notices_after_commit(database):
    # given an app and a listener on the community's channel
    app = create_app(Settings(database_url=database, broadcast_url="memory://"))
    broadcast: Broadcast = app.state.broadcast
    await broadcast.connect()
    community = await make_community()
    author = await make_person()
    original = await make_issue(community, author)
    duplicate = await make_issue(community, author)
    token = await token_for(author)
    transport = httpx.ASGITransport(app=app)
    try:
        async with (
            broadcast.subscribe(community_channel(community.pk)) as notices,
            httpx.AsyncClient(transport=transport, base_url="http://hub.test") as http,
        ):
            # when
            await graphql(http, MARK_DUPLICATE, mark(duplicate, original), token=token)
            # then both issues are announced
            received = [
                json.loads((await asyncio.wait_for(notices.get(), timeout=5)).message)
                for _ in range(2)
            ]
            assert received == [
                {"kind": "issue", "id": duplicate.pk},
                {"kind": "issue", "id": original.pk},
            ]
    finally:
        await broadcast.disconnect()
        await close_connections(app)  # the app's Redis publisher and rate limits, if any


async def test_affects_me_too_is_idempotent_and_can_be_taken_back(client):
    # given an issue one other person is affected by
    issue = await make_issue(await make_community(), await make_person())
    await _affect(issue, await make_person())
    token = await token_for(await make_person())
    say = {"input": {"issueId": gid(issue)}}
    take_back = {"input": {"issueId": gid(issue), "affected": False}}
    expected_on = {
        "__typename": "AffectsMeTooSuccess",
        "affected": True,
        "issue": {"id": gid(issue), "affectedCount": 2, "viewerAffected": True},
        "redirectedFrom": None,
    }
    # when / then: saying it twice counts once
    for _ in range(2):
        body = await graphql(client, AFFECTS_ME_TOO, say, token=token)
        assert body["data"]["affectsMeToo"] == expected_on
    # taking it back twice is harmless too
    for _ in range(2):
        body = await graphql(client, AFFECTS_ME_TOO, take_back, token=token)
        assert body["data"]["affectsMeToo"] == {
            "__typename": "AffectsMeTooSuccess",
            "affected": False,
            "issue": {"id": gid(issue), "affectedCount": 1, "viewerAffected": False},
            "redirectedFrom": None,
        }
    # one private entry per change
    verbs = [e.verb for e in await ActivityEntry.all().order_by("id")]
    assert verbs == ["issue.affected", "issue.unaffected"]
    assert await ActivityEntry.filter(is_public=True).count() == 0


async def test_affects_me_too_on_a_duplicate_goes_to_the_original(client):
    # given B is a duplicate of A
    community = await make_community()
    person = await make_person()
    a = await make_issue(community, await make_person())
    b = await make_issue(community, person, status=IssueStatus.DUPLICATE, duplicate_of_id=a.pk)
    token = await token_for(person)
    # when they say B affects them
    body = await graphql(client, AFFECTS_ME_TOO, {"input": {"issueId": gid(b)}}, token=token)
    # then it was recorded on A, and the result says so
    assert body["data"]["affectsMeToo"] == {
        "__typename": "AffectsMeTooSuccess",
        "affected": True,
        "issue": {"id": gid(a), "affectedCount": 1, "viewerAffected": True},
        "redirectedFrom": {"id": gid(b)},
    }
    assert await IssueAffectedPerson.filter(issue=b).count() == 0
    entry = await ActivityEntry.get(verb="issue.affected")
    assert (entry.subject_id, entry.details) == (a.pk, {"requestedIssueId": gid(b)})


def _merge_right_after_lookup(monkeypatch: pytest.MonkeyPatch, duplicate, original) -> None:
    """Merge ``duplicate`` into ``original`` just after the next chain lookup, before the
    write takes its lock (as a merge committing at that moment would)."""
    chain_root = issue_resolvers.chain_root
    merged = False

    async def merge_after_lookup(issue):
        nonlocal merged
        found = await chain_root(issue)
        if not merged:
            merged = True
            await Issue.filter(pk=duplicate.pk).update(
                status=IssueStatus.DUPLICATE, duplicate_of_id=original.pk
            )
        return found

    monkeypatch.setattr(issue_resolvers, "chain_root", merge_after_lookup)


async def test_me_too_follows_a_merge_that_commits_while_it_runs(client, monkeypatch):
    # given B, which gets merged into A right after "me too" looked it up, before its lock
    community = await make_community()
    a, b = [await make_issue(community, await make_person()) for _ in range(2)]
    _merge_right_after_lookup(monkeypatch, b, a)
    # when a resident says B affects them
    body = await graphql(
        client,
        AFFECTS_ME_TOO,
        {"input": {"issueId": gid(b)}},
        token=await token_for(await make_person()),
    )
    # then the answer is on A, not stranded on the duplicate
    assert body["data"]["affectsMeToo"]["issue"]["id"] == gid(a)
    assert body["data"]["affectsMeToo"]["redirectedFrom"] == {"id": gid(b)}
    assert [row.issue_id for row in await IssueAffectedPerson.all()] == [a.pk]


FOLLOW_ISSUE = """
mutation Follow($input: FollowIssueInput!) {
  followIssue(input: $input) {
    __typename
    ... on FollowIssueSuccess { following issue { id followerCount viewerFollows } }
  }
}
"""


async def test_following_a_duplicate_follows_its_original(client):
    # given B, a duplicate of A
    community = await make_community()
    a, b = [await make_issue(community, await make_person()) for _ in range(2)]
    await Issue.filter(pk=b.pk).update(status=IssueStatus.DUPLICATE, duplicate_of_id=a.pk)
    # when a resident follows B
    resident = await make_person()
    body = await graphql(
        client, FOLLOW_ISSUE, {"input": {"issueId": gid(b)}}, token=await token_for(resident)
    )
    # then they follow A, where B's followers went, and the log says they asked for B
    assert body["data"]["followIssue"]["issue"] == {
        "id": gid(a),
        "followerCount": 1,
        "viewerFollows": True,
    }
    assert [row.issue_id for row in await IssueFollower.filter(person=resident)] == [a.pk]
    entry = await ActivityEntry.get(verb="issue.followed")
    assert (entry.subject_id, entry.details) == (a.pk, {"requestedIssueId": gid(b)})


async def test_a_follow_lands_on_the_original_of_a_merge_that_commits_while_it_runs(
    client, monkeypatch
):
    # given B, which gets merged into A right after the follow looked it up, before its lock
    community = await make_community()
    a, b = [await make_issue(community, await make_person()) for _ in range(2)]
    _merge_right_after_lookup(monkeypatch, b, a)
    # when a resident follows B
    resident = await make_person()
    body = await graphql(
        client, FOLLOW_ISSUE, {"input": {"issueId": gid(b)}}, token=await token_for(resident)
    )
    # then the follow is on A, not stranded on the duplicate
    assert body["data"]["followIssue"]["issue"]["id"] == gid(a)
    assert [row.issue_id for row in await IssueFollower.filter(person=resident)] == [a.pk]


async def test_concurrent_follows_of_one_person_count_once(client):
    issue = await make_issue(await make_community(), await make_person())
    token = await token_for(await make_person())
    follow = {"input": {"issueId": gid(issue)}}
    bodies = await asyncio.gather(
        *(graphql(client, FOLLOW_ISSUE, follow, token=token) for _ in range(10))
    )
    assert {body["data"]["followIssue"]["__typename"] for body in bodies} == {"FollowIssueSuccess"}
    assert await IssueFollower.filter(issue=issue).count() == 1
    assert await ActivityEntry.filter(verb="issue.followed").count() == 1


async def test_concurrent_me_too_of_one_person_counts_once(client):
    issue = await make_issue(await make_community(), await make_person())
    token = await token_for(await make_person())
    say = {"input": {"issueId": gid(issue)}}
    bodies = await asyncio.gather(
        *(graphql(client, AFFECTS_ME_TOO, say, token=token) for _ in range(10))
    )
    assert {body["data"]["affectsMeToo"]["__typename"] for body in bodies} == {
        "AffectsMeTooSuccess"
    }
    assert await IssueAffectedPerson.filter(issue=issue).count() == 1


@pytest.mark.parametrize(
    ("issue_id", "signed_in", "expected"),
    [
        ("existing", False, ("PermissionDeniedError", "AUTHENTICATION_REQUIRED", None)),
        (to_global_id("Issue", 424242), True, ("NotFoundError", "NOT_FOUND", "issueId")),
        (to_global_id("Project", 1), True, ("ValidationError", "WRONG_ID_TYPE", "issueId")),
    ],
    ids=["anonymous", "unknown-issue", "project-id"],
)
async def test_affects_me_too_refusals(client, issue_id, signed_in, expected):
    issue = await make_issue(await make_community(), await make_person())
    token = await token_for(await make_person()) if signed_in else None
    given_id = gid(issue) if issue_id == "existing" else issue_id
    body = await graphql(client, AFFECTS_ME_TOO, {"input": {"issueId": given_id}}, token=token)
    result = body["data"]["affectsMeToo"]
    assert (result["__typename"], result["code"], result["field"]) == expected
    assert await IssueAffectedPerson.all().count() == 0


AFFECTED_FEED = """
query Feed($community: ID!, $first: Int!) {
  issues(filter: {communityId: $community}, first: $first) {
    nodes { id affectedCount viewerAffected }
  }
}
"""


@pytest.mark.parametrize("page_size", [5, 50])
async def test_affected_counts_of_a_page_cost_fixed_statements(client, page_size):
    # given 50 issues, every other one affecting the viewer, each affecting 2 others
    community = await make_community()
    viewer, first_other, second_other = [await make_person() for _ in range(3)]
    for index in range(50):
        issue = await make_issue(community, first_other)
        await _affect(issue, first_other, second_other, *([viewer] if index % 2 else []))
    token = await token_for(viewer)
    # when
    with count_statements() as counter:
        body = await graphql(
            client, AFFECTED_FEED, {"community": gid(community), "first": page_size}, token=token
        )
    # then: token lookup, page count + rows, affected counts, viewer's answers
    nodes = body["data"]["issues"]["nodes"]
    assert len(nodes) == page_size
    assert sorted({(n["affectedCount"], n["viewerAffected"]) for n in nodes}) == [
        (2, False),
        (3, True),
    ]
    assert len(counter.statements) == 5, counter.statements
