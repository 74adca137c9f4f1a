"""Store operations. One transaction per scan; the lifecycle is decided here.

Lifecycle across scans (for mamori's own findings):

* first FAIL                                   -> NEW
* still failing                                -> stays open, ``last_seen`` moves
* PASS, or the resource is gone / out of scope -> RESOLVED, but only when the scope that
  would have seen it (account, region, resource type) was collected without error and
  the rule was evaluated in this scan
* UNKNOWN (data not collected)                 -> unchanged
* FAIL again after RESOLVED                    -> NEW again (``times_reopened`` + 1)
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, and_, bindparam, func, insert, select, update
from sqlalchemy.exc import SQLAlchemyError

from mamori.engine.evaluate import Evaluation
from mamori.engine.score import ScoreRow
from mamori.errors import StoreError
from mamori.model.finding import Finding, FindingStatus, Result, ResultStatus, Severity
from mamori.model.resource import Inventory
from mamori.store.db import make_engine, migrate, write_transaction
from mamori.store.tables import finding_history, findings, scans, scores

OPEN = (FindingStatus.NEW.value, FindingStatus.NOTIFIED.value)
CHUNK = 900  # stays under SQLite's bound-parameter limit


def _chunks(seq: Sequence[Any], n: int = CHUNK) -> Iterator[Sequence[Any]]:
    for i in range(0, len(seq), n):
        yield seq[i : i + n]


@dataclass(frozen=True)
class ScanSummary:
    scan_id: str
    new: list[str] = field(default_factory=list)
    reopened: list[str] = field(default_factory=list)
    still_open: list[str] = field(default_factory=list)
    resolved: list[str] = field(default_factory=list)
    kept_unknown: list[str] = field(default_factory=list)


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
    limit: int | None = None


def _row_to_finding(row: Any) -> Finding:
    return Finding(
        id=row.id,
        rule_id=row.rule_id,
        title=row.title,
        severity=Severity(row.severity),
        status=FindingStatus(row.status),
        resource_type=row.resource_type,
        resource_id=row.resource_id,
        resource_arn=row.resource_arn,
        account=row.account,
        region=row.region,
        evidence=row.evidence or {},
        first_seen=row.first_seen,
        last_seen=row.last_seen,
        resolved_at=row.resolved_at,
        source=row.source,
    )


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [_jsonable(v) for v in value]
    return value


class Store:
    """The findings store over one SQLAlchemy engine (SQLite or PostgreSQL)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @classmethod
    def open(cls, url: str | None = None) -> Store:
        engine = make_engine(url)
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
    ) -> ScanSummary:
        """Store a scan, its score rows and the findings lifecycle, in one transaction."""
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
                summary = self._lifecycle(conn, scan_id, now, inventory, evaluation, titles)
        except SQLAlchemyError as exc:
            raise StoreError(f"could not record the scan: {exc}") from exc
        return summary

    def _lifecycle(
        self,
        conn: Any,
        scan_id: str,
        now: datetime,
        inventory: Inventory,
        evaluation: Evaluation,
        titles: dict[str, str],
    ) -> ScanSummary:
        by_status: dict[ResultStatus, dict[str, Result]] = {s: {} for s in ResultStatus}
        for r in evaluation.results:
            if r.resource_id == "*":
                continue
            by_status[r.status][r.finding_id] = r
        fails = by_status[ResultStatus.FAIL]
        passes = by_status[ResultStatus.PASS]
        unknown = by_status[ResultStatus.UNKNOWN]

        existing: dict[str, Any] = {}
        ids = list(fails)
        for chunk in _chunks(ids):
            for row in conn.execute(select(findings).where(findings.c.id.in_(chunk))):
                existing[row.id] = row
        accounts = inventory.accounts
        rules = sorted(evaluation.rules_evaluated)
        if accounts and rules:
            q = select(findings).where(
                and_(
                    findings.c.source == "mamori",
                    findings.c.status.in_((*OPEN, FindingStatus.SUPPRESSED.value)),
                    findings.c.account.in_(accounts),
                )
            )
            rule_set = set(rules)
            for row in conn.execute(q):
                if row.rule_id in rule_set:
                    existing.setdefault(row.id, row)

        new_rows: list[dict[str, Any]] = []
        seen_updates: list[dict[str, Any]] = []
        status_updates: list[dict[str, Any]] = []
        history: list[dict[str, Any]] = []
        out_new: list[str] = []
        out_reopened: list[str] = []
        out_open: list[str] = []
        out_resolved: list[str] = []
        out_unknown: list[str] = []

        for fid, r in fails.items():
            row = existing.get(fid)
            evidence = _jsonable(r.evidence)
            if row is None:
                new_rows.append(
                    {
                        "id": fid,
                        "source": "mamori",
                        "rule_id": r.rule_id,
                        "title": titles.get(r.rule_id, r.rule_id),
                        "severity": r.severity.value,
                        "status": FindingStatus.NEW.value,
                        "resource_type": r.resource_type,
                        "resource_id": r.resource_id,
                        "resource_arn": r.arn,
                        "account": r.account,
                        "region": r.region,
                        "evidence": evidence,
                        "first_seen": now,
                        "last_seen": now,
                        "resolved_at": None,
                        "last_scan_id": scan_id,
                        "times_reopened": 0,
                    }
                )
                history.append(self._hist(fid, scan_id, now, None, FindingStatus.NEW, "first failed"))
                out_new.append(fid)
            elif row.status == FindingStatus.RESOLVED.value:
                status_updates.append(
                    {
                        "b_id": fid,
                        "status": FindingStatus.NEW.value,
                        "last_seen": now,
                        "resolved_at": None,
                        "evidence": evidence,
                        "last_scan_id": scan_id,
                        "times_reopened": (row.times_reopened or 0) + 1,
                    }
                )
                history.append(self._hist(fid, scan_id, now, FindingStatus.RESOLVED, FindingStatus.NEW, "failed again: reopened"))
                out_reopened.append(fid)
            else:
                seen_updates.append({"b_id": fid, "last_seen": now, "evidence": evidence, "last_scan_id": scan_id})
                out_open.append(fid)

        for fid, row in existing.items():
            if fid in fails or row.status == FindingStatus.RESOLVED.value:
                continue
            if fid in passes:
                note = "passes now"
            elif fid in unknown:
                out_unknown.append(fid)
                continue
            elif row.rule_id in evaluation.rules_evaluated and inventory.is_clean(row.account, row.region, row.resource_type):
                note = "resource gone or no longer in scope"
            else:
                continue
            status_updates.append(
                {
                    "b_id": fid,
                    "status": FindingStatus.RESOLVED.value,
                    "last_seen": row.last_seen,
                    "resolved_at": now,
                    "evidence": row.evidence,
                    "last_scan_id": scan_id,
                    "times_reopened": row.times_reopened or 0,
                }
            )
            history.append(self._hist(fid, scan_id, now, FindingStatus(row.status), FindingStatus.RESOLVED, note))
            out_resolved.append(fid)

        for chunk in _chunks(new_rows, 500):
            conn.execute(insert(findings), list(chunk))
        if seen_updates:
            conn.execute(
                update(findings)
                .where(findings.c.id == bindparam("b_id"))
                .values(last_seen=bindparam("last_seen"), evidence=bindparam("evidence"), last_scan_id=bindparam("last_scan_id")),
                seen_updates,
            )
        if status_updates:
            conn.execute(
                update(findings)
                .where(findings.c.id == bindparam("b_id"))
                .values(
                    status=bindparam("status"),
                    last_seen=bindparam("last_seen"),
                    resolved_at=bindparam("resolved_at"),
                    evidence=bindparam("evidence"),
                    last_scan_id=bindparam("last_scan_id"),
                    times_reopened=bindparam("times_reopened"),
                ),
                status_updates,
            )
        for chunk in _chunks(history, 500):
            conn.execute(insert(finding_history), list(chunk))
        return ScanSummary(scan_id, out_new, out_reopened, out_open, out_resolved, out_unknown)

    def upsert_findings(self, items: Iterable[Finding], *, actor: str, now: datetime | None = None) -> dict[str, int]:
        """Insert or refresh findings that do not come from a scan (events, imports), in batches.

        A new id is stored as given (normally NEW). A known id keeps its first_seen and
        status and gets the new last_seen, evidence, title and severity; a RESOLVED one
        whose new status is open is reopened. Re-upserting identical data changes nothing
        but ``last_seen``. Returns counts: inserted, updated, reopened.
        """
        now = now or datetime.now(UTC)
        batch = {f.id: f for f in items}
        ids = list(batch)
        inserted = updated = reopened = 0
        try:
            with write_transaction(self.engine) as conn:
                existing: dict[str, Any] = {}
                for chunk in _chunks(ids):
                    for r in conn.execute(
                        select(findings.c.id, findings.c.status, findings.c.times_reopened).where(findings.c.id.in_(chunk))
                    ):
                        existing[r.id] = r
                new_rows: list[dict[str, Any]] = []
                upd: list[dict[str, Any]] = []
                hist: list[dict[str, Any]] = []
                for fid, f in batch.items():
                    row = existing.get(fid)
                    if row is None:
                        new_rows.append(
                            {
                                "id": fid, "source": f.source, "rule_id": f.rule_id, "title": f.title,
                                "severity": f.severity.value, "status": f.status.value, "resource_type": f.resource_type,
                                "resource_id": f.resource_id, "resource_arn": f.resource_arn, "account": f.account,
                                "region": f.region, "evidence": _jsonable(f.evidence), "first_seen": f.first_seen,
                                "last_seen": f.last_seen, "resolved_at": f.resolved_at, "last_scan_id": None,
                                "times_reopened": 0,
                            }
                        )  # fmt: skip
                        hist.append(self._hist(fid, None, now, None, f.status, f"recorded from {f.source}", actor))
                        inserted += 1
                        continue
                    status = row.status
                    times = row.times_reopened or 0
                    resolved_at = f.resolved_at if f.status is FindingStatus.RESOLVED else None
                    if row.status == FindingStatus.RESOLVED.value and f.status.is_open:
                        status, times = FindingStatus.NEW.value, times + 1
                        hist.append(self._hist(fid, None, now, FindingStatus.RESOLVED, FindingStatus.NEW, f"seen again in {f.source}", actor))
                        reopened += 1
                    elif f.status is FindingStatus.RESOLVED and row.status != FindingStatus.RESOLVED.value:
                        status = FindingStatus.RESOLVED.value
                        resolved_at = f.resolved_at or now
                        hist.append(self._hist(fid, None, now, FindingStatus(row.status), FindingStatus.RESOLVED, f"resolved in {f.source}", actor))
                    elif row.status == FindingStatus.RESOLVED.value:
                        resolved_at = None
                    upd.append(
                        {
                            "b_id": fid, "status": status, "last_seen": f.last_seen, "evidence": _jsonable(f.evidence),
                            "title": f.title, "severity": f.severity.value, "times_reopened": times,
                            "resolved_at": resolved_at if status == FindingStatus.RESOLVED.value else None,
                        }
                    )  # fmt: skip
                    updated += 1
                for chunk in _chunks(new_rows, 1000):
                    conn.execute(insert(findings), list(chunk))
                if upd:
                    conn.execute(
                        update(findings)
                        .where(findings.c.id == bindparam("b_id"))
                        .values(
                            status=bindparam("status"), last_seen=bindparam("last_seen"), evidence=bindparam("evidence"),
                            title=bindparam("title"), severity=bindparam("severity"),
                            times_reopened=bindparam("times_reopened"), resolved_at=bindparam("resolved_at"),
                        ),
                        upd,
                    )  # fmt: skip
                for chunk in _chunks(hist, 1000):
                    conn.execute(insert(finding_history), list(chunk))
        except SQLAlchemyError as exc:
            raise StoreError(f"could not record findings: {exc}") from exc
        return {"inserted": inserted, "updated": updated, "reopened": reopened}

    @staticmethod
    def _hist(
        fid: str, scan_id: str | None, at: datetime, frm: FindingStatus | None, to: FindingStatus, note: str, actor: str = "scan"
    ) -> dict[str, Any]:
        return {
            "finding_id": fid,
            "scan_id": scan_id,
            "at": at,
            "from_status": frm.value if frm else None,
            "to_status": to.value,
            "actor": actor,
            "note": note,
        }

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
        q = q.order_by(findings.c.first_seen, findings.c.id)
        with self.engine.connect() as conn:
            out = [_row_to_finding(r) for r in conn.execute(q)]
        out.sort(key=lambda f: (-f.severity.rank, f.rule_id, f.account, f.region, f.resource_id))
        return out[: flt.limit] if flt.limit else out

    def findings_by_ids(self, ids: list[str]) -> list[Finding]:
        out: list[Finding] = []
        with self.engine.connect() as conn:
            for chunk in _chunks(ids):
                out.extend(_row_to_finding(r) for r in conn.execute(select(findings).where(findings.c.id.in_(chunk))))
        return out

    def finding(self, id_or_prefix: str) -> Finding | None:
        with self.engine.connect() as conn:
            rows = list(conn.execute(select(findings).where(findings.c.id.startswith(id_or_prefix, autoescape=True)).limit(2)))
        if len(rows) > 1:
            raise StoreError(f"finding id prefix {id_or_prefix!r} is ambiguous; give more characters")
        return _row_to_finding(rows[0]) if rows else None

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
            rows = list(conn.execute(select(scans).where(scans.c.id.startswith(id_or_prefix, autoescape=True)).limit(2)))
        if len(rows) > 1:
            raise StoreError(f"scan id prefix {id_or_prefix!r} is ambiguous; give more characters")
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

