"""Collect -> evaluate -> score -> store: the scan, shared by the CLI and the demo."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from mamori.engine import Evaluation, evaluate
from mamori.findings import ScanSummary, Store
from mamori.model.resource import Inventory
from mamori.model.score import ScoreRow
from mamori.rules import RuleSet
from mamori.standards.score import CoverageRow, score
from mamori.standards.store import record_standards


@dataclass
class ScanOutcome:
    inventory: Inventory
    evaluation: Evaluation
    scores: list[ScoreRow]
    summary: ScanSummary | None
    started_at: datetime
    finished_at: datetime
    coverage: list[CoverageRow] = field(default_factory=list)  # machine / attested / not covered, per standard


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
    rows = score(ev.results, rules)
    finished = now or datetime.now(UTC)
    summary = None
    if store is not None:
        titles = {r.id: r.spec.title for r in rules}
        summary = store.record_scan(inventory, ev, titles, rows, started_at=started, finished_at=finished)
    engine, scan_id = (store.engine, summary.scan_id) if store is not None and summary is not None else (None, None)
    cov = record_standards(engine, scan_id, ev.results, rules, ev.rules_evaluated, inventory.accounts, at=finished)
    return ScanOutcome(inventory, ev, rows, summary, started, finished, cov)
