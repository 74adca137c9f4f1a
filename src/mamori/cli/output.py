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
        "-o",
        "--output",
        "fmt",
        type=click.Choice(FORMATS),
        default=default,
        show_default=True,
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


RESULT_ORDER = ("PASS", "FAIL", "UNKNOWN", "NOT_APPLICABLE", "ERROR")


def results_line(counts: dict[str, int]) -> str:
    """``{'PASS': 242, 'FAIL': 200}`` as people read it: ``242 pass, 200 fail``."""
    keys = [k for k in RESULT_ORDER if k in counts] + sorted(k for k in counts if k not in RESULT_ORDER)
    return ", ".join(f"{counts[k]} {k.lower().replace('_', ' ')}" for k in keys) or "none"


def one_line(message: str, limit: int = 300) -> str:
    """An error message from a service as one readable line: HTML (an emulator's 404 page) reduced to its text."""
    import html
    import re

    text = message
    if "<" in text and ">" in text:
        title = re.search(r"<title>(.*?)</title>", text, re.I | re.S)
        text = re.sub(r"<(script|style|head)\b.*?</\1>", " ", text, flags=re.I | re.S)
        text = re.sub(r"<[^>]+>", " ", text)
        if title and title.group(1).strip() not in text:
            text = f"{title.group(1)} {text}"
        text = html.unescape(text)
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def echo_fix(text: str) -> None:
    """Remediation prose, then each suggested shell command (`aws ...` in backticks) alone on its own line.

    Nothing is hard-wrapped (click, not rich): the terminal wraps long lines softly, so a command
    copied from the output is the command as written.
    """
    import re

    prose = " ".join(text.split())
    click.echo(prose)
    commands = [c.strip() for c in re.findall(r"`([^`]+)`", text) if c.strip().startswith("aws ")]
    if commands:
        click.echo("commands:")
        for c in commands:
            click.echo(f"  {' '.join(c.split())}")


def sev_text(s: Severity) -> str:
    return f"[{SEV_STYLE[s]}]{s.value}[/]"


def findings_table(findings: list[Finding], *, title: str = "Findings", limit: int | None = None) -> None:
    """One line per finding: severity, id (a unique prefix `findings show` accepts), rule, resource; more when wide."""
    from mamori.cli.columns import Col, echo_table, severity_colour, unique_prefixes

    if not findings:
        click.echo("No findings match.")
        return
    shown = findings[:limit] if limit else findings
    prefix = unique_prefixes([f.id for f in findings])
    cols = (
        Col("severity", style=severity_colour),
        Col("id"),
        Col("rule", flex=True, min_width=24),
        Col("resource", flex=True, cut="left", min_width=20, want=40),
        Col("status", priority=1),
        Col("account/region", priority=2),
    )
    rows = [
        [f.severity.value, prefix[f.id], f.rule_id, f.resource_id, f.status.value, f"{f.account}/{f.region}"]
        for f in shown
    ]
    echo_table(cols, rows, title=title)
    if limit and len(findings) > limit:
        click.echo(f"… and {len(findings) - limit} more (mamori findings list shows all)")
