"""`mamori findings list|show`."""

from __future__ import annotations

import click
import orjson
from rich.table import Table

from mamori.cli.common import config_option, db_option, get_config, open_store, split_csv
from mamori.cli.output import console, emit_findings, emit_json, output_option, sev_text
from mamori.model.finding import FindingStatus, Severity
from mamori.rules import load_rules
from mamori.store import FindingFilter

STATUS_CHOICES = ["open", "all", *[s.value.lower() for s in FindingStatus]]


@click.group()
def findings() -> None:
    """List and inspect stored findings.

    \b
      mamori findings list                          open findings, worst first
      mamori findings list --min-severity high -o json
      mamori findings list --status resolved --rule s3_bucket_public_via_acl
      mamori findings show 3f2a9c                   one finding, with its history
    """


@findings.command("list")
@click.option("--status", type=click.Choice(STATUS_CHOICES, case_sensitive=False), default="open", show_default=True, help="open = NEW and NOTIFIED.")
@click.option("--severity", "severities", multiple=True, type=click.Choice([s.value for s in Severity], case_sensitive=False), help="Exactly these severities (repeatable).")
@click.option("--min-severity", type=click.Choice([s.value for s in Severity], case_sensitive=False), default=None, help="This severity or worse.")
@click.option("--rule", "rules", multiple=True, metavar="IDS", help="Rule ids (comma-separated, repeatable).")
@click.option("--account", "accounts", multiple=True, metavar="IDS", help="Account ids.")
@click.option("--region", "regions", multiple=True, metavar="NAMES", help="Regions.")
@click.option("--type", "types", multiple=True, metavar="TYPES", help="Resource types, e.g. aws.s3.bucket.")
@click.option("--limit", type=int, default=None, help="At most this many.")
@output_option()
@db_option
@config_option
def list_(
    status: str, severities: tuple[str, ...], min_severity: str | None, rules: tuple[str, ...],
    accounts: tuple[str, ...], regions: tuple[str, ...], types: tuple[str, ...], limit: int | None,
    fmt: str, db: str | None, config_path: str | None,
) -> None:  # fmt: skip
    """List findings, worst first (filters combine with AND)."""
    cfg = get_config(config_path)
    store = open_store(db, cfg)
    if status == "open":
        statuses: tuple[FindingStatus, ...] = (FindingStatus.NEW, FindingStatus.NOTIFIED)
    elif status == "all":
        statuses = ()
    else:
        statuses = (FindingStatus(status.upper()),)
    flt = FindingFilter(
        severities=tuple(Severity.parse(s) for s in severities),
        min_severity=Severity.parse(min_severity) if min_severity else None,
        statuses=statuses,
        rules=split_csv(rules),
        accounts=split_csv(accounts),
        regions=split_csv(regions),
        resource_types=split_csv(types),
        limit=limit,
    )
    emit_findings(store.findings(flt), fmt, title=f"Findings ({status})")


@findings.command("show")
@click.argument("finding_id")
@click.option("-o", "--output", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@db_option
@config_option
def show(finding_id: str, fmt: str, db: str | None, config_path: str | None) -> None:
    """Show one finding (an id or a unique prefix): evidence, rule, remediation, history."""
    cfg = get_config(config_path)
    store = open_store(db, cfg)
    f = store.finding(finding_id)
    if f is None:
        raise click.BadParameter(f"no finding with id {finding_id!r}", param_hint="FINDING_ID")
    history = store.history(f.id)
    rules = load_rules(cfg.rule_paths)
    spec = rules.get(f.rule_id).spec if f.rule_id in rules else None
    if fmt == "json":
        doc = f.to_dict()
        doc["history"] = [{**h, "at": h["at"].isoformat()} for h in history]
        if spec:
            doc["rule"] = {"rationale": spec.rationale, "remediation": spec.remediation, "controls": spec.controls}
        emit_json(doc)
        return
    con = console()
    con.print(f"[bold]{f.title}[/]  ({sev_text(f.severity)}, {f.status.value})")
    t = Table(show_header=False, box=None)
    t.add_column(style="dim")
    t.add_column(overflow="fold")
    for k, v in [
        ("id", f.id), ("rule", f.rule_id), ("resource", f"{f.resource_type} {f.resource_id}"), ("arn", f.resource_arn),
        ("account", f.account), ("region", f.region), ("first seen", f.first_seen.isoformat(timespec="seconds")),
        ("last seen", f.last_seen.isoformat(timespec="seconds")),
        ("resolved", f.resolved_at.isoformat(timespec="seconds") if f.resolved_at else "-"),
    ]:  # fmt: skip
        t.add_row(k, v)
    con.print(t)
    con.print("[bold]evidence[/]")
    con.print(orjson.dumps(f.evidence, option=orjson.OPT_INDENT_2).decode(), markup=False)
    if spec:
        con.print(f"[bold]why it matters[/]\n{spec.rationale.strip()}")
        con.print(f"[bold]how to fix[/]\n{spec.remediation.strip()}")
        ctrl = "; ".join(f"{k}: {', '.join(v)}" for k, v in spec.controls.items())
        con.print(f"[bold]controls[/] {ctrl}")
    con.print("[bold]history[/]")
    for h in history:
        frm = h["from_status"] or "-"
        con.print(f"  {h['at'].isoformat(timespec='seconds')}  {frm} -> {h['to_status']}  ({h['actor']}: {h['note']})")
