"""The scan summary people read: totals, score by category, what changed, top findings."""

from __future__ import annotations

from collections import Counter
from typing import Any

from rich.table import Table

from mamori.catalog import standards
from mamori.cli.output import SEV_STYLE, console, findings_table
from mamori.model.finding import Finding, ResultStatus, Severity
from mamori.scan.service import ScanOutcome
from mamori.standards.score import ALL, CoverageRow, ScoreRow, explain


def _pct(v: float | None) -> str:
    return "n/a" if v is None else f"{v:.1f}%"


def score_table(rows: list[ScoreRow], standard: str = "baseline") -> Table:
    std = standards()[standard]
    t = Table(title=f"{std.title}: score by category", title_justify="left")
    t.add_column("category")
    t.add_column("score", justify="right")
    t.add_column("pass", justify="right")
    t.add_column("fail", justify="right")
    t.add_column("unknown", justify="right")
    mine = {r.category: r for r in rows if r.standard == standard and r.account == ALL}
    for cat in std.categories:
        r = mine.get(cat.id)
        if r is None:
            t.add_row(f"{cat.id}. {cat.title}", "[dim]not covered[/]", "", "", "")
        else:
            t.add_row(f"{cat.id}. {cat.title}", _pct(r.score), str(r.passed), str(r.failed), str(r.unknown))
    total = mine.get(ALL)
    if total:
        t.add_section()
        t.add_row("[bold]overall[/]", f"[bold]{_pct(total.score)}[/]", str(total.passed), str(total.failed), str(total.unknown))
    return t


def coverage_lines(rows: list[ScoreRow], cov: list[CoverageRow]) -> list[str]:
    """Per standard: the machine score and how many controls are machine-checked, attested, not covered."""
    scores = {r.standard: r for r in rows if r.account == ALL and r.category == ALL}
    covs = {c.standard: c for c in cov if c.account == ALL and c.category == ALL}
    return [explain(sid, scores.get(sid), covs.get(sid)) for sid in standards() if sid in covs or sid in scores]


def print_summary(
    outcome: ScanOutcome, findings: list[Finding], *, api_calls: int | None = None, scan_id: str | None = None,
    show_open: bool = True,
) -> None:  # fmt: skip
    con = console()
    inv = outcome.inventory
    ev = outcome.evaluation
    secs = (outcome.finished_at - outcome.started_at).total_seconds()
    head = f"Scanned {len(inv)} resources in {len(inv.accounts)} account(s), {len([r for r in inv.regions if r != 'global'])} region(s)"
    head += f" with {len(ev.rules_evaluated)} rules in {secs:.1f}s"
    if api_calls is not None:
        head += f" ({api_calls} API calls)"
    con.print(f"[bold]{head}[/]")
    if scan_id:
        con.print(f"scan id: {scan_id}")
    c = ev.counts
    con.print(
        f"results: [green]{c.get(ResultStatus.PASS.value, 0)} pass[/], [red]{c.get(ResultStatus.FAIL.value, 0)} fail[/], "
        f"[yellow]{c.get(ResultStatus.UNKNOWN.value, 0)} unknown[/]"
    )
    scope_errors = [e for e in inv.errors if not e.partial]
    partial = [e for e in inv.errors if e.partial]
    if scope_errors or partial:
        con.print(f"[yellow]collection errors: {len(scope_errors)} scope(s) unreadable, {len(partial)} resource detail(s) missing — their rules report UNKNOWN[/]")
        for e in scope_errors[:10]:
            con.print(f"  [yellow]• {e.account} {e.region} {e.service} {e.operation}: {e.code} {e.message[:120]}[/]")
        if len(scope_errors) > 10:
            con.print(f"  … {len(scope_errors) - 10} more (mamori scans show <id>)")
    open_f = [f for f in findings if f.status.is_open]
    sev = Counter(f.severity for f in open_f)
    parts = [f"[{SEV_STYLE[s]}]{sev.get(s, 0)} {s.value}[/]" for s in Severity]
    con.print("open findings by severity: " + ", ".join(parts))
    con.print(score_table(outcome.scores))
    for line in coverage_lines(outcome.scores, outcome.coverage):
        con.print(line)
    if outcome.summary is not None:
        s = outcome.summary
        con.print(
            f"since the last scan: [red]{len(s.new)} new[/], [red]{len(s.reopened)} reopened[/], "
            f"{len(s.still_open)} still open, [green]{len(s.resolved)} resolved[/]"
            + (f", {len(s.kept_unknown)} unchanged (data not collected)" if s.kept_unknown else "")
        )
    if show_open:
        findings_table(open_f, title="Open findings (worst first)", limit=15)


def outcome_json(outcome: ScanOutcome, findings: list[Finding], *, api_calls: int | None, scan_id: str | None) -> dict[str, Any]:
    inv = outcome.inventory
    s = outcome.summary
    return {
        "scan": {
            "id": scan_id,
            "started_at": outcome.started_at.isoformat(),
            "finished_at": outcome.finished_at.isoformat(),
            "accounts": inv.accounts,
            "regions": inv.regions,
            "resources": len(inv),
            "rules": len(outcome.evaluation.rules_evaluated),
            "api_calls": api_calls,
            "results": dict(outcome.evaluation.counts),
            "errors": [e.to_dict() for e in inv.errors],
        },
        "changes": None
        if s is None
        else {"new": s.new, "reopened": s.reopened, "still_open": s.still_open, "resolved": s.resolved},
        "scores": [
            {
                "standard": r.standard, "account": r.account, "category": r.category, "score": r.score,
                "passed": r.passed, "failed": r.failed, "unknown": r.unknown,
            }
            for r in outcome.scores
        ],  # fmt: skip
        "coverage": [c.to_dict() for c in outcome.coverage],
        "findings": [f.to_dict() for f in findings],
    }
