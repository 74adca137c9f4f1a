"""`mamori scans list|show`: what each scan saw and what changed."""

from __future__ import annotations

import click
from rich.table import Table

from mamori.cli.common import config_option, db_option, get_config, open_store
from mamori.cli.output import console, emit_json, findings_table


@click.group()
def scans() -> None:
    """Past scans: when, what, errors, and what changed since the one before.

    \b
      mamori scans list
      mamori scans show <scan-id>       new, reopened and resolved findings of that scan
    """


@scans.command("list")
@click.option("--limit", default=20, show_default=True)
@click.option("-o", "--output", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@db_option
@config_option
def list_(limit: int, fmt: str, db: str | None, config_path: str | None) -> None:
    """The most recent scans, newest first."""
    store = open_store(db, get_config(config_path))
    rows = store.scans(limit)
    if fmt == "json":
        emit_json([{**r.__dict__, "started_at": r.started_at.isoformat(), "finished_at": r.finished_at.isoformat()} for r in rows])
        return
    t = Table(title="Scans", title_justify="left")
    for c in ("id", "finished", "duration", "accounts", "regions", "resources", "fail", "unknown", "errors", "source"):
        t.add_column(c)
    for r in rows:
        scope_errors = sum(1 for e in r.errors if not e.get("resource_id"))
        t.add_row(
            r.id[:8], r.finished_at.isoformat(timespec="seconds"), f"{r.duration_s:.1f}s", str(len(r.accounts)),
            str(len([x for x in r.regions if x != "global"])), str(r.resources), str(r.counts.get("FAIL", 0)),
            str(r.counts.get("UNKNOWN", 0)), str(scope_errors), r.source,
        )  # fmt: skip
    console().print(t)


@scans.command("show")
@click.argument("scan_id")
@click.option("-o", "--output", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
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
    con.print(f"[bold]scan {rec.id}[/] {rec.finished_at.isoformat(timespec='seconds')} ({rec.duration_s:.1f}s) source {rec.source}")
    con.print(f"accounts: {', '.join(rec.accounts)}; regions: {', '.join(rec.regions)}; {rec.resources} resources; {rec.rules} rules")
    con.print(f"results: {rec.counts}")
    for e in rec.errors:
        scope = "detail" if e.get("resource_id") else "scope"
        con.print(f"[yellow]{scope} error: {e['account']} {e['region']} {e['service']} {e['operation']} {e['code']}: {e['message'][:160]}[/]")
    overall = [s for s in store.score_rows(rec.id) if s["account"] == "*" and s["category"] == "*"]
    for s in overall:
        con.print(f"score {s['standard']}: {s['score'] if s['score'] is not None else 'n/a'}%")
    for label in ("new", "reopened", "resolved"):
        fs = store.findings_by_ids(changes[label])
        findings_table(fs, title=f"{label} in this scan ({len(fs)})", limit=25)
