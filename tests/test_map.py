"""The map: issues and projects in a box, issues near a point, clusters, bad input."""

import math

import pytest
from tortoise.transactions import in_transaction

from models import (
    AffectedGroup,
    Issue,
    IssueAffectedGroup,
    IssueCategory,
    IssueSdgGoal,
    IssueStatus,
    ProjectStatus,
    Sector,
)
from resolvers import map_clusters as clusters
from resolvers.geo import BoundingBox
from resolvers.ids import to_global_id
from resolvers.issue import IssueFilterArgs, Location
from resolvers.map import issues_in_box, issues_within
from tests.conftest import IS_POSTGRES
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

# Written here independently of resolvers/geo.py, so the two can check each other.
EARTH_RADIUS = 6_371_008.8
CENTRE = (49.4440, 32.0600)
BOX = {"south": 49.440, "west": 32.050, "north": 49.450, "east": 32.070}

ISSUES_IN_AREA = """
query Area($bbox: BoundingBoxInput!, $filter: MapFilter!, $first: Int, $after: String) {
  issuesInArea(bbox: $bbox, filter: $filter, first: $first, after: $after) {
    __typename
    ... on IssueConnection { totalCount pageInfo { hasNextPage endCursor } nodes { title } }
    ... on Error { code field }
    ... on ValidationError { problems { field code } }
  }
}
"""

ISSUES_NEAR = """
query Near($centre: GeoPointInput!, $radius: Float!, $filter: MapFilter!, $first: Int,
           $after: String) {
  issuesNear(centre: $centre, radiusMeters: $radius, filter: $filter, first: $first,
             after: $after) {
    __typename
    ... on IssuesNear {
      totalCount pageInfo { hasNextPage endCursor }
      edges { distanceMeters node { title location { latitude longitude } } }
    }
    ... on Error { code field }
    ... on ValidationError { problems { field code } }
  }
}
"""

PROJECTS_IN_AREA = """
query Projects($bbox: BoundingBoxInput!, $filter: MapFilter!, $first: Int, $after: String) {
  projectsInArea(bbox: $bbox, filter: $filter, first: $first, after: $after) {
    __typename
    ... on ProjectConnection { totalCount nodes { title } }
    ... on Error { code field }
    ... on ValidationError { problems { field code } }
  }
}
"""

ISSUE_CLUSTERS = """
query Clusters($bbox: BoundingBoxInput!, $zoom: Int!, $filter: MapFilter!) {
  issueClusters(bbox: $bbox, zoom: $zoom, filter: $filter) {
    __typename
    ... on IssueClusters {
      totalCount
      clusters {
        count centre { latitude longitude } bounds { south west north east }
        topAffectedGroups { group count } issueIds
      }
    }
    ... on Error { code field }
    ... on ValidationError { problems { field code } }
  }
}
"""


def haversine(a: tuple[float, float], b: tuple[float, float]) -> float:
    lat_a, lng_a, lat_b, lng_b = map(math.radians, (*a, *b))
    h = (
        math.sin((lat_b - lat_a) / 2) ** 2
        + math.cos(lat_a) * math.cos(lat_b) * math.sin((lng_b - lng_a) / 2) ** 2
    )
    return 2 * EARTH_RADIUS * math.asin(math.sqrt(h))


def moved(north_meters: float, east_meters: float) -> dict[str, float]:
    """A point this many metres north and east of CENTRE."""
    latitude = CENTRE[0] + math.degrees(north_meters / EARTH_RADIUS)
    longitude = CENTRE[1] + math.degrees(
        east_meters / (EARTH_RADIUS * math.cos(math.radians(CENTRE[0])))
    )
    return {"latitude": latitude, "longitude": longitude}


async def _area(client, community, bbox=BOX, **filters):
    variables = {"bbox": bbox, "filter": {"communityId": gid(community), **filters}}
    return (await graphql(client, ISSUES_IN_AREA, variables))["data"]["issuesInArea"]


