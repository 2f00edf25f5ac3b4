"""Where duplicate suggestions come from: candidate issues and their trigram measures.

Two routes, so a large community never means scoring every issue: titles similar to the
draft (pg_trgm's ``title % draft OR draft <% title``, served by the GIN trigram index on
``issue.title``) and, with a location, the issues nearest to it within 500 m (the GiST
index on ``point(longitude, latitude)``). Every value is a bound parameter.

On SQLite, or on a PostgreSQL whose ``LC_CTYPE`` is ``C`` (pg_trgm then sees no Cyrillic
letters), the same routes are computed with the Python port of pg_trgm
(``resolvers.similarity``): the text route over the community's latest 5,000 open issues,
the nearby route over a bounding-box query. On communities of that size both routes pick
the same candidates with the same measures on both databases.
"""

import logging
import math
from dataclasses import dataclass

from tortoise import connections
from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.queryset import QuerySet
from tortoise.transactions import in_transaction

from models import Issue, IssueCategory, IssueStatus
from resolvers.issue import Location
from resolvers.similarity import (
    TrigramText,
    similarity,
    word_similarity,
    word_similarity_bound,
)

logger = logging.getLogger(__name__)

SUGGESTED_STATUSES = (IssueStatus.OPEN, IssueStatus.ADDRESSED)
SIMILARITY_THRESHOLD = 0.3  # title % draft
WORD_SIMILARITY_THRESHOLD = 0.5  # draft <% title
NEARBY_RADIUS_METERS = 500.0
TEXT_CANDIDATES = 100
NEARBY_CANDIDATES = 50
PORTABLE_SCAN_LIMIT = 5000
NEARBY_SCAN_LIMIT = 5000
EARTH_RADIUS_METERS = 6_371_000.0


@dataclass(frozen=True)
class Draft:
    """What a resident typed so far."""

    title: TrigramText
    context: TrigramText  # title and the start of the description
    location: Location | None
    category: IssueCategory | None


@dataclass(frozen=True)
class Candidate:
    """An existing issue and the raw trigram measures of its title against the draft."""

    issue_id: int
    latitude: float
    longitude: float
    category: str
    title_similarity: float
    title_word_similarity: float
    context_word_similarity: float


def bounding_box(centre: Location, radius: float) -> tuple[float, float, float, float]:
    """(south, west, north, east) degrees enclosing a circle; clamped at the poles/date line."""
    d_lat = math.degrees(radius / EARTH_RADIUS_METERS)
    cos_lat = max(math.cos(math.radians(centre.latitude)), 1e-6)
    d_lon = min(180.0, math.degrees(radius / (EARTH_RADIUS_METERS * cos_lat)))
    return (
        max(-90.0, centre.latitude - d_lat),
        max(-180.0, centre.longitude - d_lon),
        min(90.0, centre.latitude + d_lat),
        min(180.0, centre.longitude + d_lon),
    )


async def find_candidates(community_pk: int, draft: Draft) -> list[Candidate]:
    connection = connections.get("default")
    if connection.capabilities.dialect == "postgres" and await trigrams_see_letters(connection):
        return await _postgres_candidates(community_pk, draft)
    return await _portable_candidates(community_pk, draft)


# Whether pg_trgm splits non-ASCII words into trigrams (False when LC_CTYPE is C);
# a property of the database, so asked once per process.
_trigrams_see_letters_cache: dict[str, bool] = {}


async def trigrams_see_letters(connection: BaseDBAsyncClient) -> bool:
    key = connection.connection_name
    if key not in _trigrams_see_letters_cache:
        rows = await connection.execute_query_dict(
            "SELECT cardinality(show_trgm($1)) > 0 AS sees", ["їжак"]
        )
        _trigrams_see_letters_cache[key] = bool(rows[0]["sees"])
        if not _trigrams_see_letters_cache[key]:
            logger.warning(
                "pg_trgm sees no Cyrillic letters (database LC_CTYPE is C): "
                "duplicate suggestions are computed in Python instead"
            )
    return _trigrams_see_letters_cache[key]


_MEASURES = """
SELECT id, latitude, longitude, category,
       similarity(title, $4) AS title_similarity,
       word_similarity($4, title) AS title_word_similarity,
       word_similarity(title, $5) AS context_word_similarity
FROM issue
"""
_TEXT_HITS = """
SELECT id FROM issue
WHERE community_id = $1 AND status IN ($2, $3) AND (title % $4 OR $4 <% title)
ORDER BY greatest(similarity(title, $4), word_similarity($4, title)) DESC, id
LIMIT $6
"""
_NEAR_HITS = """
SELECT id FROM issue
WHERE community_id = $1 AND status IN ($2, $3)
  AND point(longitude, latitude) <@ box(point($8, $7), point($10, $9))
ORDER BY point(longitude, latitude) <-> point($12, $11), id
LIMIT $13
"""
POSTGRES_TEXT_CANDIDATES = f"{_MEASURES} WHERE id IN ({_TEXT_HITS})"
POSTGRES_CANDIDATES = f"{_MEASURES} WHERE id IN (({_TEXT_HITS}) UNION ({_NEAR_HITS}))"


