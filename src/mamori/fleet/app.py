"""The Celery application of distributed scans: its delivery settings and its tasks.

Imported only by `mamori worker`, `mamori beat` and `mamori scan --broker` (Celery is heavy).

Delivery (docs/distributed.md):
* ``task_acks_late``: a shard's message is acknowledged after the shard is stored, so a
  worker that dies mid-shard leaves it unacknowledged and the broker redelivers it;
* ``task_reject_on_worker_lost``: a pool child killed (OOM, SIGKILL) rejects (requeues) its
  message instead of acknowledging it as failed;
* ``worker_prefetch_multiplier = 1``: a worker holds one message per process, so a dead
  worker strands one shard and idle workers are never starved by a busy one's prefetch;
* a hard time limit of :data:`HARD_TIME_LIMIT_S` (25 min) below RabbitMQ's default
  ``consumer_timeout`` of 30 min (1,800,000 ms), after which RabbitMQ closes the channel of
  a consumer that has not acknowledged: the task is killed first, and counts as a failed
  attempt. With Redis as broker, ``visibility_timeout`` (:data:`VISIBILITY_TIMEOUT_S`) is
  above the hard limit for the same reason.
A shard is tried :data:`MAX_ATTEMPTS` times (a failure is retried after a short delay);
after the last failure its scope is stored as UNKNOWN. Each stored shard checks whether it
was the last; the finaliser task takes a lease on the scan in the store (one holder at a
time, renewed while it works), so it records the scan once however often it is enqueued; a
finaliser killed mid-record is redelivered (acks_late), waits for the lease to lapse and takes
over (:func:`mamori.fleet.service.finalise`).
"""

from __future__ import annotations

import fnmatch
import gc
import logging
import os
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from celery import Celery

from mamori.collect.aws.session import SessionCache
from mamori.config import Config
from mamori.findings import Store
from mamori.fleet import service
from mamori.fleet.limits import AccountSlots, CallHooks, Limits, TokenBuckets
from mamori.fleet.plan import Shard
from mamori.fleet.shard import failed_payload, run_shard
from mamori.fleetstore import ops
from mamori.rules import RuleSet, load_rules

log = logging.getLogger("mamori.fleet")

HARD_TIME_LIMIT_S = 1500  # 25 min: below RabbitMQ's consumer_timeout (30 min = 1,800,000 ms)
SOFT_TIME_LIMIT_S = 1380  # the shard raises SoftTimeLimitExceeded first (a failed attempt, retried)
VISIBILITY_TIMEOUT_S = 1800  # Redis as broker: redelivery of an unacknowledged message after this
MAX_ATTEMPTS = 3
RETRY_DELAY_S = 2.0
PLANS_KEPT = 8  # scans whose plan a worker process keeps (several scans may be in flight)
MAX_LEASE_WAITS = 20  # a finaliser task waits for another's lease this many times (each up to a lease)
DEFAULT_QUEUE = "mamori"
FAULT_ENV = "MAMORI_FLEET_FAIL_SHARDS"  # tests and benchmarks: shard ids (globs) that always raise
SHARD_TASK, FINALISE_TASK, JOB_TASK = "mamori.fleet.shard", "mamori.fleet.finalise", "mamori.fleet.job"


@dataclass
class WorkerSettings:
    db: str | None = None
    config: Config = field(default_factory=Config)
    redis_url: str | None = None
    limits: Limits = field(default_factory=Limits)
    queue: str = DEFAULT_QUEUE
    jobs: Mapping[str, Callable[[], Mapping[str, Any]]] = field(default_factory=dict)


