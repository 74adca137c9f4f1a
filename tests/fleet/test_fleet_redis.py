"""The shared token bucket and the per-account cap on the real Redis (127.0.0.1:6379), under concurrency."""

from __future__ import annotations

import multiprocessing as mp
import time
import uuid

import pytest
import redis

from mamori.fleet.limits import AccountSlots, Limits, TokenBuckets
from tests.fleet.conftest import REDIS

pytestmark = pytest.mark.e2e

RATE, BURST = 50.0, 10.0


def _hammer(prefix: str, seconds: float, out: mp.Queue) -> None:  # type: ignore[type-arg]
    b = TokenBuckets(redis.Redis.from_url(REDIS), Limits(rate=RATE, burst=BURST), prefix=prefix)
    got: list[float] = []
    start = time.time()
    end = start + seconds
    while time.time() < end:
        ok, _wait = b.try_take("111:us-east-1:ec2")
        if ok:
            # taken after the reply: Redis granted this token no later than now. A clock read before the
            # call would be too early when the process is preempted between the read and the call
            # (6 processes on 2 cores): the grant then reflects tokens accrued after that read
            got.append(time.time())
    out.put((start, got))


@pytest.fixture
def prefix() -> str:
    p = f"mamori-test-{uuid.uuid4().hex[:10]}:"
    yield p
    client = redis.Redis.from_url(REDIS)
    for k in client.scan_iter(p + "*"):
        client.delete(k)


def test_tokens_are_never_over_issued_across_processes(prefix: str) -> None:
    """6 processes take as fast as they can for 2 s: the grants never exceed burst + rate x elapsed."""
    ctx = mp.get_context("spawn")
    q: mp.Queue = ctx.Queue()  # type: ignore[type-arg]
    procs = [ctx.Process(target=_hammer, args=(prefix, 2.0, q)) for _ in range(6)]
    for p in procs:
        p.start()
    got = [q.get(timeout=60) for _ in procs]
    for p in procs:
        p.join(30)
    first = min(start for start, _ in got)
    grants = sorted(t for _, ts in got for t in ts)
    assert grants, "no token was granted"
    # at every moment, what was granted fits in the bucket's allowance: the burst plus the rate since
    # the first call. Each grant's time is read after Redis answered, so the i+1 grants up to t were
    # all made by t, when the bucket's clock (the latest clock a caller sent, read before its call)
    # was at most t; the bucket was created at a clock no earlier than ``first``. No slack is needed
    # beyond float rounding.
    for i, t in enumerate(grants):
        assert i + 1 <= BURST + RATE * (t - first) + 1e-6, (i, t - first)
    elapsed = grants[-1] - first
    assert len(grants) >= RATE * elapsed * 0.5  # and the bucket does grant at about its rate


def test_the_account_cap_holds_across_holders(prefix: str) -> None:
    client = redis.Redis.from_url(REDIS)
    slots = AccountSlots(client, 2, prefix=prefix)
    assert slots.acquire("111", "task-a") and slots.acquire("111", "task-b")
    assert not slots.acquire("111", "task-c")
    assert slots.acquire("111", "task-a")  # a redelivered shard (same task id) keeps its slot
    assert slots.acquire("222", "task-c")  # another account is not capped by this one
    slots.release("111", "task-b")
    assert slots.acquire("111", "task-c")
    lapsing = AccountSlots(client, 1, prefix=prefix + "l:", ttl=0.2)
    assert lapsing.acquire("111", "killed-worker-task")
    assert not lapsing.acquire("111", "task-d")
    time.sleep(0.3)  # the killed worker's slot lapses
    assert lapsing.acquire("111", "task-d")
