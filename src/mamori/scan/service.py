"""Collect -> evaluate -> score -> store -> findings: the scan, shared by the CLI, the demo and a server.

`run_scan` evaluates an inventory already in hand (tests, the demo); `scan` is the whole
request: where the estate comes from (a snapshot or AWS targets), which rules, which store.
Nothing here prints; collection errors are mamori's own (`CollectionError`, `ScopeError`,
`SnapshotError`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mamori.engage.verify import VerifyReport, after_scan
from mamori.engine import Evaluation, evaluate
from mamori.findings import ScanSummary, Store
from mamori.model.finding import Finding, FindingStatus, ResultStatus, Severity
from mamori.model.resource import Inventory
from mamori.model.score import ScoreRow
from mamori.rules import RuleSet
from mamori.standards.score import CoverageRow, score
from mamori.standards.store import record_standards

if TYPE_CHECKING:
    from mamori.collect.aws.runner import Progress
    from mamori.collect.aws.session import AwsTarget


@dataclass
class ScanOutcome:
    inventory: Inventory
    evaluation: Evaluation
    scores: list[ScoreRow]
    summary: ScanSummary | None
    started_at: datetime
    finished_at: datetime
    coverage: list[CoverageRow] = field(default_factory=list)  # machine / attested / not covered, per standard
    engage: VerifyReport | None = None  # engagement tasks verified / reopened, contradictions (with a store)


def run_scan(
    inventory: Inventory,
    rules: RuleSet,
    *,
    store: Store | None = None,
    params: Mapping[str, Mapping[str, Any]] | None = None,
    started_at: datetime | None = None,
    now: datetime | None = None,
) -> ScanOutcome:
    """Evaluate an inventory, score it and (when a store is given) record the scan."""
    started = started_at or inventory.collected_at
    ev = evaluate(inventory, rules, params=params, now=now)
    return record_evaluation(inventory, ev, rules, store=store, started_at=started, now=now)


def record_evaluation(
    inventory: Inventory,
    ev: Evaluation,
    rules: RuleSet,
    *,
    store: Store | None = None,
    started_at: datetime,
    now: datetime | None = None,
    workloads: Sequence[Mapping[str, Any]] | None = None,
) -> ScanOutcome:
    """Score an evaluation and (with a store) record it: the second half of :func:`run_scan`.

    The org scan evaluates account by account and calls this once with every account's
    results and a lean inventory (coverage, errors, tagged resources; see mamori.scan.org), and
    the accounts' ``scan_workloads`` rows (``workloads``, else computed from the inventory)."""
    rows = score(ev.results, rules)
    finished = now or datetime.now(UTC)
    summary = None
    if store is not None:
        titles = {r.id: r.spec.title for r in rules}
        summary = store.record_scan(inventory, ev, titles, rows, started_at=started_at, finished_at=finished,
                                    workloads=workloads)  # fmt: skip
    engine, scan_id = (store.engine, summary.scan_id) if store is not None and summary is not None else (None, None)
    cov = record_standards(engine, scan_id, ev.results, rules, ev.rules_evaluated, inventory.accounts, at=finished)
    engage = None
    if store is not None:  # engagement tasks verified (or reopened) by this scan; contradictions as findings
        engage = after_scan(store, scan_id, inventory, ev.results, ev.rules_evaluated, now=finished)
    return ScanOutcome(inventory, ev, rows, summary, started_at, finished, cov, engage)


def scan_findings(outcome: ScanOutcome, rules: RuleSet, store: Store | None) -> list[Finding]:
    """The scan's failures as findings, worst first: the stored ones (with history), else built afresh."""
    fails = {r.finding_id: r for r in outcome.evaluation.results if r.status is ResultStatus.FAIL}
    if store is not None:
        stored = {f.id: f for f in store.findings_by_ids(list(fails))}
        out = [stored[i] for i in fails if i in stored]
    else:
        now = outcome.finished_at
        out = [
            Finding(
                id=fid, rule_id=r.rule_id, title=rules.get(r.rule_id).spec.title, severity=r.severity,
                status=FindingStatus.NEW, resource_type=r.resource_type, resource_id=r.resource_id,
                resource_arn=r.arn, account=r.account, region=r.region, evidence=r.evidence,
                first_seen=now, last_seen=now,
            )
            for fid, r in fails.items()
        ]  # fmt: skip
    out.sort(key=lambda f: (-f.severity.rank, f.rule_id, f.account, f.region, f.resource_id))
    return out


def failing(findings: list[Finding], threshold: Severity) -> list[Finding]:
    """Open findings at or above ``threshold``: what makes `--fail-on` fail."""
    return [f for f in findings if f.status.is_open and f.severity.at_least(threshold)]


@dataclass(frozen=True)
class CollectRequest:
    """Where the estate comes from: a snapshot file, Cloud Asset Inventory exports, or AWS targets
    (optionally only some services)."""

    snapshot: Path | None = None
    gcp_assets: tuple[Path, ...] = ()
    targets: tuple[AwsTarget, ...] = ()
    services: tuple[str, ...] = ()


@dataclass(frozen=True)
class Collected:
    inventory: Inventory
    api_calls: int | None  # None for a snapshot


def collect_inventory(req: CollectRequest, progress: Progress | None = None) -> Collected:
    """Read the snapshot and/or the GCP exports, or collect every target (``progress`` is called as collectors finish)."""
    if req.gcp_assets:
        from mamori.collect.gcp import read_gcp_assets

        inv = read_gcp_assets(list(req.gcp_assets))
        if req.snapshot is not None:  # both: one inventory (AWS from the snapshot, GCP from the exports)
            from mamori.collect.snapshot import read_snapshot

            aws = read_snapshot(req.snapshot)
            aws.merge(inv)
            inv = aws
        return Collected(inv, None)
    if req.snapshot is not None:
        from mamori.collect.snapshot import read_snapshot

        return Collected(read_snapshot(req.snapshot), None)
    from mamori.collect.aws.multi import collect_accounts  # the AWS SDK: only when collecting

    res = collect_accounts(list(req.targets), services=req.services, progress=progress)
    return Collected(res.inventory, res.api_calls)


@dataclass(frozen=True)
class ScanRequest:
    source: CollectRequest
    rules: RuleSet
    store: Store | None = None  # None: evaluate only, record nothing
    params: Mapping[str, Mapping[str, Any]] | None = None


@dataclass(frozen=True)
class ScanResult:
    outcome: ScanOutcome
    findings: list[Finding]  # worst first
    api_calls: int | None


def scan(req: ScanRequest, progress: Progress | None = None) -> ScanResult:
    """One scan: collect, evaluate, score, record (with a store) and list the findings."""
    started = datetime.now(UTC)
    got = collect_inventory(req.source, progress)
    outcome = run_scan(got.inventory, req.rules, store=req.store, params=req.params, started_at=started)
    return ScanResult(outcome, scan_findings(outcome, req.rules, req.store), got.api_calls)