async def test_issues_in_area_are_exactly_those_inside_the_box_edges_included(client):
    # given issues inside, on the edges, just outside, and in another community
    community, other = await make_community(), await make_community()
    author = await make_person()
    places = [
        ("Pothole on Shevchenka", 49.445, 32.060),
        ("Dark underpass", 49.441, 32.051),
        ("On the north edge", 49.450, 32.065),
        ("On the west edge", 49.445, 32.050),
        ("Just north", 49.4501, 32.060),
        ("Just east", 49.445, 32.0701),
        ("Far away", 49.300, 31.900),
    ]
    for title, latitude, longitude in places:
        await make_issue(community, author, title=title, latitude=latitude, longitude=longitude)
    await make_issue(other, author, title="Other hromada", latitude=49.445, longitude=32.06)
    # when
    result = await _area(client, community)
    # then: newest first
    assert result == {
        "__typename": "IssueConnection",
        "totalCount": 4,
        "pageInfo": {"hasNextPage": False, "endCursor": result["pageInfo"]["endCursor"]},
        "nodes": [
            {"title": "On the west edge"},
            {"title": "On the north edge"},
            {"title": "Dark underpass"},
            {"title": "Pothole on Shevchenka"},
        ],
    }


async def test_issues_in_area_come_in_pages(client):
    # given
    community, author = await make_community(), await make_person()
    for number in range(5):
        await make_issue(community, author, title=f"Issue {number}", latitude=49.445)
    variables = {"bbox": BOX, "filter": {"communityId": gid(community)}, "first": 3}
    # when
    first = (await graphql(client, ISSUES_IN_AREA, variables))["data"]["issuesInArea"]
    variables["after"] = first["pageInfo"]["endCursor"]
    second = (await graphql(client, ISSUES_IN_AREA, variables))["data"]["issuesInArea"]
    # then
    assert [node["title"] for node in first["nodes"]] == ["Issue 4", "Issue 3", "Issue 2"]
    assert first["pageInfo"]["hasNextPage"] is True
    assert [node["title"] for node in second["nodes"]] == ["Issue 1", "Issue 0"]
    assert (second["totalCount"], second["pageInfo"]["hasNextPage"]) == (5, False)


async def _tagged_issues():
    """Four issues inside BOX (and one outside) with every filterable attribute varied."""
    community = await make_community()
    person = await make_person()
    nonprofit = await make_organization(Sector.NONPROFIT)
    authority = await make_organization(Sector.PUBLIC)
    rows = [
        ("A", person, IssueStatus.OPEN, IssueCategory.INFRASTRUCTURE, [11], ["ELDERLY"], 0),
        (
            "B",
            nonprofit,
            IssueStatus.ADDRESSED,
            IssueCategory.ENVIRONMENT,
            [6, 11],
            ["CHILDREN_AND_YOUTH"],
            100,
        ),
        (
            "C",
            authority,
            IssueStatus.RESOLVED,
            IssueCategory.HEALTH,
            [3],
            ["PEOPLE_WITH_DISABILITIES", "ELDERLY"],
            200,
        ),
        ("D", authority, IssueStatus.OPEN, IssueCategory.INFRASTRUCTURE, [11], ["ELDERLY"], 300),
        ("Outside", authority, IssueStatus.OPEN, IssueCategory.INFRASTRUCTURE, [11], [], 5000),
    ]
    for title, author, status, category, goals, groups, north in rows:
        issue = await make_issue(
            community, author, title=title, status=status, category=category, **moved(north, 0)
        )
        await IssueSdgGoal.bulk_create([IssueSdgGoal(issue=issue, goal=g) for g in goals])
        await IssueAffectedGroup.bulk_create(
            [IssueAffectedGroup(issue=issue, group=AffectedGroup(g)) for g in groups]
        )
    return community


FILTER_CASES = [
    ({}, ["A", "B", "C", "D"]),
    ({"status": ["OPEN"]}, ["A", "D"]),
    ({"sdgGoal": 11}, ["A", "B", "D"]),
    ({"affectedGroup": "ELDERLY"}, ["A", "C", "D"]),
    ({"category": "HEALTH"}, ["C"]),
    ({"authorSector": "PUBLIC"}, ["C", "D"]),
    ({"status": ["OPEN", "RESOLVED"], "affectedGroup": "ELDERLY"}, ["A", "C", "D"]),
    (
        {
            "status": ["OPEN"],
            "sdgGoal": 11,
            "affectedGroup": "ELDERLY",
            "category": "INFRASTRUCTURE",
            "authorSector": "PUBLIC",
        },
        ["D"],
    ),
    ({"sdgGoal": 17}, []),
    ({"authoredByPeople": True}, ["A"]),
    ({"authoredByPeople": False, "authorSector": "NONPROFIT"}, ["B"]),
]
FILTER_IDS = [
    "none",
    "status",
    "sdg",
    "group",
    "category",
    "sector",
    "two",
    "all",
    "no-match",
    "people",
    "organizations",
]
LIST_TITLES = """
query($filter: IssueFilter) { issues(filter: $filter, first: 100) { nodes { title } } }"""
AREA_PROBLEMS = """
query($bbox: BoundingBoxInput!, $filter: MapFilter!) {
  issuesInArea(bbox: $bbox, filter: $filter) {
    __typename ... on ValidationError { problems { field code message } }
  }
}"""


