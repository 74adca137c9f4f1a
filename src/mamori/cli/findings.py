"""`mamori findings list|show` and the hub commands (suppress, import, export, send, notify, ...)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import click
import orjson
from rich.table import Table

from mamori.cli.columns import Col, echo_table, severity_colour, unique_prefixes
from mamori.cli.common import config_option, db_option, get_config, split_csv
from mamori.cli.hub_common import hub_store, suppressions_option
from mamori.cli.output import (
    FINDING_CSV_FIELDS,
    console,
    echo_fix,
    emit_csv,
    emit_json,
    finding_row,
    output_option,
    sev_text,
)
from mamori.findings import FindingFilter
from mamori.hub.query import FindingsQuery, query_findings, statuses_named
from mamori.hub.view import HubFinding, enrich
from mamori.model.finding import FindingStatus, Severity
from mamori.rules import RuleSet, load_rules

STATUS_CHOICES = ["open", "all", *[s.value.lower() for s in FindingStatus]]


@click.group()
def findings() -> None:
    """List, inspect, suppress, import, export and notify findings.

    \b
      mamori findings list                          open findings, worst first
      mamori findings list --min-severity high -o json
      mamori findings list --status resolved --rule s3_bucket_public_via_acl
      mamori findings list --overdue --owner platform-sre
      mamori findings show 3f2a9c                   one finding, with its history
      mamori findings suppress --rule s3_bucket_public_via_acl --resource ci-logs \\
          --reason "public by design" --approver alice@example.com --expires 90d
      mamori findings import inspector.json         Security Hub, Inspector, GuardDuty, SARIF, Prowler OCSF
      mamori findings export --format asff -o findings.asff.json
      mamori findings send securityhub              BatchImportFindings, 100 at a time
      mamori findings notify --dry-run              what Slack/e-mail/webhooks would get

    Every command first applies the suppressions file (when configured) and reopens
    findings whose suppression expired. See docs/findings-hub.md.
    """


@findings.command("list")
@click.option("--status", type=click.Choice(STATUS_CHOICES, case_sensitive=False), default="open", show_default=True, help="open = NEW and NOTIFIED.")
@click.option("--severity", "severities", multiple=True, type=click.Choice([s.value for s in Severity], case_sensitive=False), help="Exactly these severities (repeatable).")
@click.option("--min-severity", type=click.Choice([s.value for s in Severity], case_sensitive=False), default=None, help="This severity or worse.")
@click.option("--rule", "rules", multiple=True, metavar="IDS", help="Rule ids (comma-separated, repeatable).")
@click.option("--account", "accounts", multiple=True, metavar="IDS", help="Account ids.")
@click.option("--region", "regions", multiple=True, metavar="NAMES", help="Regions.")
@click.option("--type", "types", multiple=True, metavar="TYPES", help="Resource types, e.g. aws.s3.bucket.")
@click.option("--source", "sources", multiple=True, metavar="NAMES", help="Sources: mamori, securityhub, inspector, guardduty, sarif:<tool>, prowler.")
@click.option("--owner", "owners", multiple=True, metavar="TEAMS", help="Owners (from the owners mapping in mamori.yaml).")
@click.option("--overdue", is_flag=True, help="Only open findings past their SLA due date.")
@click.option("--limit", type=int, default=None, help="At most this many.")
@output_option()
@db_option
@config_option
@suppressions_option
def list_(
    status: str, severities: tuple[str, ...], min_severity: str | None, rules: tuple[str, ...],
    accounts: tuple[str, ...], regions: tuple[str, ...], types: tuple[str, ...], sources: tuple[str, ...],
    owners: tuple[str, ...], overdue: bool, limit: int | None, fmt: str, db: str | None, config_path: str | None,
    suppressions_path: str | None,
) -> None:  # fmt: skip
    """List findings, worst first (filters combine with AND), with owner and SLA due date."""
    cfg = get_config(config_path)
    store, _ = hub_store(db, cfg, suppressions_path)
    where = FindingFilter(
        severities=tuple(Severity.parse(s) for s in severities),
        min_severity=Severity.parse(min_severity) if min_severity else None,
        statuses=statuses_named(status),
        rules=split_csv(rules),
        accounts=split_csv(accounts),
        regions=split_csv(regions),
        resource_types=split_csv(types),
        sources=split_csv(sources),
        limit=limit,
    )
    rows = query_findings(store, FindingsQuery(where, split_csv(owners), overdue), cfg.owners, cfg.sla)
    if fmt == "json":
        emit_json(with_rule_docs(rows, load_rules(cfg.rule_paths)))
        return
    emit_hub_findings(rows, fmt, title=f"Findings ({'overdue' if overdue else status})")


def with_rule_docs(rows: list[HubFinding], rules: RuleSet) -> list[dict[str, Any]]:
    """Each finding as JSON, with its rule's controls (baseline / cis / fsbp ids) and remediation text."""
    out = []
    for h in rows:
        doc = h.to_dict()
        spec = rules.get(h.finding.rule_id).spec if h.finding.rule_id in rules else None
        doc["controls"] = {k: list(v) for k, v in spec.controls.items()} if spec else {}
        doc["remediation"] = spec.remediation.strip() if spec else None
        out.append(doc)
    return out


