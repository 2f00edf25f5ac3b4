"""Waiting in tests for something another task or process does, with a deadline."""

import asyncio
import time
from collections.abc import Callable


async def until(condition: Callable[[], object], seconds: float) -> None:
    """Poll ``condition`` until it holds; fail the test if it does not within ``seconds``."""
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"not true after {seconds} s"
        await asyncio.sleep(0.02)
