"""`mamori remediate plan|apply|rollback|list|show` and the `scan --remediate` hook."""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from typing import Any

import click
from rich.table import Table

from mamori.cli.common import actor, config_option, db_option, get_config, open_store, split_csv, targets_from
from mamori.cli.exits import EXIT_FAILED, EXIT_RUNTIME, exit_with
from mamori.cli.output import console, emit_json, one_line
from mamori.config import Config
from mamori.findings import Store
from mamori.remediate.apply import apply_plan
from mamori.remediate.clients import Clients
from mamori.remediate.model import ApplyReport, Change, ChangeStatus, Plan
from mamori.remediate.planner import Selector, effective_rule_params, plan_from_store
from mamori.remediate.repo import RemediationStore
from mamori.remediate.rollback import rollback_change, rollback_plan
from mamori.rules import load_rules

F = Callable[..., Any]
STATUS_STYLE = {
    ChangeStatus.PLANNED: "yellow", ChangeStatus.APPLIED: "green", ChangeStatus.NOOP: "dim",
    ChangeStatus.EXEMPT: "cyan", ChangeStatus.BLOCKED: "magenta", ChangeStatus.ERROR: "red",
    ChangeStatus.FAILED: "bold red", ChangeStatus.UNVERIFIED: "red", ChangeStatus.STALE: "red",
    ChangeStatus.APPLYING: "red", ChangeStatus.ROLLED_BACK: "blue",
}  # fmt: skip
TROUBLE = (ChangeStatus.FAILED, ChangeStatus.UNVERIFIED, ChangeStatus.STALE)


def default_actor() -> str:
    """Who is acting: ``$MAMORI_ACTOR``, else the OS user."""
    return actor()


def access_options(f: F) -> F:
    """How to reach the accounts to change (the same as `mamori scan`)."""
    opts = [
        click.option("--profile", default=None, help="AWS profile (default: the standard credential chain)."),
        click.option("--role-arn", "role_arns", multiple=True, metavar="ARN", help="Assume this role for its account. Repeat for several accounts."),
        click.option("--external-id", default=None, help="External id for --role-arn."),
        click.option("--endpoint-url", default=None, envvar="MAMORI_ENDPOINT_URL", metavar="URL", help="An AWS-compatible endpoint (a moto server, LocalStack)."),
        click.option("--actor", default=None, help="Who is acting, for the audit log (default: $MAMORI_ACTOR, then the OS user)."),
    ]  # fmt: skip
    for o in reversed(opts):
        f = o(f)
    return f


def make_clients(profile: str | None, role_arns: tuple[str, ...], external_id: str | None, endpoint_url: str | None) -> Clients:
    return Clients.from_targets(targets_from(profile, role_arns, external_id, endpoint_url, (), 8))


def confirm(question: str, yes: bool) -> None:
    """Ask on a terminal; elsewhere require --yes (automation must say so explicitly)."""
    if yes:
        return
    if not sys.stdin.isatty():
        raise click.UsageError("not a terminal: pass --yes to apply without asking")
    click.confirm(question, abort=True, err=True)


def print_plan(plan: Plan, *, title: str | None = None) -> None:
    """Each change as a short block: id, status, rule and action, resource, what, and how (each API call and its
    parameters in full, JSON for documents), never a truncated Python dict and never hard-wrapped."""
    click.secho(title or f"Plan {plan.id} ({plan.status.value})", bold=True)
    if not plan.changes:
        click.secho("Nothing to plan: no open finding of a rule with a remediation action matches.", fg="green")
        return
    for c in plan.changes:
        status = "rolled back" if c.status is ChangeStatus.ROLLED_BACK else c.status.value
        click.echo("")
        click.echo(f"{click.style(c.id, bold=True)}  {click.style(status, fg=STATUS_COLOUR.get(c.status))}  {c.rule_id or '-'} -> {c.action}")
        click.echo(f"  resource: {c.target.resource_id} ({c.target.account}/{c.target.region})")
        if c.summary:
            click.echo(f"  what:     {' '.join(c.summary.split())}")
        for n, call in enumerate(c.calls):
            click.echo(f"  {'how:     ' if n == 0 else '         '} {call.service}:{call.operation} in {call.region}")
            for k, v in call.params.items():
                click.echo(f"             {k}: {param_text(v)}")
        if c.reason:
            click.echo(f"  why:      {one_line(c.reason)}")
        if c.error:
            click.secho(f"  error:    {one_line(c.error)}", fg="red")
    click.echo("")
    counts = ", ".join(f"{n} {s.replace('_', ' ')}" for s, n in sorted(plan.counts().items()))
    if counts:
        click.echo(f"{click.style(f'{len(plan.changes)} change(s):', bold=True)} {counts}")


