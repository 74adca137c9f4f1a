"""`mamori findings suppress|unsuppress|suppressions|refresh|import|export|send`."""

from __future__ import annotations

import sys
import uuid
from datetime import UTC, datetime
from pathlib import Path

import boto3
import click
import orjson
from rich.table import Table

from mamori.cli.common import actor, config_option, db_option, get_config
from mamori.cli.exits import EXIT_RUNTIME, exit_with
from mamori.cli.hub_common import hub_store, suppressions_option
from mamori.cli.output import console, emit_json
from mamori.collect.aws.session import AwsTarget, ClientFactory, caller_account
from mamori.config import Config
from mamori.errors import InputError
from mamori.findings import FindingFilter, Store
from mamori.findings import suppressions as suppressions_ops
from mamori.hub.export.asff import RuleText, to_asff
from mamori.hub.export.ocsf import to_ocsf
from mamori.hub.importers import IMPORTERS, read_file
from mamori.hub.query import OPEN, FindingsQuery, query_findings
from mamori.hub.securityhub import send_findings
from mamori.hub.view import HubFinding
from mamori.model.suppression import Selector, Suppression, SuppressionId
from mamori.rules import load_rules
from mamori.rules.refs import check_rule_id, rule_files


def parse_expiry(value: str, now: datetime) -> datetime:
    """``90d`` / ``12h`` / ``2w``, a date (end of that day, UTC) or an ISO datetime; must be in the future."""
    try:
        return suppressions_ops.parse_expiry(value, now)
    except InputError as exc:
        raise click.BadParameter(exc.message, param_hint="--expires") from None


