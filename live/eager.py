"""Running a coroutine eagerly: to its end at once when it never has to wait.

A WebSocket send to a healthy connection never waits: uvicorn writes the frame to the
transport and returns. Sending through a task per viewer costs a task wake-up per frame,
about as much Python as the send itself. ``start_eagerly`` runs the coroutine right away in
the caller, as Python 3.12's eager tasks do; only a send that must wait (a slow client whose
transport is paused) becomes a task, which carries on from where it stopped.
"""

import asyncio
from collections.abc import Coroutine, Generator
from typing import Any


class _Resumed:
    """Awaiting this continues a coroutine suspended on ``waiting_on`` (what it yielded)."""

    def __init__(self, coroutine: Coroutine[Any, Any, None], waiting_on: Any) -> None:
        self.coroutine = coroutine
        self.waiting_on = waiting_on

    def __await__(self) -> Generator[Any, Any, None]:
        # What ``yield from`` does: hand each future the coroutine waits on to the task
        # running us, and the task's answer (a value or an exception) back to the coroutine.
        waiting_on = self.waiting_on
        while True:
            try:
                answer = yield waiting_on
            except BaseException as error:
                try:
                    waiting_on = self.coroutine.throw(error)
                except StopIteration:
                    return
            else:
                try:
                    waiting_on = self.coroutine.send(answer)
                except StopIteration:
                    return


async def _finish(coroutine: Coroutine[Any, Any, None], waiting_on: Any) -> None:
    await _Resumed(coroutine, waiting_on)


def start_eagerly(coroutine: Coroutine[Any, Any, None]) -> "asyncio.Task[None] | None":
    """Run ``coroutine`` now; None if it finished, else the task that finishes it.

    An exception raised before its first wait propagates to the caller; later ones end up
    in the returned task.
    """
    try:
        waiting_on = coroutine.send(None)
    except StopIteration:
        return None
    return asyncio.ensure_future(_finish(coroutine, waiting_on))
