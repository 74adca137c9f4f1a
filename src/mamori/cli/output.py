"""Output formats for data commands (``-o table|json|csv``) and shared rendering helpers."""

from __future__ import annotations

import csv
import io
import sys
from collections.abc import Iterable, Sequence
from typing import Any

import click
import orjson
from rich.console import Console
from rich.table import Table

from mamori.model.finding import Finding, Severity

FORMATS = ("table", "json", "csv")
SEV_STYLE = {
    Severity.CRITICAL: "bold red",
    Severity.HIGH: "red",
    Severity.MEDIUM: "yellow",
    Severity.LOW: "cyan",
    Severity.INFORMATIONAL: "dim",
}


def console(err: bool = False) -> Console:
    return Console(stderr=err, highlight=False, soft_wrap=False)


def output_option(default: str = "table") -> Any:
    return click.option(
        "-o", "--output", "fmt", type=click.Choice(FORMATS), default=default, show_default=True,
        help="table for people; json or csv for tools.",
    )


def emit_json(data: Any) -> None:
    sys.stdout.buffer.write(orjson.dumps(data, option=orjson.OPT_INDENT_2 | orjson.OPT_NON_STR_KEYS) + b"\n")
    sys.stdout.flush()


FINDING_CSV_FIELDS = (
    "id", "rule_id", "title", "severity", "status", "resource_type", "resource_id", "resource_arn",
    "account", "region", "evidence", "first_seen", "last_seen", "resolved_at",
)  # fmt: skip


def emit_csv(rows: Iterable[Sequence[Any]], header: Sequence[str]) -> None:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    for r in rows:
        w.writerow(r)
    sys.stdout.write(buf.getvalue())


def finding_row(f: Finding) -> list[Any]:
    return [
        f.id, f.rule_id, f.title, f.severity.value, f.status.value, f.resource_type, f.resource_id,
        f.resource_arn, f.account, f.region, orjson.dumps(f.evidence).decode(), f.first_seen.isoformat(),
        f.last_seen.isoformat(), f.resolved_at.isoformat() if f.resolved_at else "",
    ]  # fmt: skip


def emit_findings(findings: list[Finding], fmt: str, *, title: str = "Findings") -> None:
    if fmt == "json":
        emit_json([f.to_dict() for f in findings])
    elif fmt == "csv":
        emit_csv((finding_row(f) for f in findings), FINDING_CSV_FIELDS)
    else:
        findings_table(findings, title=title)


def sev_text(s: Severity) -> str:
    return f"[{SEV_STYLE[s]}]{s.value}[/]"


def findings_table(findings: list[Finding], *, title: str = "Findings", limit: int | None = None) -> None:
    con = console()
    if not findings:
        con.print("[green]No findings match.[/]")
        return
    t = Table(title=title, title_justify="left", expand=False, show_lines=False)
    t.add_column("id", style="dim", no_wrap=True)
    t.add_column("severity", no_wrap=True)
    t.add_column("status", no_wrap=True)
    t.add_column("rule", no_wrap=True)
    t.add_column("resource", overflow="fold")
    t.add_column("account/region", no_wrap=True)
    shown = findings[:limit] if limit else findings
    for f in shown:
        t.add_row(f.id[:10], sev_text(f.severity), f.status.value, f.rule_id, f.resource_id, f"{f.account}/{f.region}")
    con.print(t)
    if limit and len(findings) > limit:
        con.print(f"[dim]… and {len(findings) - limit} more (mamori findings list shows all)[/]")
