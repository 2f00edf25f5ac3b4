"""Rate limits shared by every process: leaky buckets of cost points, and login back-off.

A bucket (``Bucket``) holds at most ``capacity`` points and drains ``per_second``; a request
pays its cost into it and is refused while the bucket would overflow, with the seconds until
it would fit. An attempt counter (``attempt``) lets ``free`` attempts through, then makes each
next one wait twice as long as the one before (1 s, 2 s, 4 s ... up to ``max_wait``): wrong
passwords for one account, or from one address. It counts the attempt when it is let
through, not when it has failed, so 32 guesses sent at once cannot all slip in before the
first failure is recorded; a sign-in that succeeds clears the account's counter.

On Redis each step is one Lua script, atomic across every process of every host, timed by
Redis's own clock; embedded (``memory://``), the same arithmetic lives in the process. When
Redis cannot be reached the limits let requests through (with one warning per outage):
an outage of the limiter must not take the hub down with it.
"""

import asyncio
import hashlib
import logging
import math
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Protocol

from redis.asyncio import Redis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError

from resolvers.errors import Throttled

logger = logging.getLogger(__name__)

# Connections to Redis per process. A burst of requests waits for one of them (up to the
# timeout) rather than opening a connection each: 400 connects at once overflow Redis's
# accept queue, time out and would let the whole burst through unlimited. The wait is a
# semaphore in front of redis-py's plain pool: its BlockingConnectionPool does the same,
# but in redis 5.0.1 (our lowest pin) it connects while holding its lock, and it hung our
# Redis-restart tests there.
MAX_CONNECTIONS = 32


@dataclass(frozen=True)
class Bucket:
    capacity: float
    per_second: float


@dataclass(frozen=True)
class Decision:
    allowed: bool
    level: float  # points in the bucket after this request
    retry_after: float  # seconds until the refused request would fit (0 when allowed)
    bucket: Bucket

    @property
    def remaining(self) -> float:
        return max(0.0, self.bucket.capacity - self.level)

    @property
    def reset_after(self) -> float:
        """Seconds until the bucket is empty again (all of its capacity available)."""
        return self.level / self.bucket.per_second


@dataclass(frozen=True)
class Throttles:
    """The buckets and back-off of the hub's rate limits (from the settings)."""

    ip: Bucket = Bucket(200_000, 5_000)
    person: Bucket = Bucket(100_000, 2_000)
    key: Bucket = Bucket(500_000, 10_000)
    joins_per_ip: Bucket = Bucket(300, 5)
    registrations_per_ip: Bucket = Bucket(20, 0.05)
    login_free_attempts: int = 5  # per account; per address it is 4 times as many
    login_max_wait: float = 900.0


class RateLimiter(Protocol):
    async def charge(self, key: str, cost: float, bucket: Bucket) -> Decision: ...

    async def attempt(self, key: str, *, free: int, max_wait: float) -> float:
        """Let an attempt through (0) or say how many seconds it must wait first."""
        ...

    async def clear(self, key: str) -> None: ...

    async def aclose(self) -> None: ...


def _drained(level: float, since: float, per_second: float) -> float:
    return max(0.0, level - since * per_second)


def _wait(failures: int, since_last: float, free: int, max_wait: float) -> float:
    if failures < free:
        return 0.0
    return max(0.0, min(2.0 ** (failures - free), max_wait) - since_last)


ATTEMPTS_FORGOTTEN_AFTER = 3600.0  # seconds without an attempt


