"""A distributed scan from start to finish, independent of Celery: plan, report shards, finalise.

``start``     resolve the targets, plan the shards, record the scan in flight (returns the shards)
``report``    store one shard's payload (idempotent); True when every shard has reported
``finalise``  merge and record the scan, once, under a lease (a second caller gets None)
``recover``   finalise what nobody finalises (a lost finaliser message, a finaliser that died)
``outcome``   the merged scan again, for whoever prints it
The Celery tasks (:mod:`mamori.fleet.app`) and the in-process runner of the tests call these.
"""

from __future__ import annotations

import os
import signal
import socket
import threading
import uuid
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection

from mamori.collect.aws.session import AwsTarget
from mamori.errors import StoreError
from mamori.findings import ScanSummary, Store
from mamori.fleet.merge import Merged, merge, record
from mamori.fleet.plan import Resolved, Resolver, Shard, plan_shards, planner
from mamori.fleet.shard import counter_sum
from mamori.fleetstore import ops
from mamori.rules import RuleSet
from mamori.standards.score import CoverageRow, score


@dataclass(frozen=True)
class Plan:
    fleet_id: str
    shards: list[Shard]
    started: datetime


def start(
    store: Store, targets: Sequence[AwsTarget], rules: RuleSet, *, params: Mapping[str, Any] | None = None,
    services: Sequence[str] = (), resolver: Resolver | None = None, now: datetime | None = None,
    fleet_id: str | None = None, org: Mapping[str, Any] | None = None,
) -> Plan:  # fmt: skip
    """Resolve every target (account id, regions), plan its shards and record the scan in flight.

    ``org`` (`scan --org --broker`): the organization part of the plan; the regional shards then
    keep their GuardDuty/Config facts and the finaliser evaluates the organization-level rules."""
    started = now or datetime.now(UTC)
    fid = fleet_id or str(uuid.uuid4())
    resolved = resolve_all(targets, resolver)
    shards = plan_shards(fid, resolved)
    accounts: list[str] = []
    for r in resolved:
        if r.account not in accounts:
            accounts.append(r.account)
    plan = {
        "accounts": accounts,
        "rules": sorted(r.id for r in rules),
        "params": {k: dict(v) for k, v in (params or {}).items()},
        "services": list(services),
        "started_at": started.isoformat(),
        "planner_calls": counter_sum(r.calls for r in resolved),
        "shards": [s.id for s in shards],
    }
    if org is not None:
        plan["org"] = dict(org)
    ops.create_scan(store.engine, fid, plan, len(shards), now=started)
    return Plan(fid, shards, started)


PLANNER_THREADS = 16


def resolve_all(targets: Sequence[AwsTarget], resolver: Resolver | None = None) -> list[Resolved]:
    """Every target resolved, in order (default: :func:`~mamori.fleet.plan.planner`): the first
    alone, which loads what every later one shares (botocore's models, the base session), then
    the others up to :data:`PLANNER_THREADS` at once: each is an sts:AssumeRole (~0.1-0.3 s
    against AWS), and the scan waits for all of them before the first shard is enqueued. The
    first failure (in target order) is raised."""
    resolve = resolver or planner()
    if len(targets) <= 1:
        return [resolve(t) for t in targets]
    first = resolve(targets[0])
    with ThreadPoolExecutor(max_workers=min(PLANNER_THREADS, len(targets) - 1), thread_name_prefix="mamori-plan") as pool:
        return [first, *pool.map(resolve, targets[1:])]


def report(store: Store, fleet_id: str, shard: str, status: str, attempts: int, payload: Mapping[str, Any]) -> bool:
    """Store a shard's result (again, harmlessly, when redelivered); True once every shard is in."""
    ops.store_shard(store.engine, fleet_id, shard, status, attempts, payload)
    return ops.progress(store.engine, fleet_id).complete


