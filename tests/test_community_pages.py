"""The community page and the map page as HTTP resources: 404s, escaping, the insights chart.

The chart is checked as rendered: one ``chart-row`` per SDG or group with issues, one
segment per non-zero status, and the same numbers in the data table.
"""

import html
import re
from collections.abc import AsyncIterator

import httpx
import pytest

from models import (
    AffectedGroup,
    Currency,
    IssueCategory,
    IssueStatus,
    Pledge,
    PledgeKind,
    Sector,
)
from resolvers.ids import to_global_id
from tests.community_stage import INSIGHTS_SPOTS, seed_community
from tests.factories import graphql, make_community, make_person, make_project
from web.app import create_app
from web.pages.insights_chart import short_label
from web.settings import Settings

HOSTILE_NAME = '<script>alert("x")</script> & Co'
ESCAPED_NAME = "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Co"
TAXONOMIES = """query($locale: Locale!) {
  sdgGoals(locale: $locale) { number name } affectedGroups(locale: $locale) { group label } }"""
UNREACHABLE_TILES = "http://127.0.0.1:9/{z}/{x}/{y}.png"


async def taxonomies(
    client: httpx.AsyncClient, locale: str = "EN"
) -> tuple[dict[int, str], dict[str, str]]:
    data = (await graphql(client, TAXONOMIES, {"locale": locale}))["data"]
    sdg_names = {goal["number"]: goal["name"] for goal in data["sdgGoals"]}
    group_labels = {group["group"]: group["label"] for group in data["affectedGroups"]}
    return sdg_names, group_labels


def _chart(body: str, chart_id: str) -> str:
    found = re.search(rf'<svg class="insights-chart" id="{chart_id}".*?</svg>', body, re.S)
    assert found is not None, f"no chart {chart_id}"
    return found[0]


def chart_rows(body: str, chart_id: str) -> list[tuple[str, dict[str, int]]]:
    """``[(row key, {status: count})]`` of the SVG chart ``chart_id``, top to bottom."""
    rows = []
    for key, row in re.findall(
        r'<g class="chart-row" data-key="([^"]+)">(.*?)</g>', _chart(body, chart_id), re.S
    ):
        segments = re.findall(r'class="chart-bar chart-([a-z]+)" data-count="(\d+)"', row)
        rows.append((key, {status: int(count) for status, count in segments}))
    return rows


def chart_labels(body: str, chart_id: str) -> list[str]:
    labels = re.findall(r'<text class="chart-label"[^>]*>([^<]*)</text>', _chart(body, chart_id))
    return [html.unescape(label) for label in labels]


def table_rows(body: str, table_id: str) -> list[list[str]]:
    found = re.search(rf'<table class="insights-table" id="{table_id}">.*?</table>', body, re.S)
    assert found is not None, f"no table {table_id}"
    rows = re.findall(r"<tr>(.*?)</tr>", found[0].split("<tbody>")[1], re.S)
    return [
        [html.unescape(c) for c in re.findall(r"<t[hd][^>]*>([^<]*)</t[hd]>", row)] for row in rows
    ]


@pytest.fixture
async def client_with_tiles(database: str) -> AsyncIterator[httpx.AsyncClient]:
    """The app with a tile server configured (one nobody answers at)."""
    settings = Settings(
        database_url=database, broadcast_url="memory://", map_tile_url=UNREACHABLE_TILES
    )
    app = create_app(settings)
    await app.state.broadcast.connect()
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://hub.test") as http:
        yield http
    await app.state.broadcast.disconnect()