class MemoryRateLimiter:
    """The buckets and counters of one process (the embedded default)."""

    def __init__(self) -> None:
        self._buckets: dict[str, tuple[float, float, float]] = {}  # key -> level, at, rate
        self._attempts: dict[str, tuple[int, float]] = {}  # key -> (attempts, last at)

    async def charge(self, key: str, cost: float, bucket: Bucket) -> Decision:
        now = time.monotonic()
        level, at, _ = self._buckets.get(key, (0.0, now, bucket.per_second))
        level = _drained(level, now - at, bucket.per_second)
        if cost > 0 and level + cost > bucket.capacity:
            self._buckets[key] = (level, now, bucket.per_second)
            wait = (level + cost - bucket.capacity) / bucket.per_second
            return Decision(False, level, wait, bucket)
        level = max(0.0, level + cost)
        self._buckets[key] = (level, now, bucket.per_second)
        if len(self._buckets) > 100_000:  # forget the emptied buckets now and then
            self._buckets = {
                k: (lv, t, rate)
                for k, (lv, t, rate) in self._buckets.items()
                if _drained(lv, now - t, rate) > 0
            }
        return Decision(True, level, 0.0, bucket)

    async def attempt(self, key: str, *, free: int, max_wait: float) -> float:
        now = time.monotonic()
        attempts, last = self._attempts.get(key, (0, now))
        if now - last > ATTEMPTS_FORGOTTEN_AFTER:
            attempts = 0
        wait = _wait(attempts, now - last, free, max_wait)
        if wait > 0:
            return wait
        self._attempts[key] = (attempts + 1, now)
        return 0.0

    async def clear(self, key: str) -> None:
        self._attempts.pop(key, None)
        if len(self._attempts) > 100_000:  # forget the counters nobody tried for an hour
            now = time.monotonic()
            self._attempts = {
                k: (n, t)
                for k, (n, t) in self._attempts.items()
                if now - t < ATTEMPTS_FORGOTTEN_AFTER
            }

    async def aclose(self) -> None:
        self._buckets.clear()
        self._attempts.clear()


# KEYS[1]: the bucket; ARGV: capacity, per second, cost. Returns {allowed, level, wait}.
_CHARGE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1e6
local capacity, rate, cost = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local state = redis.call('HMGET', KEYS[1], 'level', 'at')
local level = tonumber(state[1]) or 0
local at = tonumber(state[2]) or now
level = math.max(0, level - (now - at) * rate)
local allowed, wait = 1, 0
if cost > 0 and level + cost > capacity then
  allowed, wait = 0, (level + cost - capacity) / rate
else
  level = math.max(0, level + cost)
end
redis.call('HSET', KEYS[1], 'level', tostring(level), 'at', tostring(now))
redis.call('EXPIRE', KEYS[1], math.ceil(level / rate) + 1)
return {allowed, tostring(level), tostring(wait)}
"""
# KEYS[1]: the counter; ARGV: free, max wait, forgotten after. Returns the wait ("0": go).
_ATTEMPT = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1e6
local free, max_wait = tonumber(ARGV[1]), tonumber(ARGV[2])
local state = redis.call('HMGET', KEYS[1], 'attempts', 'at')
local attempts = tonumber(state[1]) or 0
local at = tonumber(state[2]) or now
if attempts >= free then
  local wait = math.min(2 ^ (attempts - free), max_wait) - (now - at)
  if wait > 0 then return tostring(wait) end
end
redis.call('HSET', KEYS[1], 'attempts', attempts + 1, 'at', tostring(now))
redis.call('EXPIRE', KEYS[1], tonumber(ARGV[3]))
return '0'
"""


