"""`mamori scan --org`: the organization's accounts, streamed account by account (see mamori.scan.org).

Imported only when ``--org`` is given (it pulls in boto3)."""

from __future__ import annotations

from typing import Any

from mamori.cli.common import rules_for, split_csv
from mamori.cli.hub_common import hub_store
from mamori.cli.output import FINDING_CSV_FIELDS, console, emit_csv, emit_json, finding_row
from mamori.cli.report import outcome_json, print_summary
from mamori.collect.aws.org import OrgPlan, list_org_accounts
from mamori.collect.aws.session import AwsTarget, default_session_factory, validate_regions
from mamori.config import Config
from mamori.scan.org import OrgScanRequest, OrgScanResult, scan_org


def run_org_scan(
    cfg: Config, *, db: str | None, no_store: bool, only_rules: tuple[str, ...], profile: str | None,
    external_id: str | None, endpoint_url: str | None, regions: tuple[str, ...], services: tuple[str, ...],
    role_name: str, accounts: tuple[str, ...], exclude_accounts: tuple[str, ...], ous: tuple[str, ...],
    processes: int, threads: int, quiet: bool, fmt: str, fail_on: str | None, broker: str | None = None,
    redis_url: str | None = None, queue: str = "mamori", wait_timeout: float = 0.0,
) -> None:  # fmt: skip
    from mamori.cli.scan import exit_for, progress_bar

    rules = rules_for(cfg, only_rules)
    regs = split_csv(regions)
    base = AwsTarget(profile=profile, endpoint_url=endpoint_url, regions=regs, workers=threads)
    caller = default_session_factory(AwsTarget(profile=profile, endpoint_url=endpoint_url))
    session = caller()
    if regs:
        validate_regions(session, regs, endpoint_url)
    plan = list_org_accounts(
        session, role_name=role_name, external_id=external_id, accounts=accounts, exclude_accounts=exclude_accounts,
        ous=ous, endpoint_url=endpoint_url, base=base,
    )  # fmt: skip
    store = None if no_store else hub_store(db, cfg, who="scan")[0]
    if broker and store is not None:
        _on_workers(plan, rules, store, cfg, session=session, services=services, broker=broker, redis_url=redis_url, queue=queue,
                    wait_timeout=wait_timeout, quiet=quiet, fmt=fmt, fail_on=fail_on)  # fmt: skip
        return
    req = OrgScanRequest(
        plan, rules, session=session, rule_paths=tuple(cfg.rule_paths), store=store, params=cfg.params,
        services=split_csv(services), workers=processes,
    )  # fmt: skip
    with progress_bar(not (quiet or fmt != "table")) as cb:
        result = scan_org(req, progress=cb)
    out = result.outcome
    scan_id = out.summary.scan_id if out.summary else None
    if fmt == "json":
        doc = outcome_json(out, result.findings, api_calls=result.api_calls, scan_id=scan_id)
        doc["organization"] = org_json(plan, result)
        emit_json(doc)
    elif fmt == "csv":
        emit_csv((finding_row(f) for f in result.findings), FINDING_CSV_FIELDS)
    else:
        print_summary(out, result.findings, api_calls=result.api_calls, scan_id=scan_id)
        print_org(plan, result)
    exit_for(result.findings, fail_on)


def org_json(plan: OrgPlan, result: OrgScanResult) -> dict[str, Any]:
    return {
        "id": plan.organization_id,
        "management_account_id": plan.management_account_id,
        "caller_account_id": plan.caller_account_id,
        "accounts": len(plan.org_account_ids),
        "scanned": plan.target_accounts,
        "skipped": [s.to_dict() for s in plan.skipped],
        "failed": [{"id": a, "reason": r} for a, r in sorted(result.failed_accounts.items())],
        "filtered": plan.filtered,
        "removed": [{"id": a, "findings_closed": len(ids)} for a, ids in sorted(result.removed.items())],
        "api_calls_per_account": {p.account: sum(p.calls.values()) for p in result.parts},
    }


def print_org(plan: OrgPlan, result: OrgScanResult) -> None:
    con = console()
    con.print(
        f"organization {plan.organization_id}: {len(plan.org_account_ids)} account(s), {len(plan.targets)} scanned, "
        f"{len(plan.skipped)} skipped" + (" (filtered: other accounts' findings untouched)" if plan.filtered else "")
    )
    for s in plan.skipped:
        con.print(f"  [yellow]skipped {s.id} {s.name}: {s.reason}[/]")
    for a, why in sorted(result.failed_accounts.items()):
        con.print(f"  [red]not scanned {a}: {why[:160]} — its findings are kept (UNKNOWN)[/]")
    for a, ids in sorted(result.removed.items()):
        con.print(f"  account {a} left the organization: {len(ids)} open finding(s) closed as account removed")


def _on_workers(
    plan: OrgPlan, rules: Any, store: Any, cfg: Config, *, session: Any, services: tuple[str, ...], broker: str,
    redis_url: str | None, queue: str, wait_timeout: float, quiet: bool, fmt: str, fail_on: str | None,
) -> None:  # fmt: skip
    """`scan --org --broker`: the listed accounts become shards on `mamori worker`s (docs/distributed.md).

    The organization-level rules run too: what the caller's account says of the organization is
    read here, when planning; the regional shards keep their GuardDuty/Config facts; the finaliser
    evaluates the rules over both, as `scan --org` does in one process."""
    from mamori.cli.fleet import scan_on_workers
    from mamori.cli.scan import _next_steps, exit_for, report
    from mamori.findings.org import record_org_accounts
    from mamori.scan.org import org_plan_facts

    org = org_plan_facts(plan, rules, session)
    outcome, findings, calls, facts = scan_on_workers(
        broker=broker, queue=queue, redis_url=redis_url, targets=list(plan.targets), services=split_csv(services),
        rules=rules, store=store, params=cfg.params, quiet=quiet or fmt != "table", wait_timeout=wait_timeout, org=org,
        rule_paths=tuple(cfg.rule_paths),
    )  # fmt: skip
    removed: dict[str, list[str]] = {}
    if not plan.filtered and plan.organization_id:
        skipped = {s.id: s.status for s in plan.skipped if s.status}
        listing = {a: (plan.names.get(a, ""), skipped.get(a, "ACTIVE")) for a in plan.org_account_ids}
        scan_id = outcome.summary.scan_id if outcome.summary else None
        removed = record_org_accounts(store.engine, plan.organization_id, listing, scan_id=scan_id, now=outcome.finished_at)
    facts["organization"] = {
        "id": plan.organization_id, "scanned": plan.target_accounts, "skipped": [s.to_dict() for s in plan.skipped],
        "filtered": plan.filtered, "removed": [{"id": a, "findings_closed": len(ids)} for a, ids in sorted(removed.items())],
        "org_checks": "evaluated" if org["checks"] else ("not run: filtered scan" if plan.filtered else "not run"),
    }  # fmt: skip
    report(outcome, findings, fmt, calls, fleet=facts)
    if fmt == "table":
        con = console()
        con.print(f"organization {plan.organization_id}: {len(plan.targets)} scanned on workers, {len(plan.skipped)} skipped")
        for s in plan.skipped:
            con.print(f"  [yellow]skipped {s.id} {s.name}: {s.reason}[/]")
        for a, ids in sorted(removed.items()):
            con.print(f"  account {a} left the organization: {len(ids)} open finding(s) closed as account removed")
        _next_steps()
    exit_for(findings, fail_on)
