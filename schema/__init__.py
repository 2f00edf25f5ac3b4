"""The strawberry Schema: Query and Mutation composed from per-domain classes, Subscription."""

from graphql import GraphQLError
from strawberry import Schema
from strawberry.extensions import MaskErrors, MaxAliasesLimiter, QueryDepthLimiter
from strawberry.tools import merge_types

from resolvers.errors import DomainError
from resolvers.pagination import PaginationError
from schema.account import AccountMutation
from schema.activity import ActivityEntry
from schema.actor import Membership, Organization, Person
from schema.community import Community, Region
from schema.event import Pitch, PitchingEvent
from schema.event_mutations import EventMutation
from schema.issue import Issue, IssueMutation
from schema.pledge import Pledge, PledgeMutation
from schema.project import Project, ProjectMutation
from schema.query import Query
from schema.subscription import Subscription

MAX_QUERY_DEPTH = 12
MAX_ALIASES = 30

Mutation = merge_types(
    "Mutation",
    (AccountMutation, IssueMutation, ProjectMutation, PledgeMutation, EventMutation),
)


def _is_unexpected(error: GraphQLError) -> bool:
    """Mask internal failures; let validation and domain errors through to the client."""
    original = error.original_error
    if original is None:
        return False
    return not isinstance(original, DomainError | PaginationError | GraphQLError)


def build_schema() -> Schema:
    return Schema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        types=[
            Person,
            Organization,
            Membership,
            Region,
            Community,
            Issue,
            Project,
            Pledge,
            ActivityEntry,
            PitchingEvent,
            Pitch,
        ],
        extensions=[
            lambda: QueryDepthLimiter(max_depth=MAX_QUERY_DEPTH),
            lambda: MaxAliasesLimiter(max_alias_count=MAX_ALIASES),
            lambda: MaskErrors(
                should_mask_error=_is_unexpected, error_message="Internal server error."
            ),
        ],
    )


schema = build_schema()
