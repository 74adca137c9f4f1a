"""The findings lifecycle of one scan, decided inside the scan's transaction.

Lifecycle across scans (for mamori's own findings):

* first FAIL                                   -> NEW (SUPPRESSED when a suppression matches)
* still failing                                -> stays open, ``last_seen`` moves
* PASS, or the resource is gone / out of scope -> RESOLVED, but only when the scope that
  would have seen it (account, region, resource type) was collected without error and
  the rule was evaluated in this scan; a SUPPRESSED finding that passes is RESOLVED too
* UNKNOWN (data not collected)                 -> unchanged
* FAIL again after RESOLVED                    -> NEW again (``times_reopened`` + 1), or
                                                  SUPPRESSED when a suppression matches
* open and now matched by a suppression        -> SUPPRESSED
* SUPPRESSED, still failing, suppression gone  -> NEW (expired or removed)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, and_, bindparam, insert, select, update

from mamori.findings.rows import OPEN, hist
from mamori.findings.suppressions import active_index, load_meta, save_meta
from mamori.findings.tables import finding_history, findings
from mamori.model.finding import FindingStatus, Result, ResultStatus
from mamori.model.resource import Inventory
from mamori.model.suppression import Target
from mamori.store.rows import chunks, jsonable

if TYPE_CHECKING:  # a type only: the engine (rules, hooks, boto3) is not needed to read or write the store
    from mamori.engine.evaluate import Evaluation

NEW, RESOLVED, SUPPRESSED = FindingStatus.NEW, FindingStatus.RESOLVED, FindingStatus.SUPPRESSED
REMOVED = FindingStatus.REMOVED


@dataclass(frozen=True)
class ScanSummary:
    scan_id: str
    new: list[str] = field(default_factory=list)
    reopened: list[str] = field(default_factory=list)
    still_open: list[str] = field(default_factory=list)
    resolved: list[str] = field(default_factory=list)
    kept_unknown: list[str] = field(default_factory=list)
    suppressed: list[str] = field(default_factory=list)


def _existing(conn: Connection, fails: dict[str, Result], inventory: Inventory, evaluation: Evaluation) -> dict[str, Any]:
    existing: dict[str, Any] = {}
    for chunk in chunks(list(fails)):
        for row in conn.execute(select(findings).where(findings.c.id.in_(chunk))):
            existing[row.id] = row
    accounts = inventory.accounts
    rule_set = set(evaluation.rules_evaluated)
    if accounts and rule_set:
        q = select(findings).where(
            and_(
                findings.c.source == "mamori",
                findings.c.status.in_((*OPEN, SUPPRESSED.value)),
                findings.c.account.in_(accounts),
            )
        )
        for row in conn.execute(q):
            if row.rule_id in rule_set:
                existing.setdefault(row.id, row)
    return existing


def record_lifecycle(
    conn: Connection, scan_id: str, now: datetime, inventory: Inventory, evaluation: Evaluation, titles: dict[str, str]
) -> ScanSummary:
    by_status: dict[ResultStatus, dict[str, Result]] = {s: {} for s in ResultStatus}
    for r in evaluation.results:
        if r.resource_id == "*":
            continue
        by_status[r.status][r.finding_id] = r
    fails = by_status[ResultStatus.FAIL]
    passes = by_status[ResultStatus.PASS]
    unknown = by_status[ResultStatus.UNKNOWN]
    existing = _existing(conn, fails, inventory, evaluation)
    index = active_index(conn, now)
    old_meta = load_meta(conn, fails)

    new_rows: list[dict[str, Any]] = []
    seen_updates: list[dict[str, Any]] = []
    status_updates: list[dict[str, Any]] = []
    history: list[dict[str, Any]] = []
    meta: dict[str, dict[str, Any]] = {}
    out: dict[str, list[str]] = {k: [] for k in ("new", "reopened", "open", "resolved", "unknown", "suppressed")}

    def change(fid: str, row: Any, status: FindingStatus, *, resolved_at: datetime | None, evidence: Any, reopen: bool = False) -> None:
        status_updates.append(
            {
                "b_id": fid, "status": status.value, "last_seen": now if status is not RESOLVED else row.last_seen,
                "resolved_at": resolved_at, "evidence": evidence, "last_scan_id": scan_id,
                "times_reopened": (row.times_reopened or 0) + (1 if reopen else 0),
            }
        )  # fmt: skip

    for fid, r in fails.items():
        row = existing.get(fid)
        evidence = jsonable(r.evidence)
        res = inventory.get(r.resource_type, r.account, r.region, r.resource_id)
        tags = dict(res.tags) if res is not None else {}
        sup = index.match(Target(fid, r.rule_id, r.account, r.region, r.resource_id, r.arn, tags)) if index else None
        why = f"suppressed by {sup.id}: {sup.reason}" if sup else ""
        if row is None:
            status = SUPPRESSED if sup else NEW
            new_rows.append(
                {
                    "id": fid, "source": "mamori", "rule_id": r.rule_id, "title": titles.get(r.rule_id, r.rule_id),
                    "severity": r.severity.value, "status": status.value, "resource_type": r.resource_type,
                    "resource_id": r.resource_id, "resource_arn": r.arn, "account": r.account, "region": r.region,
                    "evidence": evidence, "first_seen": now, "last_seen": now, "resolved_at": None,
                    "last_scan_id": scan_id, "times_reopened": 0,
                }
            )  # fmt: skip
            history.append(hist(fid, scan_id, now, None, status, "first failed" + (f"; {why}" if sup else "")))
            out["suppressed" if sup else "new"].append(fid)
        elif row.status in (RESOLVED.value, REMOVED.value):  # fixed, or its account left the org: back
            status = SUPPRESSED if sup else NEW
            change(fid, row, status, resolved_at=None, evidence=evidence, reopen=True)
            history.append(hist(fid, scan_id, now, row.status, status, "failed again: " + (why if sup else "reopened")))
            out["suppressed" if sup else "reopened"].append(fid)
        elif row.status == SUPPRESSED.value and sup is None:
            change(fid, row, NEW, resolved_at=None, evidence=evidence)
            history.append(hist(fid, scan_id, now, SUPPRESSED, NEW, "suppression expired or removed: open again"))
            out["reopened"].append(fid)
        elif row.status != SUPPRESSED.value and sup is not None:
            change(fid, row, SUPPRESSED, resolved_at=None, evidence=evidence)
            history.append(hist(fid, scan_id, now, row.status, SUPPRESSED, why))
            out["suppressed"].append(fid)
        else:
            seen_updates.append({"b_id": fid, "last_seen": now, "evidence": evidence, "last_scan_id": scan_id})
            out["suppressed" if sup else "open"].append(fid)
        want = {"tags": tags, "suppression_id": sup.id if sup else None}
        have = old_meta.get(fid)
        if (have is None and (tags or sup)) or (have is not None and (dict(have.tags or {}), have.suppression_id) != (tags, want["suppression_id"])):
            meta[fid] = want

    for fid, row in existing.items():
        if fid in fails or row.status in (RESOLVED.value, REMOVED.value):
            continue
        if fid in passes:
            note = "passes now"
        elif fid in unknown:
            out["unknown"].append(fid)
            continue
        elif row.rule_id in evaluation.rules_evaluated and inventory.is_clean(row.account, row.region, row.resource_type):
            note = "resource gone or no longer in scope"
        else:
            continue
        change(fid, row, RESOLVED, resolved_at=now, evidence=row.evidence)
        history.append(hist(fid, scan_id, now, row.status, RESOLVED, note))
        out["resolved"].append(fid)

    for chunk in chunks(new_rows, 500):
        conn.execute(insert(findings), list(chunk))
    if seen_updates:
        stmt = update(findings).where(findings.c.id == bindparam("b_id"))
        conn.execute(
            stmt.values(last_seen=bindparam("last_seen"), evidence=bindparam("evidence"), last_scan_id=bindparam("last_scan_id")),
            seen_updates,
        )
    if status_updates:
        conn.execute(
            update(findings)
            .where(findings.c.id == bindparam("b_id"))
            .values(
                status=bindparam("status"), last_seen=bindparam("last_seen"), resolved_at=bindparam("resolved_at"),
                evidence=bindparam("evidence"), last_scan_id=bindparam("last_scan_id"),
                times_reopened=bindparam("times_reopened"),
            ),
            status_updates,
        )  # fmt: skip
    save_meta(conn, meta, old_meta)
    for chunk in chunks(history, 500):
        conn.execute(insert(finding_history), list(chunk))
    return ScanSummary(scan_id, out["new"], out["reopened"], out["open"], out["resolved"], out["unknown"], out["suppressed"])