@pytest.mark.parametrize(("filters", "expected"), FILTER_CASES, ids=FILTER_IDS)
async def test_filters_combine_in_the_area(client, filters, expected):
    # given
    community = await _tagged_issues()
    # when
    result = await _area(client, community, **filters)
    # then
    assert sorted(node["title"] for node in result["nodes"]) == expected
    assert result["totalCount"] == len(expected)


@pytest.mark.parametrize(("filters", "expected"), FILTER_CASES, ids=FILTER_IDS)
async def test_the_issue_list_takes_the_same_filter_as_the_map(client, filters, expected):
    # given the tagged issues (one of them outside the map's box)
    community = await _tagged_issues()
    # when the list is asked with the map's filter
    body = await graphql(
        client, LIST_TITLES, {"filter": {"communityId": gid(community), **filters}}
    )
    # then it holds the map's issues, and the one outside the box where it matches
    titles = {node["title"] for node in body["data"]["issues"]["nodes"]}
    assert sorted(titles - {"Outside"}) == expected


@pytest.mark.parametrize(
    ("filters", "field", "code"),
    [
        ({"sdgGoal": 18}, "filter.sdgGoal", "OUT_OF_RANGE"),
        ({"communityId": "not-an-id"}, "filter.communityId", "INVALID_ID"),
    ],
)
async def test_a_bad_filter_is_refused_alike_by_the_list_and_the_map(client, filters, field, code):
    # given a real community, and a filter with one bad condition
    community = await make_community()
    filter_ = {"communityId": gid(community), **filters}
    # when the list and the map are asked with it
    listed = await graphql(client, LIST_TITLES, {"filter": filter_})
    mapped = await graphql(client, AREA_PROBLEMS, {"bbox": BOX, "filter": filter_})
    # then both refuse it with the same problem: an error on the list, a typed result on
    # the map
    problem = mapped["data"]["issuesInArea"]
    assert problem["__typename"] == "ValidationError"
    assert [(p["field"], p["code"]) for p in problem["problems"]] == [(field, code)]
    assert listed["data"] is None
    assert [error["message"] for error in listed["errors"]] == [problem["problems"][0]["message"]]


@pytest.mark.parametrize(("filters", "expected"), FILTER_CASES, ids=FILTER_IDS)
async def test_filters_combine_near_a_point_and_in_clusters(client, filters, expected):
    # given
    community = await _tagged_issues()
    filter_ = {"communityId": gid(community), **filters}
    # when
    near = await graphql(
        client, ISSUES_NEAR, {"centre": moved(0, 0), "radius": 1000, "filter": filter_}
    )
    clusters = await graphql(client, ISSUE_CLUSTERS, {"bbox": BOX, "zoom": 13, "filter": filter_})
    # then
    edges = near["data"]["issuesNear"]["edges"]
    assert [edge["node"]["title"] for edge in edges] == expected  # A, B, C, D: 100 m apart
    assert clusters["data"]["issueClusters"]["totalCount"] == len(expected)


async def test_issues_near_are_nearest_first_with_great_circle_distances(client):
    # given
    community, author = await make_community(), await make_person()
    places = [
        ("300 m south-west", -212.132, -212.132),
        ("At the centre", 0, 0),
        ("Corner of the box, 566 m", 400, 400),
        ("250 m east", 0, 250),
        ("600 m west", 0, -600),
        ("100 m north", 100, 0),
    ]
    for title, north, east in places:
        await make_issue(community, author, title=title, **moved(north, east))
    centre = moved(0, 0)
    # when
    body = await graphql(
        client,
        ISSUES_NEAR,
        {"centre": centre, "radius": 500, "filter": {"communityId": gid(community)}},
    )
    # then
    result = body["data"]["issuesNear"]
    assert result["__typename"] == "IssuesNear"
    assert result["totalCount"] == 4
    titles = [edge["node"]["title"] for edge in result["edges"]]
    assert titles == ["At the centre", "100 m north", "250 m east", "300 m south-west"]
    for edge, nominal in zip(result["edges"], [0, 100, 250, 300], strict=True):
        location = edge["node"]["location"]
        expected = haversine(
            (centre["latitude"], centre["longitude"]),
            (location["latitude"], location["longitude"]),
        )
        assert abs(edge["distanceMeters"] - expected) < 1
        assert abs(edge["distanceMeters"] - nominal) < 1


