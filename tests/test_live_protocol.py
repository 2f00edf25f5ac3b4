"""What live delivery checks at start-up of the libraries it reads beneath their public API,
and how it falls back: frames (pure), uvicorn's protocol, strawberry's handlers and schema."""

import asyncio
import logging
from types import SimpleNamespace

import pytest
import uvicorn
from packaging.version import Version
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
)
from strawberry.subscriptions.protocols.graphql_ws.handlers import BaseGraphQLWSHandler
from websockets.frames import Frame, Opcode

from live.cohorts import Cohort, CohortKey, CohortStats, Member, Payload
from live.frames import text_frame, text_frame_header
from live.protocol import (
    OUR_PROTOCOL,
    SANSIO_MODULE,
    direct_writes_available,
    missing_attributes,
    uvicorn_own_protocol,
    websocket_protocol,
)
from live.websocket import LegacyWSHandler, TransportWSHandler, handler_classes, hooks_missing
from schema.checked_documents import graphql_core_schema

SIZES = (0, 1, 125, 126, 127, 65_535, 65_536, 200_000)  # around each header length switch


@pytest.mark.parametrize("length", SIZES)
def test_the_header_is_the_one_websockets_writes(length):
    payload = b"x" * length
    expected = Frame(Opcode.TEXT, payload).serialize(mask=False, extensions=[])
    assert text_frame_header(length) + payload == expected


def _complete_protocol() -> SimpleNamespace:
    conn = SimpleNamespace(state=1, expect_continuation_frame=False, extensions=[])
    return SimpleNamespace(
        conn=conn,
        close_sent=False,
        disconnected=False,
        writable=asyncio.Event(),
        transport=None,
        handle_connect=lambda event: None,
    )


def test_a_protocol_with_every_attribute_passes_the_probe():
    available, _ = direct_writes_available(_complete_protocol)
    assert available
    assert missing_attributes(_complete_protocol()) == []


def test_a_protocol_without_disconnected_is_served_as_uvicorns_own_with_one_warning(caplog):
    # given a uvicorn whose protocol lacks one attribute (as 0.52.0 lacked `disconnected`)
    # and whose connection lacks another
    def probe() -> object:
        protocol = _complete_protocol()
        del protocol.disconnected
        del protocol.conn.expect_continuation_frame
        return protocol

    # when the server chooses its protocol
    with caplog.at_level(logging.WARNING, logger="live.protocol"):
        chosen = websocket_protocol(probe)
    # then it serves uvicorn's default, and says why once
    assert chosen == uvicorn_own_protocol()
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert "disconnected, conn.expect_continuation_frame" in warnings[0].getMessage()


def test_a_uvicorn_without_websockets_sansio_is_served_as_it_is(caplog):
    def probe() -> object:
        raise ImportError(f"No module named '{SANSIO_MODULE}'")

    with caplog.at_level(logging.WARNING, logger="live.protocol"):
        assert websocket_protocol(probe) == uvicorn_own_protocol()
    assert "no websockets-sansio" in caplog.records[0].getMessage()


def test_a_probe_whose_constructor_changed_falls_back():
    def probe() -> object:
        raise TypeError("__init__() got an unexpected keyword argument '_loop'")

    available, reason = direct_writes_available(probe)
    assert not available
    assert "could not be probed" in reason


def test_the_installed_uvicorn_is_probed_for_real():
    # uvicorn's websockets-sansio protocol has had what direct writes read since 0.53
    # (0.52, the lowest we support, has no `disconnected`): the newest locked version
    # writes directly, the lowest goes through ASGI
    available, reason = direct_writes_available()
    assert available == (Version(uvicorn.__version__) >= Version("0.53")), reason
    assert websocket_protocol() == (OUR_PROTOCOL if available else "websockets-sansio")


def test_a_direct_write_that_fails_sends_that_viewer_through_asgi_from_then_on(caplog):
    # given a member whose direct write raises (a transport lacking an attribute)
    sent: list[str] = []

    def broken_write(frame: bytes) -> bool:
        raise AttributeError("'Transport' object has no attribute 'is_closing'")

    async def send(frame: str) -> None:
        sent.append(frame)

    stats = CohortStats()
    member = Member("{", send, stats, broken_write)
    # when two payloads are delivered
    with caplog.at_level(logging.WARNING, logger="live.cohorts"):
        member.deliver(Payload.of('"v":1'))
        member.deliver(Payload.of('"v":2'))
    # then both went through ASGI, the failure was counted and logged once
    assert sent == ['{"v":1}', '{"v":2}']
    assert (stats.direct_write_failures, stats.written_directly, stats.sent_eagerly) == (1, 0, 2)
    assert len(caplog.records) == 1


async def test_one_failing_write_does_not_end_the_cohort_for_the_others():
    # given a cohort of three members, the second of which fails to write directly
    written: list[int] = []
    sent: list[int] = []

    def writer(index: int, works: bool):
        def write(frame: bytes) -> bool:
            if not works:
                raise RuntimeError("transport is gone")
            written.append(index)
            return True

        return write

    def sender(index: int):
        async def send(frame: str) -> None:
            sent.append(index)

        return send

    async def idle(cohort: Cohort) -> None:
        await asyncio.Event().wait()

    stats = CohortStats()
    cohort = Cohort(CohortKey("subscription { x }", None, "{}"), idle, lambda _: None)
    for index, works in enumerate((True, False, True)):
        cohort.join(Member("{", sender(index), stats, writer(index, works)))
    try:
        # when two snapshots are swept
        await cohort.sweep(Payload.of('"v":1'))
        await cohort.sweep(Payload.of('"v":2'))
    finally:
        cohort.task.cancel()
    # then every member got both: two written directly, the failing one through ASGI
    assert sorted(written) == [0, 0, 2, 2]
    assert sent == [1, 1]
    assert not cohort.ended
    assert stats.direct_write_failures == 1


def test_the_installed_strawberry_has_every_hook_our_handlers_use():
    assert hooks_missing() == []
    assert handler_classes() == (TransportWSHandler, LegacyWSHandler)


def test_a_strawberry_without_a_hook_serves_its_own_handlers_with_one_warning(caplog):
    # given a strawberry whose transport handler renamed a method and changed a signature
    hooks: dict[type, dict[str, tuple[str, ...]]] = {
        BaseGraphQLTransportWSHandler: {"run_subscription": ("operation",)},
        BaseGraphQLWSHandler: {"handle_async_results": ("id", "query")},
    }
    # when the app picks its handlers
    with caplog.at_level(logging.WARNING, logger="live.websocket"):
        chosen = handler_classes(hooks)
    # then it serves strawberry's own, and says what is missing once
    assert chosen == (BaseGraphQLTransportWSHandler, BaseGraphQLWSHandler)
    assert len(caplog.records) == 1
    message = caplog.records[0].getMessage()
    assert "BaseGraphQLTransportWSHandler.run_subscription" in message
    assert "BaseGraphQLWSHandler.handle_async_results" in message


def test_a_schema_without_a_graphql_core_schema_is_validated_by_strawberry(caplog):
    with caplog.at_level(logging.WARNING, logger="schema.checked_documents"):
        assert graphql_core_schema(object()) is None
    assert len(caplog.records) == 1


def test_frames_are_built_from_their_parts():
    assert text_frame([b"ab", b"c"]) == text_frame_header(3) + b"abc"
