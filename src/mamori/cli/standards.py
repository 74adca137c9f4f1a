"""`mamori standards list|show|drift`: the standards as code, each control's status, drift."""

from __future__ import annotations

import click
from rich.table import Table

from mamori.catalog import standards as catalogue
from mamori.cli.columns import Col, echo_table, severity_colour, unique_prefixes
from mamori.cli.common import config_option, db_option, get_config, open_store
from mamori.cli.output import FORMATS, console, emit_csv, emit_json
from mamori.rules import load_rules
from mamori.standards.drift import drift as compute_drift
from mamori.standards.score import ALL
from mamori.standards.status import ControlState, ControlStatus
from mamori.standards.view import StandardView, standard_views

STATUS_STYLE = {
    ControlStatus.PASSING: "green",
    ControlStatus.FAILING: "bold red",
    ControlStatus.UNKNOWN: "yellow",
    ControlStatus.NO_RESOURCES: "dim",
    ControlStatus.ATTESTED: "cyan",
    ControlStatus.NOT_COVERED: "magenta",
}


def _pct(v: float | None) -> str:
    return "n/a" if v is None else f"{v:.1f}%"


def _cat_label(cid: str, title: str) -> str:
    """Baseline/CIS "1. Credential management"; FSBP "Amazon S3 (S3)"."""
    if cid == title:
        return title
    return f"{cid}. {title}" if cid[:1].isdigit() else f"{title} ({cid})"


def _status(s: ControlStatus) -> str:
    return f"[{STATUS_STYLE[s]}]{s.value}[/]"


def account_option(f: click.decorators.FC) -> click.decorators.FC:
    return click.option("--account", default=ALL, show_default=True, help="One account id, or * for all accounts.")(f)


def scan_option(f: click.decorators.FC) -> click.decorators.FC:
    return click.option(
        "--scan", "scan_id", default=None, metavar="ID",
        help="A past scan (id or prefix; default: the latest). Attestations count as they were then.",
    )(f)  # fmt: skip


@click.group()
def standards() -> None:
    """The standards as code: Cloud Security Baseline, CIS AWS v3.0, AWS FSBP, CIS GCP v3.0.

    Every control is covered by machine (a rule checks it), attested (a person vouches
    for it with evidence and an expiry: `mamori attest`) or not covered. The score is
    the machine-checked weight only; the rest is counted beside it, never in it.

    \b
      mamori standards list                          score and coverage of each standard
      mamori standards show baseline                 every control: status and rules
      mamori standards show cis-aws-3.0 --status failing -o csv
      mamori standards show baseline --scan 1a2b3c   as of a past scan
      mamori standards drift --since 2026-11-01      what moved the score, and which findings
    """


@standards.command("list")
@account_option
@scan_option
@click.option("-o", "--output", "fmt", type=click.Choice(FORMATS), default="table", show_default=True, help="table for people; json or csv for tools.")
@db_option
@config_option
def list_(account: str, scan_id: str | None, fmt: str, db: str | None, config_path: str | None) -> None:
    """Each standard: score, how many controls are checked by machine, attested, not covered."""
    cfg = get_config(config_path)
    views = standard_views(open_store(db, cfg), list(catalogue()), rules=lambda: load_rules(cfg.rule_paths), account=account, scan_id=scan_id)
    if fmt == "json":
        emit_json([{k: v for k, v in view.to_dict().items() if k != "controls"} for view in views])
        return
    rows = [_list_row(v) for v in views]
    header = ("standard", "title", "controls", "rules", "score", "machine", "attested", "not_covered", "passing", "failing", "unknown", "no_resources")
    if fmt == "csv":
        emit_csv(rows, header)
        return
    con = console()
    con.print(_scan_line(views[0]))
    cols = [Col("standard"), *(Col(h, right=True) for h in ("controls", "rules", "score", "machine", "attested", "not covered", "failing"))]
    table = [
        [str(r[0]), str(r[2]), str(r[3]), _pct(r[4] if isinstance(r[4], float) else None), *(str(x) for x in (r[5], r[6], r[7], r[9]))]
        for r in rows
    ]
    echo_table(cols, table, title="Standards (controls: by machine / attested / not covered; failing)")
    for v in views:
        con.print(v.explain())


def _list_row(v: StandardView) -> list[object]:
    cov = v.coverage.get(ALL)
    rules = {r for s in v.states for r in s.rules}
    sc = v.scores.get(ALL)
    return [
        v.standard.id, v.standard.title, len(v.states), len(rules), sc.score if sc else None,
        cov.machine if cov else 0, cov.attested if cov else 0, cov.not_covered if cov else 0,
        cov.passing if cov else 0, cov.failing if cov else 0, cov.unknown if cov else 0, cov.no_resources if cov else 0,
    ]  # fmt: skip


def _scan_line(v: StandardView) -> str:
    acct = "all accounts" if v.account == ALL else f"account {v.account}"
    if v.scan is None:
        return f"[yellow]{v.note}[/]"
    line = f"scan {v.scan.id[:8]} ({v.scan.finished_at.isoformat(timespec='seconds')}), {acct}"
    if v.note:
        line += f"\n[yellow]{v.note}[/]"
    return line