async def test_issues_near_come_in_pages(client):
    # given
    community, author = await make_community(), await make_person()
    for metres in (40, 10, 30, 20):
        await make_issue(community, author, title=f"{metres} m", **moved(metres, 0))
    variables = {
        "centre": moved(0, 0),
        "radius": 100,
        "filter": {"communityId": gid(community)},
        "first": 3,
    }
    # when
    first = (await graphql(client, ISSUES_NEAR, variables))["data"]["issuesNear"]
    variables["after"] = first["pageInfo"]["endCursor"]
    second = (await graphql(client, ISSUES_NEAR, variables))["data"]["issuesNear"]
    # then
    assert [edge["node"]["title"] for edge in first["edges"]] == ["10 m", "20 m", "30 m"]
    assert first["pageInfo"]["hasNextPage"] is True
    assert [edge["node"]["title"] for edge in second["edges"]] == ["40 m"]
    assert (second["totalCount"], second["pageInfo"]["hasNextPage"]) == (4, False)


async def test_issues_near_the_antimeridian_are_found_across_it(client):
    # given an issue 0.002 degrees of longitude away, on the other side of 180°
    community, author = await make_community(), await make_person()
    await make_issue(community, author, title="Across", latitude=10.0, longitude=-179.999)
    await make_issue(community, author, title="Far", latitude=10.0, longitude=-179.9)
    centre = {"latitude": 10.0, "longitude": 179.999}
    # when
    body = await graphql(
        client,
        ISSUES_NEAR,
        {"centre": centre, "radius": 1000, "filter": {"communityId": gid(community)}},
    )
    # then
    edges = body["data"]["issuesNear"]["edges"]
    assert [edge["node"]["title"] for edge in edges] == ["Across"]
    expected = haversine((10.0, 179.999), (10.0, -179.999))
    assert abs(edges[0]["distanceMeters"] - expected) < 1
    assert 218 < expected < 220


async def test_projects_in_area_address_matching_issues_inside_and_are_never_drafts(client):
    # given
    community, lead = await make_community(), await make_person()
    inside_open = await make_issue(community, lead, **moved(0, 0))
    inside_resolved = await make_issue(
        community, lead, status=IssueStatus.RESOLVED, **moved(100, 0)
    )
    outside = await make_issue(community, lead, **moved(5000, 0))
    both = await make_project(community, lead, [inside_open, inside_resolved])
    await make_project(community, lead, [outside])
    await make_project(community, lead, [inside_open], status=ProjectStatus.DRAFT)
    mixed = await make_project(community, lead, [outside, inside_resolved])
    # when
    everything = await graphql(
        client, PROJECTS_IN_AREA, {"bbox": BOX, "filter": {"communityId": gid(community)}}
    )
    open_only = await graphql(
        client,
        PROJECTS_IN_AREA,
        {"bbox": BOX, "filter": {"communityId": gid(community), "status": ["OPEN"]}},
    )
    # then: newest first, each project once
    assert everything["data"]["projectsInArea"] == {
        "__typename": "ProjectConnection",
        "totalCount": 2,
        "nodes": [{"title": mixed.title}, {"title": both.title}],
    }
    assert open_only["data"]["projectsInArea"]["nodes"] == [{"title": both.title}]


ZOOM = 14
CELL = 360 / 2**ZOOM / 4  # degrees: the grid at zoom 14
# A zoom-14 cell whose indexes are multiples of 4, so its zoom-12 parent holds cells
# (row..row+3, column..column+3).
ROW = math.floor((49.44 + 90) / CELL) // 4 * 4
COLUMN = math.floor((32.06 + 180) / CELL) // 4 * 4


def in_cell(rows_up: int, columns_right: int, north: float = 0, east: float = 0):
    """A point in a zoom-14 cell, offset from its centre by fractions of the cell."""
    return {
        "latitude": (ROW + rows_up + 0.5 + north) * CELL - 90,
        "longitude": (COLUMN + columns_right + 0.5 + east) * CELL - 180,
    }


CLUSTER_BOX = {
    "south": (ROW - 2) * CELL - 90,
    "west": (COLUMN - 2) * CELL - 180,
    "north": (ROW + 12) * CELL - 90,
    "east": (COLUMN + 12) * CELL - 180,
}


