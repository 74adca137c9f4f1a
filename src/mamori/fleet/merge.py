"""The finaliser: merge the shards' payloads, decide the deferred rules, record the scan once.

The merged evaluation is the one a single-process scan of the same estate gives (same
results, so the same findings, ids, scores and UNKNOWN scopes); the store's ordinary
lifecycle (NEW / RESOLVED / reopened / SUPPRESSED) then runs on it. A shard that failed
for good contributes a ``ShardFailed`` error over its whole scope: every rule there is
UNKNOWN, and nothing is resolved there.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection

from mamori.collect.aws.org_checks import AccountFacts, join_facts, organization_from
from mamori.engage.verify import VerifyReport, after_scan
from mamori.engine.evaluate import Evaluation, evaluate
from mamori.findings import ScanSummary, Store
from mamori.fleet.shard import counter_sum, result_from_dict
from mamori.model.exposure import resolve_rows
from mamori.model.finding import Result
from mamori.model.resource import GLOBAL, Coverage, Inventory, Resource, ScanError
from mamori.model.resources.organizations import ORGANIZATION
from mamori.model.score import ScoreRow
from mamori.rules import RuleSet
from mamori.standards.score import CoverageRow, score
from mamori.standards.store import record_standards


class MergedInventory(Inventory):
    """What the finaliser holds of the estate: the context and failing resources, every scope
    covered and every error, and the number of resources the shards collected."""

    def __init__(self, *, total: int, **kw: Any) -> None:
        super().__init__(**kw)
        self.total = total

    def __len__(self) -> int:
        return self.total


@dataclass
class Merged:
    inventory: MergedInventory
    evaluation: Evaluation
    calls: dict[str, int]
    throttles: dict[str, int]
    failed: list[str]  # shard ids that failed for good
    shards: int
    seconds: float  # summed collection time of the shards
    attempts: dict[str, int] = field(default_factory=dict)  # shard -> attempts, for shards retried or redelivered
    workloads: list[dict[str, Any]] = field(default_factory=list)  # scan_workloads rows, joined over the shards


def merge(
    payloads: Sequence[tuple[str, str, int, Mapping[str, Any]]], rules: RuleSet, *, started: datetime, now: datetime,
    source: str, params: Mapping[str, Mapping[str, Any]] | None = None, planner_calls: Mapping[str, int] | None = None,
    org: Mapping[str, Any] | None = None,
) -> Merged:  # fmt: skip
    """Merge ``(shard, status, attempts, payload)`` rows (see :func:`mamori.fleetstore.ops.shard_payloads`).

    ``org`` (the plan of `scan --org --broker`, :func:`mamori.scan.org.org_plan_facts`): the
    organization-level rules are evaluated here, over the organization data read when planning
    and the GuardDuty/Config facts of the regional shards, as `scan --org` does in one process."""
    inv = MergedInventory(total=sum(int(p.get("resources", 0)) for _, _, _, p in payloads), collected_at=started, source=source)
    results: list[Result] = []
    failed: list[str] = []
    deferred: dict[str, list[tuple[str, str, str, str]]] = {}
    failed_errors: list[ScanError] = []
    for shard, status, _attempts, p in payloads:
        for d in p.get("context", ()) + p.get("failing", ()):
            res = Resource.from_dict(d)
            if inv.get(*res.key) is None:
                inv.add(res)
        errors = [ScanError.from_dict(e) for e in p.get("errors", ())]
        for e in errors:
            inv.add_error(e)
        for a, r, t in p.get("coverage", ()):
            inv.coverage.add(Coverage(str(a), str(r), str(t)))
        results.extend(result_from_dict(d) for d in p.get("results", ()))
        for rid, key in p.get("deferred", ()):
            deferred.setdefault(str(rid), []).append((str(key[0]), str(key[1]), str(key[2]), str(key[3])))
        if status != "ok":
            failed.append(shard)
            failed_errors.extend(errors)
    n = sum(int(p.get("evaluations", 0)) for _, _, _, p in payloads)
    if failed_errors:  # a failed scope: UNKNOWN for every rule over its types, as evaluate() says for errors
        results.extend(evaluate(Inventory(errors=failed_errors, collected_at=started), rules, now=now, params=params).results)
    for rid, keys in sorted(deferred.items()):
        if rid not in {r.id for r in rules}:
            continue
        sub = Inventory(collected_at=started)
        for key in keys:
            found = inv.get(*key)
            if found is not None and sub.get(*key) is None:
                sub.add(found)
        results.extend(evaluate(sub, rules.select([rid]), now=now, params=params, context=inv).results)
    org_rules = RuleSet([r for r in rules if r.spec.resource_type == ORGANIZATION])
    if org and org.get("checks") and org.get("data") is not None and len(org_rules):
        org_inv = _organization(org, payloads)
        org_ev = evaluate(org_inv, org_rules, now=now, params=params)
        for res in org_inv:
            if inv.get(*res.key) is None:
                inv.add(res)
        inv.total += len(org_inv)
        inv.coverage |= org_inv.coverage
        for e in org_inv.errors:
            inv.add_error(e)
        results.extend(org_ev.results)
        n += org_ev.evaluations
    results.sort(key=lambda r: (r.resource_type, r.rule_id, r.account, r.region, r.resource_id, r.status.value))
    rules_evaluated = evaluate(Inventory(collected_at=started), rules).rules_evaluated
    counts: Counter[str] = Counter(r.status.value for r in results)
    ev = Evaluation(results, rules_evaluated, n, 0.0, counts)
    calls = counter_sum([planner_calls or {}, *(p.get("calls", {}) for _, _, _, p in payloads)])
    throttles = counter_sum(p.get("throttles", {}) for _, _, _, p in payloads)
    seconds = sum(float(p.get("seconds", 0.0)) for _, _, _, p in payloads)
    attempts = {s: a for s, _, a, _ in payloads if a > 1}
    attempts.update({s: attempts.get(s, 1) for s, _, _, p in payloads if p.get("redelivered")})
    rows = resolve_rows(p.get("workloads") or {} for _, _, _, p in payloads)
    return Merged(inv, ev, calls, throttles, sorted(failed), len(payloads), seconds, attempts, rows)


def _organization(org: Mapping[str, Any], payloads: Sequence[tuple[str, str, int, Mapping[str, Any]]]) -> Inventory:
    """The organization resource from the plan's data and every account's facts (joined over its regional shards)."""
    by_account: dict[str, dict[str, AccountFacts | None]] = {}
    for shard, status, _attempts, p in payloads:
        account, _, scope = shard.partition("/")
        if scope == GLOBAL:
            continue
        f = p.get("facts") if status == "ok" else None
        by_account.setdefault(account, {})[scope] = AccountFacts.from_dict(f) if f else None
    facts = {a: join_facts(a, sorted(regions), regions) for a, regions in by_account.items()}
    return organization_from(
        org["data"], organization_id=str(org["organization_id"]), management_account_id=str(org["management_account_id"]),
        active_accounts=[str(a) for a in org.get("active_accounts", ())], facts=facts,
    )  # fmt: skip


@dataclass
class Recorded:
    summary: ScanSummary | None
    scores: list[ScoreRow]
    coverage: list[CoverageRow]
    engage: VerifyReport | None


def record(
    merged: Merged, rules: RuleSet, store: Store | None, *, started: datetime, finished: datetime,
    within: Callable[[Connection, ScanSummary], None] | None = None, recorded: ScanSummary | None = None,
    step: Callable[[str], None] | None = None,
) -> Recorded:  # fmt: skip
    """Score and (with a store) record the merged scan, as `mamori.scan.service.run_scan` does.

    ``within`` runs in the transaction of the lifecycle (the finaliser's fence); ``recorded``: the
    lifecycle was applied already (by a finaliser that died after it), so only the idempotent rest
    (standards coverage, engagement verification) runs again. ``step(name)`` is called after each
    step ("recorded", "standards", "engaged"): tests interrupt the finaliser there."""
    inv, ev = merged.inventory, merged.evaluation
    rows = score(ev.results, rules)
    summary = recorded
    if store is not None and summary is None:
        titles = {r.id: r.spec.title for r in rules}
        summary = store.record_scan(inv, ev, titles, rows, started_at=started, finished_at=finished, within=within,
                                    workloads=merged.workloads)  # fmt: skip
    if step is not None:
        step("recorded")
    engine, scan_id = (store.engine, summary.scan_id) if store is not None and summary is not None else (None, None)
    cov = record_standards(engine, scan_id, ev.results, rules, ev.rules_evaluated, inv.accounts, at=finished)
    if step is not None:
        step("standards")
    engage = None
    if store is not None:
        engage = after_scan(store, scan_id, inv, ev.results, ev.rules_evaluated, now=finished)
    if step is not None:
        step("engaged")
    return Recorded(summary, rows, cov, engage)