class _Process:
    """Per worker process (opened after the fork): the store, the rules, Redis, the AWS sessions
    (kept across shards: :class:`~mamori.collect.aws.session.SessionCache`)."""

    def __init__(self, settings: WorkerSettings) -> None:
        self.settings = settings
        self._lock = threading.Lock()
        self._store: Store | None = None
        self._rules: RuleSet | None = None
        self._redis: Any = None
        self._plans: OrderedDict[str, dict[str, Any]] = OrderedDict()
        self.sessions = SessionCache()

    def warm(self) -> None:
        """Load before the first shard what every shard needs: the rules, the collectors, the
        botocore models of their services and the Redis client (in the worker's main process, so
        that the pool's processes inherit them: a cold process spent ~0.9 s of CPU on its first
        shard)."""
        from mamori.collect.aws.runner import warm_collectors

        self.rules([])
        warm_collectors()
        if self.settings.redis_url is not None:
            import redis  # noqa: F401 - 0.15 s, paid by every pool process on its first shard otherwise
        # What was just loaded lives as long as the worker: out of the collector's sight, every
        # collection no longer walks it (client creation allocates a lot: a shard's CPU fell by
        # ~22 %), and the forked pool processes do not copy its pages when it would.
        gc.freeze()

    @property
    def store(self) -> Store:
        with self._lock:
            if self._store is None:
                self._store = Store.open(self.settings.db, self.settings.config.db)
            return self._store

    def rules(self, ids: list[str]) -> RuleSet:
        with self._lock:
            if self._rules is None:
                self._rules = load_rules(self.settings.config.rule_paths)
        return self._rules.select(ids)

    def plan(self, fleet_id: str) -> dict[str, Any] | None:
        """The plan of a scan still running (None: unknown or no longer running). Its state is
        read for every shard; its plan, which never changes, once per process (the last
        :data:`PLANS_KEPT` scans'): at 18,000 shards it is ~420 KB of JSON."""
        engine = self.store.engine
        if ops.scan_state(engine, fleet_id) != ops.RUNNING:
            return None
        with self._lock:
            plan = self._plans.get(fleet_id)
        if plan is None:
            scan = ops.get_scan(engine, fleet_id)
            if scan is None or scan.state != ops.RUNNING:
                return None
            plan = scan.plan
            with self._lock:
                self._plans[fleet_id] = plan
                while len(self._plans) > PLANS_KEPT:
                    self._plans.popitem(last=False)
        return plan

    @property
    def redis(self) -> Any:
        if self.settings.redis_url is None:
            return None
        with self._lock:
            if self._redis is None:
                import redis

                self._redis = redis.Redis.from_url(self.settings.redis_url)
            return self._redis


