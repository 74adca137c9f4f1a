"""`mamori report html`: one self-contained HTML file with scores, trend, findings and fixes."""

from __future__ import annotations

from pathlib import Path

import click

from mamori.cli.common import config_option, db_option, get_config, open_store
from mamori.cli.output import console
from mamori.errors import InputError
from mamori.report import gather, render
from mamori.rules import load_rules
from mamori.standards.score import ALL


@click.group("report")
def report() -> None:
    """Reports to share: `mamori report html -o report.html`."""


@report.command("html")
@click.option("-o", "--output", "out", type=click.Path(dir_okay=False, writable=True, path_type=Path), required=True, help="The HTML file to write.")
@click.option("--account", default=ALL, show_default=True, help="One account id, or * for all accounts.")
@click.option("--title", default="mamori compliance report", show_default=True)
@click.option("--max-findings", default=20000, show_default=True, help="At most this many findings are embedded (open ones first, worst first).")
@db_option
@config_option
def html(out: Path, account: str, title: str, max_findings: int, db: str | None, config_path: str | None) -> None:
    """Write one HTML file that works offline: no CDN, inline CSS/JS, data embedded.

    It shows the score and coverage of each standard by category, what changed since
    the previous scan, the score trend over past scans (inline SVG), every control's
    status, the findings with filters (severity, status, account, rule, free text) and
    how to fix each rule.

    \b
      mamori report html -o report.html
      mamori report html -o prod.html --account 123456789012 --title "prod, November"
      open 'report.html#severity=critical&status=open'      filters live in the URL
    """
    if not out.parent.is_dir():
        raise InputError(f"cannot write {out}: the folder {out.parent} does not exist")
    cfg = get_config(config_path)
    data = gather(open_store(db, cfg), load_rules(cfg.rule_paths), cfg.hub, account=account, title=title, max_findings=max_findings)
    tmp = out.with_name(out.name + ".tmp")
    try:
        tmp.write_text(render(data), encoding="utf-8")
        tmp.replace(out)
    except OSError as exc:
        raise InputError(f"cannot write {out}: {exc.strerror or exc}") from None
    shown = len(data.findings)
    console(err=True).print(
        f"wrote {out}: {len(data.views)} standards, {shown} finding(s)"
        + (f" (of {data.total_findings}; --max-findings)" if data.total_findings > shown else "")
    )
