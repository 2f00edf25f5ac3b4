"""Suggesting existing issues before a new one is defined: duplicate avoidance.

Only OPEN and ADDRESSED issues of the community are suggested. Each candidate gets

    text      = max(similarity(title, draft title),
                    word_similarity(draft title, title),
                    0.8 * word_similarity(title, draft title + description))
    proximity = 1 / (1 + (distance / 250 m)^2)     1 on the spot, 0.5 at 250 m,
                                                    0.2 at 500 m, 0.06 at 1 km
    category  = 1 when the draft's category is the issue's, else 0

    score = (0.55 text + 0.30 proximity + 0.15 category) / (sum of the weights used)

where ``similarity`` and ``word_similarity`` are pg_trgm's (see ``resolvers.similarity``),
and proximity (category) only counts when the draft gives a location (a category): the
score stays in 0..1 whatever the draft says. The third text term finds an issue whose
whole title appears in what the resident wrote ("There is a problem near my house: the
street lamps on Shevchenka Street...") at a discount, since long texts match more by chance.
Suggestions scoring below 0.35 are left out. So, much as FixMyStreet shows reports of the
same category nearby, an issue of the draft's category is suggested with no word in
common within ~180 m (0.30 proximity + 0.15 >= 0.35 needs proximity >= 2/3), and with a
little in common (text 0.2) within ~380 m; another category on the very spot needs text
0.1; a far-away issue needs a close title (text >= 0.64, or 0.36 in the same category).

Candidates (where they come from, on each database): ``resolvers.suggestion_candidates``.
"""

import math
from dataclasses import dataclass

from models import Issue, IssueCategory
from resolvers.community import community_by_global_id
from resolvers.issue import MAX_DESCRIPTION_LENGTH, MAX_TITLE_LENGTH, Location, check_location
from resolvers.similarity import TrigramText
from resolvers.suggestion_candidates import (
    EARTH_RADIUS_METERS,
    SIMILARITY_THRESHOLD,
    Candidate,
    Draft,
    find_candidates,
)
from resolvers.validation import Checker

DEFAULT_SUGGESTIONS = 5
MAX_SUGGESTIONS = 20

TEXT_WEIGHT = 0.55
PROXIMITY_WEIGHT = 0.30
CATEGORY_WEIGHT = 0.15
CONTEXT_FACTOR = 0.8
PROXIMITY_HALF_DISTANCE_METERS = 250.0
MIN_SCORE = 0.35

# A description is matched on its first characters only: enough to name a place and a
# problem, and it bounds the cost of word_similarity (quadratic in the text's length).
MAX_CONTEXT_LENGTH = 500


@dataclass(frozen=True)
class Suggestion:
    """An existing issue the draft may duplicate, and why."""

    issue: Issue
    score: float
    text_score: float
    distance_meters: float | None
    same_category: bool
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class _Scored:
    candidate: Candidate
    score: float
    text_score: float
    distance_meters: float | None
    same_category: bool
    from_description: bool  # the text score is the title found in the draft's description


async def similar_issues(
    *,
    community_id: str,
    title: str,
    description: str | None,
    location: Location | None,
    category: IssueCategory | None,
    first: int,
) -> list[Suggestion]:
    """The open issues of a community most likely to be the one being described."""
    checker = Checker()
    clean_title = checker.text("title", title, min_length=3, max_length=MAX_TITLE_LENGTH)
    clean_description = ""
    if description is not None:
        clean_description = checker.text(
            "description", description, min_length=0, max_length=MAX_DESCRIPTION_LENGTH
        )
    if location is not None:
        check_location(checker, location)
    checker.number_range("first", first, minimum=1, maximum=MAX_SUGGESTIONS)
    checker.raise_if_any()
    community = await community_by_global_id(community_id)
    context = f"{clean_title} {clean_description[:MAX_CONTEXT_LENGTH]}".strip()
    draft = Draft(TrigramText(clean_title), TrigramText(context), location, category)
    candidates = await find_candidates(community.pk, draft)
    ranked = sorted(
        (score_candidate(draft, candidate) for candidate in candidates),
        key=lambda scored: (-scored.score, -scored.text_score, scored.candidate.issue_id),
    )
    best = [scored for scored in ranked if scored.score >= MIN_SCORE][:first]
    rows = {row.pk: row for row in await Issue.filter(pk__in=[s.candidate.issue_id for s in best])}
    return [
        _suggestion(rows[s.candidate.issue_id], s) for s in best if s.candidate.issue_id in rows
    ]


def score_candidate(draft: Draft, candidate: Candidate) -> _Scored:
    """Combine text, proximity and category as the module docstring says."""
    title_text = max(candidate.title_similarity, candidate.title_word_similarity)
    description_text = CONTEXT_FACTOR * candidate.context_word_similarity
    text = max(title_text, description_text)
    total, weights = TEXT_WEIGHT * text, TEXT_WEIGHT
    distance = None
    if draft.location is not None:
        distance = distance_meters(draft.location, candidate.latitude, candidate.longitude)
        total += PROXIMITY_WEIGHT * proximity(distance)
        weights += PROXIMITY_WEIGHT
    same_category = draft.category is not None and draft.category == candidate.category
    if draft.category is not None:
        total += CATEGORY_WEIGHT * same_category
        weights += CATEGORY_WEIGHT
    from_description = description_text > title_text
    return _Scored(candidate, total / weights, text, distance, same_category, from_description)


def proximity(distance: float) -> float:
    return 1.0 / (1.0 + (distance / PROXIMITY_HALF_DISTANCE_METERS) ** 2)


def distance_meters(origin: Location, latitude: float, longitude: float) -> float:
    """Great-circle distance (haversine), exact enough for a community."""
    phi1, phi2 = math.radians(origin.latitude), math.radians(latitude)
    d_phi = phi2 - phi1
    d_lambda = math.radians(longitude - origin.longitude)
    h = math.sin(d_phi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(d_lambda / 2) ** 2
    return 2 * EARTH_RADIUS_METERS * math.asin(min(1.0, math.sqrt(h)))


def _suggestion(row: Issue, scored: _Scored) -> Suggestion:
    reasons = []
    if scored.text_score >= SIMILARITY_THRESHOLD:
        what = "title found in your description" if scored.from_description else "similar title"
        reasons.append(f"{what} ({scored.text_score:.2f})")
    if scored.distance_meters is not None:
        reasons.append(f"{_format_distance(scored.distance_meters)} away")
    if scored.same_category:
        reasons.append("same category")
    return Suggestion(
        issue=row,
        score=round(scored.score, 4),
        text_score=round(scored.text_score, 4),
        distance_meters=None
        if scored.distance_meters is None
        else round(scored.distance_meters, 1),
        same_category=scored.same_category,
        reasons=tuple(reasons),
    )


def _format_distance(meters: float) -> str:
    if meters < 1000:
        return f"{round(meters)} m"
    return f"{meters / 1000:.1f} km"