def _merged(store: Store, scan: ops.FleetScan, rules: RuleSet) -> Merged:
    plan = scan.plan
    started = datetime.fromisoformat(plan["started_at"])
    source = "aws:" + ",".join(plan["accounts"])
    return merge(
        ops.shard_payloads(store.engine, scan.id), rules, started=started, now=started, source=source,
        params=plan.get("params") or None, planner_calls=plan.get("planner_calls") or {}, org=plan.get("org"),
    )  # fmt: skip


LEASE_ENV = "MAMORI_FLEET_LEASE_S"
DEFAULT_LEASE_S = 300.0
KILL_ENV = "MAMORI_FLEET_KILL_FINALISER"  # tests, benchmarks: a first finaliser SIGKILLs itself after this step


def lease_seconds() -> float:
    """The finaliser's lease (renewed every third of it while it works; env :data:`LEASE_ENV`)."""
    try:
        return max(1.0, float(os.environ.get(LEASE_ENV) or DEFAULT_LEASE_S))
    except ValueError:
        return DEFAULT_LEASE_S


def _kill_at(name: str) -> None:
    if os.environ.get(KILL_ENV) == name:
        os.kill(os.getpid(), signal.SIGKILL)


class _Heartbeat:
    """Renew the lease every third of it while the finaliser works (a killed finaliser stops renewing)."""

    def __init__(self, store: Store, fleet_id: str, owner: str, ttl: float) -> None:
        self._args = (store.engine, fleet_id, owner)
        self._ttl = ttl
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"lease-{fleet_id[:8]}", daemon=True)

    def _run(self) -> None:
        engine, fid, owner = self._args
        while not self._stop.wait(self._ttl / 3):
            try:
                if not ops.renew_lease(engine, fid, owner, ttl_s=self._ttl):
                    return
            except Exception:  # the store is briefly unreachable: the next beat tries again
                continue

    def __enter__(self) -> _Heartbeat:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(5)


def finalise(
    store: Store, fleet_id: str, rules: RuleSet, *, now: datetime | None = None, lease_s: float | None = None,
    step: Callable[[str], None] | None = None,
) -> dict[str, Any] | None:  # fmt: skip
    """Merge and record the scan when every shard has reported; None when not complete, done,
    or another finaliser holds the lease.

    A finaliser takes a lease on the scan, renewed while it works; if it dies, another one takes
    over once the lease lapses. The lifecycle is applied exactly once: the recording transaction
    notes the recorded scan under the lease (:func:`ops.mark_recorded`), and a finaliser that
    takes over after it only redoes the idempotent rest (standards coverage, engagement
    verification) and closes the scan. ``step(name)`` is called after "claimed", "recorded",
    "standards", "engaged" (tests interrupt there; :data:`KILL_ENV` SIGKILLs the process)."""
    engine = store.engine
    if not ops.progress(engine, fleet_id).complete:
        return None
    ttl = lease_s or lease_seconds()
    owner = f"{socket.gethostname()[:32]}:{os.getpid()}:{uuid.uuid4().hex[:12]}"
    before = ops.get_scan(engine, fleet_id)
    took_over = before is not None and before.state == ops.FINALISING
    if not ops.claim_finalise(engine, fleet_id, owner, ttl_s=ttl, now=now):
        return None
    on_step = step or (_kill_at if not took_over else lambda _name: None)
    with _Heartbeat(store, fleet_id, owner, ttl):
        try:
            scan = ops.get_scan(engine, fleet_id)
            if scan is None:  # pragma: no cover - claimed a moment ago
                raise StoreError(f"distributed scan {fleet_id} vanished")
            on_step("claimed")
            merged = _merged(store, scan, rules)
            finished = now or datetime.now(UTC)
            recorded = None
            if scan.scan_id is not None and scan.result and scan.result.get("summary"):
                recorded = ScanSummary(**scan.result["summary"])  # the lifecycle ran; its finaliser died after

            def fence(conn: Connection, summary: ScanSummary) -> None:
                ops.mark_recorded(conn, fleet_id, owner, summary.scan_id, asdict(summary))

            rec = record(merged, rules, store, started=scan.started_at, finished=finished, within=fence,
                         recorded=recorded, step=on_step)  # fmt: skip
        except ops.LeaseLost:
            return None  # another finaliser took over (this one was too slow): it records the scan
        except Exception as exc:
            ops.release_finalise(engine, fleet_id, owner)
            raise StoreError(f"could not finalise distributed scan {fleet_id}: {exc}") from exc
        result = {
            "summary": asdict(rec.summary) if rec.summary is not None else None,
            "coverage": [c.to_dict() for c in rec.coverage],
            "calls": merged.calls,
            "throttles": merged.throttles,
            "failed_shards": merged.failed,
            "redelivered": merged.attempts,
            "shard_seconds": round(merged.seconds, 3),
            "took_over": took_over,  # another finaliser began before (it died, or failed and gave the lease back)
        }
        scan_id = rec.summary.scan_id if rec.summary is not None else None
        if not ops.finish_scan(engine, fleet_id, state=ops.DONE, scan_id=scan_id, result=result, now=finished, owner=owner):
            return None
    return result