@standards.command("show")
@click.argument("standard", type=click.Choice(list(catalogue())))
@account_option
@scan_option
@click.option("--category", default=None, help="Only this category (e.g. 3 or IAM).")
@click.option(
    "--status", "statuses", multiple=True, type=click.Choice([s.value for s in ControlStatus]),
    help="Only controls with this status (repeatable).",
)  # fmt: skip
@click.option("--details", is_flag=True, help="Each control's rules, their results and attestation notes (long).")
@click.option("-o", "--output", "fmt", type=click.Choice(FORMATS), default="table", show_default=True, help="table for people; json or csv for tools.")
@db_option
@config_option
def show(
    standard: str, account: str, scan_id: str | None, category: str | None, statuses: tuple[str, ...], details: bool,
    fmt: str, db: str | None, config_path: str | None,
) -> None:  # fmt: skip
    """Every control of a standard: status, coverage and the rules behind it.

    \b
    Statuses: passing, failing, unknown (data not collected), no resources (its rules
    found nothing to check), attested (a valid attestation), not covered.
    One line per control; --details adds the rules, their results and notes.
    \b
      mamori standards show baseline
      mamori standards show baseline --details --category 1
      mamori standards show cis-aws-3.0 --account 123456789012 --status failing
      mamori standards show fsbp --category S3 -o json
    """
    cfg = get_config(config_path)
    [v] = standard_views(open_store(db, cfg), [standard], rules=lambda: load_rules(cfg.rule_paths), account=account, scan_id=scan_id)
    if category is not None and category not in {c.id for c in v.standard.categories}:
        raise click.BadParameter(f"{standard} has no category {category!r} (known: {', '.join(c.id for c in v.standard.categories)})", param_hint="--category")
    states = [s for s in v.states if (category is None or s.category == category) and (not statuses or s.status.value in statuses)]
    if fmt == "json":
        data = v.to_dict()
        data["controls"] = [s.to_dict() for s in states]
        emit_json(data)
        return
    if fmt == "csv":
        emit_csv(
            (
                [s.control.id, s.category, s.control.title, s.coverage.value, s.status.value, ";".join(s.rules),
                 s.passed, s.failed, s.unknown, s.attestation.by if s.attestation else "",
                 s.attestation.expires_at.isoformat() if s.attestation else "", s.note]
                for s in states
            ),
            ("control", "category", "title", "coverage", "status", "rules", "passed", "failed", "unknown", "attested_by", "attestation_expires", "note"),
        )  # fmt: skip
        return
    con = console()
    con.print(f"[bold]{v.standard.title}[/] ({v.standard.id} {v.standard.version})")
    con.print(_scan_line(v))
    con.print(f"[bold]{v.explain()}[/]")
    if details:
        con.print(_category_table(v))
        con.print(_details_table(states))
        return
    echo_table(CATEGORY_COLUMNS, _category_rows(v), title="by category")
    rows = [
        [s.control.id, s.status.value, s.control.title, f"{s.passed}/{s.failed}/{s.unknown}" if s.rules else "-", s.coverage.value]
        for s in states
    ]
    echo_table(CONTROL_COLUMNS, rows, title=f"{len(states)} controls (--details: rules and notes; -o json: everything)")


STATUS_COLOUR: dict[str, str] = {
    ControlStatus.PASSING.value: "green", ControlStatus.FAILING.value: "red", ControlStatus.UNKNOWN.value: "yellow",
    ControlStatus.ATTESTED.value: "cyan", ControlStatus.NOT_COVERED.value: "magenta",
}  # fmt: skip
DRIFT_COLUMNS = (
    Col("severity", style=severity_colour), Col("id"), Col("change"), Col("rule", flex=True, min_width=24),
    Col("resource", flex=True, cut="left", min_width=16, want=40), Col("status now", priority=1),
    Col("controls", flex=True, priority=2), Col("account/region", priority=3),
)  # fmt: skip
CATEGORY_COLUMNS = (
    Col("category", flex=True, min_width=20), Col("score", right=True), Col("machine", right=True, priority=2),
    Col("attested", right=True, priority=3), Col("not covered", right=True, priority=1),
    Col("failing", right=True), Col("results p/f/u", right=True, priority=4),
)  # fmt: skip
CONTROL_COLUMNS = (
    Col("control"), Col("status", style=lambda t: STATUS_COLOUR.get(t)), Col("title", flex=True, min_width=20),
    Col("results p/f/u", right=True, priority=2), Col("coverage", priority=1),
)  # fmt: skip


def _category_rows(v: StandardView) -> list[list[str]]:
    rows = []
    for cat in v.standard.categories:
        sc, cov = v.scores.get(cat.id), v.coverage.get(cat.id)
        rows.append([
            _cat_label(cat.id, cat.title), _pct(sc.score) if sc else "n/a",
            str(cov.machine) if cov else "0", str(cov.attested) if cov else "0", str(cov.not_covered) if cov else "0",
            str(cov.failing) if cov else "0", f"{sc.passed}/{sc.failed}/{sc.unknown}" if sc else "-",
        ])  # fmt: skip
    return rows


