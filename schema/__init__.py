"""The strawberry Schema: Query and Mutation composed from per-domain classes, Subscription."""

from graphql import GraphQLError
from strawberry import Schema
from strawberry.extensions import MaskErrors
from strawberry.tools import merge_types
from strawberry.types.base import get_object_definition

from resolvers.errors import DomainError
from resolvers.pagination import PaginationError
from schema.account import AccountMutation
from schema.activity import ActivityEntry
from schema.actor import Membership, Organization, Person
from schema.checked_documents import CheckedDocuments
from schema.community import Community, Region
from schema.duplicates import DuplicateMutation, DuplicateQuery
from schema.event import Pitch, PitchingEvent
from schema.event_mutations import EventMutation
from schema.insights import InsightsQuery
from schema.issue import Issue, IssueMutation
from schema.map import MapQuery
from schema.pledge import Pledge, PledgeMutation
from schema.project import Project, ProjectMutation
from schema.query import Query as RootQuery
from schema.subscription import Subscription
from schema.taxonomy import TaxonomyQuery

Query = merge_types("Query", (RootQuery, DuplicateQuery, MapQuery, TaxonomyQuery, InsightsQuery))
# merge_types drops the description: keep the root Query's, it documents the entry points.
get_object_definition(Query, strict=True).description = get_object_definition(
    RootQuery, strict=True
).description
Mutation = merge_types(
    "Mutation",
    (
        AccountMutation,
        IssueMutation,
        DuplicateMutation,
        ProjectMutation,
        PledgeMutation,
        EventMutation,
    ),
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
            CheckedDocuments,
            lambda: MaskErrors(
                should_mask_error=_is_unexpected, error_message="Internal server error."
            ),
        ],
    )


schema = build_schema()
