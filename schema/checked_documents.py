"""Parse and validate each distinct GraphQL document once per process, not once per request.

Audiences send the same few documents thousands of times (``supportPitch`` at a pitching
night, the feed query of the mobile app), and validating a document costs far more than
executing a small mutation: a profile of the live benchmark spent 27 % of the CPU
validating ``supportPitch``. Parsing and validation depend only on the document text and
the schema, so both are cached in bounded LRU caches (a client sending endless unique
documents only evicts entries).

Cached validation needs the graphql-core schema behind strawberry's, which strawberry
keeps in its private ``_schema`` (its own validation reads it there too). Where a strawberry
no longer has it, ``graphql_core_schema`` warns once and documents are validated by
strawberry itself, uncached, with the same rules.

This extension also carries our limits (query depth, aliases) as validation rules built
once: strawberry's ``QueryDepthLimiter``/``MaxAliasesLimiter`` build a new rule class for
every request, which would make every cache key unique.
"""

import logging
from collections.abc import Iterator
from contextlib import suppress
from functools import cache, lru_cache
from typing import Any

from graphql import ASTValidationRule, DocumentNode, GraphQLError, GraphQLSchema, parse
from strawberry.extensions import SchemaExtension
from strawberry.extensions.max_aliases import create_validator as aliases_rule
from strawberry.extensions.query_depth_limiter import create_validator as depth_rule
from strawberry.schema.schema import validate_document

logger = logging.getLogger(__name__)

MAX_QUERY_DEPTH = 12
MAX_ALIASES = 30
CACHED_DOCUMENTS = 256
LIMIT_RULES: tuple[type[ASTValidationRule], ...] = (
    depth_rule(MAX_QUERY_DEPTH, None, None),
    aliases_rule(MAX_ALIASES),
)


@lru_cache(maxsize=CACHED_DOCUMENTS)
def _parsed(query: str, options: tuple[tuple[str, Any], ...]) -> DocumentNode:
    return parse(query, **dict(options))


def parsed_or_none(query: str) -> DocumentNode | None:
    """The document of a query text from the cache (parsing it once), or None if invalid."""
    try:
        return _parsed(query, ())
    except GraphQLError:
        return None


@lru_cache(maxsize=CACHED_DOCUMENTS)
def _problems(
    schema: GraphQLSchema,
    document: DocumentNode,  # hashed by identity: the same object comes from _parsed
    rules: tuple[type[ASTValidationRule], ...],
) -> tuple[GraphQLError, ...]:
    return tuple(validate_document(schema, document, rules))


@cache
def graphql_core_schema(schema: object) -> GraphQLSchema | None:
    """The graphql-core schema of a strawberry schema, or None (with one warning)."""
    found = getattr(schema, "_schema", None)
    if isinstance(found, GraphQLSchema):
        return found
    logger.warning("strawberry keeps no graphql-core schema in _schema: validation uncached")
    return None


class CheckedDocuments(SchemaExtension):
    """Depth and alias limits, and cached parsing and validation."""

    def on_operation(self) -> Iterator[None]:
        context = self.execution_context
        context.validation_rules = context.validation_rules + LIMIT_RULES
        yield

    def on_parse(self) -> Iterator[None]:
        context = self.execution_context
        if context.query and context.graphql_document is None:
            options = tuple(sorted(context.parse_options.items()))
            # A syntax error is left to strawberry's own parse, which reports it properly.
            with suppress(GraphQLError):
                context.graphql_document = _parsed(context.query, options)
        yield

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        graphql_schema = graphql_core_schema(context.schema)
        if (
            graphql_schema is not None
            and context.graphql_document is not None
            and context.pre_execution_errors is None
        ):
            problems = _problems(graphql_schema, context.graphql_document, context.validation_rules)
            context.pre_execution_errors = list(problems)
        yield
