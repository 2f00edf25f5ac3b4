"""Bounded work before execution: each document is parsed and checked once, within limits.

Audiences send the same few documents thousands of times (``supportPitch`` at a pitching
night, the mobile feed), and validating a document costs far more than executing a small
mutation (27 % of the live benchmark's CPU was validating ``supportPitch``). So each
distinct document is parsed, measured and validated once per process and kept in a cache
bounded in bytes (``DOCUMENT_BYTES_PER_CHARACTER`` of memory per character of text, as
measured for graphql-core's AST), never in entries: 8 large documents had kept 335 MB.

Before graphql-core validates a document, it must pass cheap limits that are linear to
check: at most ``tokens`` tokens (the parser stops at the limit), and a shape within
``Limits`` with its fragments expanded (``schema/document_shape.py``). Then the operation's
cost is checked against the node and mutation limits (``schema/cost.py``), with the
request's variables, and kept for the rate limits (``schema/rate_limiting.py``).

The graphql-core schema behind strawberry's is kept in strawberry's private ``_schema``
(its own validation reads it there too). Where a strawberry no longer has it,
``graphql_core_schema`` warns once and strawberry validates, uncached.
"""

import logging
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from cachetools import LRUCache
from graphql import (
    ASTValidationRule,
    DocumentNode,
    GraphQLError,
    GraphQLSchema,
    OperationDefinitionNode,
    get_operation_ast,
    parse,
    validate,
)
from strawberry.extensions import SchemaExtension
from strawberry.schema.validation_rules.maybe_null import MaybeNullValidationRule
from strawberry.schema.validation_rules.one_of import OneOfInputValidationRule
from strawberry.types.graphql import OperationType

import schema.metrics as metrics
import schema.rate_limiting as rate_limiting
from schema.cost import Cost, actual_cost, cost_problems, operation_cost
from schema.cost import Limits as CostLimits
from schema.document_shape import Limits as ShapeLimits
from schema.document_shape import shape_problems

logger = logging.getLogger(__name__)

# Validation stops after this many errors (graphql-core's default is 100): each error costs
# its "did you mean" suggestions and a scan of the text for its line and column, so 660
# unknown arguments took 45 ms to refuse with 100 of them, and a client fixes the first
# few anyway.
MAX_VALIDATION_ERRORS = 20
DOCUMENT_BYTES_PER_CHARACTER = 64  # graphql-core's AST: 56-67 bytes per character, measured


@dataclass(frozen=True)
class DocumentLimits:
    characters: int = 65_536
    tokens: int = 2_000
    shape: ShapeLimits = field(
        default_factory=lambda: ShapeLimits(depth=12, aliases=30, fields=2_000, same_name=20)
    )
    cost: CostLimits = field(default_factory=lambda: CostLimits(nodes=50_000, mutations=5))


DEFAULT_LIMITS = DocumentLimits()


@dataclass
class CheckedDocument:
    """A parsed document, its shape problems and its validation problems (by rules)."""

    document: DocumentNode
    shape_problems: list[GraphQLError]
    validation: dict[tuple[type[ASTValidationRule], ...], list[GraphQLError]] = field(
        default_factory=dict
    )


