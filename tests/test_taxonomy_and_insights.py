# ruff: noqa: RUF001 (Ukrainian text is Cyrillic on purpose, not look-alike Latin letters)
"""SDG and affected-group taxonomies in two languages; a community's insights."""

import pytest

from models import (
    AffectedGroup,
    Currency,
    IssueAffectedGroup,
    IssueSdgGoal,
    IssueStatus,
    Pledge,
    PledgeKind,
    PledgeStatus,
    ProjectStatus,
)
from resolvers.ids import to_global_id
from tests.factories import (
    gid,
    graphql,
    make_community,
    make_issue,
    make_person,
    make_project,
)
from tests.query_counter import count_statements

SDG_NAMES_EN = [
    "No poverty",
    "Zero hunger",
    "Good health and well-being",
    "Quality education",
    "Gender equality",
    "Clean water and sanitation",
    "Affordable and clean energy",
    "Decent work and economic growth",
    "Industry, innovation and infrastructure",
    "Reduced inequalities",
    "Sustainable cities and communities",
    "Responsible consumption and production",
    "Climate action",
    "Life below water",
    "Life on land",
    "Peace, justice and strong institutions",
    "Partnerships for the goals",
]
SDG_NAMES_UK = [
    "Подолання бідності",
    "Подолання голоду",
    "Міцне здоров’я і благополуччя",
    "Якісна освіта",
    "Гендерна рівність",
    "Чиста вода та належні санітарні умови",
    "Доступна та чиста енергія",
    "Гідна праця та економічне зростання",
    "Промисловість, інновації та інфраструктура",
    "Скорочення нерівності",
    "Сталий розвиток міст і громад",
    "Відповідальне споживання та виробництво",
    "Пом’якшення наслідків зміни клімату",
    "Збереження морських ресурсів",
    "Захист та відновлення екосистем суші",
    "Мир, справедливість та сильні інститути",
    "Партнерство заради сталого розвитку",
]
GROUP_LABELS = {
    "EN": [
        ("LOW_INCOME", "Low-income people"),
        ("ELDERLY", "Older people"),
        ("PEOPLE_WITH_DISABILITIES", "People with disabilities"),
        ("INTERNALLY_DISPLACED", "Internally displaced people"),
        ("VETERANS", "Veterans"),
        ("CHILDREN_AND_YOUTH", "Children and youth"),
        ("WOMEN", "Women"),
        ("ETHNIC_MINORITIES", "Ethnic minorities"),
        ("UNEMPLOYED", "Unemployed people"),
        ("OTHER", "Other groups"),
    ],
    "UK": [
        ("LOW_INCOME", "Малозабезпечені люди"),
        ("ELDERLY", "Люди похилого віку"),
        ("PEOPLE_WITH_DISABILITIES", "Люди з інвалідністю"),
        ("INTERNALLY_DISPLACED", "Внутрішньо переміщені особи"),
        ("VETERANS", "Ветерани"),
        ("CHILDREN_AND_YOUTH", "Діти та молодь"),
        ("WOMEN", "Жінки"),
        ("ETHNIC_MINORITIES", "Етнічні меншини"),
        ("UNEMPLOYED", "Безробітні"),
        ("OTHER", "Інші групи"),
    ],
}

TAXONOMIES = """
query Taxonomies($locale: Locale) {
  sdgGoals(locale: $locale) { number name }
  affectedGroups(locale: $locale) { group label }
}
"""

INSIGHTS = """
query Insights($id: ID!, $locale: Locale) {
  communityInsights(communityId: $id, locale: $locale) {
    __typename
    ... on CommunityInsights {
      totalIssues totalProjects
      issuesByStatus { status count }
      issuesBySdg {
        number name open addressed resolved projects moneyPledged { amount currency }
      }
      issuesByAffectedGroup { group label open addressed resolved }
    }
    ... on Error { code field }
    ... on ValidationError { problems { field code } }
  }
}
"""


@pytest.mark.parametrize(
    ("locale", "names"),
    [("EN", SDG_NAMES_EN), ("UK", SDG_NAMES_UK)],
)
async def test_the_17_sdgs_and_the_affected_groups_are_labelled_in_both_languages(
    client, locale, names
):
    # when
    body = await graphql(client, TAXONOMIES, {"locale": locale})
    # then
    assert body["data"]["sdgGoals"] == [
        {"number": number, "name": name} for number, name in enumerate(names, start=1)
    ]
    assert body["data"]["affectedGroups"] == [
        {"group": group, "label": label} for group, label in GROUP_LABELS[locale]
    ]
    assert {row["group"] for row in body["data"]["affectedGroups"]} == set(AffectedGroup)