def recover(store: Store, rules_for: Callable[[list[str]], RuleSet], *, now: datetime | None = None) -> list[str]:
    """Finalise the scans every shard of which has reported but nobody finalises (the finaliser's
    message was lost, or its finaliser died and the lease lapsed); oldest first. The ids recorded."""
    done: list[str] = []
    for fid in ops.unfinished(store.engine, now=now):
        scan = ops.get_scan(store.engine, fid)
        if scan is None or not ops.progress(store.engine, fid).complete:
            continue
        try:
            rules = rules_for(list(scan.plan["rules"]))
        except Exception:  # a rule of that scan is gone: leave it to a worker that has it
            continue
        if finalise(store, fid, rules, now=now) is not None:
            done.append(fid)
    return done


@dataclass
class FleetOutcome:
    """A finished distributed scan, for printing: the merged evaluation and what was recorded."""

    merged: Merged
    scan: ops.FleetScan
    scores: list[Any]
    summary: ScanSummary | None
    coverage: list[CoverageRow]
    result: dict[str, Any]


def outcome(store: Store, fleet_id: str, rules: RuleSet) -> FleetOutcome:
    scan = ops.get_scan(store.engine, fleet_id)
    if scan is None or scan.state != ops.DONE or scan.result is None:
        raise StoreError(f"distributed scan {fleet_id} is not finished")
    merged = _merged(store, scan, rules)
    res = scan.result
    summary = ScanSummary(**res["summary"]) if res.get("summary") else None
    cov = [CoverageRow(**c) for c in res.get("coverage", [])]
    return FleetOutcome(merged, scan, score(merged.evaluation.results, rules), summary, cov, res)


def run_inline(
    store: Store, targets: Sequence[AwsTarget], rules: RuleSet, *, params: Mapping[str, Any] | None = None,
    services: Sequence[str] = (), resolver: Resolver | None = None,
    run: Callable[[Shard], tuple[str, dict[str, Any]]] | None = None, org: Mapping[str, Any] | None = None,
) -> FleetOutcome:  # fmt: skip
    """Every shard in this process, one after the other (tests, and the reference for the workers)."""
    from mamori.fleet.shard import run_shard

    plan = start(store, targets, rules, params=params, services=services, resolver=resolver, org=org)

    def default(s: Shard) -> tuple[str, dict[str, Any]]:
        return "ok", run_shard(s, rules, now=plan.started, params=params, services=services, facts=org is not None)

    for s in plan.shards:
        status, payload = (run or default)(s)
        report(store, plan.fleet_id, s.id, status, 1, payload)
    finalise(store, plan.fleet_id, rules)
    return outcome(store, plan.fleet_id, rules)
