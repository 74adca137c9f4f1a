"""Store operations: one transaction per scan or import; the lifecycle lives in ``lifecycle.py``.

``Store`` is the public face of the store; its work is split over small modules:

    lifecycle.py   a scan's findings lifecycle (NEW / open / RESOLVED / reopened / SUPPRESSED)
    upsert.py      batched insert-or-refresh of imported and event findings
    ops.py      suppressions, finding metadata, expiry, NEW -> NOTIFIED
    rows.py        row helpers shared by the above
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Engine, func, insert, select, update
from sqlalchemy.exc import SQLAlchemyError

from mamori.errors import InputError, StoreError
from mamori.findings import suppressions as ops
from mamori.findings.lifecycle import ScanSummary, record_lifecycle
from mamori.findings.rows import row_to_finding
from mamori.findings.tables import (
    finding_history,
    finding_meta,
    findings,
    scan_workloads,
    scans,
    scores,
    suppressions,
)
from mamori.findings.upsert import upsert
from mamori.model.finding import Finding, FindingMeta, FindingStatus, Severity
from mamori.model.resource import Inventory
from mamori.model.score import ScoreRow
from mamori.model.suppression import Suppression
from mamori.store.db import make_engine, migrate, write_transaction
from mamori.store.rows import chunks

if TYPE_CHECKING:  # a type only: the engine (rules, hooks, boto3) is not needed to read or write the store
    from mamori.engine.evaluate import Evaluation

__all__ = ["FindingFilter", "FindingMeta", "ScanRecord", "ScanSummary", "Store"]


def _record_workloads(conn: Any, scan_id: str, inventory: Inventory, given: Sequence[Mapping[str, Any]] | None) -> None:
    """The scan's ``scan_workloads`` rows: ``given`` (a scan collected in parts joined them already,
    :func:`mamori.model.exposure.resolve_rows`), else computed from the inventory."""
    from mamori.model.exposure import sort_rows, workload_rows

    keys = ("digest", "resource_type", "resource_id", "resource_arn", "name", "account", "region", "exposure", "note", "tags")
    src = sort_rows(workload_rows(inventory)["rows"]) if given is None else given
    rows = [{"scan_id": scan_id} | {k: w.get(k) for k in keys} for w in src]
    for part in chunks(rows, 500):
        conn.execute(insert(scan_workloads), part)


@dataclass(frozen=True)
class ScanRecord:
    id: str
    started_at: datetime
    finished_at: datetime
    duration_s: float
    source: str
    accounts: list[str]
    regions: list[str]
    rules: int
    errors: list[dict[str, Any]]
    counts: dict[str, Any]
    resources: int


@dataclass(frozen=True)
class FindingFilter:
    severities: tuple[Severity, ...] = ()
    min_severity: Severity | None = None
    statuses: tuple[FindingStatus, ...] = ()
    rules: tuple[str, ...] = ()
    accounts: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    resource_types: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    limit: int | None = None


def _same_key(s: Suppression) -> dict[str, Any]:
    row = ops.suppression_row(s)
    del row["created_at"]
    return row


class Store:
    """The findings store over one SQLAlchemy engine (SQLite or PostgreSQL)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @classmethod
    def open(cls, url: str | None = None, configured: str | None = None) -> Store:
        """Open (and migrate) the store: ``url`` from ``--db``, ``configured`` from ``db:`` in mamori.yaml."""
        engine = make_engine(url, configured)
        migrate(engine)
        return cls(engine)

    def close(self) -> None:
        self.engine.dispose()

    # -- writing -----------------------------------------------------------------

    def record_scan(
        self,
        inventory: Inventory,
        evaluation: Evaluation,
        titles: dict[str, str],
        score_rows: Iterable[ScoreRow],
        *,
        started_at: datetime,
        finished_at: datetime | None = None,
        source: str | None = None,
        within: Callable[[Connection, ScanSummary], None] | None = None,
        workloads: Sequence[Mapping[str, Any]] | None = None,
    ) -> ScanSummary:
        """Store a scan, its score rows and the findings lifecycle, in one transaction.

        ``within(conn, summary)`` runs last in that transaction (a distributed scan's finaliser
        notes the recorded scan there, or raises to roll it all back). ``workloads``: the
        ``scan_workloads`` rows when the inventory does not hold the workloads (a scan collected
        in parts); by default they are computed from the inventory."""
        now = finished_at or datetime.now(UTC)
        scan_id = str(uuid.uuid4())
        try:
            with write_transaction(self.engine) as conn:
                conn.execute(
                    insert(scans),
                    {
                        "id": scan_id,
                        "started_at": started_at,
                        "finished_at": now,
                        "duration_s": max(0.0, (now - started_at).total_seconds()),
                        "source": source or inventory.source,
                        "accounts": inventory.accounts,
                        "regions": inventory.regions,
                        "rules": sorted(evaluation.rules_evaluated),
                        "errors": [e.to_dict() for e in inventory.errors],
                        "counts": dict(evaluation.counts),
                        "resources": len(inventory),
                    },
                )
                rows = [
                    {
                        "scan_id": scan_id,
                        "at": now,
                        "standard": s.standard,
                        "account": s.account,
                        "category": s.category,
                        "passed": s.passed,
                        "failed": s.failed,
                        "unknown": s.unknown,
                        "weight_passed": s.weight_passed,
                        "weight_total": s.weight_total,
                        "score": s.score,
                    }
                    for s in score_rows
                ]
                if rows:
                    conn.execute(insert(scores), rows)
                _record_workloads(conn, scan_id, inventory, workloads)
                summary = record_lifecycle(conn, scan_id, now, inventory, evaluation, titles)
                ops.expire(conn, now, "scan")
                if within is not None:
                    within(conn, summary)
        except SQLAlchemyError as exc:
            raise StoreError(f"could not record the scan: {exc}") from exc
        return summary

    def upsert_findings(
        self,
        items: Iterable[Finding],
        *,
        actor: str,
        now: datetime | None = None,
        meta: Mapping[str, FindingMeta] | None = None,
    ) -> dict[str, int]:
        """Insert or refresh findings that do not come from a scan (events, imports), in batches.

        See :mod:`mamori.findings.upsert` for the rules. ``meta`` gives tags and root causes by
        finding id. Returns counts: inserted, updated, reopened (and suppressed when any were).
        """
        now = now or datetime.now(UTC)
        try:
            with write_transaction(self.engine) as conn:
                ops.expire(conn, now, actor)
                out = upsert(conn, items, actor=actor, now=now, meta=meta)
        except SQLAlchemyError as exc:
            raise StoreError(f"could not record findings: {exc}") from exc
        if not out["suppressed"]:
            del out["suppressed"]
        return out

    # -- the hub: suppressions, expiry, notified marks, metadata ------------------

    def add_suppressions(self, items: Iterable[Suppression], *, actor: str, now: datetime | None = None) -> list[str]:
        """Store new suppressions and suppress the open findings they match at once. Returns those ids."""
        now = now or datetime.now(UTC)
        items = list(items)
        try:
            with write_transaction(self.engine) as conn:
                for s in items:
                    conn.execute(insert(suppressions), ops.suppression_row(s))
                return ops.apply_suppressions(conn, items, now, actor)
        except SQLAlchemyError as exc:
            raise StoreError(f"could not store the suppression: {exc}") from exc

    def remove_suppression(self, sid: str, *, actor: str, now: datetime | None = None) -> list[str]:
        """Remove a suppression (kept for the record); the findings it suppressed reopen. Returns them."""
        now = now or datetime.now(UTC)
        try:
            with write_transaction(self.engine) as conn:
                res = conn.execute(
                    update(suppressions)
                    .where(suppressions.c.id == sid, suppressions.c.removed_at.is_(None))
                    .values(removed_at=now, removed_by=actor)
                )
                if res.rowcount == 0:
                    raise StoreError(f"no active suppression with id {sid!r}")
                return ops.expire(conn, now, actor)
        except SQLAlchemyError as exc:
            raise StoreError(f"could not remove the suppression: {exc}") from exc

    def sync_suppressions(self, origin: str, items: Iterable[Suppression], *, actor: str, now: datetime | None = None) -> dict[str, list[str]]:
        """Make the stored suppressions of one origin (a file) equal to ``items``.

        Entries that are new or changed are (re)stored and applied; entries gone from the
        file are removed. Then expiry runs. Returns ids: added, removed, suppressed, reopened.
        """
        now = now or datetime.now(UTC)
        want = {s.id: replace(s, origin=origin) for s in items}
        try:
            with write_transaction(self.engine) as conn:
                have = {s.id: s for s in ops.load_suppressions(conn) if s.origin == origin and s.removed_at is None}
                added = [s for sid, s in want.items() if sid not in have or _same_key(have[sid]) != _same_key(s)]
                gone = [sid for sid in have if sid not in want]
                for s in added:
                    conn.execute(suppressions.delete().where(suppressions.c.id == s.id))
                    conn.execute(insert(suppressions), ops.suppression_row(s))
                if gone:
                    conn.execute(
                        update(suppressions).where(suppressions.c.id.in_(gone)).values(removed_at=now, removed_by=f"{actor} ({origin})")
                    )
                suppressed = ops.apply_suppressions(conn, added, now, actor)
                reopened = ops.expire(conn, now, actor)
        except SQLAlchemyError as exc:
            raise StoreError(f"could not sync suppressions from {origin}: {exc}") from exc
        return {"added": [str(s.id) for s in added], "removed": [str(g) for g in gone], "suppressed": suppressed, "reopened": reopened}

    def suppressions(self, *, include_inactive: bool = False, now: datetime | None = None) -> list[Suppression]:
        now = now or datetime.now(UTC)
        with self.engine.connect() as conn:
            items = ops.load_suppressions(conn)
        return items if include_inactive else [s for s in items if s.active(now)]

    def refresh(self, *, actor: str = "refresh", now: datetime | None = None) -> list[str]:
        """Evaluate suppression expiry now: expired or removed suppressions reopen their findings."""
        now = now or datetime.now(UTC)
        try:
            with write_transaction(self.engine) as conn:
                return ops.expire(conn, now, actor)
        except SQLAlchemyError as exc:
            raise StoreError(f"could not refresh suppressions: {exc}") from exc

    def mark_notified(self, ids: Iterable[str], *, actor: str, note: str, now: datetime | None = None) -> list[str]:
        now = now or datetime.now(UTC)
        try:
            with write_transaction(self.engine) as conn:
                return ops.mark_notified(conn, ids, now, actor, note)
        except SQLAlchemyError as exc:
            raise StoreError(f"could not mark findings notified: {exc}") from exc

    def meta(self, ids: Iterable[str] | None = None) -> dict[str, dict[str, Any]]:
        """tags, root_cause and suppression_id by finding id (all rows when ids is None)."""
        with self.engine.connect() as conn:
            if ids is None:
                rows: Iterable[Any] = conn.execute(select(finding_meta))
            else:
                rows = ops.load_meta(conn, ids).values()
            return {r.finding_id: {"tags": dict(r.tags or {}), "root_cause": r.root_cause, "suppression_id": r.suppression_id} for r in rows}

    # -- reading -----------------------------------------------------------------

    def findings(self, flt: FindingFilter | None = None) -> list[Finding]:
        flt = flt or FindingFilter()
        q = select(findings)
        if flt.severities:
            q = q.where(findings.c.severity.in_([s.value for s in flt.severities]))
        if flt.min_severity is not None:
            q = q.where(findings.c.severity.in_([s.value for s in Severity if s.at_least(flt.min_severity)]))
        if flt.statuses:
            q = q.where(findings.c.status.in_([s.value for s in flt.statuses]))
        if flt.rules:
            q = q.where(findings.c.rule_id.in_(flt.rules))
        if flt.accounts:
            q = q.where(findings.c.account.in_(flt.accounts))
        if flt.regions:
            q = q.where(findings.c.region.in_(flt.regions))
        if flt.resource_types:
            q = q.where(findings.c.resource_type.in_(flt.resource_types))
        if flt.sources:
            q = q.where(findings.c.source.in_(flt.sources))
        q = q.order_by(findings.c.first_seen, findings.c.id)
        with self.engine.connect() as conn:
            out = [row_to_finding(r) for r in conn.execute(q)]
        out.sort(key=lambda f: (-f.severity.rank, f.rule_id, f.account, f.region, f.resource_id))
        return out[: flt.limit] if flt.limit else out

    def findings_by_ids(self, ids: list[str]) -> list[Finding]:
        out: list[Finding] = []
        with self.engine.connect() as conn:
            for chunk in chunks(ids):
                out.extend(row_to_finding(r) for r in conn.execute(select(findings).where(findings.c.id.in_(chunk))))
        return out

    def finding(self, id_or_prefix: str) -> Finding | None:
        with self.engine.connect() as conn:
            rows = list(conn.execute(select(findings).where(findings.c.id.startswith(id_or_prefix, autoescape=True)).limit(6)))
        if len(rows) > 1:
            raise ambiguous("finding", id_or_prefix, [r.id for r in rows])
        return row_to_finding(rows[0]) if rows else None

    def rule_ids(self) -> set[str]:
        """Every rule id findings were recorded for (mamori's rules and imported tools' ones)."""
        with self.engine.connect() as conn:
            return set(conn.execute(select(findings.c.rule_id).distinct()).scalars())

    def history(self, finding_id: str) -> list[dict[str, Any]]:
        q = select(finding_history).where(finding_history.c.finding_id == finding_id).order_by(finding_history.c.id)
        with self.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(q)]

    def scans(self, limit: int = 20) -> list[ScanRecord]:
        q = select(scans).order_by(scans.c.finished_at.desc()).limit(limit)
        with self.engine.connect() as conn:
            return [self._scan(r) for r in conn.execute(q)]

    def scan(self, id_or_prefix: str) -> ScanRecord | None:
        with self.engine.connect() as conn:
            rows = list(conn.execute(select(scans).where(scans.c.id.startswith(id_or_prefix, autoescape=True)).limit(6)))
        if len(rows) > 1:
            raise ambiguous("scan", id_or_prefix, [r.id for r in rows])
        return self._scan(rows[0]) if rows else None

    @staticmethod
    def _scan(r: Any) -> ScanRecord:
        return ScanRecord(
            id=r.id,
            started_at=r.started_at,
            finished_at=r.finished_at,
            duration_s=r.duration_s,
            source=r.source,
            accounts=list(r.accounts),
            regions=list(r.regions),
            rules=len(r.rules),
            errors=list(r.errors),
            counts=dict(r.counts),
            resources=r.resources,
        )

    def scan_changes(self, scan_id: str) -> dict[str, list[str]]:
        """Finding ids that became NEW, were reopened or RESOLVED in a scan."""
        q = select(finding_history).where(finding_history.c.scan_id == scan_id)
        out: dict[str, list[str]] = {"new": [], "reopened": [], "resolved": []}
        with self.engine.connect() as conn:
            for h in conn.execute(q):
                if h.to_status == FindingStatus.NEW.value:
                    out["reopened" if h.from_status == FindingStatus.RESOLVED.value else "new"].append(h.finding_id)
                elif h.to_status == FindingStatus.RESOLVED.value:
                    out["resolved"].append(h.finding_id)
        return out

    def score_rows(self, scan_id: str) -> list[dict[str, Any]]:
        q = select(scores).where(scores.c.scan_id == scan_id).order_by(scores.c.standard, scores.c.account, scores.c.category)
        with self.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(q)]

    def score_history(self, standard: str = "baseline", account: str = "*", category: str = "*") -> list[tuple[datetime, float | None]]:
        q = (
            select(scores.c.at, scores.c.score)
            .where(scores.c.standard == standard, scores.c.account == account, scores.c.category == category)
            .order_by(scores.c.at)
        )
        with self.engine.connect() as conn:
            return [(r.at, r.score) for r in conn.execute(q)]

    def counts_by_status(self) -> dict[str, int]:
        q = select(findings.c.status, func.count()).group_by(findings.c.status)
        with self.engine.connect() as conn:
            return {s: n for s, n in conn.execute(q)}


def ambiguous(what: str, prefix: str, ids: list[str]) -> InputError:
    """An id prefix that matches several ids: the caller's to fix (exit 2), with the candidates (up to five)."""
    shown = ", ".join(ids[:5]) + (", …" if len(ids) > 5 else "")
    return InputError(f"{what} id prefix {prefix!r} is ambiguous: it matches {shown}; give more characters")
