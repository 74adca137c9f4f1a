"""Pure evaluation: rules x inventory -> results. No I/O, no API calls."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from mamori.model.finding import Result, ResultStatus
from mamori.model.resource import Inventory
from mamori.rules.conditions import EvalContext
from mamori.rules.loader import RuleSet


@dataclass
class Evaluation:
    results: list[Result]
    rules_evaluated: set[str]
    evaluations: int = 0
    seconds: float = 0.0
    counts: Counter[str] = field(default_factory=Counter)

    def failed(self) -> list[Result]:
        return [r for r in self.results if r.status is ResultStatus.FAIL]


PASS = ResultStatus.PASS
FAIL = ResultStatus.FAIL


def evaluate(
    inventory: Inventory,
    rules: RuleSet,
    *,
    now: datetime | None = None,
    params: Mapping[str, Mapping[str, Any]] | None = None,
    context: Any = None,
    deferred: list[tuple[str, Any]] | None = None,
) -> Evaluation:
    """Evaluate every rule on every resource of its type.

    A resource the rule does not apply to yields nothing. A scope whose collection failed
    for the rule's resource type yields one UNKNOWN result with the error as reason, so a
    missing service is never mistaken for a compliant one. A rule that raises on a resource
    (a string where it expects a mapping, in a hand-made snapshot) yields UNKNOWN for that
    resource with ``rule error: <Type>: <message>`` as reason; the scan goes on.

    ``context`` is what rules read as ``ctx.inventory`` (default: ``inventory``). With
    ``deferred`` (a list), a rule on a resource that read the context (``context.reads``
    changed) keeps no result: ``(rule id, resource)`` is appended there instead, so that a
    shard of a distributed scan leaves cross-scope decisions to the finaliser.
    """
    start = time.perf_counter()
    now = now or inventory.collected_at
    overrides = params or {}
    results: list[Result] = []
    n = 0
    evaluated: set[str] = set()
    ctx_inv: Any = inventory if context is None else context
    for rtype, type_rules in rules.by_type().items():
        resources = inventory.of_type(rtype)
        errors = inventory.errors_for(rtype)
        for rule in type_rules:
            spec = rule.spec
            evaluated.add(spec.id)
            ctx = EvalContext(now, {**spec.params, **overrides.get(spec.id, {})}, ctx_inv, rule.hooks)
            fail_when = rule.fail_when
            applies = rule.applies_when
            declared = rule.evidence
            sev = spec.severity
            rid = spec.id
            for res in resources:
                n += 1
                before = ctx_inv.reads if deferred is not None else 0
                try:
                    outcome = _one(rid, sev, res, ctx, applies, fail_when, declared)
                except Exception as exc:  # a rule that breaks on one resource: UNKNOWN for it, the scan goes on
                    outcome = Result.of(rid, sev, res, ResultStatus.UNKNOWN, reason=f"rule error: {type(exc).__name__}: {exc}")
                if deferred is not None and ctx_inv.reads != before:
                    deferred.append((rid, res))
                elif outcome is not None:
                    results.append(outcome)
            for err in errors:
                results.append(
                    Result(
                        rule_id=rid,
                        status=ResultStatus.UNKNOWN,
                        severity=sev,
                        resource_type=rtype,
                        resource_id="*",
                        account=err.account,
                        region=err.region,
                        reason=f"{err.service} {err.operation} failed: {err.code} {err.message}".strip(),
                    )
                )
    by_status: Counter[ResultStatus] = Counter()
    for r in results:
        by_status[r.status] += 1
    counts: Counter[str] = Counter({k.value: v for k, v in by_status.items()})
    return Evaluation(results, evaluated, n, time.perf_counter() - start, counts)


def _one(rid: str, sev: Any, res: Any, ctx: EvalContext, applies: Any, fail_when: Any, declared: Any) -> Result | None:
    """One rule on one resource: FAIL, PASS, UNKNOWN, or None when the rule does not apply."""
    ev: dict[str, Any] = {}
    if applies is not None:
        a = applies(res, ctx, ev)
        if a is False:
            return None
        ev = {}
        if a is None:
            return Result.of(rid, sev, res, ResultStatus.UNKNOWN, reason="data needed to decide whether the rule applies was not collected")
    v = fail_when(res, ctx, ev)
    if v is True:
        if declared:
            ev = {k: get(res) for k, get in declared.items()} | {k: x for k, x in ev.items() if k not in declared}
        return Result(rid, FAIL, sev, res.type, res.id, res.account, res.region, res.arn, ev)
    if v is False:
        return Result(rid, PASS, sev, res.type, res.id, res.account, res.region, res.arn, {})
    missing = sorted(k for k, val in ev.items() if val is None)
    if res.unresolved:
        exprs = unresolved_for(res, missing)
        if exprs:
            return Result.of(rid, sev, res, ResultStatus.UNKNOWN, {k: None for k in missing},
                             reason="unresolved: " + "; ".join(f"{k} = {e}" for k, e in exprs.items()))  # fmt: skip
    return Result.of(rid, sev, res, ResultStatus.UNKNOWN, {k: None for k in missing}, reason="not collected: " + ", ".join(missing) if missing else "undecidable")


def unresolved_for(res: Any, missing: list[str]) -> dict[str, str]:
    """The source expressions (IaC) behind the missing values a rule needed: property -> expression.

    A missing path ``a.b`` is matched on its first name; when a hook gave no evidence, every
    unresolved property of the resource is named rather than none."""
    table: dict[str, str] = dict(res.unresolved)
    roots = [m.split(".", 1)[0].split("[", 1)[0] for m in missing]
    hit = {r: table[r] for r in roots if r in table}
    return hit or table
