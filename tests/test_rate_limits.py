"""The rate limiter itself: buckets and back-off, in memory and in Redis across processes."""

import asyncio
import os
import secrets
from collections.abc import AsyncIterator

import pytest
from redis.asyncio import Redis

from resolvers.rate_limits import (
    MAX_CONNECTIONS,
    Bucket,
    MemoryRateLimiter,
    RateLimiter,
    RedisRateLimiter,
)

REDIS_URL = os.environ.get("TEST_REDIS_URL", "")
BACKENDS = [
    "memory",
    pytest.param("redis", marks=pytest.mark.skipif(not REDIS_URL, reason="needs TEST_REDIS_URL")),
]


@pytest.fixture(params=BACKENDS)
async def limiters(request: pytest.FixtureRequest) -> AsyncIterator[list[RateLimiter]]:
    """Four limiters sharing their buckets: one in memory, or four Redis clients (as four
    processes would have)."""
    if request.param == "memory":
        shared = MemoryRateLimiter()
        yield [shared] * 4
        return
    made: list[RateLimiter] = [RedisRateLimiter(REDIS_URL) for _ in range(4)]
    yield made
    for limiter in made:
        await limiter.aclose()


def fresh(name: str) -> str:
    return f"test:{name}:{secrets.token_hex(4)}"  # Redis outlives a test: a key of its own


async def test_a_bucket_takes_what_fits_and_says_how_long_to_wait(limiters):
    limiter = limiters[0]
    bucket = Bucket(capacity=100, per_second=10)
    key = fresh("bucket")
    first = await limiter.charge(key, 60, bucket)
    second = await limiter.charge(key, 60, bucket)
    assert (first.allowed, second.allowed) == (True, False)
    assert first.remaining == pytest.approx(40, abs=1)
    # the refused 60 fit once 20 more points have drained: about 2 s at 10 a second
    assert second.retry_after == pytest.approx(2, abs=0.2)
    # what a request did not use comes back
    await limiter.charge(key, -60, bucket)
    assert (await limiter.charge(key, 60, bucket)).allowed


async def test_concurrent_charges_from_several_processes_never_overfill_a_bucket(limiters):
    # given one bucket of 1,000 points, and 400 requests of 10 points sent at once through
    # four processes' limiters
    bucket = Bucket(capacity=1000, per_second=0.001)
    key = fresh("shared")
    decisions = await asyncio.gather(*(limiters[n % 4].charge(key, 10, bucket) for n in range(400)))
    # then exactly 100 got in, and the bucket holds exactly their points
    assert sum(decision.allowed for decision in decisions) == 100
    last = await limiters[0].charge(key, 0, bucket)
    assert last.level == pytest.approx(1000, abs=0.5)


async def test_a_burst_waits_for_a_few_connections_instead_of_opening_one_each():
    # a connect storm overflows Redis's accept queue; the connects time out and the limits,
    # failing open, would let the whole burst through
    if not REDIS_URL:
        pytest.skip("needs TEST_REDIS_URL")
    observer = Redis.from_url(REDIS_URL)
    limiter = RedisRateLimiter(REDIS_URL)
    try:
        before = (await observer.info("clients"))["connected_clients"]
        bucket = Bucket(capacity=1000, per_second=0.001)
        key = fresh("burst")
        decisions = await asyncio.gather(*(limiter.charge(key, 10, bucket) for _ in range(400)))
        opened = (await observer.info("clients"))["connected_clients"] - before
        assert sum(decision.allowed for decision in decisions) == 100
        assert 1 <= opened <= MAX_CONNECTIONS
    finally:
        await limiter.aclose()
        await observer.aclose()


async def test_attempts_wait_longer_after_each_beyond_the_free_ones(limiters):
    key = fresh("attempts")
    waits = [await limiters[n % 4].attempt(key, free=3, max_wait=60) for n in range(5)]
    # three go at once; the fourth (right after) waits about 1 s, like the fifth
    assert waits[:3] == [0.0, 0.0, 0.0]
    assert waits[3] == pytest.approx(1, abs=0.2)
    assert waits[4] == pytest.approx(1, abs=0.2)
    await limiters[0].clear(key)
    assert await limiters[1].attempt(key, free=3, max_wait=60) == 0.0


async def test_an_unreachable_redis_lets_requests_through_with_one_warning(caplog):
    limiter = RedisRateLimiter("redis://127.0.0.1:1/0", timeout=0.2)
    try:
        decisions = [await limiter.charge("k", 10, Bucket(5, 1)) for _ in range(3)]
        wait = await limiter.attempt("k", free=0, max_wait=10)
    finally:
        await limiter.aclose()
    assert all(decision.allowed for decision in decisions)
    assert wait == 0.0
    warnings = [r for r in caplog.records if "rate limits are off" in r.getMessage()]
    assert len(warnings) == 1
