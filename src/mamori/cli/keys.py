"""`mamori keys report|enforce|revoke`: the access-key lifecycle and the leaked-key response."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import click
from rich.table import Table

from mamori.cli.common import config_option, db_option, get_config, open_store, targets_from
from mamori.cli.exits import EXIT_RUNTIME, exit_with
from mamori.cli.output import console, emit_csv, emit_json
from mamori.cli.remediate import STATUS_STYLE, access_options, default_actor, make_clients
from mamori.collect.aws.multi import collect_accounts
from mamori.collect.snapshot import read_snapshot
from mamori.config import Config
from mamori.keys.enforce import EnforceReport, build_notifiers, enforce
from mamori.keys.inventory import FIELDS, KeyRow, key_rows
from mamori.keys.owners import owner_resolver
from mamori.keys.revoke import revoke
from mamori.model.resource import Inventory


def _inventory(cfg: Config, snapshot: str | None, profile: str | None, role_arns: tuple[str, ...], external_id: str | None, endpoint_url: str | None) -> Inventory:
    if snapshot:
        return read_snapshot(Path(snapshot))
    targets = targets_from(profile, role_arns, external_id, endpoint_url, (), 8)
    return collect_accounts(targets, services=("iam",)).inventory


def _rows(cfg: Config, inv: Inventory) -> list[KeyRow]:
    return key_rows(inv, owner_resolver(cfg.keys), now=datetime.now(UTC))


def _yes_no(v: bool | None) -> str:
    return "?" if v is None else ("yes" if v else "no")


@click.group()
def keys() -> None:
    """Access keys: inventory, lifecycle enforcement, leaked-key response.

    \b
      mamori keys report -o csv                     every key: age, last use, console and MFA state
      mamori keys enforce                           dry run: who would be notified, disabled, deleted
      mamori keys enforce --apply                   do it (daily, e.g. from cron: idempotent)
      mamori keys revoke AKIAIOSFODNN7EXAMPLE        leaked key: disable it, revoke its sessions now

    Policy (mamori.yaml `keys:`): notify the owner from day 80, disable at day 90, delete
    from day 120; owners from a user tag (owner/email) or the `owners` mapping.
    """


@keys.command("report")
@click.option("--snapshot", type=click.Path(exists=True, dir_okay=False), help="Read a snapshot (`mamori collect`) instead of AWS.")
@click.option("-o", "--output", "fmt", type=click.Choice(["table", "json", "csv"]), default="table", show_default=True)
@access_options
@config_option
def report_cmd(snapshot: str | None, fmt: str, profile: str | None, role_arns: tuple[str, ...], external_id: str | None, endpoint_url: str | None, actor: str | None, config_path: str | None) -> None:
    """The access-key inventory from the IAM credential report and the key APIs (collects IAM only)."""
    cfg = get_config(config_path)
    rows = _rows(cfg, _inventory(cfg, snapshot, profile, role_arns, external_id, endpoint_url))
    if fmt == "json":
        emit_json([r.to_dict() for r in rows])
        return
    if fmt == "csv":
        emit_csv(([getattr(r, f) for f in FIELDS] for r in rows), FIELDS)
        return
    t = Table(title=f"Access keys ({len(rows)})", title_justify="left")
    for col in ("account", "user", "key", "status", "age", "last used", "service / region", "console", "MFA", "owner"):
        t.add_column(col, overflow="fold")
    for r in rows:
        age = "?" if r.age_days is None else str(r.age_days)
        style = "red" if (r.age_days or 0) >= cfg.keys.disable_days and r.status == "Active" else ("yellow" if (r.age_days or 0) >= cfg.keys.warn_days else "")
        t.add_row(r.account, r.user, r.access_key_id or f"[dim]{r.key_ref}[/]", r.status or "?", f"[{style}]{age}[/]" if style else age,
                  r.last_used_date[:10] if r.last_used_date else "?", f"{r.last_used_service or '-'} / {r.last_used_region or '-'}",
                  _yes_no(r.console_access), _yes_no(r.mfa_active), r.owner or "[dim]-[/]")  # fmt: skip
    console().print(t)


@keys.command("enforce")
@click.option("--apply", "do_apply", is_flag=True, help="Act: notify, disable and delete (default: dry run, nothing changes).")
@click.option("--snapshot", type=click.Path(exists=True, dir_okay=False), help="Dry run over a snapshot instead of AWS.")
@click.option("-o", "--output", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@access_options
@db_option
@config_option
def enforce_cmd(
    do_apply: bool, snapshot: str | None, fmt: str, profile: str | None, role_arns: tuple[str, ...], external_id: str | None,
    endpoint_url: str | None, actor: str | None, db: str | None, config_path: str | None,
) -> None:  # fmt: skip
    """Enforce the lifecycle: notify from warn_days, disable at disable_days, delete from delete_days.

    Idempotent: every stage is notified once (stored), a disabled key is only deleted after
    min_inactive_days, exempt keys are left alone until the exemption expires. Exit 3 when
    something failed.
    """
    if do_apply and snapshot:
        raise click.UsageError("--apply acts on live accounts: drop --snapshot")
    cfg = get_config(config_path)
    store = open_store(db, cfg)
    rows = _rows(cfg, _inventory(cfg, snapshot, profile, role_arns, external_id, endpoint_url))
    who = actor or default_actor()
    if do_apply:
        clients = make_clients(profile, role_arns, external_id, endpoint_url)
        notifiers = build_notifiers(cfg.keys.notify, cfg.notifications.channels)
        rep = enforce(store.engine, rows, cfg.keys, apply=True, actor=who, notifiers=notifiers, clients=clients, guardrails=cfg.guardrails)
    else:
        rep = enforce(store.engine, rows, cfg.keys, apply=False, actor=who)
    _print_enforce(rep, fmt)
    if rep.failed:
        raise exit_with(EXIT_RUNTIME)


def _print_enforce(rep: EnforceReport, fmt: str) -> None:
    if fmt == "json":
        emit_json({"applied": rep.applied, "plan_id": rep.plan_id, "keys": [o.to_dict() for o in rep.outcomes]})
        return
    con = console()
    acting = [o for o in rep.outcomes if o.decision.stage is not None or o.result]
    t = Table(title="Access-key lifecycle" + ("" if rep.applied else " (dry run: nothing changes)"), title_justify="left")
    for col in ("account", "user", "key", "age", "status", "stage", "result", "why"):
        t.add_column(col, overflow="fold")
    for o in acting:
        r, d = o.decision.row, o.decision
        colour = "red" if o.result.startswith("failed") else ("green" if o.result and not o.result.startswith("would") else "yellow")
        t.add_row(r.account, r.user, r.access_key_id, str(r.age_days), r.status, d.stage.value if d.stage else "-",
                  f"[{colour}]{o.result or '-'}[/]", d.reason)  # fmt: skip
    if acting:
        con.print(t)
    others = len(rep.outcomes) - len(acting)
    con.print(f"{len(rep.outcomes)} key(s); {others} need nothing." + (f" Plan {rep.plan_id}." if rep.plan_id else ""))
    if not rep.applied and any(o.result for o in rep.outcomes):
        con.print("[dim]run again with --apply to act[/]")


@keys.command("revoke")
@click.argument("access_key_id")
@click.option("--dry-run", is_flag=True, help="Locate the key and show the plan; change nothing.")
@click.option("-o", "--output", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@access_options
@db_option
@config_option
def revoke_cmd(
    access_key_id: str, dry_run: bool, fmt: str, profile: str | None, role_arns: tuple[str, ...], external_id: str | None,
    endpoint_url: str | None, actor: str | None, db: str | None, config_path: str | None,
) -> None:  # fmt: skip
    """Leaked key: find its account and user, disable it, revoke sessions issued before now.

    The account comes from earlier scans (findings) or from asking each account given
    with --role-arn. Sessions are revoked with an inline deny policy
    `mamori-revoke-sessions` on aws:TokenIssueTime (like the console's "Revoke active
    sessions"). Everything is recorded; the output lists what to investigate next.
    """
    cfg = get_config(config_path)
    store = open_store(db, cfg)
    clients = make_clients(profile, role_arns, external_id, endpoint_url)
    res = revoke(store.engine, clients, access_key_id, actor=actor or default_actor(), dry_run=dry_run, guardrails=cfg.guardrails)
    plan = res.report.plan if res.report else res.plan
    if fmt == "json":
        emit_json(res.to_dict())
    else:
        con = console()
        con.print(f"[bold]{res.key_id}[/] belongs to [bold]{res.located.user}[/] in account {res.located.account} "
                  f"(found via {res.located.source}; it was {res.located.status})")  # fmt: skip
        for c in plan.changes:
            con.print(f"  [{STATUS_STYLE[c.status]}]{c.status.value:>9}[/]  {c.summary}  [dim]{c.id}[/]")
            if c.error:
                con.print(f"             [red]{c.error}[/]")
        if dry_run:
            con.print(f"[yellow]dry run: nothing changed[/] (apply: mamori remediate apply {plan.id} --yes)")
        con.print("\n[bold]Investigate next:[/]")
        for step in res.next_steps:
            con.print(f"  - {step}")
    if res.report and any(c.status.value in ("failed", "unverified", "stale") for c in plan.changes):
        raise exit_with(EXIT_RUNTIME)
