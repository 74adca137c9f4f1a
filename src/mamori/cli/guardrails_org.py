"""`mamori guardrails scp|deploy|drift|export|impact`: preventive guardrails across the organization."""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from mamori.cli.columns import Col, echo_table
from mamori.cli.common import actor, config_option, db_option, get_config, open_store, split_csv
from mamori.cli.exits import EXIT_FAILED, exit_with
from mamori.cli.output import emit_json
from mamori.config.preventive import PreventiveConfig, check_region, check_role_arn, check_role_pattern

F = Callable[..., Any]
_TARGET = re.compile(r"^(r-[0-9a-z]{4,32}|ou-[0-9a-z]{4,32}-[a-z0-9]{8,32})$")


def gen_options(f: F) -> F:
    """The SCP generation options (`scp`, `deploy`, `export`, `impact`); mamori.yaml supplies the defaults."""
    opts: list[Callable[[F], F]] = [
        click.option("--allowed-regions", "allowed_regions", multiple=True, metavar="R1,R2",
                     help="Deny every other Region (global services excepted). Default: guardrails.preventive.allowed_regions."),
        click.option("--protect-role-pattern", default=None, metavar="PATTERN",
                     help="mamori's roles, stacks and rules (default: mamori-*)."),
        click.option("--break-glass-role", default=None, metavar="ARN", help="Role exempt from the denies."),
        config_option,
    ]  # fmt: skip
    for o in reversed(opts):
        f = o(f)
    return f


def _settings(config_path: str | None, allowed: tuple[str, ...], pattern: str | None, break_glass: str | None) -> tuple[Any, PreventiveConfig]:
    from mamori.guardrails.policies import ScpOptions

    cfg = get_config(config_path)
    pv = cfg.guardrails.preventive
    try:
        regions = tuple(check_region(r) for r in split_csv(allowed)) or tuple(pv.allowed_regions)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--allowed-regions") from None
    try:
        pat = check_role_pattern(pattern) if pattern is not None else pv.protect_role_pattern
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--protect-role-pattern") from None
    try:
        bg = check_role_arn(break_glass) if break_glass is not None else pv.break_glass_role
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--break-glass-role") from None
    return ScpOptions(allowed_regions=regions, protect_role_pattern=pat, break_glass_role=bg), pv


def _regions(values: tuple[str, ...], hint: str) -> tuple[str, ...]:
    try:
        return tuple(check_region(r) for r in split_csv(values))
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint=hint) from None


def org_options(f: F) -> F:
    opts: list[Callable[[F], F]] = [
        click.option("--org", "org", is_flag=True, help="Act on the organization of these credentials (its management account)."),
        click.option("--profile", default=None, help="AWS profile of the management account."),
        click.option("--endpoint-url", default=None, envvar="MAMORI_ENDPOINT_URL", metavar="URL",
                     help="An AWS-compatible endpoint (a moto server)."),
        click.option("--central-region", default=None, metavar="REGION",
                     help="Region of the central bus and queue (default: us-east-1)."),
        db_option,
    ]  # fmt: skip
    for o in reversed(opts):
        f = o(f)
    return f


def _factories(profile: str | None, endpoint_url: str | None, member_role: str) -> tuple[Any, Any]:
    import boto3

    from mamori.guardrails.org import session_factories

    return session_factories(boto3.Session(profile_name=profile), endpoint_url, member_role)


def _require_org(org: bool) -> None:
    if not org:
        raise click.UsageError("say --org: mamori deploys SCPs and StackSets through AWS Organizations only")


