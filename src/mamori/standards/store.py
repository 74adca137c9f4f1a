"""The standards' part of the store: per-scan rule counts and coverage, attestations.

:meth:`StandardsStore.record_scan` runs right after a scan is recorded (see
:func:`mamori.scan.service.run_scan`): it stores which rules ran with which control mapping,
per-rule per-account result counts, and the coverage rows computed with the
attestations valid at the scan's time, so the history of every score and control status
is exact. Attestations are written with an audit entry in the same transaction.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, delete, insert, select, update
from sqlalchemy.exc import SQLAlchemyError

from mamori.audit import record_in
from mamori.errors import InputError, StoreError
from mamori.findings.tables import scans
from mamori.model.finding import Result
from mamori.rules.loader import RuleSet
from mamori.standards.attestation import ALL_ACCOUNTS, Attestation
from mamori.standards.score import CoverageRow, coverage_for_scan
from mamori.standards.status import RuleControls, RuleCount, count_results
from mamori.standards.tables import attestations, coverage, rule_counts, scan_rules
from mamori.store.db import write_transaction
from mamori.store.rows import chunks


@dataclass(frozen=True)
class ScanRef:
    id: str
    finished_at: datetime


@dataclass(frozen=True)
class ScanRules:
    """The rules a scan evaluated: severity and control mapping as they were then."""

    severity: dict[str, str]
    controls: dict[str, dict[str, list[str]]]

    def __bool__(self) -> bool:
        return bool(self.controls)


def _attestation(r: Any) -> Attestation:
    return Attestation(
        id=r.id, standard=r.standard, control=r.control, account=r.account, by=r.attested_by, evidence=r.evidence,
        created_at=r.created_at, expires_at=r.expires_at, recorded_by=r.recorded_by, revoked_at=r.revoked_at,
        revoked_by=r.revoked_by, revoke_reason=r.revoke_reason,
    )  # fmt: skip


def _coverage_row(r: Any) -> CoverageRow:
    return CoverageRow(
        r.standard, r.account, r.category, r.controls, r.machine, r.attested, r.not_covered,
        r.passing, r.failing, r.unknown, r.no_resources,
    )  # fmt: skip


class StandardsStore:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    # -- a scan's standards data -------------------------------------------------

    def record_scan(
        self, scan_id: str, results: Sequence[Result], rules: RuleSet, evaluated: Iterable[str], accounts: Iterable[str], *, at: datetime
    ) -> list[CoverageRow]:
        """Store the rule mapping, per-rule counts and coverage of a recorded scan; return the coverage.

        Idempotent: the scan's rows are replaced (a distributed scan's finaliser that took over
        from one killed mid-way records them again)."""
        ran = set(evaluated)
        mapping: dict[str, dict[str, list[str]]] = {r.id: {k: list(v) for k, v in r.spec.controls.items()} for r in rules if r.id in ran}
        counts = count_results(results)
        try:
            with write_transaction(self.engine) as conn:
                atts = [_attestation(r) for r in conn.execute(select(attestations))]
                rows = coverage_for_scan(mapping, counts, atts, accounts, at=at)
                sr = [{"scan_id": scan_id, "rule_id": r.id, "severity": r.spec.severity.value, "controls": mapping[r.id]} for r in rules if r.id in ran]
                rc = [{"scan_id": scan_id, "rule_id": c.rule_id, "account": c.account, "passed": c.passed, "failed": c.failed, "unknown": c.unknown} for c in counts]
                cv = [{"scan_id": scan_id, "at": at, **c.to_dict()} for c in rows]
                for table, data in ((scan_rules, sr), (rule_counts, rc), (coverage, cv)):
                    conn.execute(delete(table).where(table.c.scan_id == scan_id))
                    for chunk in chunks(data, 2000):
                        conn.execute(insert(table), list(chunk))
        except SQLAlchemyError as exc:
            raise StoreError(f"could not record the scan's standards data: {exc}") from exc
        return rows

    def scan_rules(self, scan_id: str) -> ScanRules:
        sev: dict[str, str] = {}
        ctl: dict[str, dict[str, list[str]]] = {}
        with self.engine.connect() as conn:
            for r in conn.execute(select(scan_rules).where(scan_rules.c.scan_id == scan_id)):
                sev[r.rule_id] = r.severity
                ctl[r.rule_id] = {k: list(v) for k, v in dict(r.controls).items()}
        return ScanRules(sev, ctl)

    def rule_counts(self, scan_id: str) -> list[RuleCount]:
        q = select(rule_counts).where(rule_counts.c.scan_id == scan_id).order_by(rule_counts.c.rule_id, rule_counts.c.account)
        with self.engine.connect() as conn:
            return [RuleCount(r.rule_id, r.account, r.passed, r.failed, r.unknown) for r in conn.execute(q)]

    def coverage(self, scan_id: str) -> list[CoverageRow]:
        q = select(coverage).where(coverage.c.scan_id == scan_id).order_by(coverage.c.standard, coverage.c.account, coverage.c.category)
        with self.engine.connect() as conn:
            return [_coverage_row(r) for r in conn.execute(q)]

    def coverage_history(self, standard: str, account: str = ALL_ACCOUNTS, category: str = "*") -> list[tuple[str, datetime, CoverageRow]]:
        q = (
            select(coverage)
            .where(coverage.c.standard == standard, coverage.c.account == account, coverage.c.category == category)
            .order_by(coverage.c.at)
        )
        with self.engine.connect() as conn:
            return [(r.scan_id, r.at, _coverage_row(r)) for r in conn.execute(q)]

    # -- scans, oldest first ----------------------------------------------------

    def scan_refs(self, *, since: datetime | None = None, until: datetime | None = None) -> list[ScanRef]:
        q = select(scans.c.id, scans.c.finished_at).order_by(scans.c.finished_at, scans.c.id)
        if since is not None:
            q = q.where(scans.c.finished_at > since)
        if until is not None:
            q = q.where(scans.c.finished_at <= until)
        with self.engine.connect() as conn:
            return [ScanRef(r.id, r.finished_at) for r in conn.execute(q)]

    # -- attestations -------------------------------------------------------------

    def attest(
        self, *, standard: str, control: str, by: str, evidence: str, expires_at: datetime,
        account: str = ALL_ACCOUNTS, recorded_by: str = "", now: datetime | None = None,
    ) -> Attestation:  # fmt: skip
        """Record an attestation and its audit entry (``standards.attest``) in one transaction."""
        now = now or datetime.now(UTC)
        if not by.strip():
            raise InputError("an attestation needs the person who attests (--by)")
        if not evidence.strip():
            raise InputError("an attestation needs evidence: a URL or a short text (--evidence)")
        if expires_at <= now:
            raise InputError(f"the expiry {expires_at.isoformat()} is not in the future")
        att = Attestation(
            id=uuid.uuid4().hex[:12], standard=standard, control=control, account=account, by=by.strip(),
            evidence=evidence.strip(), created_at=now, expires_at=expires_at, recorded_by=recorded_by or by.strip(),
        )  # fmt: skip
        try:
            with write_transaction(self.engine) as conn:
                conn.execute(
                    insert(attestations),
                    {
                        "id": att.id, "standard": standard, "control": control, "account": account, "attested_by": att.by,
                        "evidence": att.evidence, "created_at": now, "expires_at": expires_at, "recorded_by": att.recorded_by,
                    },
                )  # fmt: skip
                record_in(
                    conn, actor=att.recorded_by, action="standards.attest", subject=f"{standard}:{control}",
                    details={"id": att.id, "by": att.by, "evidence": att.evidence, "account": account, "expires_at": expires_at.isoformat()},
                    at=now,
                )  # fmt: skip
        except SQLAlchemyError as exc:
            raise StoreError(f"could not record the attestation: {exc}") from exc
        return att

    def revoke(self, id_or_prefix: str, *, by: str, reason: str = "", now: datetime | None = None) -> Attestation:
        """Revoke an attestation (it stops counting now); audited as ``standards.attest.revoke``."""
        now = now or datetime.now(UTC)
        try:
            with write_transaction(self.engine) as conn:
                rows = list(conn.execute(select(attestations).where(attestations.c.id.startswith(id_or_prefix, autoescape=True)).limit(2)))
                if not rows:
                    raise InputError(f"no attestation with id {id_or_prefix!r} (`mamori attest list --all` shows them)")
                if len(rows) > 1:
                    raise InputError(f"attestation id prefix {id_or_prefix!r} is ambiguous; give more characters")
                att = _attestation(rows[0])
                if att.revoked_at is not None:
                    raise InputError(f"attestation {att.id} was already revoked on {att.revoked_at.isoformat()} by {att.revoked_by}")
                conn.execute(
                    update(attestations).where(attestations.c.id == att.id).values(revoked_at=now, revoked_by=by, revoke_reason=reason or None)
                )
                record_in(
                    conn, actor=by, action="standards.attest.revoke", subject=f"{att.standard}:{att.control}",
                    details={"id": att.id, "reason": reason}, at=now,
                )  # fmt: skip
        except SQLAlchemyError as exc:
            raise StoreError(f"could not revoke the attestation: {exc}") from exc
        return Attestation(**{**att.__dict__, "revoked_at": now, "revoked_by": by, "revoke_reason": reason or None})

    def attestations(self, *, standard: str | None = None, active_at: datetime | None = None) -> list[Attestation]:
        """All attestations (newest first), or only those valid at ``active_at``."""
        q = select(attestations).order_by(attestations.c.created_at.desc(), attestations.c.id)
        if standard:
            q = q.where(attestations.c.standard == standard)
        with self.engine.connect() as conn:
            out = [_attestation(r) for r in conn.execute(q)]
        return [a for a in out if active_at is None or a.valid_at(active_at)]


def record_standards(
    engine: Engine | None, scan_id: str | None, results: Sequence[Result], rules: RuleSet,
    evaluated: Iterable[str], accounts: Iterable[str], *, at: datetime,
) -> list[CoverageRow]:  # fmt: skip
    """Coverage of a scan: stored with the scan when there is a store, else computed without attestations."""
    if engine is None or scan_id is None:
        ran = set(evaluated)
        mapping: RuleControls = {r.id: r.spec.controls for r in rules if r.id in ran}
        return coverage_for_scan(mapping, count_results(results), [], accounts, at=at)
    return StandardsStore(engine).record_scan(scan_id, results, rules, evaluated, accounts, at=at)


def latest(rows: Iterable[CoverageRow], standard: str, account: str = ALL_ACCOUNTS) -> Mapping[str, CoverageRow]:
    """Coverage rows of one standard and account by category."""
    return {r.category: r for r in rows if r.standard == standard and r.account == account}