async def test_the_community_page_charts_issues_per_sdg_and_group_with_exact_bars(client):
    # given: five issues tagged with SDGs 3, 6, 11 and three affected groups
    seeded = await seed_community(INSIGHTS_SPOTS, name="Bilozirska hromada")
    sdg_names, group_labels = await taxonomies(client)
    # when
    response = await client.get(f"/c/{seeded.global_id}")
    # then: the facts, the map link and the totals
    assert response.status_code == 200
    body = response.text
    assert "<h1>Bilozirska hromada</h1>" in body
    assert '<dd data-field="region">Cherkasy Oblast</dd>' in body
    assert '<dd data-field="population">12\u202f000</dd>' in body
    assert f'<a class="map-link" href="/c/{seeded.global_id}/map">' in body
    assert '<dd data-field="total-issues">5</dd>' in body
    # then: one bar per SDG with issues (UN order), one segment per non-zero status
    assert chart_rows(body, "sdg-chart") == [
        ("sdg-3", {"open": 1, "resolved": 1}),
        ("sdg-6", {"resolved": 1}),
        ("sdg-11", {"open": 2, "addressed": 1}),
    ]
    assert chart_labels(body, "sdg-chart") == [
        short_label(f"{n}. {sdg_names[n]}") for n in (3, 6, 11)
    ]
    # then: one bar per affected group with issues, the most affected first
    assert chart_rows(body, "group-chart") == [
        ("group-ELDERLY", {"open": 2, "resolved": 1}),
        ("group-LOW_INCOME", {"open": 1}),
        ("group-CHILDREN_AND_YOUTH", {"addressed": 1}),
    ]
    assert chart_labels(body, "group-chart") == [
        short_label(group_labels[g]) for g in ("ELDERLY", "LOW_INCOME", "CHILDREN_AND_YOUTH")
    ]
    assert body.count('class="chart-bar chart-') == 5 + 4


async def test_the_chart_is_accessible_and_its_numbers_are_also_a_table(client):
    # given
    seeded = await seed_community(INSIGHTS_SPOTS)
    sdg_names, group_labels = await taxonomies(client)
    # when
    body = (await client.get(f"/c/{seeded.global_id}")).text
    # then: each SVG is an image named by its own title and description
    for chart_id in ("sdg-chart", "group-chart"):
        assert re.search(
            rf'<svg class="insights-chart" id="{chart_id}" [^>]*role="img"'
            rf' aria-labelledby="{chart_id}-title {chart_id}-desc"',
            body,
        )
    assert "Goals with issues: 3.</desc>" in body
    assert "Groups with issues: 3.</desc>" in body
    # then: goal, open, addressed, resolved, total, projects, money pledged
    assert table_rows(body, "sdg-table") == [
        [f"3. {sdg_names[3]}", "1", "0", "1", "2", "0", ""],
        [f"6. {sdg_names[6]}", "0", "0", "1", "1", "0", ""],
        [f"11. {sdg_names[11]}", "2", "1", "0", "3", "0", ""],
    ]
    assert table_rows(body, "group-table") == [
        [group_labels["ELDERLY"], "2", "0", "1", "3"],
        [group_labels["LOW_INCOME"], "1", "0", "0", "1"],
        [group_labels["CHILDREN_AND_YOUTH"], "0", "1", "0", "1"],
    ]


async def test_the_sdg_table_carries_projects_and_money_pledged_per_goal(client):
    # given: a project addressing the issue tagged SDG 3 and 11, with 1500 UAH pledged
    seeded = await seed_community(INSIGHTS_SPOTS)
    lead = await make_person()
    project = await make_project(seeded.community, lead, [seeded.issues[0]])
    await Pledge.create(
        project=project,
        backer=lead,
        made_by=lead,
        kind=PledgeKind.MONEY,
        amount_minor=150_000,
        currency=Currency.UAH,
    )
    # when
    body = (await client.get(f"/c/{seeded.global_id}")).text
    # then: projects and money per goal (digits grouped with a thin space)
    assert '<dd data-field="total-projects">1</dd>' in body
    assert [row[5:] for row in table_rows(body, "sdg-table")] == [
        ["1", "1\u202f500.00 UAH"],
        ["0", ""],
        ["1", "1\u202f500.00 UAH"],
    ]


async def test_the_community_page_in_ukrainian_uses_the_api_labels(client):
    # given
    seeded = await seed_community(INSIGHTS_SPOTS)
    sdg_names, group_labels = await taxonomies(client, "UK")
    # when
    body = (await client.get(f"/c/{seeded.global_id}", params={"lang": "uk"})).text
    # then
    assert '<html lang="uk">' in body
    assert chart_labels(body, "sdg-chart")[0] == short_label(f"3. {sdg_names[3]}")
    assert chart_labels(body, "group-chart")[0] == short_label(group_labels["ELDERLY"])
    assert f'<a class="map-link" href="/c/{seeded.global_id}/map?lang=uk">' in body
    assert f'href="/c/{seeded.global_id}" hreflang="en" lang="en">English</a>' in body


