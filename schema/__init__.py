"""The strawberry Schema: Query and Mutation composed from one class per domain, Subscription.

Each domain's module (``schema/issue.py``, ``schema/project.py``...) holds its types, inputs,
result unions and its ``<Domain>Query`` / ``<Domain>Mutation``; the resolvers of the same
name do the work.
"""

import logging

from graphql import GraphQLError
from strawberry import Schema
from strawberry.extensions import MaskErrors
from strawberry.tools import merge_types
from strawberry.types import ExecutionContext
from strawberry.types.base import get_object_definition

from resolvers.errors import DomainError
from resolvers.pagination import PaginationError
from schema.activity import ActivityEntry, ActivityQuery
from schema.api_key import ApiKey, ApiKeyMutation
from schema.checked_documents import CheckedDocuments
from schema.community import Community, CommunityMutation, CommunityQuery, Region
from schema.duplicates import DuplicateMutation
from schema.event import EventQuery, Pitch, PitchingEvent
from schema.event_mutations import EventMutation
from schema.insights import InsightsQuery
from schema.issue import Issue, IssueMutation, IssueQuery
from schema.map import MapQuery
from schema.match_pool import MatchPool, MatchPoolMutation, MatchPoolQuery
from schema.node_query import NodeQuery
from schema.organization import Membership, Organization, OrganizationMutation, OrganizationQuery
from schema.person import Person, PersonMutation, PersonQuery
from schema.pledge import Pledge, PledgeMutation
from schema.pledge_status import PledgeStatusMutation
from schema.project import Project, ProjectMutation, ProjectQuery
from schema.subscription import Subscription
from schema.suggestions import SuggestionQuery
from schema.taxonomy import TaxonomyQuery

Query = merge_types(
    "Query",
    (
        PersonQuery,
        NodeQuery,
        CommunityQuery,
        OrganizationQuery,
        IssueQuery,
        ProjectQuery,
        MatchPoolQuery,
        EventQuery,
        ActivityQuery,
        SuggestionQuery,
        MapQuery,
        TaxonomyQuery,
        InsightsQuery,
    ),
)
# merge_types leaves the merged type without a description: the root's documents the graph.
get_object_definition(
    Query, strict=True
).description = "Entry points for reading the collaboration graph."
Mutation = merge_types(
    "Mutation",
    (
        PersonMutation,
        OrganizationMutation,
        ApiKeyMutation,
        CommunityMutation,
        IssueMutation,
        DuplicateMutation,
        ProjectMutation,
        PledgeMutation,
        PledgeStatusMutation,
        MatchPoolMutation,
        EventMutation,
    ),
)


def _is_unexpected(error: GraphQLError) -> bool:
    """Mask internal failures; let validation and domain errors through to the client."""
    original = error.original_error
    if original is None:
        return False
    return not isinstance(original, DomainError | PaginationError | GraphQLError)


logger = logging.getLogger("schema")
LOGGED_MESSAGE_LENGTH = 200


class HubSchema(Schema):
    """strawberry's Schema, logging a client's mistakes in one short line each: a
    traceback per wrong password or unknown field would bury the real failures."""

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        for error in errors:
            if _is_unexpected(error):
                logger.error("unexpected failure: %s", error.message, exc_info=error.original_error)
                continue
            code = (error.extensions or {}).get("code", "INVALID")
            message = error.message
            if len(message) > LOGGED_MESSAGE_LENGTH:
                message = message[:LOGGED_MESSAGE_LENGTH] + "..."
            logger.info("client error %s: %s", code, message)


def build_schema() -> Schema:
    return HubSchema(
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
            MatchPool,
            ActivityEntry,
            PitchingEvent,
            Pitch,
            ApiKey,
        ],
        extensions=[
            CheckedDocuments,
            lambda: MaskErrors(
                should_mask_error=_is_unexpected, error_message="Internal server error."
            ),
        ],
    )


schema = build_schema()