class DocumentCache:
    """Checked documents by (text, limits), least recently used first out, bounded in bytes."""

    def __init__(self, max_bytes: int) -> None:
        self.configure(max_bytes)

    def configure(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self._entries: LRUCache[tuple[str, DocumentLimits], CheckedDocument] = LRUCache(
            maxsize=max(1, max_bytes), getsizeof=self._size
        )
        self._sizes: dict[int, int] = {}

    def _size(self, entry: CheckedDocument) -> int:
        return self._sizes.get(id(entry), 1)

    def get(self, query: str, limits: DocumentLimits) -> CheckedDocument | None:
        entry: CheckedDocument | None = self._entries.get((query, limits))
        return entry

    def put(self, query: str, limits: DocumentLimits, entry: CheckedDocument) -> None:
        size = len(query) * DOCUMENT_BYTES_PER_CHARACTER
        if size > self.max_bytes:
            return  # larger than the whole cache: checked, used once, not kept
        self._sizes[id(entry)] = size
        self._entries[(query, limits)] = entry
        if len(self._sizes) > 2 * len(self._entries) + 64:  # forget evicted entries' sizes
            alive = {id(value) for value in self._entries.values()}
            self._sizes = {key: size for key, size in self._sizes.items() if key in alive}

    @property
    def entries(self) -> int:
        return len(self._entries)

    @property
    def bytes(self) -> int:
        return int(self._entries.currsize)


documents = DocumentCache(64 * 1024 * 1024)


def check_document(query: str, limits: DocumentLimits) -> CheckedDocument:
    """The document of ``query`` parsed and measured (cached); raises a syntax error."""
    checked = documents.get(query, limits)
    if checked is None:
        if len(query) > limits.characters:
            raise GraphQLError(
                f"The document has {len(query):,} characters; at most {limits.characters:,} are "
                "allowed (send long texts as variables).",
                extensions={"code": "DOCUMENT_TOO_LARGE", "limit": limits.characters},
            )
        parsed = parse(query, max_tokens=limits.tokens)
        checked = CheckedDocument(parsed, shape_problems(parsed, limits.shape))
        documents.put(query, limits, checked)
    return checked


def parsed_or_none(query: str) -> DocumentNode | None:
    """A query text's document within the default limits (from the cache), or None."""
    try:
        checked = check_document(query, DEFAULT_LIMITS)
    except GraphQLError:
        return None
    return None if checked.shape_problems else checked.document


def validate_document(
    graphql_schema: GraphQLSchema,
    document: DocumentNode,
    rules: tuple[type[ASTValidationRule], ...],
) -> list[GraphQLError]:
    """strawberry's validation (its rules added to the given ones), stopping after
    ``MAX_VALIDATION_ERRORS`` errors."""
    every_rule = (*rules, MaybeNullValidationRule, OneOfInputValidationRule)
    return validate(graphql_schema, document, every_rule, max_errors=MAX_VALIDATION_ERRORS)


@cache
def graphql_core_schema(schema: object) -> GraphQLSchema | None:
    """The graphql-core schema of a strawberry schema, or None (with one warning)."""
    found = getattr(schema, "_schema", None)
    if isinstance(found, GraphQLSchema):
        return found
    logger.warning("strawberry keeps no graphql-core schema in _schema: validation uncached")
    return None


def _limits_of(context: object) -> DocumentLimits:
    limits = getattr(context, "document_limits", None)
    return limits if isinstance(limits, DocumentLimits) else DEFAULT_LIMITS


def _operation(document: DocumentNode, name: str | None) -> OperationDefinitionNode | None:
    try:
        return get_operation_ast(document, name)
    except GraphQLError:
        return None


def _operation_label(document: DocumentNode | None, name: str | None) -> str:
    """A metrics label bounded by the schema: the operation's type and first root field."""
    operation = _operation(document, name) if document is not None else None
    if operation is None:
        return "unparsed"
    first = next(iter(operation.selection_set.selections), None)
    field_name = getattr(getattr(first, "name", None), "value", "fragment")
    return f"{operation.operation.value}:{field_name}"


def _scope_problems(context: object, cost: Cost) -> list[GraphQLError]:
    """A read-only partner key may not run mutations."""
    key = getattr(context, "api_key", None)
    if key is None or cost.mutations == 0 or key.can_write:
        return []
    return [
        GraphQLError(
            "This API key may only read: mutations need a key with the WRITE scope.",
            extensions={"code": "SCOPE_REQUIRED", "scope": "WRITE"},
        )
    ]


class CheckedDocuments(SchemaExtension):
    """Token, shape and cost limits, cached parsing and validation, and paying for the
    request from its caller's bucket (``schema/rate_limiting.py``); see the module."""

    cost: Cost | None = None  # the operation's cost, once it passed validation
    paid: rate_limiting.Charge | None = None
    executed = False

    def on_operation(self) -> Iterator[None]:
        context = self.execution_context
        # strawberry parses again where we did not keep a document (a syntax error): with
        # the same token limit, so it stops where we did.
        context.parse_options = {
            **context.parse_options,
            "max_tokens": _limits_of(context.context).tokens,
        }
        yield

    def on_parse(self) -> Iterator[None]:
        context = self.execution_context
        if context.query and context.graphql_document is None:
            limits = _limits_of(context.context)
            try:
                checked = check_document(context.query, limits)
            except GraphQLError as error:  # a syntax error, or too many tokens
                context.pre_execution_errors = [error]
            else:
                context.graphql_document = checked.document
                if checked.shape_problems:
                    context.pre_execution_errors = list(checked.shape_problems)
        yield

    async def on_validate(self) -> AsyncIterator[None]:
        context = self.execution_context
        graphql_schema = graphql_core_schema(context.schema)
        document = context.graphql_document
        if (
            graphql_schema is not None
            and document is not None
            and context.pre_execution_errors is None
            and context.query
        ):
            limits = _limits_of(context.context)
            checked = check_document(context.query, limits)
            rules = tuple(context.validation_rules)
            problems = checked.validation.get(rules)
            if problems is None:
                problems = checked.validation[rules] = validate_document(
                    graphql_schema, document, rules
                )
            context.pre_execution_errors = list(problems)
            if not problems:
                await self._check_cost(graphql_schema, document, limits)
        yield

    async def _check_cost(
        self, graphql_schema: GraphQLSchema, document: DocumentNode, limits: DocumentLimits
    ) -> None:
        context = self.execution_context
        operation = _operation(document, context.operation_name)
        if operation is None:
            return  # graphql-core reports the missing or ambiguous operation
        variables: dict[str, Any] = context.variables or {}
        self.cost = operation_cost(graphql_schema, document, operation, variables)
        problems = cost_problems(self.cost, limits.cost) + _scope_problems(
            context.context, self.cost
        )
        if problems:
            context.pre_execution_errors = problems
            return
        self.paid = await rate_limiting.charge(context.context, self.cost)
        if self.paid is None:
            return
        rate_limiting.set_headers(getattr(context.context, "response", None), self.paid)
        if not self.paid.decision.allowed:
            context.pre_execution_errors = [rate_limiting.throttled_error(self.paid)]

    async def on_execute(self) -> AsyncIterator[None]:
        self.executed = True
        yield
        context = self.execution_context
        result = context.result
        if self.paid is not None and self.cost is not None and result is not None:
            data = getattr(result, "data", None)
            actual = actual_cost(data, self.cost.mutations)
            await rate_limiting.refund_unused(context.context, self.paid, actual)
            rate_limiting.set_headers(getattr(context.context, "response", None), self.paid)

    def _count(self, context: Any) -> None:
        if self.paid is not None and not self.paid.decision.allowed:
            outcome = "throttled"
            metrics.THROTTLED.labels(bucket=self.paid.key.split(":", 1)[0]).inc()
        elif not self.executed:
            outcome = "refused"
        else:
            result = context.result
            outcome = "error" if getattr(result, "errors", None) else "ok"
        label = _operation_label(context.graphql_document, context.operation_name)
        metrics.GRAPHQL_REQUESTS.labels(operation=label, outcome=outcome).inc()
        if self.cost is not None:
            metrics.GRAPHQL_COST.observe(self.cost.requested)

    def get_results(self) -> dict[str, Any]:
        context = self.execution_context
        is_subscription = context.graphql_document is not None and (
            _operation(context.graphql_document, context.operation_name) is not None
            and context.operation_type == OperationType.SUBSCRIPTION
        )
        self._count(context)
        if is_subscription:
            return {}  # frames are snapshots shared by whole cohorts
        results = rate_limiting.cost_extension(self.paid, self.cost)
        request_id = getattr(context.context, "request_id", None)
        if request_id is not None:
            results["requestId"] = request_id
        return results
