"""Snapshot subscriptions executed once per cohort, not once per viewer.

Ten thousand phones watching one pitching night send the same ``eventLive`` document with
the same variables. Executing it per viewer made GraphQL execution and JSON encoding most
of the server's CPU. Viewers of the same (document, operation name, variables) are a
*cohort*: one subscription runs per cohort and process, each of its results is encoded once,
and every member's connection sends those same bytes, framed with its own operation id.

Only viewer-independent snapshot fields qualify (``COHORT_FIELDS``: everything under them is
plain snapshot data, which ``tests/test_cohorts.py`` checks on the schema), so the cohort
executes as an anonymous viewer and the result is right for every member. Other
subscriptions (``communityActivity`` is a stream of entries, not a snapshot) run per
connection as strawberry does.

Each member holds only the newest payload (conflation, as ``subscriptions.conflation`` does
for snapshots): a connection that sends slowly skips to the newest instead of queueing.
"""

import asyncio
import json
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import aclosing, asynccontextmanager
from dataclasses import dataclass
from typing import Any

from graphql import FieldNode, GraphQLFormattedError, OperationType, get_operation_ast
from strawberry import Schema
from strawberry.types import ExecutionResult
from strawberry.types.execution import PreExecutionError

from schema.checked_documents import parsed_or_none

logger = logging.getLogger(__name__)

COHORT_FIELDS = frozenset({"eventLive", "projectSupport"})


@dataclass(frozen=True)
class CohortKey:
    query: str
    operation_name: str | None
    variables: str  # canonical JSON

    @property
    def variable_values(self) -> dict[str, Any]:
        values: dict[str, Any] = json.loads(self.variables)
        return values


def cohort_key(
    query: str, variables: dict[str, Any] | None, operation_name: str | None
) -> CohortKey | None:
    """The cohort of a subscribe message, or None when it must run on its own."""
    document = parsed_or_none(query)
    if document is None:
        return None
    operation = get_operation_ast(document, operation_name)
    if operation is None or operation.operation != OperationType.SUBSCRIPTION:
        return None
    selections = operation.selection_set.selections
    if len(selections) != 1 or not isinstance(selections[0], FieldNode):
        return None
    if selections[0].name.value not in COHORT_FIELDS:
        return None
    try:
        canonical = json.dumps(variables or {}, sort_keys=True, separators=(",", ":"))
    except (TypeError, ValueError):
        return None
    return CohortKey(query, operation_name, canonical)


def encode_payload(result: ExecutionResult) -> str:
    """The ``payload`` of a next/data message, as strawberry builds it, encoded once."""
    payload: dict[str, object] = {"data": result.data}
    if result.errors:
        payload["errors"] = [error.formatted for error in result.errors]
    if result.extensions:
        payload["extensions"] = result.extensions
    return json.dumps(payload, separators=(",", ":"))


class Member:
    """One subscribed operation in a cohort: the newest payload, then how it ended."""

    def __init__(self) -> None:
        self._pending: str | None = None
        self._ended = False
        self._ready = asyncio.Event()
        self.errors: list[GraphQLFormattedError] | None = None  # set when it ended before running
        self.skipped = 0  # payloads replaced by a newer one before this member sent them

    def offer(self, payload: str) -> None:
        if self._pending is not None:
            self.skipped += 1
        self._pending = payload
        self._ready.set()

    def end(self, errors: list[GraphQLFormattedError] | None) -> None:
        self.errors = errors
        self._ended = True
        self._ready.set()

    async def payloads(self) -> AsyncIterator[str]:
        """The payloads to send, newest only, until the cohort's subscription ends."""
        while True:
            if self._pending is None and not self._ended:
                self._ready.clear()
                await self._ready.wait()
            if self._pending is not None:
                payload, self._pending = self._pending, None
                yield payload
            elif self._ended:
                return


@dataclass
class CohortStats:
    """Counters of one process's cohorts, for tests and capacity planning."""

    cohorts_started: int = 0
    executions: int = 0  # results executed and encoded (each shared by a whole cohort)


class Cohort:
    def __init__(
        self, key: CohortKey, run: Callable[["Cohort"], Any], on_end: Callable[["Cohort"], None]
    ) -> None:
        self.key = key
        self.members: set[Member] = set()
        self.latest: str | None = None
        self.ended = False
        self.errors: list[GraphQLFormattedError] | None = None
        self._on_end = on_end
        self.task: asyncio.Task[None] = asyncio.create_task(run(self), name="cohort")

    def join(self, member: Member) -> None:
        self.members.add(member)
        if self.latest is not None:
            member.offer(self.latest)
        if self.ended:
            member.end(self.errors)

    def publish(self, payload: str) -> None:
        self.latest = payload
        for member in self.members:
            member.offer(payload)

    def end(self, errors: list[GraphQLFormattedError] | None = None) -> None:
        self.ended, self.errors = True, errors
        for member in self.members:
            member.end(errors)
        self._on_end(self)


class Cohorts:
    """The cohorts of one process, by key; a cohort stops when its last member leaves."""

    def __init__(self, schema: Schema, context: Callable[[], object]) -> None:
        self.schema = schema
        self.context = context  # the anonymous context a cohort executes with
        self.stats = CohortStats()
        self._cohorts: dict[CohortKey, Cohort] = {}

    @property
    def count(self) -> int:
        return len(self._cohorts)

    @asynccontextmanager
    async def join(self, key: CohortKey) -> AsyncIterator[Member]:
        cohort = self._cohorts.get(key)
        if cohort is None:
            cohort = Cohort(key, self._run, self._forget)
            self._cohorts[key] = cohort
            self.stats.cohorts_started += 1
        member = Member()
        cohort.join(member)
        try:
            yield member
        finally:
            cohort.members.discard(member)
            if not cohort.members and not cohort.ended:
                self._forget(cohort)
                cohort.task.cancel()  # closes its subscription, and so its hub channel

    def _forget(self, cohort: Cohort) -> None:
        if self._cohorts.get(cohort.key) is cohort:
            del self._cohorts[cohort.key]

    async def _run(self, cohort: Cohort) -> None:
        key = cohort.key
        try:
            source = await self.schema.subscribe(
                key.query,
                variable_values=key.variable_values,
                context_value=self.context(),
                operation_name=key.operation_name,
            )
            async with aclosing(source):
                async for result in source:
                    if isinstance(result, PreExecutionError):  # invalid document or variables
                        cohort.end([error.formatted for error in result.errors or []])
                        return
                    self.stats.executions += 1
                    cohort.publish(encode_payload(result))
        except asyncio.CancelledError:
            raise
        except Exception:  # strawberry turns resolver errors into results; this is a bug
            logger.exception("a live cohort failed")
        cohort.end()
