"""GraphQL of duplicates: marking an issue a duplicate (merging it), and "affects me too".

Suggesting issues a draft may repeat, before it is defined, is ``schema/suggestions.py``.
"""

from typing import Annotated

import strawberry

from resolvers import duplicates as duplicate_resolvers
from schema.context import Info
from schema.errors import AnyError, as_result
from schema.issue import Issue


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


MarkDuplicateResult = Annotated[
    MarkDuplicateSuccess | AnyError,
    strawberry.union("MarkDuplicateResult", description="The merged issues, or why not."),
]
AffectsMeTooResult = Annotated[
    AffectsMeTooSuccess | AnyError,
    strawberry.union("AffectsMeTooResult", description="The recorded answer, or why not."),
]


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