STATUS_COLOUR = {s: c.split()[-1] for s, c in STATUS_STYLE.items() if c != "dim"}


def param_text(v: Any) -> str:
    """A call parameter as people and shells read it: strings as they are, documents as compact JSON."""
    if isinstance(v, str):
        return v
    import orjson

    return orjson.dumps(v, option=orjson.OPT_SORT_KEYS).decode()


def _plan_next(plan: Plan) -> None:
    if any(c.status is ChangeStatus.PLANNED for c in plan.changes):
        console().print(f"[dim]nothing has changed. Apply with: mamori remediate apply {plan.id}[/]")


@click.group()
def remediate() -> None:
    """Fix findings safely: plan (reads only), apply (verified, recorded), roll back.

    \b
      mamori remediate plan                         impact report for every rule with an action
      mamori remediate plan --rule s3_bucket_public_access_block_off -o json
      mamori remediate apply p-3f2a9c1b4d5e          apply a stored plan (asks first; --yes in CI)
      mamori remediate apply --rule kms_key_rotation_disabled --account 123456789012 --yes
      mamori remediate rollback c-8e1f0a2b3c4d       restore the configuration saved before a change
      mamori remediate list                         recent plans;  mamori remediate show <plan-id>

    Plans come from open findings (run `mamori scan` first) and re-read each live
    resource. Rule modes and exemptions live in mamori.yaml under `guardrails:`;
    `mamori guardrails list` shows them.
    """