HUB_CSV_FIELDS = (*FINDING_CSV_FIELDS, "owner", "due_at", "overdue")


def emit_hub_findings(rows: list[HubFinding], fmt: str, *, title: str) -> None:
    if fmt == "json":
        emit_json([h.to_dict() for h in rows])
        return
    if fmt == "csv":
        emit_csv(
            ([*finding_row(h.finding), h.owner, h.due_at.isoformat() if h.due_at else "", str(h.overdue).lower()] for h in rows),
            HUB_CSV_FIELDS,
        )
        return
    if not rows:
        click.echo("No findings match.")
        return
    prefix = unique_prefixes([h.finding.id for h in rows])
    table = []
    for h in rows:
        f = h.finding
        due = h.due_at.date().isoformat() if h.due_at else "-"
        where = f"{f.account}/{f.region}" if f.account or f.region else "-"
        table.append([f.severity.value, prefix[f.id], f.rule_id, f.resource_id, f.status.value, where, h.owner,
                      f"{due} overdue" if h.overdue else due])  # fmt: skip
    echo_table(FINDING_COLUMNS, table, title=f"{title}: {len(rows)}")


# At 80 columns: severity, id, rule and resource; wider terminals add status, account/region, owner and due date.
FINDING_COLUMNS = (
    Col("severity", style=severity_colour),
    Col("id"),
    Col("rule", flex=True, min_width=24),
    Col("resource", flex=True, cut="left", min_width=20, want=40),
    Col("status", priority=1),
    Col("account/region", priority=2),
    Col("owner", priority=3),
    Col("due", priority=4, style=lambda t: "red" if t.endswith("overdue") else None),
)


@findings.command("show")
@click.argument("finding_id")
@click.option("-o", "--output", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@db_option
@config_option
@suppressions_option
def show(finding_id: str, fmt: str, db: str | None, config_path: str | None, suppressions_path: str | None) -> None:
    """Show one finding (an id or a unique prefix): evidence, rule, remediation, owner, due date, history."""
    cfg = get_config(config_path)
    store, _ = hub_store(db, cfg, suppressions_path)
    f = store.finding(finding_id)
    if f is None:
        raise click.BadParameter(f"no finding with id {finding_id!r}", param_hint="FINDING_ID")
    history = store.history(f.id)
    [hub] = enrich([f], store.meta([f.id]), cfg.owners, cfg.sla, datetime.now(UTC))
    rules = load_rules(cfg.rule_paths)
    spec = rules.get(f.rule_id).spec if f.rule_id in rules else None
    if fmt == "json":
        doc = hub.to_dict()
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
        ("source", f.source), ("owner", hub.owner),
        ("due", (hub.due_at.isoformat(timespec="seconds") + (" (overdue)" if hub.overdue else "")) if hub.due_at else "-"),
        ("suppressed by", hub.suppression_id if f.status is FindingStatus.SUPPRESSED and hub.suppression_id else "-"),
    ]:  # fmt: skip
        t.add_row(k, v)
    con.print(t)
    con.print("[bold]evidence[/]")
    con.print(orjson.dumps(f.evidence, option=orjson.OPT_INDENT_2).decode(), markup=False)
    if spec:
        con.print(f"[bold]why it matters[/]\n{spec.rationale.strip()}")
        con.print("[bold]how to fix[/]")
        echo_fix(spec.remediation)
        ctrl = "; ".join(f"{k}: {', '.join(v)}" for k, v in spec.controls.items())
        con.print(f"[bold]controls[/] {ctrl}")
    con.print("[bold]history[/]")
    for h in history:
        frm = h["from_status"] or "-"
        con.print(f"  {h['at'].isoformat(timespec='seconds')}  {frm} -> {h['to_status']}  ({h['actor']}: {h['note']})")


def _register_hub_commands() -> None:
    from mamori.cli.findings_hub import export, import_, refresh, send, suppress, suppressions, unsuppress
    from mamori.cli.findings_notify import deliveries, notify

    for cmd in (suppress, unsuppress, suppressions, refresh, import_, export, send, notify, deliveries):
        findings.add_command(cmd)


_register_hub_commands()
