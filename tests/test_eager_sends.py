"""Eager sends: a send that needs no wait runs at once; a waiting one keeps its order."""

import asyncio

import pytest

from live.cohorts import CohortStats, Member, Payload
from live.eager import start_eagerly
from live.frames import text_frame


async def test_a_coroutine_that_never_waits_finishes_before_start_eagerly_returns():
    # given a coroutine that records and returns without awaiting anything that waits
    done: list[str] = []

    async def quick() -> None:
        done.append("sent")

    # when it is started eagerly
    task = start_eagerly(quick())
    # then it already ran, and no task was made
    assert (task, done) == (None, ["sent"])


async def test_a_coroutine_that_waits_carries_on_in_a_task_with_values_and_errors():
    # given a coroutine that waits on a future, then on a sleep, then fails
    gate: asyncio.Future[str] = asyncio.get_running_loop().create_future()
    seen: list[str] = []

    async def slow() -> None:
        seen.append("before")
        seen.append(await gate)
        await asyncio.sleep(0)
        raise ConnectionError("client went away")

    # when it is started eagerly
    task = start_eagerly(slow())
    # then it ran up to its first wait, and a task carries on from there
    assert task is not None
    assert seen == ["before"]
    gate.set_result("answer")
    with pytest.raises(ConnectionError):
        await task
    assert seen == ["before", "answer"]


async def test_an_error_before_the_first_wait_reaches_the_caller():
    async def broken() -> None:
        raise RuntimeError("closed")

    with pytest.raises(RuntimeError):
        start_eagerly(broken())


async def test_a_slow_connection_gets_its_frames_in_order_newest_only():
    # given a member whose connection blocks on the first frame until released
    release = asyncio.Event()
    sent: list[str] = []

    async def send(frame: str) -> None:
        if not sent and not release.is_set():
            await release.wait()
        sent.append(frame)

    stats = CohortStats()
    member = Member("{", send, stats)
    runner = asyncio.create_task(member.run())
    # when three snapshots are delivered while the first send is still waiting
    member.deliver(Payload.of('"v":1'))
    member.deliver(Payload.of('"v":2'))
    member.deliver(Payload.of('"v":3'))
    release.set()
    await asyncio.sleep(0.01)
    # then the first went out, then only the newest, never out of order
    assert sent == ['{"v":1}', '{"v":3}']
    assert (stats.sends_waiting, member.skipped) == (1, 1)
    # and once the connection is free again, a delivery is written at once
    member.deliver(Payload.of('"v":4'))
    assert sent[-1] == '{"v":4}'
    assert stats.sent_eagerly == 1
    member.end(None)
    await asyncio.wait_for(runner, 1)


async def test_a_member_writes_frames_directly_and_falls_back_to_sending_when_refused():
    # given a connection whose direct writes succeed until its transport is paused
    written: list[bytes] = []
    sent: list[str] = []
    paused = False

    def write(frame: bytes) -> bool:
        if paused:
            return False
        written.append(frame)
        return True

    async def send(frame: str) -> None:
        sent.append(frame)

    stats = CohortStats()
    member = Member('{"p":', send, stats, write)
    runner = asyncio.create_task(member.run())
    # when one snapshot is delivered while it is writable, and one while it is paused
    member.deliver(Payload.of('"é"'))
    paused = True
    member.deliver(Payload.of("2"))
    # then the first was written as a whole frame of the UTF-8 bytes, the second sent
    # through ASGI
    assert written == [text_frame(['{"p":"é"}'.encode()])]
    assert sent == ['{"p":2}']
    assert (stats.written_directly, stats.sent_eagerly, member.frames_sent) == (1, 1, 2)
    member.end(None)
    await asyncio.wait_for(runner, 1)


def test_members_with_the_same_head_share_one_frame():
    payload = Payload.of('{"v":1}')
    first, second = payload.frame_for(b'{"id":"1",'), payload.frame_for(b'{"id":"1",')
    other = payload.frame_for(b'{"id":"2",')
    assert first is second
    assert first == text_frame([b'{"id":"1",', b'{"v":1}', b"}"])
    assert other == text_frame([b'{"id":"2",', b'{"v":1}', b"}"])