@remediate.command("plan")
@click.option("--rule", "rules", multiple=True, metavar="IDS", help="Only these rules (comma-separated, repeatable).")
@click.option("--account", "accounts", multiple=True, metavar="IDS", help="Only these accounts.")
@click.option("--finding", "finding_ids", multiple=True, metavar="IDS", help="Only these findings (ids or prefixes).")
@click.option("-o", "--output", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@access_options
@db_option
@config_option
def plan_cmd(
    rules: tuple[str, ...], accounts: tuple[str, ...], finding_ids: tuple[str, ...], fmt: str, profile: str | None,
    role_arns: tuple[str, ...], external_id: str | None, endpoint_url: str | None, actor: str | None,
    db: str | None, config_path: str | None,
) -> None:  # fmt: skip
    """Show which live resources would change, how, and through which API calls. Changes nothing.

    The plan is stored with an id, to apply later (`mamori remediate apply <plan-id>`).
    """
    cfg = get_config(config_path)
    store = open_store(db, cfg)
    plan = _plan(store, cfg, make_clients(profile, role_arns, external_id, endpoint_url), rules, accounts, finding_ids, actor)
    if fmt == "json":
        emit_json(plan.to_dict())
        return
    print_plan(plan)
    _plan_next(plan)


def _plan(store: Store, cfg: Config, clients: Clients, rules: tuple[str, ...], accounts: tuple[str, ...], finding_ids: tuple[str, ...], actor: str | None) -> Plan:
    sel = Selector(rules=split_csv(rules), accounts=split_csv(accounts), finding_ids=split_csv(finding_ids))
    params = effective_rule_params(load_rules(cfg.rule_paths), cfg.params)
    return plan_from_store(store, clients, cfg.guardrails, sel, actor=actor or default_actor(), rule_params=params)


@remediate.command("apply")
@click.argument("plan_id", required=False)
@click.option("--rule", "rules", multiple=True, metavar="IDS", help="Plan these rules now and apply (instead of a stored plan).")
@click.option("--account", "accounts", multiple=True, metavar="IDS", help="With --rule: only these accounts.")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation (automation).")
@click.option("--stop-on-error", is_flag=True, help="Stop at the first failed change (the rest stay planned).")
@click.option("-o", "--output", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@access_options
@db_option
@config_option
def apply_cmd(
    plan_id: str | None, rules: tuple[str, ...], accounts: tuple[str, ...], yes: bool, stop_on_error: bool, fmt: str,
    profile: str | None, role_arns: tuple[str, ...], external_id: str | None, endpoint_url: str | None,
    actor: str | None, db: str | None, config_path: str | None,
) -> None:  # fmt: skip
    """Apply a plan: re-read, change, verify each resource; record everything.

    A resource whose configuration changed since the plan is left alone (stale: re-plan);
    one that is compliant already is a no-op, so applying twice changes nothing. Exit 3
    when a change failed, could not be verified or was stale.
    """
    if bool(plan_id) == bool(rules):
        raise click.UsageError("give a plan id or --rule (not both)")
    cfg = get_config(config_path)
    store = open_store(db, cfg)
    rstore = RemediationStore(store.engine)
    clients = make_clients(profile, role_arns, external_id, endpoint_url)
    who = actor or default_actor()
    plan = rstore.plan(plan_id) if plan_id else _plan(store, cfg, clients, rules, accounts, (), who)
    todo = [c for c in plan.changes if c.status.actionable]
    if fmt == "table":
        print_plan(plan)
    if not todo:
        if fmt == "json":
            emit_json(plan.to_dict() | {"attempted": [], "not_attempted": [], "mutating_calls": []})
        elif not _planning_errors(plan):
            console().print("[green]Nothing to apply.[/]")
        _exit_on_planning_errors(plan)
        return
    confirm(f"Apply {len(todo)} change(s) of plan {plan.id} to live resources?", yes)
    report = apply_plan(rstore, clients, plan, cfg.guardrails, actor=who, stop_on_error=stop_on_error)
    _report(report, fmt)


def _report(report: ApplyReport, fmt: str) -> None:
    if fmt == "json":
        emit_json(report.plan.to_dict() | {
            "attempted": list(report.attempted), "not_attempted": list(report.not_attempted),
            "mutating_calls": list(report.mutating_calls),
        })  # fmt: skip
    else:
        attempted = set(report.attempted)
        shown = Plan(report.plan.id, report.plan.created_at, report.plan.actor, report.plan.source, report.plan.selector,
                     tuple(c for c in report.plan.changes if c.id in attempted or c.id in report.not_attempted), report.plan.status)  # fmt: skip
        print_plan(shown, title=f"Applied plan {report.plan.id} ({report.plan.status.value})")
        if report.not_attempted:
            console().print(f"[yellow]not attempted (stopped on error): {', '.join(report.not_attempted)}[/]")
        console().print("[dim]findings resolve at the next scan · undo: mamori remediate rollback <change-id>[/]")
    bad = [c for c in report.plan.changes if c.id in set(report.attempted) and c.status in TROUBLE]
    if bad:
        console(err=True).print(f"[red]{len(bad)} change(s) failed, unverified or stale: see above (exit 3)[/]")
        raise exit_with(EXIT_RUNTIME)
    _exit_on_planning_errors(report.plan)


def _planning_errors(plan: Plan) -> list[str]:
    return [c.id for c in plan.changes if c.status is ChangeStatus.ERROR]


def _exit_on_planning_errors(plan: Plan) -> None:
    """A change that could not even be planned is not "done": exit 1, never 0 (issue 12, item 13)."""
    errors = _planning_errors(plan)
    if errors:
        console(err=True).print(f"[red]{len(errors)} change(s) could not be planned (error), so were not applied: "
                                f"{', '.join(errors)} (exit 1)[/]")  # fmt: skip
        raise exit_with(EXIT_FAILED)


@remediate.command("rollback")
@click.argument("change_or_plan_id")
@click.option("--force", is_flag=True, help="Restore even if the resource changed since mamori changed it.")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@access_options
@db_option
@config_option
def rollback_cmd(
    change_or_plan_id: str, force: bool, yes: bool, profile: str | None, role_arns: tuple[str, ...],
    external_id: str | None, endpoint_url: str | None, actor: str | None, db: str | None, config_path: str | None,
) -> None:  # fmt: skip
    """Restore the configuration recorded before a change (or every change of a plan, newest first).

    Refused for actions that cannot be undone (deleting a key, restarting a trail).
    """
    cfg = get_config(config_path)
    store = open_store(db, cfg)
    rstore = RemediationStore(store.engine)
    clients = make_clients(profile, role_arns, external_id, endpoint_url)
    who = actor or default_actor()
    con = console()
    if change_or_plan_id.startswith("p-"):
        plan = rstore.plan(change_or_plan_id)
        confirm(f"Roll back the applied changes of plan {plan.id}?", yes)
        done, failed = rollback_plan(rstore, clients, plan, cfg.guardrails, actor=who, force=force)
        for c in done:
            con.print(f"[blue]rolled back[/] {c.id} {c.action} {c.target.label}")
        for c, why in failed:
            con.print(f"[red]not rolled back[/] {c.id} {c.action} {c.target.label}: {why}")
        if failed:
            raise exit_with(EXIT_RUNTIME)
        return
    change = rstore.change(change_or_plan_id)
    if change.status is ChangeStatus.ROLLED_BACK:
        at = change.rolled_back_at.isoformat(timespec="seconds") if change.rolled_back_at else "earlier"
        click.echo(f"{change.id} was already rolled back ({at}): nothing to do")
        return
    confirm(f"Roll back {change.id} ({change.action} on {change.target.label})?", yes)
    done_change = rollback_change(rstore, clients, change, cfg.guardrails, actor=who, force=force)
    con.print(f"[blue]rolled back[/] {done_change.id}: {done_change.target.label} has its prior configuration again")


@remediate.command("list")
@click.option("--limit", default=20, show_default=True)
@click.option("-o", "--output", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@db_option
@config_option
def list_cmd(limit: int, fmt: str, db: str | None, config_path: str | None) -> None:
    """Recent plans, newest first."""
    cfg = get_config(config_path)
    plans = RemediationStore(open_store(db, cfg).engine).plans(limit)
    if fmt == "json":
        emit_json([{k: v for k, v in p.to_dict().items() if k != "changes"} for p in plans])
        return
    t = Table(title="Remediation plans", title_justify="left")
    for col in ("plan", "created", "actor", "source", "status", "changes"):
        t.add_column(col)
    for p in plans:
        t.add_row(p.id, p.created_at.strftime("%Y-%m-%d %H:%M"), p.actor, p.source, p.status.value,
                  ", ".join(f"{n} {s}" for s, n in sorted(p.counts().items())))  # fmt: skip
    console().print(t)


@remediate.command("show")
@click.argument("plan_id")
@click.option("-o", "--output", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@db_option
@config_option
def show_cmd(plan_id: str, fmt: str, db: str | None, config_path: str | None) -> None:
    """One plan with every change: status, API calls, prior configuration, errors."""
    cfg = get_config(config_path)
    rstore = RemediationStore(open_store(db, cfg).engine)
    plan = rstore.plan(plan_id) if plan_id.startswith("p-") or not plan_id.startswith("c-") else rstore.plan(rstore.change(plan_id).plan_id)
    if fmt == "json":
        emit_json(plan.to_dict())
    else:
        print_plan(plan)


def remediate_after_scan(
    store: Store, cfg: Config, accounts: Sequence[str], *, profile: str | None, role_arns: tuple[str, ...],
    external_id: str | None, endpoint_url: str | None,
) -> None:  # fmt: skip
    """`mamori scan --remediate`: apply auto-mode plans, store manual-mode ones (dry run); report on stderr."""
    from mamori.remediate.auto import after_scan

    clients = make_clients(profile, role_arns, external_id, endpoint_url)
    params = effective_rule_params(load_rules(cfg.rule_paths), cfg.params)
    result = after_scan(store, clients, cfg.guardrails, accounts=accounts, actor=default_actor(), rule_params=params)
    con = console(err=True)
    if result.plan is None:
        con.print("[dim]remediate: nothing to do for rules in auto or manual mode[/]")
        return
    changes: list[Change] = list(result.report.plan.changes if result.report else result.plan.changes)
    applied = [c for c in changes if c.status is ChangeStatus.APPLIED]
    waiting = [c for c in changes if c.status is ChangeStatus.PLANNED]
    bad = [c for c in changes if c.status in TROUBLE]
    con.print(f"remediate: plan {result.plan.id}: {len(applied)} applied (auto), {len(waiting)} waiting for a human (manual), {len(bad)} failed")
    for c in applied:
        con.print(f"  [green]applied[/] {c.rule_id} {c.target.label}: {c.summary}")
    for c in bad:
        con.print(f"  [red]{c.status.value}[/] {c.rule_id} {c.target.label}: {c.error or c.reason}")
    if waiting:
        con.print(f"  [dim]review and apply the manual ones: mamori remediate show {result.plan.id} · mamori remediate apply {result.plan.id}[/]")
    if bad:
        raise exit_with(EXIT_RUNTIME)
