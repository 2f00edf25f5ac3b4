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

A cohort hands a snapshot to its members in a *sweep*, letting the event loop turn every
``SWEEP_SLICE`` seconds of sending. Waking all 5,000 members of a process at once
made one turn of the loop last the whole fan-out, and every request in the process (a
pledge, a snapshot load) waited that long at each of its awaits: the write path starved.
The cohort takes its next snapshot only when the sweep is over, so the snapshot rate adapts
to the audience: a big one gets fewer, fresher snapshots instead of a backlog. The slice is
20 ms: at 10,000 viewers on 2 processes (frames written directly, no GC pauses), 20 ms
gave more deliveries and lower latencies than 10 ms, for pledges as for screens (measured
in ``bench/RESULTS.md``); a pledge waits at most one slice per await.
"""

import asyncio
import json
import logging
from collections.abc import AsyncIterator, Callable, Coroutine
from contextlib import aclosing, asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from graphql import FieldNode, GraphQLFormattedError, OperationType, get_operation_ast
from strawberry import Schema
from strawberry.types import ExecutionResult
from strawberry.types.execution import PreExecutionError

import schema.metrics as metrics
from live.eager import start_eagerly
from live.frames import text_frame
from live.protocol import WriteTextFrame
from schema.checked_documents import parsed_or_none

logger = logging.getLogger(__name__)

COHORT_FIELDS = frozenset({"eventLive", "projectSupport"})
SWEEP_SLICE = 0.02  # seconds of sending between two turns of the event loop
SWEEP_CLOCK_EVERY = 16  # members sent to between two looks at the clock
CLOSE = b"}"  # the end of a frame after its payload


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


Send = Callable[[str], Coroutine[Any, Any, None]]


@dataclass(frozen=True, slots=True)
class Payload:
    """One snapshot's encoded payload, as text (for ASGI sends) and as whole WebSocket
    frames (for frames written directly), each made once per snapshot.

    A frame is the payload behind a member's head (its operation id), so members whose
    heads are equal share one frame: the hub's audience page numbers its operations from
    1, so a pitching night's phones mostly share one.
    """

    text: str
    utf8: bytes
    frames: dict[bytes, bytes] = field(default_factory=dict)  # by head

    @classmethod
    def of(cls, text: str) -> "Payload":
        return cls(text, text.encode())

    def frame_for(self, head: bytes) -> bytes:
        frame = self.frames.get(head)
        if frame is None:
            frame = self.frames[head] = text_frame((head, self.utf8, CLOSE))
        return frame


class Member:
    """One subscribed operation in a cohort: its connection's sends, and how it ended.

    The cohort's sweep sends each payload eagerly (``deliver``): on a healthy connection
    the frame is written before the sweep moves on, with no task woken; with ``write`` (the
    connection's ``write_text_frame``, see ``live.direct_writes``) it is written straight to
    the transport from the shared bytes. While a send of this member's is still waiting (a
    slow client), the newest payload is kept instead and the member's own task (``run``)
    sends it once the connection is free: newest only, in order.
    """

    def __init__(
        self, head: str, send: Send, stats: "CohortStats", write: WriteTextFrame | None = None
    ) -> None:
        self._head = head  # the frame up to its payload: {"id":...,"type":"next","payload":
        self._head_utf8 = head.encode()
        self._send = send
        self._write = write
        self._stats = stats
        self._pending: Payload | None = None
        self._ended = False
        self._ready = asyncio.Event()  # a payload is pending, or the cohort ended
        self._free = asyncio.Event()  # no send of this member's is in progress
        self._free.set()
        self._finishing: asyncio.Task[None] | None = None
        self.errors: list[GraphQLFormattedError] | None = None  # set when it ended before running
        self.skipped = 0  # payloads replaced by a newer one before this member sent them
        self.frames_sent = 0  # started sends (for keepalive: a busy connection is not idle)

    def offer(self, payload: Payload) -> None:
        """Keep the payload as the newest for ``run`` to send."""
        if self._pending is not None:
            self.skipped += 1
        self._pending = payload
        self._ready.set()

    def deliver(self, payload: Payload) -> None:
        """Send the payload now if the connection is free, else keep it as the newest."""
        if not self._free.is_set() or self._ended:
            self.offer(payload)
            return
        if self._pending is not None:  # older than this one: never sent
            self._pending = None
            self.skipped += 1
        self.frames_sent += 1
        if self._write is not None and self._written_directly(payload):
            self._stats.written_directly += 1
            return
        self._free.clear()
        try:
            finishing = start_eagerly(self._send(self._head + payload.text + "}"))
        except Exception:  # the connection is gone; its own task notices and leaves
            self._free.set()
            return
        if finishing is None:
            self._stats.sent_eagerly += 1
            self._free.set()
            return
        self._stats.sends_waiting += 1
        self._finishing = finishing
        finishing.add_done_callback(self._finished)

    def _written_directly(self, payload: Payload) -> bool:
        """Write the frame straight to the transport; a write that fails (a server that
        changed under us) sends this member's frames through ASGI from now on, and the
        rest of the cohort carries on."""
        assert self._write is not None
        try:
            return self._write(payload.frame_for(self._head_utf8))
        except Exception:
            self._write = None
            self._stats.direct_write_failures += 1
            if self._stats.direct_write_failures == 1:
                logger.warning("a direct frame write failed: ASGI sends instead", exc_info=True)
            return False

    def _finished(self, finishing: "asyncio.Task[None]") -> None:
        if not finishing.cancelled():
            finishing.exception()  # retrieved: a disconnect is handled by the connection
        self._finishing = None
        self._free.set()

    def end(self, errors: list[GraphQLFormattedError] | None) -> None:
        self.errors = errors
        self._ended = True
        self._ready.set()

    async def run(self) -> None:
        """Send what was kept for this member, newest only, until the cohort ends."""
        while True:
            if self._pending is None and not self._ended:
                self._ready.clear()
                await self._ready.wait()
            await self._free.wait()  # a send started by the sweep goes first
            if self._pending is not None:
                payload, self._pending = self._pending, None
                self._free.clear()
                self.frames_sent += 1
                try:
                    await self._send(self._head + payload.text + "}")
                finally:
                    self._free.set()
            elif self._ended:
                return

    def close(self) -> None:
        if self._finishing is not None:
            self._finishing.cancel()


@dataclass
class CohortStats:
    """Counters of one process's cohorts, for tests and capacity planning."""

    cohorts_started: int = 0
    executions: int = 0  # results executed and encoded (each shared by a whole cohort)
    written_directly: int = 0  # frames written to the transport from the shared bytes
    sent_eagerly: int = 0  # frames the sweep wrote at once
    sends_waiting: int = 0  # frames whose send had to wait for a slow connection
    direct_write_failures: int = 0  # members sent through ASGI after a direct write raised


