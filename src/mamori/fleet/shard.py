"""Run one shard: collect its scope, evaluate the rules over it, and the payload to store.

A rule that reads other resources (``ctx.inventory``: a bucket's trail, a vault's KMS key,
the alarm in another Region) may need another shard's data, so a shard does not decide it:
the (rule, resource) pair is deferred and the resource shipped, and the finaliser decides it
over the merged *context*: every shard ships its resources of :data:`CONTEXT_TYPES` (what
such rules read). Everything else a shard decides alone, exactly as a single process would,
and so are its workloads (``scan_workloads``: which ECS service or Lambda function runs which
image digest, how exposed), but for a ``repo:tag`` of another shard's ECR, resolved by the finaliser.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from typing import Any

from mamori.collect.aws.session import ClientFactory, SessionFactory
from mamori.engine.evaluate import evaluate
from mamori.fleet.plan import Shard
from mamori.model.exposure import workload_rows
from mamori.model.finding import Result, ResultStatus, Severity
from mamori.model.resource import GLOBAL, Inventory, Resource, ScanError
from mamori.model.resources.cloudtrail import REGION, TRAIL
from mamori.model.resources.kms import KEY
from mamori.model.resources.monitoring import REGION as MONITORING_REGION
from mamori.model.resources.s3 import BUCKET
from mamori.rules import RuleSet
from mamori.store.rows import jsonable

CONTEXT_TYPES = frozenset({REGION, TRAIL, BUCKET, KEY, MONITORING_REGION})
"""The resource types rules read through ``ctx.inventory`` (tests/fleet checks the library reads no other)."""

SHARD_FAILED = "ShardFailed"


class Tracer:
    """The inventory as rules see it (``ctx.inventory``), counting every read."""

    def __init__(self, inner: Inventory) -> None:
        self._inner = inner
        self.reads = 0
        self.types: set[str] = set()

    def get(self, resource_type: str, account: str, region: str, rid: str) -> Resource | None:
        self.reads += 1
        self.types.add(resource_type)
        return self._inner.get(resource_type, account, region, rid)

    def find(self, resource_type: str, rid: str) -> list[Resource]:
        self.reads += 1
        self.types.add(resource_type)
        return self._inner.find(resource_type, rid)

    def of_type(self, resource_type: str) -> list[Resource]:
        self.reads += 1
        self.types.add(resource_type)
        return self._inner.of_type(resource_type)

    def is_clean(self, account: str, region: str, resource_type: str) -> bool:
        self.reads += 1
        return self._inner.is_clean(account, region, resource_type)

    def __getattr__(self, name: str) -> Any:
        self.reads += 1
        return getattr(self._inner, name)


def result_to_dict(r: Result) -> dict[str, Any]:
    return {"rule_id": r.rule_id, "status": r.status.value, "severity": r.severity.value, "resource_type": r.resource_type,
            "resource_id": r.resource_id, "account": r.account, "region": r.region, "arn": r.arn,
            "evidence": jsonable(r.evidence), "reason": r.reason}  # fmt: skip


def result_from_dict(d: Mapping[str, Any]) -> Result:
    return Result(
        rule_id=str(d["rule_id"]), status=ResultStatus(d["status"]), severity=Severity(d["severity"]),
        resource_type=str(d["resource_type"]), resource_id=str(d["resource_id"]), account=str(d["account"]),
        region=str(d["region"]), arn=str(d.get("arn") or ""), evidence=dict(d.get("evidence") or {}),
        reason=str(d.get("reason") or ""),
    )  # fmt: skip


def _slim(res: Resource) -> dict[str, Any]:
    """What the lifecycle reads of a failing resource: its identity and tags (suppressions, engagements)."""
    return {"provider": res.provider, "account": res.account, "region": res.region, "type": res.type, "id": res.id,
            "arn": res.arn, "name": res.name, "tags": dict(res.tags), "properties": {}}  # fmt: skip


def evaluate_shard(
    inv: Inventory, rules: RuleSet, *, now: datetime, params: Mapping[str, Mapping[str, Any]] | None,
) -> dict[str, Any]:  # fmt: skip
    """The results part of a shard's payload for a collected inventory (pure: no I/O)."""
    tracer = Tracer(inv)
    deferred: list[tuple[str, Any]] = []
    ev = evaluate(inv, rules, now=now, params=params, context=tracer, deferred=deferred)
    context = [r.to_dict() for t in sorted(CONTEXT_TYPES) for r in inv.of_type(t)]
    shipped = {(r["type"], r["account"], r["region"], r["id"]) for r in context}
    deferred_out = []
    for rid, res in deferred:
        deferred_out.append([rid, list(res.key)])
        if res.key not in shipped:
            context.append(res.to_dict())
            shipped.add(res.key)
    failing = []  # failing and tagged resources, slim: suppressions, owners and engagements match on tags
    for r in ev.results:
        if r.status is ResultStatus.FAIL:
            key = (r.resource_type, r.account, r.region, r.resource_id)
            res = inv.get(*key)
            if res is not None and key not in shipped:
                failing.append(_slim(res))
                shipped.add(key)
    for res in inv:
        if res.tags and res.key not in shipped:
            failing.append(_slim(res))
            shipped.add(res.key)
    return {
        "results": [result_to_dict(r) for r in ev.results],
        "deferred": deferred_out,
        "context": context,
        "failing": failing,
        "errors": [e.to_dict() for e in inv.errors],
        "coverage": sorted([c.account, c.region, c.resource_type] for c in inv.coverage),
        "resources": len(inv),
        "evaluations": ev.evaluations,
        "rules": sorted(ev.rules_evaluated),
        "read_types": sorted(tracer.types),
        "workloads": workload_rows(inv),  # scan_workloads: exposure reads the shard's own account and Region
    }