class RedisRateLimiter:
    """Buckets and counters in Redis, shared by every process (``RATE_LIMIT_URL``)."""

    def __init__(
        self,
        url: str | None = None,
        *,
        client: Redis | None = None,
        timeout: float = 0.5,
        prefix: str = "rate:",
    ) -> None:
        """On its own client for ``url``, or on a ``client`` someone else closes."""
        self._owns_client = client is None
        if client is None:
            assert url is not None, "a Redis URL or client"
            client = Redis.from_url(
                url,
                max_connections=MAX_CONNECTIONS,
                socket_timeout=timeout,
                socket_connect_timeout=timeout,
            )
        self._redis = client
        self._slots = asyncio.Semaphore(MAX_CONNECTIONS)
        self._timeout = timeout
        self._charge = self._redis.register_script(_CHARGE)
        self._attempt = self._redis.register_script(_ATTEMPT)
        self._prefix = prefix
        self._down = False

    def _unreachable(self, error: RedisError) -> None:
        if not self._down:
            logger.warning("rate limits are off while Redis is unreachable: %s", error)
        self._down = True

    def _reachable(self) -> None:
        if self._down:
            logger.warning("rate limits are on again")
        self._down = False

    async def _call(self, command: Callable[[], Awaitable[Any]]) -> Any:
        """Run one command on one of the ``MAX_CONNECTIONS`` connections, waiting at most
        the timeout for one to be free."""
        try:
            await asyncio.wait_for(self._slots.acquire(), self._timeout)
        except TimeoutError as error:
            raise RedisConnectionError("no connection to Redis free in time") from error
        try:
            return await command()
        finally:
            self._slots.release()

    async def charge(self, key: str, cost: float, bucket: Bucket) -> Decision:
        try:
            allowed, level, wait = await self._call(
                lambda: self._charge(
                    keys=[self._prefix + key], args=[bucket.capacity, bucket.per_second, cost]
                )
            )
        except RedisError as error:
            self._unreachable(error)
            return Decision(True, 0.0, 0.0, bucket)
        self._reachable()
        return Decision(bool(int(allowed)), float(level), float(wait), bucket)

    async def attempt(self, key: str, *, free: int, max_wait: float) -> float:
        try:
            wait = await self._call(
                lambda: self._attempt(
                    keys=[self._prefix + key], args=[free, max_wait, ATTEMPTS_FORGOTTEN_AFTER]
                )
            )
        except RedisError as error:
            self._unreachable(error)
            return 0.0
        self._reachable()
        return float(wait)

    async def clear(self, key: str) -> None:
        try:
            await self._call(lambda: self._redis.delete(self._prefix + key))
        except RedisError as error:
            self._unreachable(error)

    async def aclose(self) -> None:
        if self._owns_client:
            await self._redis.aclose()


def seconds_to_wait(wait: float) -> int:
    """Whole seconds to tell a client (never 0 for a refusal)."""
    return max(1, math.ceil(wait))


def _account_key(email: str) -> str:
    # The limiter never holds an address in clear.
    return "login:account:" + hashlib.sha256(email.strip().lower().encode()).hexdigest()


@dataclass(frozen=True)
class Guard:
    """The rate limits a resolver applies to the one calling it (no limiter: none)."""

    limiter: RateLimiter | None = None
    client_ip: str | None = None
    throttles: Throttles = Throttles()

    async def take(self, name: str, bucket: Bucket, what: str) -> None:
        """One from the caller's address's ``name`` bucket, or raise ``Throttled``."""
        if self.limiter is None or self.client_ip is None:
            return
        decision = await self.limiter.charge(f"{name}:ip:{self.client_ip}", 1, bucket)
        if not decision.allowed:
            wait = seconds_to_wait(decision.retry_after)
            raise Throttled(
                f"Too many {what} from this address: try again in {wait} s.",
                retry_after=wait,
                limit=name,
            )

    async def login_attempt(self, email: str) -> None:
        """Let a sign-in attempt through, or raise ``Throttled`` while it must wait."""
        if self.limiter is None:
            return
        free = self.throttles.login_free_attempts
        most = self.throttles.login_max_wait
        waits = []
        if self.client_ip is not None:
            key = f"login:ip:{self.client_ip}"
            waits.append(await self.limiter.attempt(key, free=4 * free, max_wait=most))
        if not any(waits):
            waits.append(await self.limiter.attempt(_account_key(email), free=free, max_wait=most))
        if any(waits):
            wait = seconds_to_wait(max(waits))
            raise Throttled(
                f"Too many sign-in attempts: try again in {wait} s.",
                retry_after=wait,
                limit="login",
                field="password",
            )

    async def login_succeeded(self, email: str) -> None:
        if self.limiter is not None:
            await self.limiter.clear(_account_key(email))
