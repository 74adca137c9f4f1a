"""`mamori attest <control>`, `mamori attest list`, `mamori attest revoke`: what a person vouches for."""

from __future__ import annotations

from datetime import UTC, datetime

import click
from rich.table import Table

from mamori.catalog import standards as catalogue
from mamori.cli.common import actor, config_option, db_option, get_config, open_store
from mamori.cli.output import FORMATS, console, emit_csv, emit_json
from mamori.rules import load_rules
from mamori.standards.attestation import (
    ALL_ACCOUNTS,
    AttestationState,
    check_attestable,
    find_control,
    parse_expiry,
)
from mamori.standards.status import rules_by_control
from mamori.standards.store import StandardsStore


class _DefaultGroup(click.Group):
    """A group whose first argument, when it is no subcommand, goes to ``add``: `mamori attest 6.1 ...`."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in ("-h", "--help"):
            args = ["add", *args]
        return super().parse_args(ctx, args)


@click.group(cls=_DefaultGroup)
def attest() -> None:
    """Attest a control no rule can check: who vouches, with what evidence, until when.

    The score stays the machine-checked weight; attested controls are counted beside it
    ("19 of 26 items checked by machine, 4 attested, 3 not covered"). An attestation
    stops counting when it expires or is revoked. Every attestation and revocation is
    recorded in the audit log (`mamori audit list`).

    \b
      mamori attest 6.1 --by alice@example.com --evidence https://wiki/ir-plan --expires 2027-06-30
      mamori attest 6.2 --by bob --evidence "drill 2026-10-14: ransomware scenario" --expires 1y
      mamori attest 1.3 --standard cis-aws-3.0 --account 123456789012 --by carol --evidence ... --expires 180d
      mamori attest list                       attestations that count now (--all: every one)
      mamori attest revoke 3f2a9c --by alice --reason "plan retired"
      mamori attest task T-168175393478 --by alice --evidence https://wiki/oncall --expires 1y
                                               a security engagement task (`mamori engage`)
    """


@attest.command("add")
@click.argument("control")
@click.option("--standard", type=click.Choice(list(catalogue())), default="baseline", show_default=True)
@click.option("--by", "by", required=True, help="Who attests (a person, by name or e-mail).")
@click.option("--evidence", required=True, help="A URL or a short text a reviewer can check.")
@click.option("--expires", required=True, metavar="DATE", help="2027-03-31 (valid through that day), an ISO time, or 90d / 12w / 6m / 1y.")
@click.option("--account", default=ALL_ACCOUNTS, show_default=True, help="One account id, or * for the whole organisation.")
@click.option("-o", "--output", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@db_option
@config_option
def add(
    control: str, standard: str, by: str, evidence: str, expires: str, account: str, fmt: str, db: str | None, config_path: str | None
) -> None:
    """Record an attestation for CONTROL (the default: `mamori attest CONTROL ...`)."""
    cfg = get_config(config_path)
    std = catalogue()[standard]
    ctl = find_control(std, control)
    rules = load_rules(cfg.rule_paths)
    checking = rules_by_control({r.id: r.spec.controls for r in rules}, standard).get(ctl.id, [])
    check_attestable(ctl, standard, checking)
    now = datetime.now(UTC)
    store = open_store(db, cfg)
    att = StandardsStore(store.engine).attest(
        standard=standard, control=ctl.id, by=by, evidence=evidence, expires_at=parse_expiry(expires, now),
        account=account, recorded_by=actor(), now=now,
    )  # fmt: skip
    if fmt == "json":
        emit_json(att.to_dict(now))
        return
    con = console()
    scope = "all accounts" if account == ALL_ACCOUNTS else f"account {account}"
    con.print(f"recorded attestation [bold]{att.id}[/]: {standard} {ctl.id} ({ctl.title}) by {att.by} for {scope}, until {att.expires_at.isoformat()}")
    if checking:
        con.print(f"[dim]supporting rules still count: {', '.join(checking)} (a failure there makes the control failing)[/]")
    if ctl.automated:
        con.print("[yellow]an API could check this control: it counts as attested until a rule checks it[/]")
    latest = store.scans(1)
    if account != ALL_ACCOUNTS and latest and account not in latest[0].accounts:
        con.print(f"[yellow]account {account} was not in the latest scan ({', '.join(latest[0].accounts)}): check the id[/]")


@attest.command("list")
@click.option("--standard", type=click.Choice(list(catalogue())), default=None, help="Only this standard.")
@click.option("--all", "show_all", is_flag=True, help="Also expired, revoked and future attestations.")
@click.option("-o", "--output", "fmt", type=click.Choice(FORMATS), default="table", show_default=True, help="table for people; json or csv for tools.")
@db_option
@config_option
def list_(standard: str | None, show_all: bool, fmt: str, db: str | None, config_path: str | None) -> None:
    """Attestations that count now (newest first)."""
    now = datetime.now(UTC)
    items = StandardsStore(open_store(db, get_config(config_path)).engine).attestations(standard=standard, active_at=None if show_all else now)
    if fmt == "json":
        emit_json([a.to_dict(now) for a in items])
        return
    if fmt == "csv":
        emit_csv(
            ([a.id, a.standard, a.control, a.account, a.by, a.evidence, a.created_at.isoformat(), a.expires_at.isoformat(),
              a.state_at(now).value, a.revoked_by or "", a.revoke_reason or ""] for a in items),
            ("id", "standard", "control", "account", "by", "evidence", "created_at", "expires_at", "state", "revoked_by", "revoke_reason"),
        )  # fmt: skip
        return
    con = console()
    if not items:
        con.print("No attestations." + ("" if show_all else " (--all shows expired and revoked ones)"))
        return
    t = Table(title=f"{len(items)} attestation(s)", title_justify="left")
    for col in ("id", "standard", "control", "account", "by", "evidence", "expires", "state"):
        t.add_column(col, overflow="fold")
    style = {AttestationState.ACTIVE: "green", AttestationState.EXPIRED: "yellow", AttestationState.REVOKED: "red", AttestationState.FUTURE: "dim"}
    for a in items:
        s = a.state_at(now)
        t.add_row(a.id, a.standard, a.control, a.account, a.by, a.evidence, a.expires_at.date().isoformat(), f"[{style[s]}]{s.value}[/]")
    con.print(t)


@attest.command("task")
@click.argument("task_id")
@click.option("--by", "by", required=True, help="Who attests (a person, by name or e-mail).")
@click.option("--evidence", required=True, help="A URL or a short text a reviewer can check.")
@click.option("--expires", required=True, metavar="DATE", help="2027-03-31, an ISO time, or 90d / 12w / 6m / 1y.")
@db_option
@config_option
def task(task_id: str, by: str, evidence: str, expires: str, db: str | None, config_path: str | None) -> None:
    """Close a security engagement task no rule can check (the same as `mamori engage attest`)."""
    from mamori.cli.engage import attest_cmd

    click.get_current_context().invoke(attest_cmd, task_id=task_id, by=by, evidence=evidence, expires=expires, db=db,
                                       config_path=config_path)  # fmt: skip


@attest.command("revoke")
@click.argument("attestation_id")
@click.option("--by", "by", required=True, help="Who revokes it.")
@click.option("--reason", default="", help="Why (kept with the attestation and in the audit log).")
@db_option
@config_option
def revoke(attestation_id: str, by: str, reason: str, db: str | None, config_path: str | None) -> None:
    """Revoke an attestation: it stops counting at once (the record stays)."""
    att = StandardsStore(open_store(db, get_config(config_path)).engine).revoke(attestation_id, by=by, reason=reason)
    console().print(f"revoked attestation [bold]{att.id}[/] ({att.standard} {att.control}, by {att.by})")
