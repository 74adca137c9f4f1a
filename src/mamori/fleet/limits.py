"""AWS throttles per account, Region and API: the shared token buckets and the per-account shard cap.

Every worker takes a token from the bucket of (account, region, service) before each API
call: one Redis key per bucket, refilled continuously at ``rate`` tokens a second up to
``burst``, taken by a Lua script so that a take is atomic across all workers (the script
reads, refills and decrements in one step; Redis runs scripts one at a time). A worker
that gets no token sleeps for the time the script says the next token needs. botocore's
adaptive retry mode stays on top (``AwsTarget.max_attempts``): a throttle AWS still
returns is retried with its client-side rate limiter, and counted per API.

The per-account cap is a Redis counter with an expiry: a shard of an account with
``cap`` shards running is put back (retried a little later), so one account never has
more than ``cap`` shards collecting at once, whatever the number of workers.
"""

from __future__ import annotations

import os
import threading
import time
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

# KEYS[1] the bucket; ARGV: rate (tokens/s), burst, now (s, float), tokens wanted.
# Returns {granted (0/1), wait_ms}. The bucket is a hash {tokens, ts}; it expires when idle. Both are
# stored with 17 digits: Lua's tostring keeps 14, which rounds an epoch clock to 0.1 ms, and every
# refill then granted up to 0.0025 tokens that had not accrued.
TAKE_LUA = """
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local now = tonumber(ARGV[3])
local want = tonumber(ARGV[4])
local b = redis.call('HMGET', KEYS[1], 'tokens', 'ts')
local tokens = tonumber(b[1])
local ts = tonumber(b[2])
if tokens == nil then tokens = burst; ts = now end
if now > ts then tokens = math.min(burst, tokens + (now - ts) * rate); ts = now end
local granted = 0
local wait = 0
if tokens >= want then
  tokens = tokens - want
  granted = 1
else
  wait = math.ceil((want - tokens) / rate * 1000)
end
redis.call('HSET', KEYS[1], 'tokens', string.format('%.17g', tokens), 'ts', string.format('%.17g', ts))
redis.call('PEXPIRE', KEYS[1], math.ceil(burst / rate * 1000) + 60000)
return {granted, wait}
"""

# KEYS[1] the account's running shards (a sorted set: holder -> expiry); ARGV: cap, now, ttl, holder.
# Expired holders are dropped first; a holder already in the set (a redelivered shard, same task
# id) renews its slot. Returns 1 when the holder has a slot.
ACQUIRE_LUA = """
local now = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZSCORE', KEYS[1], ARGV[4]) == false and redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[1]) then
  return 0
end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[3]), ARGV[4])
redis.call('EXPIRE', KEYS[1], math.ceil(tonumber(ARGV[3])) + 60)
return 1
"""

DEFAULT_RATE = 10.0  # tokens/s per (account, region, service): below most AWS read-API quotas
DEFAULT_BURST = 20.0
DEFAULT_ACCOUNT_CAP = 4  # shards of one account collecting at once
THROTTLE_CODES = frozenset({
    "Throttling", "ThrottlingException", "ThrottledException", "RequestThrottledException", "TooManyRequestsException",
    "ProvisionedThroughputExceededException", "TransactionInProgressException", "RequestLimitExceeded",
    "BandwidthLimitExceeded", "LimitExceededException", "RequestThrottled", "SlowDown", "PriorRequestNotComplete",
    "EC2ThrottledException",
})  # fmt: skip


@dataclass(frozen=True)
class Limits:
    rate: float = DEFAULT_RATE
    burst: float = DEFAULT_BURST
    account_cap: int = DEFAULT_ACCOUNT_CAP

    def __post_init__(self) -> None:
        if self.rate <= 0 or self.burst < 1 or self.account_cap < 1:
            raise ValueError("rate > 0, burst >= 1 and account cap >= 1 are required")


class TokenBuckets:
    """The shared buckets, one per key, in Redis (``client`` is a ``redis.Redis``)."""

    def __init__(self, client: Any, limits: Limits = Limits(), *, prefix: str = "mamori:bucket:",
                 clock: Callable[[], float] = time.time, sleep: Callable[[float], None] = time.sleep) -> None:  # fmt: skip
        self.client = client
        self.limits = limits
        self.prefix = prefix
        self._take = client.register_script(TAKE_LUA)
        self._clock = clock
        self._sleep = sleep
        self.waited = 0.0

    def try_take(self, key: str, n: float = 1.0) -> tuple[bool, float]:
        """One atomic attempt: (granted, seconds until enough tokens)."""
        granted, wait_ms = self._take(keys=[self.prefix + key], args=[self.limits.rate, self.limits.burst, self._clock(), n])
        return bool(int(granted)), int(wait_ms) / 1000.0

    def take(self, key: str, n: float = 1.0, *, timeout: float = 300.0) -> None:
        """Block until a token of ``key`` is granted (at most ``timeout`` seconds, then go ahead)."""
        deadline = self._clock() + timeout
        while True:
            ok, wait = self.try_take(key, n)
            if ok or self._clock() >= deadline:
                return
            wait = min(max(wait, 0.005), 1.0)
            self.waited += wait
            self._sleep(wait)


class AccountSlots:
    """At most ``cap`` shards of one account at once, across all workers. A slot is held by a task
    id until released or ``ttl`` seconds (a killed worker's slot lapses; its redelivered shard,
    with the same task id, takes the slot over)."""

    def __init__(self, client: Any, cap: int, *, prefix: str = "mamori:running:", ttl: float = 1500,
                 clock: Callable[[], float] = time.time) -> None:  # fmt: skip
        self.cap, self.prefix, self.ttl, self.client, self._clock = cap, prefix, ttl, client, clock
        self._acquire = client.register_script(ACQUIRE_LUA)

    def acquire(self, account: str, holder: str) -> bool:
        return bool(int(self._acquire(keys=[self.prefix + account], args=[self.cap, self._clock(), self.ttl, holder])))

    def release(self, account: str, holder: str) -> None:
        self.client.zrem(self.prefix + account, holder)


class CallHooks:
    """botocore handlers for one shard's clients: a token before each call, throttles counted per API,
    and (``MAMORI_FLEET_LATENCY_MS``, for the benchmark) injected latency per call."""

    def __init__(self, account: str, buckets: TokenBuckets | None, latency_ms: float | None = None) -> None:
        self.account = account
        self.buckets = buckets
        self.latency = (latency_ms if latency_ms is not None else float(os.environ.get("MAMORI_FLEET_LATENCY_MS") or 0)) / 1000
        self.throttles: Counter[str] = Counter()
        self._lock = threading.Lock()

    def install(self, factory: Any) -> None:
        factory.on("before-call", self.before_call)
        factory.on("needs-retry", self.needs_retry)

    def before_call(self, model: Any = None, context: Any = None, **_: Any) -> None:
        if self.latency:
            time.sleep(self.latency)
        if self.buckets is not None and model is not None:
            region = (context or {}).get("client_region") or "global"
            self.buckets.take(f"{self.account}:{region}:{model.service_model.service_name}")

    def needs_retry(self, response: Any = None, operation: Any = None, **_: Any) -> None:
        if not response or operation is None:
            return
        parsed = response[1] if isinstance(response, tuple) and len(response) > 1 else None
        code = (parsed or {}).get("Error", {}).get("Code") if isinstance(parsed, Mapping) else None
        if code in THROTTLE_CODES:
            with self._lock:
                self.throttles[f"{operation.service_model.service_name}.{operation.name}"] += 1

    def counts(self) -> dict[str, int]:
        with self._lock:
            return dict(self.throttles)
