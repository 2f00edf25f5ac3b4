"""GraphQL of duplicate suggestions: existing issues a draft may repeat, asked before
``defineIssue`` (the scoring is ``resolvers/suggestions.py``)."""

from typing import Annotated

import strawberry

from models import IssueCategory
from resolvers import suggestions as suggestion_resolvers
from resolvers.issue import Location
from schema.community import GeoPointInput
from schema.context import Info
from schema.errors import NotFoundError, ValidationError, as_query_result
from schema.issue import Issue


@strawberry.input(description="A draft of a new issue, to find existing issues it may repeat.")
class SimilarIssuesInput:
    community_id: strawberry.ID = strawberry.field(description="Community to look in.")
    title: str = strawberry.field(description="The draft's title, 3-200 characters.")
    description: str | None = strawberry.field(
        default=None,
        description="The draft's description: issues found by title or location whose "
        "title appears in its first 500 characters score higher.",
    )
    location: GeoPointInput | None = strawberry.field(
        default=None, description="Where the problem is; nearby issues then rank higher."
    )
    category: IssueCategory | None = strawberry.field(
        default=None, description="The draft's category; issues of it rank higher."
    )
    first: int | None = strawberry.field(
        default=suggestion_resolvers.DEFAULT_SUGGESTIONS,
        description="How many suggestions at most (1-20; null means 5).",
    )


@strawberry.type(description="An existing issue the draft may repeat, and why it matched.")
class IssueSuggestion:
    issue: Issue = strawberry.field(description="The existing OPEN or ADDRESSED issue.")
    score: float = strawberry.field(
        description="How likely the draft repeats it, 0-1: text, proximity and category combined."
    )
    text_score: float = strawberry.field(
        description="Trigram similarity of the titles (and description), 0-1."
    )
    distance_meters: float | None = strawberry.field(
        description="Metres between the draft's location and the issue; null without location."
    )
    same_category: bool = strawberry.field(description="Whether the categories are the same.")
    reasons: list[str] = strawberry.field(
        description='Why it matched, for people: e.g. "similar title (0.72)", "38 m away".'
    )


@strawberry.type(description="Existing issues the draft may repeat, best first.")
class SimilarIssues:
    suggestions: list[IssueSuggestion] = strawberry.field(
        description="At most `first` suggestions scoring at least 0.35, best first."
    )


SimilarIssuesResult = Annotated[
    SimilarIssues | ValidationError | NotFoundError,
    strawberry.union("SimilarIssuesResult", description="Suggestions, or why not."),
]


def _location(value: GeoPointInput | None) -> Location | None:
    return None if value is None else Location(value.latitude, value.longitude)


def _suggestion(info: Info, found: suggestion_resolvers.Suggestion) -> IssueSuggestion:
    info.context.loaders.prime([found.issue])
    return IssueSuggestion(
        issue=Issue.from_row(found.issue),
        score=found.score,
        text_score=found.text_score,
        distance_meters=found.distance_meters,
        same_category=found.same_category,
        reasons=list(found.reasons),
    )


@strawberry.type
class SuggestionQuery:
    @strawberry.field(
        description="Existing open issues a new issue may repeat: ask before defining one."
    )
    async def similar_issues(self, info: Info, input: SimilarIssuesInput) -> SimilarIssuesResult:
        async def run() -> SimilarIssues:
            found = await suggestion_resolvers.similar_issues(
                community_id=input.community_id,
                title=input.title,
                description=input.description,
                location=_location(input.location),
                category=input.category,
                first=suggestion_resolvers.DEFAULT_SUGGESTIONS
                if input.first is None
                else input.first,
            )
            return SimilarIssues(suggestions=[_suggestion(info, item) for item in found])

        return await as_query_result(run())