async def _clustered_community():
    """Five groups of issues: 6 in one cell, 5, 2, 1 and 1 in others."""
    community, author = await make_community(), await make_person()
    groups: dict[str, list[tuple[dict[str, float], list[str]]]] = {
        "A": [
            (in_cell(0, 0, -0.3, -0.3), ["ELDERLY", "LOW_INCOME"]),
            (in_cell(0, 0, -0.1, 0.2), ["ELDERLY", "VETERANS"]),
            (in_cell(0, 0, 0.0, 0.0), ["ELDERLY"]),
            (in_cell(0, 0, 0.2, -0.2), ["ELDERLY", "LOW_INCOME", "WOMEN"]),
            (in_cell(0, 0, 0.3, 0.1), ["VETERANS"]),
            (in_cell(0, 0, 0.1, 0.3), []),
        ],
        "E": [(in_cell(4, 0, 0.05 * n, 0), ["UNEMPLOYED"]) for n in range(5)],
        "B": [(in_cell(0, 3, 0.1, 0), ["VETERANS"]), (in_cell(0, 3, -0.1, 0), ["VETERANS"])],
        "C": [(in_cell(1, 0), [])],
        "D": [(in_cell(8, 8), ["WOMEN"])],
    }
    issues: dict[str, list[Issue]] = {}
    for name, members in groups.items():
        issues[name] = []
        for point, tags in members:
            issue = await make_issue(community, author, **point)
            await IssueAffectedGroup.bulk_create(
                [IssueAffectedGroup(issue=issue, group=AffectedGroup(tag)) for tag in tags]
            )
            issues[name].append(issue)
    # another community's issue in the same cell as A is not on this map
    await make_issue(await make_community(), author, **in_cell(0, 0))
    return community, issues


def _expected_cluster(members, top_groups):
    latitudes = [issue.latitude for issue in members]
    longitudes = [issue.longitude for issue in members]
    return {
        "count": len(members),
        "centre": {
            "latitude": pytest.approx(sum(latitudes) / len(members), abs=1e-9),
            "longitude": pytest.approx(sum(longitudes) / len(members), abs=1e-9),
        },
        "bounds": {
            "south": min(latitudes),
            "west": min(longitudes),
            "north": max(latitudes),
            "east": max(longitudes),
        },
        "topAffectedGroups": [{"group": group, "count": count} for group, count in top_groups],
        "issueIds": (
            [gid(issue) for issue in sorted(members, key=lambda issue: issue.pk)]
            if len(members) <= 5
            else []
        ),
    }


async def test_clusters_count_the_issues_of_each_grid_cell(client):
    # given
    community, issues = await _clustered_community()
    # when
    body = await graphql(
        client,
        ISSUE_CLUSTERS,
        {"bbox": CLUSTER_BOX, "zoom": ZOOM, "filter": {"communityId": gid(community)}},
    )
    # then: biggest first; clusters of at most 5 list their issues
    result = body["data"]["issueClusters"]
    assert result["__typename"] == "IssueClusters"
    assert result["totalCount"] == 15 == sum(c["count"] for c in result["clusters"])
    assert result["clusters"] == [
        _expected_cluster(issues["A"], [("ELDERLY", 4), ("LOW_INCOME", 2), ("VETERANS", 2)]),
        _expected_cluster(issues["E"], [("UNEMPLOYED", 5)]),
        _expected_cluster(issues["B"], [("VETERANS", 2)]),
        _expected_cluster(issues["C"], []),
        _expected_cluster(issues["D"], [("WOMEN", 1)]),
    ]
    assert result["clusters"][0]["issueIds"] == []
    assert len(result["clusters"][1]["issueIds"]) == 5


async def test_a_lower_zoom_merges_neighbouring_cells(client):
    # given
    community, issues = await _clustered_community()
    # when
    body = await graphql(
        client,
        ISSUE_CLUSTERS,
        {"bbox": CLUSTER_BOX, "zoom": ZOOM - 2, "filter": {"communityId": gid(community)}},
    )
    # then: A, B and C share a zoom-12 cell; ties between groups go by name
    result = body["data"]["issueClusters"]
    assert result["totalCount"] == 15
    assert result["clusters"] == [
        _expected_cluster(
            issues["A"] + issues["B"] + issues["C"],
            [("ELDERLY", 4), ("VETERANS", 4), ("LOW_INCOME", 2)],
        ),
        _expected_cluster(issues["E"], [("UNEMPLOYED", 5)]),
        _expected_cluster(issues["D"], [("WOMEN", 1)]),
    ]


