"""A standard as of one stored scan: every control's status, the score and its coverage.

For the latest scan attestations are taken as they are *now* (record one, see it count);
for an explicitly chosen past scan (``scan_id``) as they were when that scan finished,
so history is exact. Per-rule counts and the rules' control mapping come from the scan
itself (:mod:`mamori.standards.store`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from mamori.catalog import Standard, standards
from mamori.errors import InputError
from mamori.findings import ScanRecord, Store
from mamori.model.score import ScoreRow
from mamori.rules.loader import RuleSet
from mamori.standards.score import ALL, CoverageRow, coverage, explain
from mamori.standards.status import ControlState, RuleControls, RuleCount, control_states
from mamori.standards.store import StandardsStore


@dataclass(frozen=True)
class StandardView:
    standard: Standard
    account: str
    scan: ScanRecord | None
    at: datetime
    states: list[ControlState]
    scores: dict[str, ScoreRow]
    coverage: dict[str, CoverageRow]
    note: str = ""

    def explain(self) -> str:
        return explain(self.standard.id, self.scores.get(ALL), self.coverage.get(ALL))

    def to_dict(self) -> dict[str, Any]:
        std = self.standard
        return {
            "standard": std.id,
            "title": std.title,
            "account": self.account,
            "scan": None if self.scan is None else {"id": self.scan.id, "finished_at": self.scan.finished_at.isoformat()},
            "attestations_at": self.at.isoformat(),
            "summary": self.explain(),
            "note": self.note,
            "categories": [
                {
                    "id": cat.id,
                    "title": cat.title,
                    "score": _score(self.scores.get(cat.id)),
                    "coverage": _cov(self.coverage.get(cat.id)),
                }
                for cat in std.categories
            ],
            "overall": {"score": _score(self.scores.get(ALL)), "coverage": _cov(self.coverage.get(ALL))},
            "controls": [s.to_dict() for s in self.states],
        }


def _score(r: ScoreRow | None) -> dict[str, Any] | None:
    if r is None:
        return None
    return {"score": r.score, "passed": r.passed, "failed": r.failed, "unknown": r.unknown, "weight_passed": r.weight_passed, "weight_total": r.weight_total}


def _cov(r: CoverageRow | None) -> dict[str, Any] | None:
    if r is None:
        return None
    d = r.to_dict()
    for k in ("standard", "account", "category"):
        d.pop(k)
    return d


def get_standard(standard_id: str) -> Standard:
    cat = standards()
    if standard_id not in cat:
        raise InputError(f"unknown standard {standard_id!r} (known: {', '.join(cat)})")
    return cat[standard_id]


def pick_scan(store: Store, scan_id: str | None) -> ScanRecord | None:
    if scan_id:
        rec = store.scan(scan_id)
        if rec is None:
            raise InputError(f"no scan with id {scan_id!r} (`mamori scans list` shows them)")
        return rec
    latest = store.scans(1)
    return latest[0] if latest else None


def score_rows(store: Store, scan_id: str, standard: str, account: str) -> dict[str, ScoreRow]:
    out: dict[str, ScoreRow] = {}
    for r in store.score_rows(scan_id):
        if r["standard"] == standard and r["account"] == account:
            out[r["category"]] = ScoreRow(
                standard, account, r["category"], r["passed"], r["failed"], r["unknown"], r["weight_passed"], r["weight_total"]
            )
    return out


def standard_views(
    store: Store,
    standard_ids: list[str],
    *,
    rules: RuleSet | Callable[[], RuleSet],
    account: str = ALL,
    scan_id: str | None = None,
    now: datetime | None = None,
) -> list[StandardView]:
    """Views of several standards over the same scan (``scan_id`` or the latest one).

    ``rules`` (or a function that loads them) is only read when no scan is stored yet, or
    the scan predates per-rule results: a stored scan's own rule mapping is used otherwise.
    """
    stds = [get_standard(s) for s in standard_ids]
    now = now or datetime.now(UTC)
    ss = StandardsStore(store.engine)
    rec = pick_scan(store, scan_id)
    note = ""
    counts: list[RuleCount] = []
    mapping: RuleControls = {}
    scanned = rec is not None
    if rec is not None:
        stored = ss.scan_rules(rec.id)
        if stored:
            mapping, counts = stored.controls, ss.rule_counts(rec.id)
        else:
            scanned = False
            note = f"scan {rec.id[:8]} was recorded before per-rule results were kept: control statuses are unknown"
    if not mapping:
        mapping = {r.id: r.spec.controls for r in (rules if isinstance(rules, RuleSet) else rules())}
        if rec is None:
            note = "no scan stored yet: run `mamori scan` (statuses are unknown until then)"
    if rec is not None and account != ALL and account not in rec.accounts:
        raise InputError(f"scan {rec.id[:8]} did not cover account {account!r} (it covered {', '.join(rec.accounts) or 'none'})")
    at = rec.finished_at if (scan_id and rec is not None) else now
    atts = ss.attestations()
    out = []
    for std in stds:
        states = control_states(std, mapping, counts, atts, at=at, account=account, scanned=scanned)
        cov = {r.category: r for r in coverage(states, account)}
        scores = score_rows(store, rec.id, std.id, account) if rec is not None else {}
        out.append(StandardView(std, account, rec, at, states, scores, cov, note))
    return out


def standard_view(store: Store, standard_id: str, **kw: Any) -> StandardView:
    return standard_views(store, [standard_id], **kw)[0]
