"""`mamori scan` and `mamori collect`."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from mamori.cli.common import (
    aws_options,
    config_option,
    db_option,
    get_config,
    rules_for,
    split_csv,
    targets_from,
)  # fmt: skip
from mamori.cli.exits import EXIT_FAILED, exit_with
from mamori.cli.hub_common import hub_store
from mamori.cli.output import FINDING_CSV_FIELDS, FORMATS, console, emit_csv, emit_json, finding_row
from mamori.cli.report import outcome_json, print_summary
from mamori.collect.snapshot import write_snapshot
from mamori.model.finding import Finding, Severity
from mamori.scan.service import CollectRequest, ScanOutcome, ScanRequest, collect_inventory, failing
from mamori.scan.service import scan as run


@contextmanager
def progress_bar(enabled: bool) -> Iterator[Any]:
    """A progress bar on stderr while collecting (only on a terminal)."""
    con = console(err=True)
    if not enabled or not con.is_terminal:
        yield None
        return
    with Progress(
        TextColumn("collecting"), BarColumn(), MofNCompleteColumn(), TextColumn("{task.description}"),
        TimeElapsedColumn(), console=con, transient=True,
    ) as p:  # fmt: skip
        task = p.add_task("", total=None)

        def cb(label: str, done: int, total: int) -> None:
            p.update(task, completed=done, total=total, description=label)

        yield cb


def collect_request(
    snapshot: str | None, profile: str | None, role_arns: tuple[str, ...], external_id: str | None,
    endpoint_url: str | None, regions: tuple[str, ...], services: tuple[str, ...], workers: int,
    gcp_assets: tuple[str, ...] = (),
) -> CollectRequest:  # fmt: skip
    if gcp_assets:
        return CollectRequest(snapshot=Path(snapshot) if snapshot else None, gcp_assets=tuple(Path(p) for p in gcp_assets))
    if snapshot:
        return CollectRequest(snapshot=Path(snapshot))
    targets = targets_from(profile, role_arns, external_id, endpoint_url, regions, workers)
    return CollectRequest(targets=tuple(targets), services=split_csv(services))


def report(
    outcome: ScanOutcome, findings: list[Finding], fmt: str, api_calls: int | None, fleet: dict[str, Any] | None = None
) -> None:
    scan_id = outcome.summary.scan_id if outcome.summary else None
    if fmt == "json":
        doc = outcome_json(outcome, findings, api_calls=api_calls, scan_id=scan_id)
        if fleet is not None:
            doc["fleet"] = fleet
        emit_json(doc)
    elif fmt == "csv":
        emit_csv((finding_row(f) for f in findings), FINDING_CSV_FIELDS)
    else:
        print_summary(outcome, findings, api_calls=api_calls, scan_id=scan_id)
        if fleet is not None:
            throttled = sum(fleet["throttles"].values())
            top = ", ".join(f"{k} {v}" for k, v in sorted(fleet["throttles"].items(), key=lambda kv: -kv[1])[:5])
            console().print(
                f"distributed: {fleet['shards']} shards, {len(fleet['failed_shards'])} failed (UNKNOWN), "
                f"{len(fleet['redelivered'])} redelivered; {throttled} throttled call(s)" + (f": {top}" if top else "")
            )


def exit_for(findings: list[Finding], fail_on: str | None) -> None:
    if not fail_on:
        return
    threshold = Severity.parse(fail_on)
    bad = failing(findings, threshold)
    if bad:
        console(err=True).print(f"[red]{len(bad)} open finding(s) at or above {threshold.value}: failing (exit 1)[/]")
        raise exit_with(EXIT_FAILED)


SEVERITIES = [s.value for s in Severity]


@click.command()
@aws_options
@click.option("--snapshot", type=click.Path(exists=True, dir_okay=False), help="Evaluate a snapshot (from `mamori collect`) instead of calling AWS.")
@click.option("--gcp-assets", "gcp_assets", multiple=True, type=click.Path(exists=True, dir_okay=False), help="Evaluate Google Cloud Asset Inventory exports (NDJSON, JSON array, gzip; one per content type) instead of calling AWS; repeatable (docs/gcp.md).")
@click.option("--rules", "only_rules", multiple=True, metavar="IDS", help="Only these rules (comma-separated ids).")
@click.option("--fail-on", type=click.Choice(SEVERITIES, case_sensitive=False), default=None, help="Exit 1 when an open finding is at least this severe (for CI).")
@click.option("--no-store", is_flag=True, help="Do not record the scan (findings get no history).")
@click.option("--remediate", is_flag=True, help="Afterwards apply rules in auto mode and plan (dry run) those in manual mode (see `mamori remediate`).")
@click.option("-q", "--quiet", is_flag=True, help="No progress bar.")
@click.option("-o", "--output", "fmt", type=click.Choice(FORMATS), default="table", show_default=True, help="table for people; json or csv for tools.")
@click.option("--broker", envvar="MAMORI_BROKER", default=None, metavar="URL", help="Split the scan into shards on `mamori worker`s of this Celery broker (amqp://guest:guest@127.0.0.1:5672//); see docs/distributed.md.")
@click.option("--redis", "redis_url", envvar="MAMORI_REDIS", default=None, metavar="URL", help="With --broker: the workers' Redis (checked before enqueueing).")
@click.option("--queue", envvar="MAMORI_QUEUE", default="mamori", show_default=True, metavar="NAME", help="With --broker: the workers' queue.")
@click.option("--wait-timeout", default=0.0, type=click.FloatRange(0), metavar="SECONDS", help="With --broker: give up waiting after this long (0: wait; the workers finish the scan anyway).")
@click.option("--org", "org", is_flag=True, help="Scan every ACTIVE account of the AWS Organization (run from the management or a delegated administrator account).")
@click.option("--role-name", default="OrganizationAccountAccessRole", show_default=True, help="With --org: the role assumed in each member account.")
@click.option("--accounts", "org_accounts", multiple=True, metavar="IDS", help="With --org: only these account ids (comma-separated); other accounts' findings are left untouched.")
@click.option("--exclude-accounts", multiple=True, metavar="IDS", help="With --org: skip these account ids.")
@click.option("--ou", "ous", multiple=True, metavar="OU_ID", help="With --org: only accounts in this OU (or below); repeatable.")
@click.option("--threads", type=click.IntRange(1, 64), default=None, help="With --org: parallel collector jobs per account (default 16); --workers is then the number of processes.")
@db_option
@config_option
@click.pass_context
def scan(
    ctx: click.Context, profile: str | None, role_arns: tuple[str, ...], external_id: str | None, endpoint_url: str | None,
    regions: tuple[str, ...], services: tuple[str, ...], workers: int, snapshot: str | None, gcp_assets: tuple[str, ...],
    only_rules: tuple[str, ...], fail_on: str | None, no_store: bool, remediate: bool, quiet: bool, fmt: str,
    broker: str | None, redis_url: str | None, queue: str, wait_timeout: float,
    org: bool, role_name: str, org_accounts: tuple[str, ...], exclude_accounts: tuple[str, ...], ous: tuple[str, ...],
    threads: int | None, db: str | None, config_path: str | None,
) -> None:  # fmt: skip
    """Assess AWS accounts (or GCP projects from CAI exports): collect once, evaluate every rule, record findings.

    \b
    Examples:
      mamori scan                                   default credentials, all enabled regions
      mamori scan --profile prod --regions ap-northeast-1,us-east-1
      mamori scan --role-arn arn:aws:iam::111122223333:role/mamori-audit
      mamori scan --endpoint-url http://127.0.0.1:5000   a moto server or LocalStack
      mamori scan --snapshot estate.json -o json    offline, from `mamori collect`
      mamori scan --gcp-assets resources.json --gcp-assets iam.json   Google Cloud, from CAI exports
      mamori scan --fail-on high                    exit 1 on an open high/critical finding
      mamori scan --remediate                       then fix what mamori.yaml puts in auto mode
      mamori scan --broker amqp://guest:guest@127.0.0.1:5672//   shards on `mamori worker`s
      mamori scan --org --workers 4                 every ACTIVE account of the organization, 4 processes
      mamori scan --org --accounts 111122223333     one (new) account, the others' findings untouched

    Each run is compared with the previous one: new, still open, resolved and reopened
    findings are shown. Data that could not be collected makes rules UNKNOWN, never PASS.
    """
    cfg = get_config(config_path)
    if not org and (org_accounts or exclude_accounts or ous or threads or ctx.get_parameter_source("role_name") is not click.core.ParameterSource.DEFAULT):
        raise click.UsageError("--role-name, --accounts, --exclude-accounts, --ou and --threads go with --org")
    if org:
        if snapshot or role_arns or remediate or gcp_assets:
            raise click.UsageError("--org lists the accounts itself: not with --snapshot, --role-arn, --gcp-assets or --remediate")
        if broker and no_store:
            raise click.UsageError("--broker scans AWS into the shared store (not with --no-store)")
        procs = workers if ctx.get_parameter_source("workers") is not click.core.ParameterSource.DEFAULT else 1
        from mamori.cli.scan_org import run_org_scan

        run_org_scan(
            cfg, db=db, no_store=no_store, only_rules=only_rules, profile=profile, external_id=external_id,
            endpoint_url=endpoint_url, regions=regions, services=services, role_name=role_name, accounts=org_accounts,
            exclude_accounts=exclude_accounts, ous=ous, processes=max(1, procs), threads=threads or 16,
            quiet=quiet, fmt=fmt, fail_on=fail_on, broker=broker, redis_url=redis_url, queue=queue,
            wait_timeout=wait_timeout,
        )  # fmt: skip
        return
    if remediate and (snapshot or no_store or gcp_assets):
        raise click.UsageError("--remediate needs a live, stored AWS scan (not --snapshot, --gcp-assets or --no-store)")
    rules = rules_for(cfg, only_rules)
    # the suppressions file (if configured) is synced first, so this scan honours it
    if broker and (snapshot or no_store or gcp_assets):
        raise click.UsageError("--broker scans AWS into the shared store (not with --snapshot, --gcp-assets or --no-store)")
    store = None if no_store else hub_store(db, cfg, who="scan")[0]
    if broker and store is not None:
        from mamori.cli.fleet import scan_on_workers

        targets = targets_from(profile, role_arns, external_id, endpoint_url, regions, workers)
        outcome, findings, calls, facts = scan_on_workers(
            broker=broker, queue=queue, redis_url=redis_url, targets=targets, services=split_csv(services), rules=rules,
            store=store, params=cfg.params, quiet=quiet or fmt != "table", wait_timeout=wait_timeout,
            rule_paths=tuple(cfg.rule_paths),
        )  # fmt: skip
        report(outcome, findings, fmt, calls, fleet=facts)
        if fmt == "table":
            _next_steps()
        exit_for(findings, fail_on)
        return
    source = collect_request(snapshot, profile, role_arns, external_id, endpoint_url, regions, services, workers, gcp_assets)
    with progress_bar(not (quiet or fmt != "table") and source.snapshot is None and not source.gcp_assets) as cb:
        result = run(ScanRequest(source, rules, store, cfg.params), progress=cb)
    inv, findings = result.outcome.inventory, result.findings
    report(result.outcome, findings, fmt, result.api_calls)
    if fmt == "table":
        _next_steps()
    if remediate and store is not None:
        from mamori.cli.remediate import remediate_after_scan

        remediate_after_scan(store, cfg, inv.accounts, profile=profile, role_arns=role_arns, external_id=external_id, endpoint_url=endpoint_url)
    exit_for(findings, fail_on)


def _next_steps() -> None:
    console().print("[dim]next: mamori findings list · mamori findings show <id> · mamori scans list[/]")


@click.command()
@aws_options
@click.option("-o", "--output", "out", type=click.Path(writable=True), required=True, help="Snapshot file to write (JSON); with --gcp-org, a directory.")
@click.option("--gcp-org", "gcp_org", default=None, metavar="ORG_ID", help="Google Cloud instead: list the organization's assets with the Cloud Asset API into OUTPUT/resource.json and OUTPUT/iam_policy.json (needs the `gcp` extra and Application Default Credentials).")
@click.option("-q", "--quiet", is_flag=True, help="No progress bar.")
def collect(
    profile: str | None, role_arns: tuple[str, ...], external_id: str | None, endpoint_url: str | None,
    regions: tuple[str, ...], services: tuple[str, ...], workers: int, out: str, gcp_org: str | None, quiet: bool,
) -> None:  # fmt: skip
    """Collect the estate into a snapshot file, for offline scans (`mamori scan --snapshot`).

    With --gcp-org, write a Cloud Asset Inventory export instead (`mamori scan --gcp-assets`).
    """
    if gcp_org is not None:
        from mamori.collect.gcp.live import collect_org

        paths = collect_org(gcp_org, Path(out))
        console(err=True).print(f"wrote {' and '.join(str(p) for p in paths)}: scan with "
                                + " ".join(f"--gcp-assets {p}" for p in paths))  # fmt: skip
        return
    source = collect_request(None, profile, role_arns, external_id, endpoint_url, regions, services, workers)
    with progress_bar(not quiet) as cb:
        got = collect_inventory(source, progress=cb)
    inv, calls = got.inventory, got.api_calls
    write_snapshot(inv, Path(out))
    scope_errors = sum(1 for e in inv.errors if not e.partial)
    console(err=True).print(
        f"wrote {out}: {len(inv)} resources, {len(inv.accounts)} account(s), {calls} API calls, "
        f"{scope_errors} scope error(s), {len(inv.errors) - scope_errors} detail error(s)"
    )
