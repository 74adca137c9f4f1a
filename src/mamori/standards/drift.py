"""Drift: how a standard's score moved between two stored scans, and which findings moved it.

"baseline score was 96.0% on 2026-11-01, 81.0% now (-15.0 points)": the *from* scan is
``--scan ID``, or the last scan finished on or before ``--since`` (the first scan when
none is that old), or else the scan before the latest; the *to* scan is the latest.
Findings that became NEW or were reopened in any scan after *from* up to *to* (and whose
rule maps to the standard) caused the drop; those RESOLVED in between lifted it. A
finding opened and fixed again within the range (or fixed and reopened) made no net
change and is left out. Rules added or removed between the two scans are listed too: a
new rule can move a score without anything in the estate changing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from mamori.catalog import Standard
from mamori.errors import InputError
from mamori.findings import ScanRecord, Store
from mamori.model.finding import Finding
from mamori.model.score import ScoreRow
from mamori.standards.score import ALL, WEIGHTS, CoverageRow
from mamori.standards.store import StandardsStore
from mamori.standards.view import get_standard, score_rows


@dataclass(frozen=True)
class DriftFinding:
    finding: Finding
    change: str  # "new" | "reopened" | "resolved"
    scan_id: str
    at: datetime
    controls: tuple[str, ...]

    @property
    def weight(self) -> int:
        return WEIGHTS[self.finding.severity]

    def to_dict(self) -> dict[str, Any]:
        return {
            "change": self.change, "scan_id": self.scan_id, "at": self.at.isoformat(), "weight": self.weight,
            "controls": list(self.controls), "finding": self.finding.to_dict(),
        }  # fmt: skip


@dataclass(frozen=True)
class Drift:
    standard: Standard
    account: str
    from_scan: ScanRecord
    to_scan: ScanRecord
    from_scores: dict[str, ScoreRow]
    to_scores: dict[str, ScoreRow]
    from_coverage: CoverageRow | None
    to_coverage: CoverageRow | None
    worsened: list[DriftFinding] = field(default_factory=list)
    improved: list[DriftFinding] = field(default_factory=list)
    rules_added: list[str] = field(default_factory=list)
    rules_removed: list[str] = field(default_factory=list)
    note: str = ""

    def score(self, which: str, category: str = ALL) -> float | None:
        row = (self.from_scores if which == "from" else self.to_scores).get(category)
        return None if row is None else row.score

    @property
    def delta(self) -> float | None:
        a, b = self.score("from"), self.score("to")
        return None if a is None or b is None else round(b - a, 1)

    def headline(self) -> str:
        a, b = self.score("from"), self.score("to")
        fa = "n/a" if a is None else f"{a:.1f}%"
        fb = "n/a" if b is None else f"{b:.1f}%"
        head = f"{self.standard.id} score was {fa} on {self.from_scan.finished_at.date().isoformat()}, {fb} now"
        d = self.delta
        if d is not None:
            head += f" ({d:+.1f} points)"
        if d is not None and d < 0 and self.worsened:
            head += "; these findings caused the drop"
        elif d is not None and d > 0 and self.improved:
            head += "; these fixes raised it"
        return head

    def to_dict(self) -> dict[str, Any]:
        cats = [
            {"id": c.id, "title": c.title, "from": self.score("from", c.id), "to": self.score("to", c.id)}
            for c in self.standard.categories
        ]
        return {
            "standard": self.standard.id,
            "account": self.account,
            "headline": self.headline(),
            "from": {"scan_id": self.from_scan.id, "finished_at": self.from_scan.finished_at.isoformat(), "score": self.score("from")},
            "to": {"scan_id": self.to_scan.id, "finished_at": self.to_scan.finished_at.isoformat(), "score": self.score("to")},
            "delta": self.delta,
            "categories": cats,
            "coverage": {
                "from": None if self.from_coverage is None else self.from_coverage.to_dict(),
                "to": None if self.to_coverage is None else self.to_coverage.to_dict(),
            },
            "worsened": [d.to_dict() for d in self.worsened],
            "improved": [d.to_dict() for d in self.improved],
            "rules_added": self.rules_added,
            "rules_removed": self.rules_removed,
            "note": self.note,
        }


def _parse_since(since: str) -> datetime:
    try:
        if len(since) == 10:
            return datetime.combine(date.fromisoformat(since) + timedelta(days=1), time(0), tzinfo=UTC)  # the whole day
        t = datetime.fromisoformat(since)
    except ValueError:
        raise InputError(f"invalid date {since!r}: use 2026-11-01 or an ISO time") from None
    return t if t.tzinfo else t.replace(tzinfo=UTC)


def drift(store: Store, standard_id: str, *, account: str = ALL, since: str | None = None, scan_id: str | None = None) -> Drift:
    std = get_standard(standard_id)
    if since and scan_id:
        raise InputError("give --since or --scan, not both")
    ss = StandardsStore(store.engine)
    refs = ss.scan_refs()
    if len(refs) < 2:
        raise InputError(f"drift needs at least two stored scans; the store has {len(refs)}")
    to_ref = refs[-1]
    note = ""
    if scan_id:
        rec = store.scan(scan_id)
        if rec is None:
            raise InputError(f"no scan with id {scan_id!r} (`mamori scans list` shows them)")
        from_id = rec.id
    elif since:
        cutoff = _parse_since(since)
        older = [r for r in refs if r.finished_at < cutoff]
        if older:
            from_id = older[-1].id
        else:
            from_id = refs[0].id
            note = f"no scan on or before {since}; comparing with the first scan"
    else:
        from_id = refs[-2].id
    if from_id == to_ref.id:
        raise InputError("the scan to compare with is the latest scan itself; pick an older one (--since or --scan)")
    a, b = store.scan(from_id), store.scan(to_ref.id)
    assert a is not None and b is not None
    rules_a, rules_b = ss.scan_rules(a.id), ss.scan_rules(b.id)
    mapped = {rid: tuple(c.get(std.id, ())) for rid, c in {**rules_a.controls, **rules_b.controls}.items() if c.get(std.id)}
    first: dict[str, str] = {}
    last: dict[str, tuple[str, str, datetime]] = {}
    for ref in refs:
        if a.finished_at < ref.finished_at <= b.finished_at and ref.id != a.id:
            for change, ids in store.scan_changes(ref.id).items():
                for fid in ids:
                    first.setdefault(fid, change)
                    last[fid] = (change, ref.id, ref.finished_at)
    found = {f.id: f for f in store.findings_by_ids(list(last))}
    worse: list[DriftFinding] = []
    better: list[DriftFinding] = []
    for fid, (change, sid, at) in last.items():
        f = found.get(fid)
        if f is None or f.rule_id not in mapped or (account != ALL and f.account != account):
            continue
        if (first[fid] == "resolved") != (change == "resolved"):
            continue  # opened then fixed, or fixed then reopened, within the range: no net change
        item = DriftFinding(f, change, sid, at, mapped[f.rule_id])
        (better if change == "resolved" else worse).append(item)
    order = lambda d: (-d.weight, d.finding.rule_id, d.finding.account, d.finding.resource_id)  # noqa: E731
    cov_a = {(r.account, r.category): r for r in ss.coverage(a.id) if r.standard == std.id}
    cov_b = {(r.account, r.category): r for r in ss.coverage(b.id) if r.standard == std.id}
    return Drift(
        std, account, a, b, score_rows(store, a.id, std.id, account), score_rows(store, b.id, std.id, account),
        cov_a.get((account, ALL)), cov_b.get((account, ALL)), sorted(worse, key=order), sorted(better, key=order),
        sorted(set(rules_b.controls) - set(rules_a.controls)) if rules_a else [],
        sorted(set(rules_a.controls) - set(rules_b.controls)) if rules_a else [],
        note,
    )  # fmt: skip