@click.command("suppress")
@click.argument("finding_id", required=False)
@click.option("--rule", default=None, help="Exact rule id.")
@click.option("--account", default=None, help="Exact account id.")
@click.option("--region", default=None, help="Exact region.")
@click.option("--resource", default=None, help="Exact resource id or ARN (never a substring: ci-logs is not ci-logs-replica).")
@click.option("--tag", "tags", multiple=True, metavar="KEY=VALUE", help="Exact resource tag (repeatable; all must match).")
@click.option("--reason", required=True, help="Why this is accepted (kept with the suppression).")
@click.option("--approver", required=True, help="Who in security approved it.")
@click.option("--expires", required=True, metavar="WHEN", help="90d, 12h, 2w, 2026-12-31 or an ISO datetime.")
@click.option("--by", default=None, help="Who records it (default: $MAMORI_ACTOR, then the user name).")
@click.option("-o", "--output", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@db_option
@config_option
def suppress(
    finding_id: str | None, rule: str | None, account: str | None, region: str | None, resource: str | None,
    tags: tuple[str, ...], reason: str, approver: str, expires: str, by: str | None, fmt: str, db: str | None,
    config_path: str | None,
) -> None:  # fmt: skip
    """Suppress one finding (FINDING_ID) or a class of findings (exact selectors), with a reason, an approver and an expiry.

    \b
      mamori findings suppress 3f2a9c0d --reason "accepted risk" --approver alice --expires 30d
      mamori findings suppress --rule s3_bucket_public_via_acl --account 123456789012 --resource ci-logs \\
          --reason "public build logs" --approver alice@example.com --expires 2026-12-31
      mamori findings suppress --tag env=sandbox --reason "sandbox" --approver bob --expires 90d

    When it expires the findings reopen (on the next scan, import or findings command).
    """
    cfg = get_config(config_path)
    who = actor(by)
    store, _ = hub_store(db, cfg, who=who)
    now = datetime.now(UTC)
    tag_map: dict[str, str] = {}
    for t in tags:
        if "=" not in t:
            raise click.BadParameter(f"{t!r} is not KEY=VALUE", param_hint="--tag")
        k, v = t.split("=", 1)
        tag_map[k] = v
    if rule:
        check_rule_id(rule, set(rule_files(cfg.rule_paths)) | store.rule_ids(), where="--rule")
    fid = None
    if finding_id:
        f = store.finding(finding_id)
        if f is None:
            raise click.BadParameter(f"no finding with id {finding_id!r}", param_hint="FINDING_ID")
        fid = f.id
    try:
        sel = Selector(rule_id=rule, account=account, region=region, resource_id=resource, finding_id=fid, tags=tag_map)
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None
    s = Suppression(
        id=SuppressionId("s-" + uuid.uuid4().hex[:12]), selector=sel, reason=reason, approver=approver,
        expires_at=parse_expiry(expires, now), created_at=now, created_by=who, origin="cli",
    )  # fmt: skip
    ids = store.add_suppressions([s], actor=who, now=now)
    if fmt == "json":
        emit_json({"suppression": s.to_dict(), "suppressed": ids})
        return
    console().print(f"suppression [bold]{s.id}[/] ({sel.describe()}) until {s.expires_at.isoformat(timespec='seconds')}: {len(ids)} finding(s) suppressed")


@click.command("unsuppress")
@click.argument("suppression_id")
@click.option("--by", default=None, help="Who removes it.")
@db_option
@config_option
def unsuppress(suppression_id: str, by: str | None, db: str | None, config_path: str | None) -> None:
    """Remove a suppression now (it stays on record); the findings it suppressed reopen."""
    cfg = get_config(config_path)
    who = actor(by)
    store, _ = hub_store(db, cfg, who=who)
    if any(s.id == suppression_id and s.origin.startswith("file:") for s in store.suppressions()):
        raise click.UsageError(f"{suppression_id} comes from the suppressions file: remove it there")
    reopened = store.remove_suppression(suppression_id, actor=who)
    console().print(f"removed {suppression_id}: {len(reopened)} finding(s) open again")


@click.command("suppressions")
@click.option("--all", "show_all", is_flag=True, help="Include expired and removed suppressions.")
@click.option("-o", "--output", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@db_option
@config_option
@suppressions_option
def suppressions(show_all: bool, fmt: str, db: str | None, config_path: str | None, suppressions_path: str | None) -> None:
    """List suppressions: selector, reason, approver, expiry, origin (cli or the file)."""
    cfg = get_config(config_path)
    store, _ = hub_store(db, cfg, suppressions_path)
    now = datetime.now(UTC)
    items = store.suppressions(include_inactive=show_all, now=now)
    if fmt == "json":
        emit_json([{**s.to_dict(), "active": s.active(now)} for s in items])
        return
    t = Table(title="Suppressions", title_justify="left")
    for c in ("id", "selector", "reason", "approver", "expires", "origin", "state"):
        t.add_column(c, overflow="fold")
    for s in items:
        state = "active" if s.active(now) else ("removed" if s.removed_at else "expired")
        t.add_row(s.id, s.selector.describe(), s.reason, s.approver, s.expires_at.date().isoformat(), s.origin, state)
    console().print(t)


@click.command("refresh")
@click.option("-o", "--output", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@db_option
@config_option
@suppressions_option
def refresh(fmt: str, db: str | None, config_path: str | None, suppressions_path: str | None) -> None:
    """Apply the suppressions file and reopen findings whose suppression expired (cron-friendly)."""
    cfg = get_config(config_path)
    _, changes = hub_store(db, cfg, suppressions_path, who=actor())
    if fmt == "json":
        emit_json(changes)
        return
    con = console()
    for k in ("added", "removed", "suppressed", "reopened"):
        if k in changes:
            con.print(f"{k}: {len(changes[k])}")
    for sid in changes.get("expired_entries", []):
        con.print(f"[yellow]expired entry in {changes['file']}: {sid} (remove it or renew it)[/]")


@click.command("import")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--format", "fmt_in", type=click.Choice(list(IMPORTERS)), default=None, help="Default: detected from the content.")
@click.option("-o", "--output", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@db_option
@config_option
@suppressions_option
def import_(files: tuple[Path, ...], fmt_in: str | None, fmt: str, db: str | None, config_path: str | None, suppressions_path: str | None) -> None:
    """Import findings from other tools; re-importing the same file changes nothing.

    \b
    Formats (detected when --format is not given):
      asff       Security Hub ASFF ({"Findings": [...]} from get-findings / batch-get-findings)
      inspector  Amazon Inspector v2 list-findings output
      guardduty  Amazon GuardDuty get-findings output
      sarif      SARIF 2.1.0 (Trivy, Checkov, Semgrep, ...)
      ocsf       Prowler --output-formats json-ocsf (OCSF Detection Finding 2004)
    \b
      mamori findings import inspector-findings.json securityhub.json
      mamori findings import trivy.sarif --format sarif
    """
    cfg = get_config(config_path)
    who = actor()
    batches = [read_file(p, fmt_in) for p in files]  # every file is validated before anything is stored
    store, _ = hub_store(db, cfg, suppressions_path, who=who)
    results = []
    for b in batches:
        counts = store.upsert_findings(
            (i.finding for i in b.items), actor=f"import:{b.format}", meta={i.finding.id: i.meta for i in b.items}
        )
        results.append({"file": str(b.path), "format": b.format, "findings": len(b.items), "skipped": b.skipped, **counts})
    if fmt == "json":
        emit_json(results)
        return
    con = console()
    for r in results:
        con.print(
            f"{r['file']} ({r['format']}): {r['findings']} findings — {r['inserted']} new, {r['updated']} already known, "
            f"{r['reopened']} reopened, {r.get('suppressed', 0)} suppressed" + (f", {r['skipped']} skipped" if r["skipped"] else "")
        )


def _selected(store: Store, cfg: Config, status: str, all_sources: bool) -> list[HubFinding]:
    where = FindingFilter(statuses=OPEN if status == "open" else (), sources=() if all_sources else ("mamori",))
    return query_findings(store, FindingsQuery(where), cfg.owners, cfg.sla)


def _rule_texts(paths: list[Path]) -> dict[str, RuleText]:
    return {r.id: RuleText(r.spec.rationale, r.spec.remediation, "", r.spec.controls) for r in load_rules(paths)}


@click.command("export")
@click.option("--format", "fmt_out", type=click.Choice(["asff", "ocsf"]), required=True, help="asff (Security Hub) or ocsf (Detection Finding 2004).")
@click.option("-o", "--output", "out", type=click.Path(dir_okay=False, path_type=Path), default=None, help="File (default: stdout).")
@click.option("--status", type=click.Choice(["open", "all"]), default="all", show_default=True, help="all includes RESOLVED and SUPPRESSED, so consumers can close them.")
@click.option("--all-sources", is_flag=True, help="Also findings imported from other tools (default: mamori's own).")
@db_option
@config_option
@suppressions_option
def export(fmt_out: str, out: Path | None, status: str, all_sources: bool, db: str | None, config_path: str | None, suppressions_path: str | None) -> None:
    """Export findings as ASFF ({"Findings": [...]}) or as an OCSF JSON array.

    \b
      mamori findings export --format asff -o findings.asff.json
      mamori findings export --format ocsf --status open > findings.ocsf.json
    """
    cfg = get_config(config_path)
    store, _ = hub_store(db, cfg, suppressions_path)
    rows = _selected(store, cfg, status, all_sources)
    now = datetime.now(UTC)
    if fmt_out == "asff":
        texts = _rule_texts(cfg.rule_paths)
        data: object = {"Findings": [to_asff(h.finding, rule=texts.get(h.finding.rule_id), owner=h.owner, due_at=h.due_at, now=now) for h in rows]}
    else:
        data = [to_ocsf(h.finding, owner=h.owner, due_at=h.due_at, now=now) for h in rows]
    raw = orjson.dumps(data, option=orjson.OPT_INDENT_2) + b"\n"
    if out is None:
        sys.stdout.buffer.write(raw)
        sys.stdout.flush()
    else:
        out.write_bytes(raw)
        console(err=True).print(f"wrote {len(rows)} findings to {out}")


@click.group("send")
def send() -> None:
    """Send findings to another system (Security Hub)."""


@send.command("securityhub")
@click.option("--profile", default=None, help="AWS profile (default: the standard credential chain).")
@click.option("--region", default=None, envvar="AWS_DEFAULT_REGION", help="Security Hub region (default: $AWS_DEFAULT_REGION, else us-east-1).")
@click.option("--endpoint-url", default=None, envvar="MAMORI_ENDPOINT_URL", metavar="URL", help="An AWS-compatible endpoint (moto, LocalStack).")
@click.option("--status", type=click.Choice(["open", "all"]), default="all", show_default=True)
@click.option("--all-sources", is_flag=True, help="Also imported findings (default: mamori's own, to avoid echoing AWS findings back).")
@click.option("--attempts", default=3, show_default=True, help="Tries per batch for failed findings.")
@click.option("--dry-run", is_flag=True, help="Build the ASFF and count batches; send nothing.")
@click.option("-o", "--output", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@db_option
@config_option
@suppressions_option
def send_securityhub(
    profile: str | None, region: str | None, endpoint_url: str | None, status: str, all_sources: bool, attempts: int,
    dry_run: bool, fmt: str, db: str | None, config_path: str | None, suppressions_path: str | None,
) -> None:  # fmt: skip
    """Send findings to AWS Security Hub with BatchImportFindings (batches of 100; failures retried and reported).

    \b
      mamori findings send securityhub --dry-run
      mamori findings send securityhub --region ap-northeast-1
      mamori findings send securityhub --endpoint-url http://localhost:5000
    Exit 3 when some findings could not be imported (they are listed).
    """
    cfg = get_config(config_path)
    store, _ = hub_store(db, cfg, suppressions_path)
    rows = _selected(store, cfg, status, all_sources)
    reg = region or "us-east-1"
    target = AwsTarget(profile=profile, endpoint_url=endpoint_url, regions=(reg,), home_region=reg)
    factory = ClientFactory(boto3.Session(profile_name=profile, region_name=reg), target)
    account = caller_account(factory)
    texts = _rule_texts(cfg.rule_paths)
    docs = [to_asff(h.finding, region=reg, account=account, rule=texts.get(h.finding.rule_id), owner=h.owner, due_at=h.due_at) for h in rows]
    if dry_run:
        report: dict[str, object] = {"dry_run": True, "findings": len(docs), "batches": -(-len(docs) // 100), "region": reg, "account": account}
    else:
        report = send_findings(factory.client("securityhub", reg), docs, attempts=attempts).to_dict()
    if fmt == "json":
        emit_json(report)
    else:
        con = console()
        if dry_run:
            con.print(f"would send {len(docs)} findings to Security Hub in {reg} ({report['batches']} batches); nothing sent")
        else:
            con.print(f"sent {report['sent']} of {len(docs)} findings in {report['batches']} batches ({report['calls']} calls)")
            for fid, err in dict(report["failed"]).items():  # type: ignore[call-overload]
                con.print(f"[red]failed[/] {fid}: {err}")
    if not dry_run and report["failed"]:
        raise exit_with(EXIT_RUNTIME)