async def test_labels_are_english_by_default_and_for_a_null_locale(client):
    # when
    default = await graphql(client, "{ sdgGoals { name } affectedGroups { label } }")
    null = await graphql(client, TAXONOMIES, {"locale": None})
    # then
    assert [row["name"] for row in default["data"]["sdgGoals"]] == SDG_NAMES_EN
    assert [row["name"] for row in null["data"]["sdgGoals"]] == SDG_NAMES_EN
    assert default["data"]["affectedGroups"][0] == {"label": "Low-income people"}


async def test_an_issue_names_its_sdgs_in_the_asked_language_without_n_plus_1(client):
    # given
    community, author = await make_community(), await make_person()
    for index in range(12):
        issue = await make_issue(community, author)
        await IssueSdgGoal.bulk_create(
            [IssueSdgGoal(issue=issue, goal=goal) for goal in (1 + index % 10, 11)]
        )
    query = """
    query Names($community: ID!, $first: Int) {
      issues(filter: {communityId: $community}, first: $first, orderBy: {field: CREATED_AT,
             descending: false}) {
        nodes { sdgGoals english: sdgGoalNames ukrainian: sdgGoalNames(locale: UK) }
      }
    }
    """
    counts = []
    for first in (2, 12):
        # when
        with count_statements() as counter:
            body = await graphql(client, query, {"community": gid(community), "first": first})
        counts.append(len(counter.statements))
        # then
        assert body["data"]["issues"]["nodes"][0] == {
            "sdgGoals": [1, 11],
            "english": ["No poverty", "Sustainable cities and communities"],
            "ukrainian": ["Подолання бідності", "Сталий розвиток міст і громад"],
        }
    # count, page, SDGs: the same for 2 issues as for 12
    assert counts == [3, 3]


async def _tag(issue, goals=(), groups=()):
    await IssueSdgGoal.bulk_create([IssueSdgGoal(issue=issue, goal=goal) for goal in goals])
    await IssueAffectedGroup.bulk_create(
        [IssueAffectedGroup(issue=issue, group=AffectedGroup(group)) for group in groups]
    )


async def _money(project, backer, minor_units, currency=Currency.UAH, **fields):
    await Pledge.create(
        project=project,
        backer=backer,
        made_by=backer,
        kind=PledgeKind.MONEY,
        amount_minor=minor_units,
        currency=currency,
        **fields,
    )


async def _budget_community(scale: int = 1):
    """Issues, projects and pledges of known totals; ``scale`` copies of the whole set."""
    community, author, backer = await make_community(), await make_person(), await make_person()
    for _ in range(scale):
        lamps = await make_issue(community, author, title="Dark street")
        await _tag(lamps, goals=[11], groups=["ELDERLY", "LOW_INCOME"])
        bus = await make_issue(community, author, status=IssueStatus.ADDRESSED)
        await _tag(bus, goals=[11, 3], groups=["ELDERLY"])
        ramp = await make_issue(community, author, status=IssueStatus.RESOLVED)
        await _tag(ramp, goals=[3], groups=["PEOPLE_WITH_DISABILITIES"])
        water = await make_issue(community, author)
        await _tag(water, goals=[6])
        untagged = await make_issue(community, author)
        duplicate = await make_issue(community, author, status=IssueStatus.DUPLICATE)
        await _tag(duplicate, goals=[1, 11], groups=["VETERANS"])
        # two issues of SDG 11 and one of SDG 3: counts once per SDG
        lights = await make_project(community, author, [lamps, bus])
        await _money(lights, backer, 100_050)
        await _money(lights, backer, 20_000, Currency.EUR)
        await _money(lights, backer, 99_900, status=PledgeStatus.WITHDRAWN)
        await Pledge.create(project=lights, backer=backer, made_by=backer, kind=PledgeKind.VOTE)
        pump = await make_project(community, author, [water, untagged], status=ProjectStatus.FUNDED)
        await _money(pump, backer, 30_000)
        draft = await make_project(community, author, [lamps], status=ProjectStatus.DRAFT)
        await _money(draft, backer, 500_000)
        withdrawn = await make_project(community, author, [ramp], status=ProjectStatus.WITHDRAWN)
        await _money(withdrawn, backer, 700_000)
        await make_project(community, author, [duplicate])
    # another community's issues count only there
    elsewhere = await make_issue(await make_community(), author)
    await _tag(elsewhere, goals=[11], groups=["ELDERLY"])
    return community


