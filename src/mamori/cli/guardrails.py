"""`mamori guardrails list|permissions|exemptions`: what mamori may fix, in which mode, with which rights.

The preventive commands (`scp`, `deploy`, `drift`, `export`, `impact`) live in `cli/guardrails_org.py`.
"""

from __future__ import annotations

from datetime import UTC, datetime

import click
from rich.table import Table

from mamori.cli.common import config_option, get_config, split_csv
from mamori.cli.guardrails_org import deploy_cmd, drift_cmd, export_cmd, impact_cmd, scp_cmd
from mamori.cli.output import console, emit_json
from mamori.remediate.action import ACTIONS, Action, bindings, load_actions
from mamori.remediate.permissions import policy


@click.group()
def guardrails() -> None:
    """Guardrails: remediation actions and modes, SCPs and detective guardrails across the organization.

    \b
      mamori guardrails list                      every action, the rules it fixes and their mode
      mamori guardrails permissions > policy.json least-privilege policy for mamori's remediation role
      mamori guardrails permissions --rule kms_key_rotation_disabled
      mamori guardrails exemptions                decided exceptions (reason, approver, expiry)
      mamori guardrails scp -o json               the Service Control Policies mamori generates
      mamori guardrails impact --days 30          logged calls each SCP would have denied
      mamori guardrails deploy --org [--yes]      plan (apply) SCPs + StackSets across the organization
      mamori guardrails drift --org               exit 1 when a deployed guardrail was removed or changed
      mamori guardrails export --format terraform DIR

    Modes (mamori.yaml, `guardrails:`): detect = notify only, manual = plan and a human
    applies, auto = applied after each `mamori scan --remediate`.
    """


@guardrails.command("list")
@click.option("-o", "--output", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@config_option
def list_cmd(fmt: str, config_path: str | None) -> None:
    """Every remediation action: resource type, bound rules with their mode, reversibility."""
    cfg = get_config(config_path).guardrails
    load_actions()
    rows = []
    for a in ACTIONS.values():
        modes = {r: cfg.mode_for(r, "").value for r in a.rules}
        overrides = {r: {k: m.value for k, m in cfg.rules[r].accounts.items()} for r in a.rules if r in cfg.rules and cfg.rules[r].accounts}
        rows.append(a.describe() | {"modes": modes, "account_modes": overrides})
    if fmt == "json":
        emit_json({"default_mode": cfg.default_mode.value, "actions": rows})
        return
    t = Table(title=f"Remediation actions (default mode: {cfg.default_mode.value})", title_justify="left", show_lines=True)
    for col in ("action", "fixes", "rules (mode)", "reversible"):
        t.add_column(col, overflow="fold")
    for r in rows:
        rules = "\n".join(
            f"{rid} ({m})" + "".join(f"\n  [dim]{acct}: {am}[/]" for acct, am in r["account_modes"].get(rid, {}).items())
            for rid, m in r["modes"].items()
        ) or "[dim]- (used by `mamori keys`)[/]"
        t.add_row(f"{r['name']}\n[dim]{r['title']}[/]", r["resource_type"], rules, "yes" if r["reversible"] else "[yellow]no[/]")
    console().print(t)


@guardrails.command("permissions")
@click.option("--action", "actions", multiple=True, metavar="NAMES", help="Only these actions.")
@click.option("--rule", "rules", multiple=True, metavar="IDS", help="Only the actions bound to these rules.")
def permissions_cmd(actions: tuple[str, ...], rules: tuple[str, ...]) -> None:
    """Print the least-privilege IAM policy (JSON) of mamori's remediation role.

    It allows exactly what the actions need to read, change and roll back resources.
    Scanning needs read-only rights on top (SecurityAudit + ViewOnlyAccess).
    """
    load_actions()
    chosen: list[Action] = []
    try:
        chosen += [ACTIONS.get(n) for n in split_csv(actions)]
    except KeyError as exc:
        raise click.BadParameter(str(exc.args[0]), param_hint="--action") from None
    bound = bindings()
    for r in split_csv(rules):
        if r not in bound:
            raise click.BadParameter(f"no action is bound to rule {r!r}", param_hint="--rule")
        chosen.append(bound[r])
    emit_json(policy(chosen if (actions or rules) else None))


@guardrails.command("exemptions")
@click.option("-o", "--output", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@config_option
def exemptions_cmd(fmt: str, config_path: str | None) -> None:
    """Exemptions from mamori.yaml, active or expired."""
    cfg = get_config(config_path)
    now = datetime.now(UTC)
    rows = [e.to_dict() | {"kind": "guardrail", "active": e.active(now)} for e in cfg.guardrails.exemptions]
    rows += [e.to_dict() | {"kind": "access key", "active": e.active(now)} for e in cfg.keys.exemptions]
    if fmt == "json":
        emit_json(rows)
        return
    if not rows:
        console().print("No exemptions configured.")
        return
    t = Table(title="Exemptions", title_justify="left")
    for col in ("kind", "rule / key", "account", "resource", "reason", "approver", "expires", "state"):
        t.add_column(col, overflow="fold")
    for r in rows:
        t.add_row(r["kind"], r.get("rule") or r.get("access_key_id") or r.get("user") or "", r.get("account") or "*",
                  r.get("resource") or "", r["reason"], r["approver"], r["expires"],
                  "[green]active[/]" if r["active"] else "[yellow]expired[/]")  # fmt: skip
    console().print(t)


for _cmd in (scp_cmd, impact_cmd, deploy_cmd, drift_cmd, export_cmd):
    guardrails.add_command(_cmd)