async def test_clusters_follow_the_filter_and_the_box(client):
    # given
    community, issues = await _clustered_community()
    only_d = {**CLUSTER_BOX, "south": (ROW + 6) * CELL - 90}
    # when
    filtered = await graphql(
        client,
        ISSUE_CLUSTERS,
        {
            "bbox": CLUSTER_BOX,
            "zoom": ZOOM,
            "filter": {"communityId": gid(community), "affectedGroup": "VETERANS"},
        },
    )
    boxed = await graphql(
        client,
        ISSUE_CLUSTERS,
        {"bbox": only_d, "zoom": ZOOM, "filter": {"communityId": gid(community)}},
    )
    # then
    assert [c["count"] for c in filtered["data"]["issueClusters"]["clusters"]] == [2, 2]
    assert boxed["data"]["issueClusters"]["clusters"] == [
        _expected_cluster(issues["D"], [("WOMEN", 1)])
    ]


async def test_clusters_are_the_same_whichever_way_the_box_is_read(client, monkeypatch):
    # given
    community, _ = await _clustered_community()
    variables = {"bbox": CLUSTER_BOX, "zoom": ZOOM, "filter": {"communityId": gid(community)}}
    through_index = await graphql(client, ISSUE_CLUSTERS, variables)
    # when the box counts as large, PostgreSQL reads the groups without the index
    monkeypatch.setattr(clusters, "LARGE_BOX_ISSUES", 1)
    scanned = await graphql(client, ISSUE_CLUSTERS, variables)
    # then
    assert scanned == through_index
    assert through_index["data"]["issueClusters"]["totalCount"] == 15


async def test_clusters_cost_the_same_statements_for_10_or_100_issues(client):
    # given
    small, author = await make_community(), await make_person()
    large = await make_community()
    for index in range(10):
        await make_issue(small, author, **in_cell(index % 3, index % 4))
    for index in range(100):
        await make_issue(large, author, **in_cell(index % 7, index % 9))
    counts = []
    for community in (small, large):
        variables = {"bbox": CLUSTER_BOX, "zoom": ZOOM, "filter": {"communityId": gid(community)}}
        # when
        with count_statements() as counter:
            body = await graphql(client, ISSUE_CLUSTERS, variables)
        assert body["data"]["issueClusters"]["__typename"] == "IssueClusters"
        counts.append(len(counter.statements))
    # then: the community, the cells, the groups per cell
    assert counts == [3, 3]


PAGE_WITH_RELATIONS = {
    "area": """
    query Area($filter: MapFilter!, $first: Int) {
      issuesInArea(bbox: {south: 49.44, west: 32.05, north: 49.45, east: 32.07},
                   filter: $filter, first: $first) {
        ... on IssueConnection {
          nodes { title sdgGoals sdgGoalNames(locale: UK) author { displayName } }
        }
      }
    }
    """,
    "near": """
    query Near($filter: MapFilter!, $first: Int) {
      issuesNear(centre: {latitude: 49.444, longitude: 32.06}, radiusMeters: 1000,
                 filter: $filter, first: $first) {
        ... on IssuesNear {
          edges { node { title sdgGoals sdgGoalNames(locale: UK) author { displayName } } }
        }
      }
    }
    """,
}


@pytest.mark.parametrize("query", ["area", "near"])
async def test_a_page_with_relations_costs_the_same_statements_for_3_or_30_issues(client, query):
    # given
    community, author = await make_community(), await make_person()
    for index in range(30):
        issue = await make_issue(community, author, **moved(index * 10, 0))
        await IssueSdgGoal.create(issue=issue, goal=1 + index % 17)
    counts = []
    for first in (3, 30):
        variables = {"filter": {"communityId": gid(community)}, "first": first}
        # when
        with count_statements() as counter:
            body = await graphql(client, PAGE_WITH_RELATIONS[query], variables)
        page = body["data"]["issuesInArea" if query == "area" else "issuesNear"]
        assert len(page["nodes" if query == "area" else "edges"]) == first
        counts.append(len(counter.statements))
    # then: the community check, count and page (SQLite measures distances over one
    # read of the box instead), then one statement for SDGs and one for authors
    expected = 4 if query == "near" and not IS_POSTGRES else 5
    assert counts == [expected, expected]


def _variables(query: str, community_id: str, **overrides):
    """Valid variables of each map query, with some replaced."""
    filter_ = {"communityId": community_id, **overrides.pop("filter", {})}
    if query == "near":
        variables = {"centre": moved(0, 0), "radius": 500, "filter": filter_}
    elif query == "clusters":
        variables = {"bbox": BOX, "zoom": 14, "filter": filter_}
    else:
        variables = {"bbox": BOX, "filter": filter_}
    variables.update(overrides)
    return variables