async def test_a_community_without_issues_says_so_instead_of_an_empty_chart(client):
    # given
    community = await make_community("Empty hromada")
    # when
    body = (await client.get(f"/c/{to_global_id('Community', community.pk)}")).text
    # then
    assert '<p class="insights-empty">No issues have been mapped yet.</p>' in body
    assert "<svg" not in body


async def test_the_community_name_is_escaped_on_both_pages(client):
    # given
    seeded = await seed_community(INSIGHTS_SPOTS, name=HOSTILE_NAME, population=None)
    # when
    community = await client.get(f"/c/{seeded.global_id}")
    map_page = await client.get(f"/c/{seeded.global_id}/map")
    # then
    for response in (community, map_page):
        assert response.status_code == 200
        assert f"<h1>{ESCAPED_NAME}</h1>" in response.text
        assert HOSTILE_NAME not in response.text
        assert "<script>alert" not in response.text
    assert f"<title>{ESCAPED_NAME}</title>" in community.text
    assert 'data-field="population"' not in community.text  # unknown, so not shown


@pytest.mark.parametrize(
    "raw_id",
    [
        to_global_id("Community", 999_999),  # well formed, names nothing
        to_global_id("Issue", 1),  # another type's ID
        "not-an-id",
        "%3Cb%3Eboom",  # <b>boom
        to_global_id("Community", 2**40),  # beyond any primary key
    ],
)
async def test_an_unknown_or_invalid_community_gets_a_friendly_404(client, raw_id):
    # when
    community = await client.get(f"/c/{raw_id}")
    map_page = await client.get(f"/c/{raw_id}/map")
    # then
    for response in (community, map_page):
        assert response.status_code == 404
        assert "<h1>No such community</h1>" in response.text
        assert "<b>boom" not in response.text
    if raw_id.startswith("%3C"):
        assert "<strong>&lt;b&gt;boom</strong>" in community.text


async def test_the_map_page_carries_the_view_filters_and_scripts(client):
    # given
    seeded = await seed_community(INSIGHTS_SPOTS)
    # when
    response = await client.get(
        f"/c/{seeded.global_id}/map",
        params={"status": "OPEN", "group": "ELDERLY", "sdg": "99", "z": "15", "lat": "nan"},
    )
    # then: the community's centre (lat was not a number), the zoom asked for
    assert response.status_code == 200
    body = response.text
    assert f'data-community-id="{seeded.global_id}"' in body
    assert 'data-graphql-path="/graphql"' in body
    assert 'data-latitude="49.44" data-longitude="32.06"' in body
    assert 'data-zoom="15"' in body
    assert 'data-tile-url=""' in body
    # then: filters chosen in the URL are selected; an SDG out of range is ignored
    assert '<option value="OPEN" selected>Open</option>' in body
    assert re.search(r'<option value="ELDERLY" selected>[^<]+</option>', body)
    assert " selected>" not in body.split('name="sdg"')[1].split("</select>")[0]
    # "Any" first in each of the five, then every status, goal, group, category and sector
    choices = len(IssueStatus) + 17 + len(AffectedGroup) + len(IssueCategory) + len(Sector)
    assert body.count("<option value=") == 5 + choices
    assert re.findall(r'<script defer src="/static/([a-z-]+\.js)\?v=[0-9a-f]{12}">', body) == [
        "map-projection.js",
        "map-data.js",
        "map-canvas.js",
        "map-gestures.js",
        "map.js",
    ]
    # then: without a tile server, images come only from the hub itself
    assert "img-src 'self' data:;" in response.headers["content-security-policy"]


async def test_a_tile_server_is_allowed_by_the_content_security_policy(client_with_tiles):
    # given
    seeded = await seed_community([])
    # when
    response = await client_with_tiles.get(f"/c/{seeded.global_id}/map")
    # then
    assert f'data-tile-url="{UNREACHABLE_TILES}"' in response.text
    policy = response.headers["content-security-policy"]
    assert "img-src 'self' data: http://127.0.0.1:9;" in policy
    assert "script-src 'self';" in policy


async def test_the_map_scripts_and_styles_are_served(client):
    for name in (
        "map.js",
        "map-canvas.js",
        "map-data.js",
        "map-gestures.js",
        "map-projection.js",
        "places.css",
    ):
        response = await client.get(f"/static/{name}")
        assert response.status_code == 200, name
    assert "issueClusters" in (await client.get("/static/map-data.js")).text
