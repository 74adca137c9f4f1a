"""A distributed scan from start to finish, independent of Celery: plan, report shards, finalise.

``start``     resolve the targets, plan the shards, record the scan in flight (returns the shards)
``report``    store one shard's payload (idempotent); True when every shard has reported
``finalise``  merge and record the scan, once (a second caller gets None)
``outcome``   the merged scan again, for whoever prints it
The Celery tasks (:mod:`mamori.fleet.app`) and the in-process runner of the tests call these.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any

from mamori.collect.aws.session import AwsTarget
from mamori.errors import StoreError
from mamori.findings import ScanSummary, Store
from mamori.fleet.merge import Merged, merge, record
from mamori.fleet.plan import Resolved, Resolver, Shard, plan_shards, resolve_target
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
    services: Sequence[str] = (), resolver: Resolver = resolve_target, now: datetime | None = None,
    fleet_id: str | None = None,
) -> Plan:  # fmt: skip
    """Resolve every target (account id, regions), plan its shards and record the scan in flight."""
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
    ops.create_scan(store.engine, fid, plan, len(shards), now=started)
    return Plan(fid, shards, started)


PLANNER_THREADS = 16


def resolve_all(targets: Sequence[AwsTarget], resolver: Resolver = resolve_target) -> list[Resolved]:
    """Every target resolved, in order, up to :data:`PLANNER_THREADS` at once: each is an
    sts:AssumeRole and sts:GetCallerIdentity (~0.1-0.3 s against AWS), and the scan waits for all
    of them before the first shard is enqueued. The first failure (in target order) is raised."""
    if len(targets) <= 1:
        return [resolver(t) for t in targets]
    with ThreadPoolExecutor(max_workers=min(PLANNER_THREADS, len(targets)), thread_name_prefix="mamori-plan") as pool:
        return list(pool.map(resolver, targets))


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
        params=plan.get("params") or None, planner_calls=plan.get("planner_calls") or {},
    )  # fmt: skip


def finalise(store: Store, fleet_id: str, rules: RuleSet, *, now: datetime | None = None) -> dict[str, Any] | None:
    """Merge and record the scan when every shard has reported; None when not complete or already claimed."""
    if not ops.progress(store.engine, fleet_id).complete or not ops.claim_finalise(store.engine, fleet_id):
        return None
    scan = ops.get_scan(store.engine, fleet_id)
    if scan is None:  # pragma: no cover - claimed a moment ago
        raise StoreError(f"distributed scan {fleet_id} vanished")
    try:
        merged = _merged(store, scan, rules)
        finished = now or datetime.now(UTC)
        rec = record(merged, rules, store, started=scan.started_at, finished=finished)
    except Exception as exc:
        ops.release_finalise(store.engine, fleet_id)
        raise StoreError(f"could not finalise distributed scan {fleet_id}: {exc}") from exc
    result = {
        "summary": asdict(rec.summary) if rec.summary is not None else None,
        "coverage": [c.to_dict() for c in rec.coverage],
        "calls": merged.calls,
        "throttles": merged.throttles,
        "failed_shards": merged.failed,
        "redelivered": merged.attempts,
        "shard_seconds": round(merged.seconds, 3),
    }
    scan_id = rec.summary.scan_id if rec.summary is not None else None
    ops.finish_scan(store.engine, fleet_id, state=ops.DONE, scan_id=scan_id, result=result, now=finished)
    return result


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
    services: Sequence[str] = (), resolver: Resolver = resolve_target,
    run: Callable[[Shard], tuple[str, dict[str, Any]]] | None = None,
) -> FleetOutcome:  # fmt: skip
    """Every shard in this process, one after the other (tests, and the reference for the workers)."""
    from mamori.fleet.shard import run_shard

    plan = start(store, targets, rules, params=params, services=services, resolver=resolver)

    def default(s: Shard) -> tuple[str, dict[str, Any]]:
        return "ok", run_shard(s, rules, now=plan.started, params=params, services=services)

    for s in plan.shards:
        status, payload = (run or default)(s)
        report(store, plan.fleet_id, s.id, status, 1, payload)
    finalise(store, plan.fleet_id, rules)
    return outcome(store, plan.fleet_id, rules)