def make_app(broker: str, settings: WorkerSettings | None = None, *, warm: bool = False) -> Celery:
    """A Celery app on ``broker`` with mamori's delivery settings and tasks (no result backend:
    results live in the store's ``fleet_shards``). ``warm``: load the rules, collectors and
    botocore models now (`mamori worker`, before its pool forks)."""
    settings = settings or WorkerSettings()
    app = Celery("mamori", broker=broker, backend=None, set_as_current=False)
    app.conf.update(
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        task_time_limit=HARD_TIME_LIMIT_S,
        task_soft_time_limit=SOFT_TIME_LIMIT_S,
        broker_transport_options={"visibility_timeout": VISIBILITY_TIMEOUT_S},
        task_default_queue=settings.queue,
        task_serializer="json",
        accept_content=["json"],
        task_ignore_result=True,
        worker_hijack_root_logger=False,
        broker_connection_retry_on_startup=True,
        worker_send_task_events=False,
        enable_utc=True,
    )
    proc = _Process(settings)
    if warm:
        proc.warm()

    @app.task(bind=True, name=SHARD_TASK, max_retries=MAX_ATTEMPTS - 1)
    def shard_task(self: Any, data: dict[str, Any]) -> str:
        shard = Shard.from_dict(data)
        attempt = int(self.request.retries) + 1
        store = proc.store
        plan = proc.plan(shard.fleet_id)
        if plan is None:
            return "stale"  # the scan is gone or finished: nothing to do (a late redelivery)
        holder = str(self.request.id or shard.id)
        slots = AccountSlots(proc.redis, settings.limits.account_cap, prefix=f"mamori:{settings.queue}:running:",
                             ttl=HARD_TIME_LIMIT_S) if proc.redis is not None else None  # fmt: skip
        while slots is not None and not slots.acquire(shard.account, holder):
            time.sleep(0.2)
        try:
            hooks = CallHooks(shard.account, TokenBuckets(proc.redis, settings.limits, prefix=f"mamori:{settings.queue}:bucket:") if proc.redis is not None else None)
            faults = [p for p in os.environ.get(FAULT_ENV, "").split(",") if p]
            if any(fnmatch.fnmatchcase(shard.id, p) for p in faults):
                raise RuntimeError(f"injected fault ({FAULT_ENV})")
            payload = run_shard(
                shard, proc.rules(plan["rules"]), now=datetime.fromisoformat(plan["started_at"]),
                params=plan.get("params") or None, services=plan.get("services") or (), hooks=hooks.install,
                throttles=hooks.counts, facts=bool(plan.get("org")), session_factory=proc.sessions.factory(shard.target),
            )  # fmt: skip
            status = "ok"
            payload["redelivered"] = bool((self.request.delivery_info or {}).get("redelivered"))
        except Exception as exc:
            if attempt < MAX_ATTEMPTS:
                log.warning("shard %s attempt %d failed: %s; retrying", shard.id, attempt, exc)
                raise self.retry(exc=exc, countdown=RETRY_DELAY_S * attempt) from exc
            log.error("shard %s failed %d times: %s; its scope is UNKNOWN", shard.id, attempt, exc)
            payload = failed_payload(shard, f"failed {attempt} times: {type(exc).__name__}: {exc}", plan.get("services") or ())
            status = "failed"
        finally:
            if slots is not None:
                slots.release(shard.account, holder)
        if service.report(store, shard.fleet_id, shard.id, status, attempt, payload):
            app.send_task(FINALISE_TASK, args=[shard.fleet_id], queue=settings.queue)
        return status

    @app.task(bind=True, name=FINALISE_TASK, max_retries=MAX_ATTEMPTS - 1)
    def finalise_task(self: Any, fleet_id: str) -> str:
        store = proc.store
        scan = ops.get_scan(store.engine, fleet_id)
        if scan is None:
            return "unknown scan"
        try:
            done = service.finalise(store, fleet_id, proc.rules(scan.plan["rules"]))
        except Exception as exc:
            raise self.retry(exc=exc, countdown=RETRY_DELAY_S) from exc
        if done is not None:
            return "recorded"
        scan = ops.get_scan(store.engine, fleet_id)
        if scan is not None and scan.state == ops.FINALISING and scan.lease_until is not None:
            # another finaliser holds the lease (this message may be the redelivery of a finaliser
            # that died): come back when it lapses, and take over unless the scan is done by then
            wait = (scan.lease_until - datetime.now(UTC)).total_seconds()
            raise self.retry(countdown=max(1.0, wait + 1.0), max_retries=MAX_LEASE_WAITS)
        return "not due"

    @app.task(name=JOB_TASK)
    def job_task(name: str) -> dict[str, Any]:
        fn = settings.jobs.get(name)
        if fn is None:
            return {"skipped": f"no job {name!r}"}
        return dict(fn())

    return app


def enqueue(app: Celery, plan: service.Plan, queue: str) -> None:
    for s in plan.shards:
        app.send_task(SHARD_TASK, args=[s.to_dict()], queue=queue)


def beat_schedule(config: Config, queue: str) -> dict[str, dict[str, Any]]:
    """The schedules of mamori.yaml as Celery beat entries (each runs ``mamori.fleet.job``)."""
    out: dict[str, dict[str, Any]] = {}
    for name, job in config.schedules.jobs().items():
        out[f"mamori-{name}"] = {
            "task": JOB_TASK, "schedule": job.interval.total_seconds(), "args": [name], "options": {"queue": queue},
        }  # fmt: skip
    return out


def distributed_scan_job(app: Celery, store_fn: Callable[[], Store], config: Config, queue: str) -> Callable[[], dict[str, Any]]:
    """The scheduled scan on workers: plan and enqueue the shards (the finaliser records it)."""

    def run() -> dict[str, Any]:
        from mamori.fleet.plan import targets_of

        store = store_fn()
        # a scan of an earlier run whose finaliser died (its lease lapsed) or whose message was
        # lost is recorded first, so that the lifecycle runs in scan order (as `scan --broker` does)
        recovered = service.recover(store, lambda ids: load_rules(config.rule_paths).select(ids))
        rules = load_rules(config.rule_paths)
        if config.disabled_rules:
            rules = RuleSet(r for r in rules if r.id not in set(config.disabled_rules))
        if config.suppressions_file:
            from mamori.hub.sync import sync_hub

            sync_hub(store, config.suppressions_file, actor="scheduler")
        plan = service.start(store, targets_of(config.schedules.aws), rules, params=config.params)
        enqueue(app, plan, queue)
        return {"fleet_id": plan.fleet_id, "shards": len(plan.shards), "recovered": recovered}

    return run