QUERIES = {
    "area": (ISSUES_IN_AREA, "issuesInArea"),
    "near": (ISSUES_NEAR, "issuesNear"),
    "projects": (PROJECTS_IN_AREA, "projectsInArea"),
    "clusters": (ISSUE_CLUSTERS, "issueClusters"),
}
BOX_QUERIES = ["area", "projects", "clusters"]
BAD_BOXES = [
    ({**BOX, "west": 179.0, "east": -179.0}, "bbox", "CROSSES_ANTIMERIDIAN"),
    ({**BOX, "south": 49.46}, "bbox", "INVERTED_BOUNDS"),
    ({**BOX, "north": 90.5}, "bbox.north", "OUT_OF_RANGE"),
    ({**BOX, "south": -91.0}, "bbox.south", "OUT_OF_RANGE"),
    ({**BOX, "west": -180.5}, "bbox.west", "OUT_OF_RANGE"),
    ({**BOX, "east": 181.0}, "bbox.east", "OUT_OF_RANGE"),
]
BAD_BOX_IDS = ["antimeridian", "inverted", "north-90.5", "south-minus-91", "west", "east"]


@pytest.mark.parametrize("query", BOX_QUERIES)
@pytest.mark.parametrize(("bbox", "field", "code"), BAD_BOXES, ids=BAD_BOX_IDS)
async def test_a_bad_box_is_a_typed_error(client, query, bbox, field, code):
    # given
    community = await make_community()
    text, name = QUERIES[query]
    # when
    body = await graphql(client, text, _variables(query, gid(community), bbox=bbox))
    # then
    assert body["data"][name] == {
        "__typename": "ValidationError",
        "code": code,
        "field": field,
        "problems": [{"field": field, "code": code}],
    }


NEAR_BAD = [
    ({"radius": 0}, "radiusMeters", "OUT_OF_RANGE"),
    ({"radius": -10}, "radiusMeters", "OUT_OF_RANGE"),
    ({"radius": 50_000.5}, "radiusMeters", "OUT_OF_RANGE"),
    ({"centre": {"latitude": 95, "longitude": 32}}, "centre.latitude", "OUT_OF_RANGE"),
    ({"centre": {"latitude": 49, "longitude": -181}}, "centre.longitude", "OUT_OF_RANGE"),
]


@pytest.mark.parametrize(
    ("overrides", "field", "code"),
    NEAR_BAD,
    ids=["radius-0", "radius-negative", "radius-above-50-km", "latitude-95", "longitude"],
)
async def test_a_bad_circle_is_a_typed_error(client, overrides, field, code):
    # given
    community = await make_community()
    # when
    body = await graphql(client, ISSUES_NEAR, _variables("near", gid(community), **overrides))
    # then
    assert body["data"]["issuesNear"] == {
        "__typename": "ValidationError",
        "code": code,
        "field": field,
        "problems": [{"field": field, "code": code}],
    }


async def test_a_radius_of_exactly_50_km_is_accepted(client):
    community = await make_community()
    variables = _variables("near", gid(community), radius=50_000)
    body = await graphql(client, ISSUES_NEAR, variables)
    assert body["data"]["issuesNear"]["__typename"] == "IssuesNear"


@pytest.mark.parametrize(
    ("zoom", "bbox", "field", "code"),
    [
        (-1, BOX, "zoom", "OUT_OF_RANGE"),
        (23, BOX, "zoom", "OUT_OF_RANGE"),
        (22, BOX, "bbox", "AREA_TOO_LARGE"),
    ],
    ids=["zoom-minus-1", "zoom-23", "box-too-large-for-zoom-22"],
)
async def test_a_bad_zoom_is_a_typed_error(client, zoom, bbox, field, code):
    # given
    community = await make_community()
    variables = _variables("clusters", gid(community), zoom=zoom, bbox=bbox)
    # when
    body = await graphql(client, ISSUE_CLUSTERS, variables)
    # then
    assert body["data"]["issueClusters"] == {
        "__typename": "ValidationError",
        "code": code,
        "field": field,
        "problems": [{"field": field, "code": code}],
    }


@pytest.mark.parametrize("zoom", [0, 22])
async def test_zoom_0_and_22_are_accepted(client, zoom):
    community = await make_community()
    tiny = {"south": 49.4440, "west": 32.0600, "north": 49.4441, "east": 32.0601}
    variables = _variables("clusters", gid(community), zoom=zoom, bbox=tiny)
    body = await graphql(client, ISSUE_CLUSTERS, variables)
    assert body["data"]["issueClusters"] == {
        "__typename": "IssueClusters",
        "totalCount": 0,
        "clusters": [],
    }


