"""What the community pages read from the graph, as typed values.

Both pages query the schema in-process (``graphql_in_process``); this module holds the
queries and turns their JSON into small frozen dataclasses the templates render.
"""

from dataclasses import dataclass
from typing import Any

from starlette.requests import Request

from resolvers.ids import parse_global_id
from web.pages.graphql_in_process import PageQueryFailed, execute
from web.pages.i18n import Language

_COMMUNITY_QUERY = """
query Community($id: ID!) {
  community(id: $id) { id name population centre { latitude longitude } region { name } }
}
"""

_INSIGHTS_QUERY = """
query CommunityInsights($id: ID!, $locale: Locale!) {
  communityInsights(communityId: $id, locale: $locale) {
    __typename
    ... on CommunityInsights {
      totalIssues totalProjects
      issuesBySdg {
        number name open addressed resolved projects moneyPledged { amount currency }
      }
      issuesByAffectedGroup { group label open addressed resolved }
      issuesByStatus { status count }
    }
    ... on Error { code message }
  }
}
"""

_TAXONOMIES_QUERY = """
query MapTaxonomies($locale: Locale!) {
  sdgGoals(locale: $locale) { number name }
  affectedGroups(locale: $locale) { group label }
}
"""


@dataclass(frozen=True)
class CommunitySummary:
    global_id: str
    name: str
    region: str
    population: int | None
    latitude: float
    longitude: float


@dataclass(frozen=True)
class StatusCounts:
    open: int
    addressed: int
    resolved: int

    @property
    def total(self) -> int:
        return self.open + self.addressed + self.resolved


@dataclass(frozen=True)
class MoneyAmount:
    amount: str  # an exact decimal string, as the API sends it
    currency: str


@dataclass(frozen=True)
class SdgInsight:
    number: int
    name: str
    counts: StatusCounts
    projects: int
    money_pledged: tuple[MoneyAmount, ...]


@dataclass(frozen=True)
class GroupInsight:
    group: str
    label: str
    counts: StatusCounts


@dataclass(frozen=True)
class Insights:
    total_issues: int
    total_projects: int
    by_sdg: tuple[SdgInsight, ...]
    by_group: tuple[GroupInsight, ...]
    by_status: tuple[tuple[str, int], ...]


@dataclass(frozen=True)
class Option:
    """One choice of a filter: the API's enum value (or number) and its label."""

    value: str
    label: str


@dataclass(frozen=True)
class MapTaxonomies:
    sdg_goals: tuple[Option, ...]
    affected_groups: tuple[Option, ...]


def community_id_or_none(raw: str) -> str | None:
    """``raw`` when it is the global ID of a community, so nothing else is ever queried."""
    parsed = parse_global_id(raw)
    return raw if parsed is not None and parsed[0] == "Community" else None


def _summary(data: dict[str, Any]) -> CommunitySummary:
    return CommunitySummary(
        global_id=data["id"],
        name=data["name"],
        region=data["region"]["name"],
        population=data["population"],
        latitude=data["centre"]["latitude"],
        longitude=data["centre"]["longitude"],
    )


def _counts(data: dict[str, Any]) -> StatusCounts:
    return StatusCounts(open=data["open"], addressed=data["addressed"], resolved=data["resolved"])


def _insights(data: dict[str, Any]) -> Insights:
    if data["__typename"] != "CommunityInsights":
        raise PageQueryFailed(f"communityInsights: {data.get('code')}: {data.get('message')}")
    return Insights(
        total_issues=data["totalIssues"],
        total_projects=data["totalProjects"],
        by_sdg=tuple(
            SdgInsight(
                number=row["number"],
                name=row["name"],
                counts=_counts(row),
                projects=row["projects"],
                money_pledged=tuple(
                    MoneyAmount(amount=str(money["amount"]), currency=money["currency"])
                    for money in row["moneyPledged"]
                ),
            )
            for row in data["issuesBySdg"]
        ),
        by_group=tuple(
            GroupInsight(group=row["group"], label=row["label"], counts=_counts(row))
            for row in data["issuesByAffectedGroup"]
        ),
        by_status=tuple((row["status"], row["count"]) for row in data["issuesByStatus"]),
    )


async def find_community(request: Request, raw_id: str) -> CommunitySummary | None:
    """The community ``raw_id`` names, or None (malformed, another type's ID, or unknown)."""
    community_id = community_id_or_none(raw_id)
    if community_id is None:
        return None
    data = await execute(request, _COMMUNITY_QUERY, {"id": community_id})
    found = data["community"]
    return None if found is None else _summary(found)


async def community_insights(request: Request, community_id: str, language: Language) -> Insights:
    data = await execute(request, _INSIGHTS_QUERY, {"id": community_id, "locale": language.locale})
    return _insights(data["communityInsights"])


async def map_taxonomies(request: Request, language: Language) -> MapTaxonomies:
    """The SDG and affected-group choices of the map's filters, labelled in ``language``."""
    data = await execute(request, _TAXONOMIES_QUERY, {"locale": language.locale})
    return MapTaxonomies(
        sdg_goals=tuple(
            Option(value=str(goal["number"]), label=f"{goal['number']}. {goal['name']}")
            for goal in data["sdgGoals"]
        ),
        affected_groups=tuple(
            Option(value=group["group"], label=group["label"]) for group in data["affectedGroups"]
        ),
    )