async def _postgres_candidates(community_pk: int, draft: Draft) -> list[Candidate]:
    values: list[object] = [
        community_pk,
        *(status.value for status in SUGGESTED_STATUSES),
        draft.title.text,
        draft.context.text,
        TEXT_CANDIDATES,
    ]
    sql = POSTGRES_TEXT_CANDIDATES
    if draft.location is not None:
        south, west, north, east = bounding_box(draft.location, NEARBY_RADIUS_METERS)
        values += [south, west, north, east, draft.location.latitude, draft.location.longitude]
        values.append(NEARBY_CANDIDATES)
        sql = POSTGRES_CANDIDATES
    async with in_transaction() as connection:
        # The % and <% operators read their thresholds from settings: pin ours for this
        # transaction only, so the portable route and this one pick the same candidates.
        await connection.execute_query_dict(
            "SELECT set_config('pg_trgm.similarity_threshold', $1, true),"
            " set_config('pg_trgm.word_similarity_threshold', $2, true)",
            [str(SIMILARITY_THRESHOLD), str(WORD_SIMILARITY_THRESHOLD)],
        )
        rows = await connection.execute_query_dict(sql, values)
    return [
        Candidate(
            issue_id=int(row["id"]),
            latitude=float(row["latitude"]),
            longitude=float(row["longitude"]),
            category=str(row["category"]),
            title_similarity=float(row["title_similarity"]),
            title_word_similarity=float(row["title_word_similarity"]),
            context_word_similarity=float(row["context_word_similarity"]),
        )
        for row in rows
    ]


async def _portable_candidates(community_pk: int, draft: Draft) -> list[Candidate]:
    open_issues = Issue.filter(community_id=community_pk, status__in=list(SUGGESTED_STATUSES))
    recent = await _titles(open_issues.order_by("-id").limit(PORTABLE_SCAN_LIMIT))
    # Cheap set arithmetic first; the quadratic word_similarity only for the candidates.
    measured = [_measure(draft, title) for title in recent if _may_be_text_hit(draft, title)]
    text_hits = sorted(
        (candidate for candidate in measured if _is_text_hit(candidate)),
        key=lambda c: (-max(c.title_similarity, c.title_word_similarity), c.issue_id),
    )[:TEXT_CANDIDATES]
    if draft.location is None:
        return text_hits
    south, west, north, east = bounding_box(draft.location, NEARBY_RADIUS_METERS)
    inside = open_issues.filter(
        latitude__gte=south, latitude__lte=north, longitude__gte=west, longitude__lte=east
    )
    found = {candidate.issue_id for candidate in text_hits}
    nearest = _nearest(draft.location, await _titles(inside.limit(NEARBY_SCAN_LIMIT)))
    return text_hits + [_measure(draft, t) for t in nearest if t.issue_id not in found]


async def _titles(query: QuerySet[Issue]) -> list["_Title"]:
    rows = await query.values_list("id", "title", "latitude", "longitude", "category")
    return [
        _Title(int(issue_id), TrigramText(str(title)), float(lat), float(lon), str(category))
        for issue_id, title, lat, lon, category in rows
    ]


@dataclass(frozen=True)
class _Title:
    issue_id: int
    title: TrigramText
    latitude: float
    longitude: float
    category: str


def _may_be_text_hit(draft: Draft, title: _Title) -> bool:
    return (
        similarity(title.title, draft.title) >= SIMILARITY_THRESHOLD
        or word_similarity_bound(draft.title, title.title) >= WORD_SIMILARITY_THRESHOLD
    )


def _measure(draft: Draft, title: _Title) -> Candidate:
    return Candidate(
        issue_id=title.issue_id,
        latitude=title.latitude,
        longitude=title.longitude,
        category=title.category,
        title_similarity=similarity(title.title, draft.title),
        title_word_similarity=word_similarity(draft.title, title.title),
        context_word_similarity=word_similarity(title.title, draft.context),
    )


def _is_text_hit(candidate: Candidate) -> bool:
    return (
        candidate.title_similarity >= SIMILARITY_THRESHOLD
        or candidate.title_word_similarity >= WORD_SIMILARITY_THRESHOLD
    )


def _nearest(origin: Location, titles: list[_Title]) -> list[_Title]:
    # Planar degrees, like PostgreSQL's point <-> point, so both pick the same nearest.
    return sorted(
        titles,
        key=lambda t: (
            math.hypot(t.longitude - origin.longitude, t.latitude - origin.latitude),
            t.issue_id,
        ),
    )[:NEARBY_CANDIDATES]
