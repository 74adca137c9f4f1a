"""After each scan: verify tasks by their rules, expire attestations, raise contradictions.

A task with ``verify`` is checked on the resources tagged ``<scope.tag>=<app>``:

* every result of its rules on those resources PASS (at least one), none UNKNOWN, and no
  scope-wide UNKNOWN for the rule (data that could not be collected)  -> ``verified``
* any FAIL -> ``open`` (a ``verified`` task is reopened, ``times_reopened`` + 1)
* a rule not evaluated in this scan, UNKNOWN results or no tagged resource -> unchanged

An ``attested`` task whose attestation has expired goes back to ``open``.

Contradictions (:class:`mamori.engage.content.Contradiction`) are answers the estate
disproves; each one is a finding with source ``engage`` in the findings store, resolved
when a later scan of that account no longer shows it.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.exc import SQLAlchemyError

from mamori.engage.content import Content, builtin_content
from mamori.engage.expr import fields_of
from mamori.engage.service import ATTESTED, NA, OPEN, VERIFIED, TaskStatus, history_row
from mamori.engage.tables import app_accounts, engagements, task_history, tasks
from mamori.errors import StoreError
from mamori.findings import FindingFilter, Store
from mamori.model.finding import Finding, FindingStatus, Result, ResultStatus, Severity
from mamori.model.resource import Inventory, Resource
from mamori.store.db import write_transaction

ACTOR = "scan"
SOURCE = "engage"


@dataclass
class _Tally:
    passed: int = 0
    failed: int = 0
    unknown: int = 0
    failing: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class VerifyReport:
    verified: list[str]
    reopened: list[str]
    expired: list[str]
    contradictions: dict[str, int]  # inserted / updated / reopened / resolved


def _tagged(
    results: Iterable[Result], inventory: Inventory, rules: set[str]
) -> tuple[
    dict[tuple[str, str, str], _Tally], set[str], dict[tuple[str, str, str], list[tuple[Result, Resource]]]
]:
    """(rule, tag key, tag value) -> tally; rules with a scope-wide UNKNOWN; failing (result, resource) per key."""
    tally: dict[tuple[str, str, str], _Tally] = defaultdict(_Tally)
    scope_unknown: set[str] = set()
    failing: dict[tuple[str, str, str], list[tuple[Result, Resource]]] = defaultdict(list)
    for r in results:
        if r.rule_id not in rules:
            continue
        res = inventory.get(r.resource_type, r.account, r.region, r.resource_id)
        if res is None:
            if r.status is ResultStatus.UNKNOWN:
                scope_unknown.add(r.rule_id)
            continue
        for k, v in res.tags.items():
            t = tally[(r.rule_id, k, v)]
            if r.status is ResultStatus.PASS:
                t.passed += 1
            elif r.status is ResultStatus.FAIL:
                t.failed += 1
                t.failing.append(res.id)
                failing[(r.rule_id, k, v)].append((r, res))
            else:
                t.unknown += 1
    return tally, scope_unknown, failing


def after_scan(
    store: Store, scan_id: str | None, inventory: Inventory, results: list[Result], rules_evaluated: set[str],
    *, now: datetime, content: Content | None = None,
) -> VerifyReport:  # fmt: skip
    """Bring the engagement tasks and contradiction findings up to date with one scan."""
    engine = store.engine
    try:
        with engine.connect() as conn:
            task_rows = list(conn.execute(select(tasks).where(tasks.c.status != NA.value)))
            eng_rows = list(conn.execute(select(engagements.c.id, engagements.c.app, engagements.c.answers)))
            known = {(r.engagement_id, r.account) for r in conn.execute(select(app_accounts))}
    except SQLAlchemyError as exc:
        raise StoreError(f"could not read the engagement tasks: {exc}") from exc
    if not task_rows and not eng_rows:
        return VerifyReport([], [], [], {})
    content = content or builtin_content()
    needed = {r for row in task_rows if row.verify for r in row.verify.get("rules", [])}
    for c in content.contradictions:
        needed.update(c.rules)
    tally, scope_unknown, failing = _tagged(results, inventory, needed)

    verified: list[str] = []
    reopened: list[str] = []
    expired: list[str] = []
    changes: list[tuple[str, dict[str, Any], dict[str, Any]]] = []
    for row in task_rows:
        status = TaskStatus(row.status)
        if status is ATTESTED:
            if row.attest_expires_at is None or row.attest_expires_at <= now:
                expired.append(row.id)
                changes.append((row.id, {"status": OPEN.value, "status_note": "attestation expired"},
                                history_row(row.id, now, ATTESTED, OPEN, ACTOR, "attestation expired", scan_id)))  # fmt: skip
            continue
        if not row.verify:
            continue
        rules = list(row.verify.get("rules", []))
        tag = str((row.verify.get("scope") or {}).get("tag", "app"))
        if not rules or any(r not in rules_evaluated for r in rules):
            continue
        agg = _Tally()
        for r in rules:
            t = tally.get((r, tag, row.app))
            if t is not None:
                agg.passed += t.passed
                agg.failed += t.failed
                agg.unknown += t.unknown
                agg.failing.extend(f"{r}: {rid}" for rid in t.failing[:3])
        if agg.failed:
            note = f"{agg.failed} failing result(s) on resources tagged {tag}={row.app}: " + "; ".join(
                agg.failing[:5]
            )
            if status is VERIFIED:
                reopened.append(row.id)
                changes.append((row.id, {"status": OPEN.value, "status_note": note, "times_reopened": row.times_reopened + 1},
                                history_row(row.id, now, VERIFIED, OPEN, ACTOR, "failed again: " + note, scan_id)))  # fmt: skip
            elif row.status_note != note:
                changes.append((row.id, {"status_note": note}, {}))
            continue
        if agg.unknown or any(r in scope_unknown for r in rules) or not agg.passed:
            why = (
                "no resource tagged " + f"{tag}={row.app}"
                if not agg.passed and not agg.unknown
                else "some results are UNKNOWN"
            )
            if row.status_note != why:
                changes.append((row.id, {"status_note": why}, {}))
            continue
        if status is not VERIFIED:
            note = f"{agg.passed} passing result(s) of {', '.join(rules)} on resources tagged {tag}={row.app}"
            verified.append(row.id)
            changes.append((row.id, {"status": VERIFIED.value, "status_note": note},
                            history_row(row.id, now, status, VERIFIED, ACTOR, note, scan_id)))  # fmt: skip
    seen = _seen_accounts(inventory, eng_rows, task_rows)
    scanned = set(inventory.accounts)
    add = [{"engagement_id": e, "account": a} for e, a in sorted(seen - known)]
    drop = [(e, a) for e, a in sorted(known - seen) if a in scanned]
    if changes or add or drop:
        try:
            with write_transaction(engine) as conn:
                if add:
                    conn.execute(insert(app_accounts), add)
                for e, a in drop:
                    conn.execute(
                        delete(app_accounts).where(
                            app_accounts.c.engagement_id == e, app_accounts.c.account == a
                        )
                    )
                hist = [h for _, _, h in changes if h]
                for tid, values, _ in changes:
                    conn.execute(update(tasks).where(tasks.c.id == tid).values(**values, updated_at=now))
                if hist:
                    conn.execute(insert(task_history), hist)
        except SQLAlchemyError as exc:
            raise StoreError(f"could not update the engagement tasks: {exc}") from exc
    counts = _contradictions(store, content, eng_rows, inventory, failing, now)
    return VerifyReport(verified, reopened, expired, counts)


def _seen_accounts(inventory: Inventory, eng_rows: list[Any], task_rows: list[Any]) -> set[tuple[str, str]]:
    """(engagement id, account) for every account holding a resource tagged with the app (any scope tag in use)."""
    keys = {"app"} | {str((r.verify.get("scope") or {}).get("tag", "app")) for r in task_rows if r.verify}
    by_app = {e.app: e.id for e in eng_rows}
    out: set[tuple[str, str]] = set()
    for res in inventory:
        for k in keys:
            eid = by_app.get(res.tags.get(k, ""))
            if eid is not None:
                out.add((eid, res.account))
    return out


def _fid(cid: str, app: str, res: Resource) -> str:
    raw = "\x1f".join(("engage", cid, app, res.account, res.region, res.type, res.id))
    return hashlib.sha256(raw.encode()).hexdigest()[:24]


def _contradictions(
    store: Store, content: Content, eng_rows: list[Any], inventory: Inventory,
    failing: dict[tuple[str, str, str], list[tuple[Result, Resource]]], now: datetime,
) -> dict[str, int]:  # fmt: skip
    found: dict[str, Finding] = {}
    for eng in eng_rows:
        answers = eng.answers or {}
        for c in content.contradictions:
            if not content.cond(c.when).holds(answers):
                continue
            hits: list[tuple[Resource, dict[str, Any]]] = []
            for rule in c.rules:
                for r, res in failing.get((rule, c.tag, eng.app), []):
                    hits.append((res, {"rule": rule, "evidence": r.evidence}))
            for m in c.resources:
                cond = content.cond(m.where)
                for res in inventory.of_type(m.type):
                    if res.tags.get(c.tag) == eng.app and cond.holds(dict(res.properties)):
                        hits.append((res, {"resource_type": m.type, "where": m.where}))
            for res, why in hits:
                fid = _fid(c.id, eng.app, res)
                prev = found.get(fid)
                ev = {"app": eng.app, "contradiction": c.id, "answers": {k: answers.get(k) for k in sorted(fields_of(content.cond(c.when)))},
                      "seen": [*(prev.evidence["seen"] if prev else []), why]}  # fmt: skip
                found[fid] = Finding(
                    id=fid, rule_id=f"engage.{c.id}", title=f"{c.title} ({eng.app})", severity=Severity(c.severity),
                    status=FindingStatus.NEW, resource_type=res.type, resource_id=res.id, resource_arn=res.arn,
                    account=res.account, region=res.region, evidence=ev, first_seen=now, last_seen=now, source=SOURCE,
                )  # fmt: skip
    accounts = set(inventory.accounts)
    stale = [
        f
        for f in store.findings(
            FindingFilter(
                sources=(SOURCE,),
                statuses=(FindingStatus.NEW, FindingStatus.NOTIFIED, FindingStatus.SUPPRESSED),
            )
        )
        if f.id not in found and f.account in accounts
    ]
    resolved = [
        Finding(id=f.id, rule_id=f.rule_id, title=f.title, severity=f.severity, status=FindingStatus.RESOLVED,
                resource_type=f.resource_type, resource_id=f.resource_id, resource_arn=f.resource_arn, account=f.account,
                region=f.region, evidence=f.evidence, first_seen=f.first_seen, last_seen=f.last_seen, source=SOURCE,
                resolved_at=now)
        for f in stale
    ]  # fmt: skip
    if not found and not resolved:
        return {}
    out = store.upsert_findings([*found.values(), *resolved], actor="engage", now=now)
    out["resolved"] = len(resolved)
    return out
