"""`mamori scans list|show`: what each scan saw and what changed."""

from __future__ import annotations

import click

from mamori.cli.columns import Col, echo_table, unique_prefixes
from mamori.cli.common import config_option, db_option, get_config, open_store
from mamori.cli.output import console, emit_json, findings_table, one_line, results_line


@click.group()
def scans() -> None:
    """Past scans: when, what, errors, and what changed since the one before.

    \b
      mamori scans list
      mamori scans show <scan-id>       new, reopened and resolved findings of that scan
    """


@scans.command("list")
@click.option("--limit", default=20, show_default=True)
@click.option(
    "-o", "--output", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True
)
@db_option
@config_option
def list_(limit: int, fmt: str, db: str | None, config_path: str | None) -> None:
    """The most recent scans, newest first."""
    store = open_store(db, get_config(config_path))
    rows = store.scans(limit)
    if fmt == "json":
        emit_json(
            [
                {
                    **r.__dict__,
                    "started_at": r.started_at.isoformat(),
                    "finished_at": r.finished_at.isoformat(),
                }
                for r in rows
            ]
        )
        return
    if not rows:
        click.echo("No scans stored yet: run `mamori scan` (or `mamori demo`).")
        return
    prefix = unique_prefixes([r.id for r in rows])
    table = []
    for r in rows:
        scope_errors = sum(1 for e in r.errors if not e.get("resource_id"))
        table.append([
            prefix[r.id], r.finished_at.isoformat(sep=" ", timespec="seconds")[:19], f"{r.duration_s:.1f}s",
            str(len(r.accounts)), str(len([x for x in r.regions if x != "global"])), str(r.resources),
            str(r.counts.get("FAIL", 0)), str(r.counts.get("UNKNOWN", 0)), str(scope_errors), r.source,
        ])  # fmt: skip
    echo_table(SCAN_COLUMNS, table, title="Scans (newest first; `mamori scans show <id>`)")


SCAN_COLUMNS = (
    Col("id"), Col("finished (UTC)"), Col("took", right=True, priority=3), Col("accounts", right=True, priority=4),
    Col("regions", right=True, priority=5), Col("resources", right=True, priority=2), Col("fail", right=True),
    Col("unknown", right=True, priority=1), Col("errors", right=True),
    Col("source", flex=True, cut="right", min_width=10, priority=6),
)  # fmt: skip


@scans.command("show")
@click.argument("scan_id")
@click.option(
    "-o", "--output", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True
)
@db_option
@config_option
def show(scan_id: str, fmt: str, db: str | None, config_path: str | None) -> None:
    """One scan: scope, errors, score, and the findings it opened, reopened or resolved."""
    store = open_store(db, get_config(config_path))
    rec = store.scan(scan_id)
    if rec is None:
        raise click.BadParameter(f"no scan with id {scan_id!r}", param_hint="SCAN_ID")
    changes = store.scan_changes(rec.id)
    if fmt == "json":
        emit_json(
            {
                **rec.__dict__,
                "started_at": rec.started_at.isoformat(),
                "finished_at": rec.finished_at.isoformat(),
                "changes": changes,
                "scores": [{**s, "at": s["at"].isoformat()} for s in store.score_rows(rec.id)],
            }
        )
        return
    con = console()
    con.print(
        f"[bold]scan {rec.id}[/] {rec.finished_at.isoformat(timespec='seconds')} ({rec.duration_s:.1f}s) source {rec.source}"
    )
    con.print(
        f"accounts: {', '.join(rec.accounts)}; regions: {', '.join(rec.regions)}; {rec.resources} resources; {rec.rules} rules"
    )
    con.print(f"results: {results_line(rec.counts)}")
    for e in rec.errors:
        scope = "detail" if e.get("resource_id") else "scope"
        where = " ".join(
            str(e.get(k) or "") for k in ("account", "region", "service", "operation", "code")
        ).strip()
        click.secho(f"{scope} error: {where}: {one_line(str(e.get('message', '')))}", fg="yellow")
    overall = [s for s in store.score_rows(rec.id) if s["account"] == "*" and s["category"] == "*"]
    for s in overall:
        con.print(f"score {s['standard']}: {s['score'] if s['score'] is not None else 'n/a'}%")
    for label in ("new", "reopened", "resolved"):
        fs = store.findings_by_ids(changes[label])
        if not fs:
            click.echo(f"{label} in this scan: none")
            continue
        findings_table(fs, title=f"{label} in this scan ({len(fs)})", limit=25)