class Cohort:
    def __init__(
        self, key: CohortKey, run: Callable[["Cohort"], Any], on_end: Callable[["Cohort"], None]
    ) -> None:
        self.key = key
        self.members: set[Member] = set()
        self.latest: Payload | None = None
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

    async def sweep(self, payload: Payload) -> None:
        """Hand the payload to every member, letting the event loop turn every slice."""
        self.latest = payload
        clock = asyncio.get_running_loop().time
        started = clock()
        slice_ends = started + SWEEP_SLICE
        for index, member in enumerate(list(self.members), start=1):
            member.deliver(payload)
            if index % SWEEP_CLOCK_EVERY == 0 and clock() >= slice_ends:
                await asyncio.sleep(0)  # requests and loads get a turn
                slice_ends = clock() + SWEEP_SLICE
        metrics.LIVE_FANOUT_SECONDS.observe(clock() - started)
        await asyncio.sleep(0)

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
    async def join(
        self, key: CohortKey, head: str, send: Send, write: WriteTextFrame | None = None
    ) -> AsyncIterator[Member]:
        """Join the cohort of ``key``; frames go out as ``head`` + payload + ``}``, written
        by ``write`` when it can, else through ``send``. Run ``member.run()`` for the
        payloads a busy connection must wait for."""
        cohort = self._cohorts.get(key)
        if cohort is None:
            cohort = Cohort(key, self._run, self._forget)
            self._cohorts[key] = cohort
            self.stats.cohorts_started += 1
        member = Member(head, send, self.stats, write)
        cohort.join(member)
        metrics.LIVE_SUBSCRIPTIONS.inc()
        try:
            yield member
        finally:
            metrics.LIVE_SUBSCRIPTIONS.dec()
            member.close()
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
                    await cohort.sweep(Payload.of(encode_payload(result)))
        except asyncio.CancelledError:
            raise
        except Exception:  # strawberry turns resolver errors into results; this is a bug
            logger.exception("a live cohort failed")
        cohort.end()