def _sdg(number, name, open_=0, addressed=0, resolved=0, projects=0, money=()):
    return {
        "number": number,
        "name": name,
        "open": open_,
        "addressed": addressed,
        "resolved": resolved,
        "projects": projects,
        "moneyPledged": [{"amount": amount, "currency": currency} for amount, currency in money],
    }


def _group(group, label, open_=0, addressed=0, resolved=0):
    return {
        "group": group,
        "label": label,
        "open": open_,
        "addressed": addressed,
        "resolved": resolved,
    }


async def test_insights_count_issues_projects_and_money_per_sdg_and_group(client):
    # given
    community = await _budget_community()
    # when
    body = await graphql(client, INSIGHTS, {"id": gid(community)})
    # then
    insights = body["data"]["communityInsights"]
    assert insights["__typename"] == "CommunityInsights"
    assert insights["totalIssues"] == 5
    assert insights["totalProjects"] == 3  # lights, pump, and the duplicate's project
    assert insights["issuesByStatus"] == [
        {"status": "OPEN", "count": 3},
        {"status": "ADDRESSED", "count": 1},
        {"status": "RESOLVED", "count": 1},
    ]
    by_sdg = {row["number"]: row for row in insights["issuesBySdg"]}
    assert [row["number"] for row in insights["issuesBySdg"]] == list(range(1, 18))
    assert by_sdg[11] == _sdg(
        11,
        "Sustainable cities and communities",
        open_=1,
        addressed=1,
        projects=1,
        money=[("200.00", "EUR"), ("1000.50", "UAH")],
    )
    assert by_sdg[3] == _sdg(
        3,
        "Good health and well-being",
        addressed=1,
        resolved=1,
        projects=1,
        money=[("200.00", "EUR"), ("1000.50", "UAH")],
    )
    assert by_sdg[6] == _sdg(
        6, "Clean water and sanitation", open_=1, projects=1, money=[("300.00", "UAH")]
    )
    assert by_sdg[1] == _sdg(1, "No poverty")  # tagged only on the duplicate
    assert all(by_sdg[n] == _sdg(n, by_sdg[n]["name"]) for n in by_sdg if n not in (3, 6, 11))
    groups = {row["group"]: row for row in insights["issuesByAffectedGroup"]}
    assert [row["group"] for row in insights["issuesByAffectedGroup"]] == [
        group.value for group in AffectedGroup
    ]
    assert groups["ELDERLY"] == _group("ELDERLY", "Older people", open_=1, addressed=1)
    assert groups["LOW_INCOME"] == _group("LOW_INCOME", "Low-income people", open_=1)
    assert groups["PEOPLE_WITH_DISABILITIES"] == _group(
        "PEOPLE_WITH_DISABILITIES", "People with disabilities", resolved=1
    )
    assert groups["VETERANS"] == _group("VETERANS", "Veterans")


async def test_insights_are_labelled_in_ukrainian(client):
    # given
    community = await _budget_community()
    # when
    body = await graphql(client, INSIGHTS, {"id": gid(community), "locale": "UK"})
    # then
    insights = body["data"]["communityInsights"]
    assert [row["name"] for row in insights["issuesBySdg"]] == SDG_NAMES_UK
    assert [(row["group"], row["label"]) for row in insights["issuesByAffectedGroup"]] == (
        GROUP_LABELS["UK"]
    )


async def test_insights_cost_the_same_statements_whatever_the_data_size(client):
    counts = []
    for scale in (1, 6):
        # given
        community = await _budget_community(scale)
        # when
        with count_statements() as counter:
            body = await graphql(client, INSIGHTS, {"id": gid(community)})
        # then
        assert body["data"]["communityInsights"]["totalIssues"] == 5 * scale
        counts.append(len(counter.statements))
    # the community; issues per status, per SDG, per group; (project, SDG) pairs; money
    # per project; projects
    assert counts == [7, 7]


@pytest.mark.parametrize(
    ("community_id", "typename", "code"),
    [
        (to_global_id("Community", 424242), "NotFoundError", "NOT_FOUND"),
        (to_global_id("Issue", 1), "ValidationError", "WRONG_ID_TYPE"),
        ("not-an-id", "ValidationError", "INVALID_ID"),
    ],
    ids=["unknown", "issue-id", "garbage"],
)
async def test_insights_of_a_bad_community_id_are_a_typed_error(
    client, community_id, typename, code
):
    # when
    body = await graphql(client, INSIGHTS, {"id": community_id})
    # then
    result = body["data"]["communityInsights"]
    assert (result["__typename"], result["code"], result["field"]) == (
        typename,
        code,
        "communityId",
    )