def run_shard(
    shard: Shard, rules: RuleSet, *, now: datetime, params: Mapping[str, Mapping[str, Any]] | None = None,
    services: Iterable[str] = (), hooks: Callable[[ClientFactory], None] | None = None,
    throttles: Callable[[], Mapping[str, int]] | None = None, facts: bool = False,
    session_factory: SessionFactory | None = None,
) -> dict[str, Any]:  # fmt: skip
    """Collect the shard's scope of its account and evaluate it: the payload to store.

    ``facts`` (an organization scan): a regional shard also keeps its region's GuardDuty and
    Config facts for the organization-level rules (:func:`mamori.collect.aws.org_checks.account_facts`).
    ``session_factory``: a worker's cached sessions (:class:`~mamori.collect.aws.session.SessionCache`)."""
    from mamori.collect.aws.base import CollectContext
    from mamori.collect.aws.org_checks import account_facts
    from mamori.collect.aws.runner import collect_aws

    box: dict[str, Any] = {}

    def on_done(ctx: CollectContext, inv: Inventory) -> None:
        box["facts"] = account_facts(inv, ctx.account, [shard.scope], ctx.client).to_dict()

    keep = facts and not shard.is_global
    got = collect_aws(shard.target, session_factory=session_factory, services_=services, scope=shard.scope,
                      account=shard.account, hooks=hooks, on_done=on_done if keep else None)  # fmt: skip
    out = evaluate_shard(got.inventory, rules, now=now, params=params)
    if keep:
        out["facts"] = box.get("facts")
    out["calls"] = dict(got.calls.calls)
    out["throttles"] = dict(throttles()) if throttles is not None else {}
    out["seconds"] = got.seconds
    return out


def failed_payload(shard: Shard, message: str, services: Iterable[str] = ()) -> dict[str, Any]:
    """A shard that failed for good: its whole scope is UNKNOWN (and so resolves nothing)."""
    from mamori.collect.aws.runner import select_collectors

    regions = list(shard.target.regions)
    scopes: dict[str, set[str]] = {}
    for c in select_collectors(services):
        if c.scope == "global":
            if shard.is_global:
                for region, types in c.coverage(regions):
                    scopes.setdefault(region, set()).update(types)
        elif not shard.is_global:
            scopes.setdefault(shard.scope, set()).update(c.resource_types)
    errors = [
        ScanError(account=shard.account, region=region, service="fleet", operation="shard " + shard.id,
                  code=SHARD_FAILED, message=message[:500], resource_types=tuple(sorted(types)))
        for region, types in sorted(scopes.items())
    ]  # fmt: skip
    return {"results": [], "deferred": [], "context": [], "failing": [], "errors": [e.to_dict() for e in errors],
            "coverage": [], "resources": 0, "evaluations": 0, "rules": [], "read_types": [], "calls": {},
            "throttles": {}, "seconds": 0.0, "workloads": {}}  # fmt: skip


def counter_sum(items: Iterable[Mapping[str, int]]) -> dict[str, int]:
    total: Counter[str] = Counter()
    for m in items:
        total.update({str(k): int(v) for k, v in m.items()})
    return dict(sorted(total.items()))


__all__ = ["CONTEXT_TYPES", "GLOBAL", "Tracer", "evaluate_shard", "failed_payload", "run_shard"]