def _details_table(states: list[ControlState]) -> Table:
    t = Table(title=f"{len(states)} controls", title_justify="left")
    for col in ("control", "title", "coverage", "status", "rules (pass/fail/unknown results)", "attestation / note"):
        t.add_column(col, overflow="fold")
    for s in states:
        rules = ", ".join(s.rules)
        if s.rules:
            rules += f" ({s.passed}/{s.failed}/{s.unknown})"
        a = s.attestation
        extra = f"by {a.by} until {a.expires_at.date().isoformat()}: {a.evidence}" if a else ""
        if s.note:
            extra = f"{extra}; {s.note}" if extra else s.note
        t.add_row(s.control.id, s.control.title, s.coverage.value, _status(s.status), rules, extra)
    return t


def _category_table(v: StandardView) -> Table:
    t = Table(title="by category", title_justify="left")
    for col in ("category", "score", "results pass/fail/unknown", "machine", "attested", "not covered", "failing controls"):
        t.add_column(col, justify="left" if col == "category" else "right")
    for cat in v.standard.categories:
        sc, cov = v.scores.get(cat.id), v.coverage.get(cat.id)
        t.add_row(
            _cat_label(cat.id, cat.title),
            _pct(sc.score) if sc else "[dim]n/a[/]",
            f"{sc.passed}/{sc.failed}/{sc.unknown}" if sc else "",
            str(cov.machine) if cov else "0", str(cov.attested) if cov else "0", str(cov.not_covered) if cov else "0",
            str(cov.failing) if cov else "0",
        )  # fmt: skip
    return t


@standards.command("drift")
@click.option("--standard", type=click.Choice(list(catalogue())), default="baseline", show_default=True)
@click.option("--since", default=None, metavar="DATE", help="Compare with the last scan on or before this date (2026-11-01).")
@click.option("--scan", "scan_id", default=None, metavar="ID", help="Compare with this scan (id or prefix).")
@account_option
@click.option("--limit", default=20, show_default=True, help="Findings shown per list (table output).")
@click.option("-o", "--output", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@db_option
@config_option
def drift_cmd(
    standard: str, since: str | None, scan_id: str | None, account: str, limit: int, fmt: str, db: str | None, config_path: str | None
) -> None:
    """How the score moved since an earlier scan, and the findings that moved it.

    \b
      mamori standards drift                           since the scan before the latest
      mamori standards drift --since 2026-11-01        since the last scan of that day
      mamori standards drift --standard cis-aws-3.0 --account 123456789012 -o json
    """
    d = compute_drift(open_store(db, get_config(config_path)), standard, account=account, since=since, scan_id=scan_id)
    if fmt == "json":
        emit_json(d.to_dict())
        return
    con = console()
    con.print(f"[bold]{d.headline()}[/]")
    con.print(
        f"from scan {d.from_scan.id[:8]} ({d.from_scan.finished_at.isoformat(timespec='seconds')}) "
        f"to scan {d.to_scan.id[:8]} ({d.to_scan.finished_at.isoformat(timespec='seconds')})"
        + ("" if d.account == ALL else f", account {d.account}")
    )
    if d.note:
        con.print(f"[yellow]{d.note}[/]")
    t = Table(title="by category", title_justify="left")
    for col in ("category", "then", "now", "change"):
        t.add_column(col, justify="left" if col == "category" else "right")
    for cat in d.standard.categories:
        a, b = d.score("from", cat.id), d.score("to", cat.id)
        ch = "" if a is None or b is None else f"{b - a:+.1f}"
        style = "red" if ch.startswith("-") else "green" if ch.startswith("+") and ch != "+0.0" else ""
        t.add_row(_cat_label(cat.id, cat.title), _pct(a), _pct(b), f"[{style}]{ch}[/]" if style else ch)
    con.print(t)
    ca, cb = d.from_coverage, d.to_coverage
    if ca and cb:
        con.print(
            f"coverage: machine {ca.machine} -> {cb.machine}, attested {ca.attested} -> {cb.attested}, "
            f"not covered {ca.not_covered} -> {cb.not_covered} (of {cb.controls})"
        )
    if d.rules_added or d.rules_removed:
        con.print(f"rules added: {', '.join(d.rules_added) or 'none'}; removed: {', '.join(d.rules_removed) or 'none'}")
    for title, items in (("Findings opened or reopened since then (worst first)", d.worsened), ("Resolved since then", d.improved)):
        if not items:
            con.print(f"[dim]{title}: none[/]")
            continue
        prefix = unique_prefixes([it.finding.id for it in items])
        rows = [
            [it.finding.severity.value, prefix[it.finding.id], it.change, it.finding.rule_id, it.finding.resource_id,
             it.finding.status.value, ", ".join(it.controls), f"{it.finding.account}/{it.finding.region}"]
            for it in items[:limit]
        ]  # fmt: skip
        echo_table(DRIFT_COLUMNS, rows, title=f"{title}: {len(items)}")
        if len(items) > limit:
            con.print(f"[dim]… and {len(items) - limit} more (-o json shows all)[/]")