@click.command("scp")
@gen_options
@click.option("-o", "--output", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
def scp_cmd(allowed_regions: tuple[str, ...], protect_role_pattern: str | None, break_glass_role: str | None,
            config_path: str | None, fmt: str) -> None:  # fmt: skip
    """Generate the Service Control Policies (JSON with -o json): each within AWS's 5,120 characters."""
    from mamori.guardrails.policies import SCP_MAX_CHARS, generate

    opts, _ = _settings(config_path, allowed_regions, protect_role_pattern, break_glass_role)
    scps = generate(opts)
    if fmt == "json":
        emit_json({"policies": [s.to_dict() for s in scps]})
        return
    echo_table([Col("policy", flex=True, want=34), Col("chars", right=True), Col("description", priority=1, flex=True)],
               [[s.name, f"{len(s.content)}/{SCP_MAX_CHARS}", s.description] for s in scps],
               title=f"{len(scps)} Service Control Policies (-o json for their content)")  # fmt: skip


def _logs_con(logs_db: str | None) -> Any:
    from mamori.logs.store import DEFAULT_PATH, LogStore

    path = Path(logs_db or os.environ.get("MAMORI_LOGS_DB") or DEFAULT_PATH)
    if not path.exists():
        return None
    return LogStore(path, read_only=True)


def _echo_impact(rep: dict[str, Any]) -> None:
    click.echo(f"Impact: {rep['calls_evaluated']} logged calls from {rep['since'][:10]} to {rep['until'][:10]}"
               + (f" (not counted: {', '.join(f'{k} {v}' for k, v in sorted(rep['calls_skipped'].items()))})"
                  if rep["calls_skipped"] else ""))  # fmt: skip
    rows = []
    for p in rep["policies"]:
        if not p["denied_calls"]:
            rows.append([p["policy"], "0", "-", "-"])
            continue
        for a in p["actions"]:
            who = sorted({c["principal"] for c in p["calls"] if c["action"] == a["action"]})
            rows.append([p["policy"], str(a["calls"]), a["action"], ", ".join(who)])
    echo_table([Col("policy", flex=True, want=30), Col("calls", right=True), Col("would deny", flex=True, want=26),
                Col("principals", priority=1, flex=True, cut="left")], rows)  # fmt: skip


@click.command("impact")
@gen_options
@click.option("--days", type=click.IntRange(1, 366), default=None, help="Look back this many days (default: 30).")
@click.option("--until", "until", default=None, metavar="ISO-TIME", help="End of the window (default: now).")
@click.option("--policy", "names", multiple=True, metavar="NAMES", help="Only these policies.")
@click.option("--logs-db", "logs_db", default=None, metavar="PATH", help="Log store (default: $MAMORI_LOGS_DB, ./.mamori/logs.duckdb).")
@click.option("-o", "--output", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
def impact_cmd(allowed_regions: tuple[str, ...], protect_role_pattern: str | None, break_glass_role: str | None,
               config_path: str | None, days: int | None, until: str | None, names: tuple[str, ...],
               logs_db: str | None, fmt: str) -> None:  # fmt: skip
    """Which logged CloudTrail calls (`mamori logs ingest`) each SCP would have denied, and whose."""
    from datetime import UTC, datetime

    from mamori.guardrails import impact
    from mamori.guardrails.policies import generate

    opts, pv = _settings(config_path, allowed_regions, protect_role_pattern, break_glass_role)
    scps = generate(opts)
    wanted = set(split_csv(names))
    if wanted:
        unknown = wanted - {s.name for s in scps}
        if unknown:
            raise click.BadParameter(f"no generated policy {', '.join(sorted(unknown))}", param_hint="--policy")
        scps = [s for s in scps if s.name in wanted]
    end = None
    if until:
        try:
            end = datetime.fromisoformat(until.replace("Z", "+00:00"))
        except ValueError:
            raise click.BadParameter(f"{until!r} is not an ISO time (2026-12-01T00:00:00Z)", param_hint="--until") from None
        end = end if end.tzinfo else end.replace(tzinfo=UTC)
    store = _logs_con(logs_db)
    if store is None:
        raise click.UsageError("no log store: ingest CloudTrail first (mamori logs ingest DIR) or give --logs-db")
    with store:
        rep = impact.report(store.con, scps, days=days or pv.impact_days, until=end).to_dict()
    if fmt == "json":
        emit_json(rep)
        return
    _echo_impact(rep)


@click.command("deploy")
@gen_options
@org_options
@click.option("--target", default=None, metavar="ROOT_OR_OU_ID", help="Where SCPs and stack instances go (default: the root).")
@click.option("--regions", "regions", multiple=True, metavar="LIST",
              help="Regions of the detective guardrails (default: guardrails.preventive.stackset_regions, the allowed Regions, the central Region).")
@click.option("--config-recorder/--no-config-recorder", default=None, help="Also deploy an AWS Config recorder everywhere.")
@click.option("--config-bucket", default="", metavar="BUCKET", help="S3 bucket of the Config recorder's delivery channel.")
@click.option("--logs-db", "logs_db", default=None, metavar="PATH", help="Log store for the impact report.")
@click.option("--yes", is_flag=True, help="Apply the plan (without it, only plan).")
@click.option("-o", "--output", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
def deploy_cmd(allowed_regions: tuple[str, ...], protect_role_pattern: str | None, break_glass_role: str | None,
               config_path: str | None, org: bool, profile: str | None, endpoint_url: str | None,
               central_region: str | None, db: str | None, target: str | None, regions: tuple[str, ...],
               config_recorder: bool | None, config_bucket: str, logs_db: str | None, yes: bool, fmt: str) -> None:  # fmt: skip
    """Plan (and with --yes apply) the SCPs and the detective guardrails across the organization."""
    from mamori.guardrails import deploy, impact

    _require_org(org)
    if target is not None and not _TARGET.match(target):
        raise click.BadParameter(f"{target!r} is not a root (r-...) or OU id (ou-...-...)", param_hint="--target")
    opts, pv = _settings(config_path, allowed_regions, protect_role_pattern, break_glass_role)
    home = _regions((central_region,), "--central-region")[0] if central_region else pv.central_region
    req = deploy.DeployRequest(
        options=opts, target=target, regions=_regions(regions, "--regions") or tuple(pv.stackset_regions),
        central_region=home, config_recorder=pv.config_recorder if config_recorder is None else config_recorder,
        config_bucket=config_bucket,
    )  # fmt: skip
    client, _ = _factories(profile, endpoint_url, pv.member_role)
    plan = deploy.plan(client, req)
    logs = _logs_con(logs_db)
    if logs is not None and any(c.kind in ("scp", "attachment") and c.op != deploy.UNCHANGED for c in plan.changes):
        with logs:
            plan.impact = impact.report(logs.con, plan.scps, days=pv.impact_days, accounts=plan.accounts).to_dict()
    done: list[deploy.Change] = []
    if yes and plan.pending:
        cfg = get_config(config_path)
        store = open_store(db, cfg)
        try:
            done = deploy.apply(client, req, plan, store.engine, actor())
        finally:
            store.close()
    if fmt == "json":
        emit_json(plan.to_dict() | {"applied": [c.to_dict() for c in done]} if yes else plan.to_dict())
        return
    click.echo(f"Organization {plan.organization_id} (management account {plan.management_account}); "
               f"target {plan.target}: {len(plan.accounts)} member accounts x {', '.join(plan.regions)}")  # fmt: skip
    echo_table([Col("change"), Col("kind"), Col("name", flex=True, want=32), Col("where", flex=True, priority=1),
                Col("detail", flex=True, priority=2)],
               [[c.op, c.kind, c.name, c.where, c.detail] for c in plan.changes])  # fmt: skip
    if plan.impact is not None:
        _echo_impact(plan.impact)
    if not plan.pending:
        click.echo("Nothing to change: the organization is as mamori would deploy it.")
    elif yes:
        click.echo(f"Applied {len(done)} changes (recorded in the audit log). Check later: mamori guardrails drift --org")
    else:
        click.echo(f"{len(plan.pending)} changes planned. Apply them with --yes.")


@click.command("drift")
@org_options
@click.option("--member-role", default=None, metavar="NAME",
              help="Role assumed in member accounts to read their rules (default: OrganizationAccountAccessRole).")
@config_option
@click.option("-o", "--output", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
def drift_cmd(org: bool, profile: str | None, endpoint_url: str | None, central_region: str | None, db: str | None,
              member_role: str | None, config_path: str | None, fmt: str) -> None:  # fmt: skip
    """Compare the organization with what mamori last deployed; exit 1 on drift."""
    from mamori.guardrails import drift

    _require_org(org)
    cfg = get_config(config_path)
    pv = cfg.guardrails.preventive
    home = _regions((central_region,), "--central-region")[0] if central_region else pv.central_region
    client, member = _factories(profile, endpoint_url, member_role or pv.member_role)
    store = open_store(db, cfg)
    try:
        rep = drift.check(client, member, store.engine, home)
    finally:
        store.close()
    if fmt == "json":
        emit_json(rep.to_dict())
    elif not rep.deployed:
        click.echo(f"mamori has deployed nothing in {rep.organization_id} yet (mamori guardrails deploy --org --yes).")
    elif not rep.drifts:
        click.echo(f"No drift: the {rep.deployed} items mamori deployed in {rep.organization_id} are as deployed.")
    else:
        echo_table([Col("problem"), Col("kind"), Col("name", flex=True, want=30), Col("detail", flex=True, priority=1)],
                   [[d.problem, d.kind, d.name, d.detail] for d in rep.drifts],
                   title=f"Drift in {rep.organization_id}: {len(rep.drifts)} problem{'s' if len(rep.drifts) != 1 else ''}"
                         " (mamori guardrails deploy --org --yes restores)")  # fmt: skip
    if rep.drifted:
        raise exit_with(EXIT_FAILED)


@click.command("export")
@gen_options
@click.option("--format", "fmt", type=click.Choice(["terraform", "cloudformation"]), required=True)
@click.option("--regions", "regions", multiple=True, metavar="LIST", help="Regions of the stack instances.")
@click.option("--central-region", default=None, metavar="REGION", help="Region of the central bus and queue.")
@click.argument("out_dir", type=click.Path(file_okay=False))
def export_cmd(allowed_regions: tuple[str, ...], protect_role_pattern: str | None, break_glass_role: str | None,
               config_path: str | None, fmt: str, regions: tuple[str, ...], central_region: str | None, out_dir: str) -> None:  # fmt: skip
    """Write the same guardrails as a Terraform module or CloudFormation templates into OUT_DIR."""
    from mamori.guardrails.export import export
    from mamori.guardrails.policies import generate

    opts, pv = _settings(config_path, allowed_regions, protect_role_pattern, break_glass_role)
    home = _regions((central_region,), "--central-region")[0] if central_region else pv.central_region
    regs = list(_regions(regions, "--regions") or pv.stackset_regions or opts.allowed_regions or (home,))
    written = export(fmt, generate(opts), regs, home, Path(out_dir))
    for p in written:
        click.echo(str(p))