@pytest.mark.parametrize("query", list(QUERIES))
@pytest.mark.parametrize(
    ("filter_", "field", "code"),
    [
        ({"sdgGoal": 0}, "filter.sdgGoal", "OUT_OF_RANGE"),
        ({"sdgGoal": 18}, "filter.sdgGoal", "OUT_OF_RANGE"),
        ({"communityId": "not-an-id"}, "filter.communityId", "INVALID_ID"),
        ({"communityId": to_global_id("Issue", 1)}, "filter.communityId", "WRONG_ID_TYPE"),
    ],
    ids=["sdg-0", "sdg-18", "garbage-id", "issue-id"],
)
async def test_a_bad_filter_is_a_typed_error(client, query, filter_, field, code):
    # given
    community = await make_community()
    text, name = QUERIES[query]
    # when
    body = await graphql(client, text, _variables(query, gid(community), filter=filter_))
    # then
    assert body["data"][name] == {
        "__typename": "ValidationError",
        "code": code,
        "field": field,
        "problems": [{"field": field, "code": code}],
    }


@pytest.mark.parametrize("query", list(QUERIES))
async def test_an_unknown_community_is_not_found(client, query):
    # given
    text, name = QUERIES[query]
    missing = to_global_id("Community", 424242)
    # when
    body = await graphql(client, text, _variables(query, missing))
    # then
    assert body["data"][name] == {
        "__typename": "NotFoundError",
        "code": "NOT_FOUND",
        "field": "filter.communityId",
    }


@pytest.mark.parametrize("query", ["area", "near", "projects"])
@pytest.mark.parametrize(
    ("overrides", "field", "code"),
    [({"first": 101}, "first", "OUT_OF_RANGE"), ({"after": "junk"}, "after", "INVALID")],
    ids=["first-101", "junk-cursor"],
)
async def test_bad_pagination_is_a_typed_error(client, query, overrides, field, code):
    # given
    community = await make_community()
    text, name = QUERIES[query]
    # when
    body = await graphql(client, text, _variables(query, gid(community), **overrides))
    # then
    assert body["data"][name]["__typename"] == "ValidationError"
    assert body["data"][name]["problems"] == [{"field": field, "code": code}]


async def test_every_problem_is_reported_at_once(client):
    # given
    bad_box = {"south": 50.0, "west": 200.0, "north": 49.0, "east": 32.0}
    variables = {
        "bbox": bad_box,
        "zoom": 30,
        "filter": {"communityId": "not-an-id", "sdgGoal": 18},
    }
    # when
    body = await graphql(client, ISSUE_CLUSTERS, variables)
    # then
    assert body["data"]["issueClusters"]["problems"] == [
        {"field": "bbox.west", "code": "OUT_OF_RANGE"},
        {"field": "bbox", "code": "INVERTED_BOUNDS"},
        {"field": "bbox", "code": "CROSSES_ANTIMERIDIAN"},
        {"field": "zoom", "code": "OUT_OF_RANGE"},
        {"field": "filter.sdgGoal", "code": "OUT_OF_RANGE"},
        {"field": "filter.communityId", "code": "INVALID_ID"},
    ]


async def _plan(sql: str) -> str:
    async with in_transaction() as connection:
        # Test tables are tiny, so a scan is cheapest; forbidding it shows the index fits.
        await connection.execute_script("SET LOCAL enable_seqscan = off")
        _, rows = await connection.execute_query(f"EXPLAIN {sql}")
    return "\n".join(str(row["QUERY PLAN"]) for row in rows)


@pytest.mark.skipif(not IS_POSTGRES, reason="the GiST index exists on PostgreSQL only")
async def test_on_postgresql_the_box_is_found_through_the_gist_index():
    # given
    community, author = await make_community(), await make_person()
    for index in range(50):
        await make_issue(community, author, **moved(index * 20, 0))
    filters = IssueFilterArgs(community_id=community.pk, statuses=(IssueStatus.OPEN,))
    box = BoundingBox(south=49.440, west=32.050, north=49.450, east=32.070)
    centre = Location(latitude=49.444, longitude=32.06)
    # when
    in_box = await _plan(issues_in_box(filters, box).sql(params_inline=True))
    near = await _plan(issues_within(filters, centre, 500).sql(params_inline=True))
    # then
    for plan in (in_box, near):
        assert "issue_point_gist" in plan, plan
        assert "Index Cond: (point(longitude, latitude) <@" in plan, plan
