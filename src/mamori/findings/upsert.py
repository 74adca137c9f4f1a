"""Batched insert-or-refresh of findings that do not come from a scan (events, imports).

A new id is stored as given (normally NEW; SUPPRESSED when an active suppression
matches it). A known id keeps its first_seen and status and gets the new last_seen,
evidence, title and severity; a RESOLVED one whose new status is open is reopened (or
suppressed); an open one is suppressed when a suppression matches; a SUPPRESSED one
whose suppression has gone is reopened; an incoming RESOLVED resolves it. Re-upserting
identical data changes nothing but ``last_seen``. No per-row round trips: one SELECT per
900 ids, then one bulk upsert (COPY on PostgreSQL) — see :func:`mamori.store.rows.bulk_insert`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select

from mamori.findings.rows import hist
from mamori.findings.suppressions import active_index, load_meta, save_meta
from mamori.findings.tables import finding_history, findings
from mamori.model.finding import Finding, FindingMeta, FindingStatus
from mamori.model.suppression import Target
from mamori.store.rows import bulk_insert, chunks, jsonable

NEW, RESOLVED, SUPPRESSED = FindingStatus.NEW, FindingStatus.RESOLVED, FindingStatus.SUPPRESSED
# what a re-import refreshes; first_seen, source and the resource stay as first recorded
UPDATED = ("status", "last_seen", "evidence", "title", "severity", "times_reopened", "resolved_at")


def _row(f: Finding, status: FindingStatus, times: int, resolved_at: datetime | None) -> dict[str, Any]:
    return {
        "id": f.id, "source": f.source, "rule_id": f.rule_id, "title": f.title, "severity": f.severity.value,
        "status": status.value, "resource_type": f.resource_type, "resource_id": f.resource_id,
        "resource_arn": f.resource_arn, "account": f.account, "region": f.region, "evidence": jsonable(f.evidence),
        "first_seen": f.first_seen, "last_seen": f.last_seen, "resolved_at": resolved_at, "last_scan_id": None,
        "times_reopened": times,
    }  # fmt: skip


def upsert(
    conn: Connection, items: Iterable[Finding], *, actor: str, now: datetime, meta: Mapping[str, FindingMeta] | None = None
) -> dict[str, int]:
    batch = {f.id: f for f in items}
    ids = list(batch)
    meta = meta or {}
    inserted = updated = reopened = suppressed = 0
    existing: dict[str, Any] = {}
    for chunk in chunks(ids):
        q = select(findings.c.id, findings.c.status, findings.c.times_reopened).where(findings.c.id.in_(chunk))
        for r in conn.execute(q):
            existing[r.id] = r
    index = active_index(conn, now)
    old_meta = load_meta(conn, ids) if (index or meta) else {}
    rows: list[dict[str, Any]] = []
    history: list[dict[str, Any]] = []
    meta_rows: dict[str, dict[str, Any]] = {}
    for fid, f in batch.items():
        m = meta.get(fid)
        have = old_meta.get(fid)
        tags = dict(m.tags) if m is not None else dict(have.tags or {}) if have is not None else {}
        sup = None
        if index and f.status is not RESOLVED:
            sup = index.match(Target(fid, f.rule_id, f.account, f.region, f.resource_id, f.resource_arn, tags))
        why = f"suppressed by {sup.id}: {sup.reason}" if sup else ""
        row = existing.get(fid)
        if row is None:
            status = SUPPRESSED if sup and f.status.is_open else f.status
            rows.append(_row(f, status, 0, f.resolved_at))
            history.append(hist(fid, None, now, None, status, f"recorded from {f.source}" + (f"; {why}" if sup else ""), actor))
            inserted += 1
            suppressed += status is SUPPRESSED
        else:
            cur = FindingStatus(row.status)
            status, times = cur, row.times_reopened or 0
            resolved_at = f.resolved_at if f.status is RESOLVED else None
            if cur is RESOLVED and f.status.is_open:
                status, times = (SUPPRESSED if sup else NEW), times + 1
                history.append(hist(fid, None, now, cur, status, f"seen again in {f.source}" + (f"; {why}" if sup else ""), actor))
                reopened += status is NEW
                suppressed += status is SUPPRESSED
            elif f.status is RESOLVED and cur is not RESOLVED:
                status = RESOLVED
                resolved_at = f.resolved_at or now
                history.append(hist(fid, None, now, cur, RESOLVED, f"resolved in {f.source}", actor))
            elif cur.is_open and sup is not None:
                status = SUPPRESSED
                history.append(hist(fid, None, now, cur, SUPPRESSED, why, actor))
                suppressed += 1
            elif cur is SUPPRESSED and sup is None and f.status.is_open:
                status = NEW
                history.append(hist(fid, None, now, cur, NEW, "suppression expired or removed: open again", actor))
                reopened += 1
            rows.append(_row(f, status, times, resolved_at if status is RESOLVED else None))
            updated += 1
        sid = sup.id if sup else (have.suppression_id if have is not None and f.status is RESOLVED else None)
        root = m.root_cause if m is not None else (have.root_cause if have is not None else None)
        if have is None:
            if tags or root or sid:
                meta_rows[fid] = {"tags": tags, "root_cause": root, "suppression_id": sid}
        elif (dict(have.tags or {}), have.root_cause, have.suppression_id) != (tags, root, sid):
            meta_rows[fid] = {"tags": tags, "root_cause": root, "suppression_id": sid}
    bulk_insert(conn, findings, rows, update=UPDATED)
    save_meta(conn, meta_rows, old_meta)
    bulk_insert(conn, finding_history, history)
    return {"inserted": inserted, "updated": updated, "reopened": reopened, "suppressed": suppressed}
