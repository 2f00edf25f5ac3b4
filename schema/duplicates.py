"""GraphQL of duplicate avoidance: similar-issue suggestions, merging duplicates, "me too"."""

from typing import Annotated

import strawberry

from models import IssueCategory
from resolvers import duplicates as duplicate_resolvers
from resolvers import suggestions as suggestion_resolvers
from resolvers.errors import NotFound, ValidationFailed
from resolvers.issue import Location
from schema.community import GeoPointInput
from schema.context import Info
from schema.errors import (
    AnyError,
    NotFoundError,
    ValidationError,
    error_result,
)
from schema.issue import Issue
from schema.mutation_support import as_result


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


@strawberry.input(description="Mark an issue a duplicate of another issue of its community.")
class MarkDuplicateInput:
    issue_id: strawberry.ID = strawberry.field(description="The duplicate.")
    duplicate_of_id: strawberry.ID = strawberry.field(
        description="The original it repeats (OPEN or ADDRESSED, not itself a duplicate)."
    )


@strawberry.type(description="The issue is now a duplicate; its people and projects moved.")
class MarkDuplicateSuccess:
    issue: Issue = strawberry.field(description="The duplicate, now DUPLICATE.")
    original: Issue = strawberry.field(description="The original, with the merged people.")


@strawberry.input(description='Say an issue affects you too ("me too"), or no longer.')
class AffectsMeTooInput:
    issue_id: strawberry.ID = strawberry.field(description="The issue.")
    affected: bool = strawberry.field(default=True, description="False to take your answer back.")


@strawberry.type(description="Your answer was recorded.")
class AffectsMeTooSuccess:
    issue: Issue = strawberry.field(
        description="The issue the answer is recorded on: the original of a duplicate."
    )
    affected: bool = strawberry.field(description="Whether the issue now counts you.")
    redirected_from: Issue | None = strawberry.field(
        description="The duplicate you named, when the answer went to its original; else null."
    )


SimilarIssuesResult = Annotated[
    SimilarIssues | ValidationError | NotFoundError,
    strawberry.union("SimilarIssuesResult", description="Suggestions, or why not."),
]
MarkDuplicateResult = Annotated[
    MarkDuplicateSuccess | AnyError,
    strawberry.union("MarkDuplicateResult", description="The merged issues, or why not."),
]
AffectsMeTooResult = Annotated[
    AffectsMeTooSuccess | AnyError,
    strawberry.union("AffectsMeTooResult", description="The recorded answer, or why not."),
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
class DuplicateQuery:
    @strawberry.field(
        description="Existing open issues a new issue may repeat: ask before defining one."
    )
    async def similar_issues(self, info: Info, input: SimilarIssuesInput) -> SimilarIssuesResult:
        first = suggestion_resolvers.DEFAULT_SUGGESTIONS if input.first is None else input.first
        try:
            found = await suggestion_resolvers.similar_issues(
                community_id=input.community_id,
                title=input.title,
                description=input.description,
                location=_location(input.location),
                category=input.category,
                first=first,
            )
        except (ValidationFailed, NotFound) as error:
            result = error_result(error)
            assert isinstance(result, ValidationError | NotFoundError)
            return result
        return SimilarIssues(suggestions=[_suggestion(info, item) for item in found])


@strawberry.type
class DuplicateMutation:
    @strawberry.mutation(
        description="Mark an issue a duplicate (its author or a community moderator): its "
        "followers, affected people and projects move to the original."
    )
    async def mark_duplicate(self, info: Info, input: MarkDuplicateInput) -> MarkDuplicateResult:
        async def run() -> MarkDuplicateSuccess:
            merge = await duplicate_resolvers.mark_duplicate(
                info.context.viewer,
                issue_id=input.issue_id,
                duplicate_of_id=input.duplicate_of_id,
            )
            community_id = merge.duplicate.community_id
            await info.context.notifier.community_changed(community_id, "issue", merge.duplicate.pk)
            await info.context.notifier.community_changed(community_id, "issue", merge.original.pk)
            return MarkDuplicateSuccess(
                issue=Issue.from_row(merge.duplicate), original=Issue.from_row(merge.original)
            )

        return await as_result(run())

    @strawberry.mutation(description='Say an issue affects you too ("me too"); idempotent.')
    async def affects_me_too(self, info: Info, input: AffectsMeTooInput) -> AffectsMeTooResult:
        async def run() -> AffectsMeTooSuccess:
            answer = await duplicate_resolvers.affects_me_too(
                info.context.viewer, issue_id=input.issue_id, affected=input.affected
            )
            await info.context.notifier.community_changed(
                answer.issue.community_id, "issue", answer.issue.pk
            )
            redirected = answer.redirected_from
            return AffectsMeTooSuccess(
                issue=Issue.from_row(answer.issue),
                affected=answer.affected,
                redirected_from=Issue.from_row(redirected) if redirected else None,
            )

        return await as_result(run())
