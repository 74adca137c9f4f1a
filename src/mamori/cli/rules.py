"""`mamori rules list|show`."""

from __future__ import annotations

import click
import yaml
from rich.table import Table

from mamori.cli.common import config_option, get_config
from mamori.cli.output import console, emit_csv, emit_json, output_option, sev_text
from mamori.rules import load_rules
from mamori.rules.schema import RuleSpec


def _spec_dict(s: RuleSpec) -> dict[str, object]:
    return s.model_dump(mode="json")


@click.group()
def rules() -> None:
    """The rule library: what is checked, how severe, which controls it covers.

    \b
      mamori rules list --service s3
      mamori rules show iam_root_mfa_disabled
    """


@rules.command("list")
@click.option("--service", default=None, help="Only rules of this service (iam, s3, ec2, ...).")
@output_option()
@config_option
def list_(service: str | None, fmt: str, config_path: str | None) -> None:
    """Every rule (built-in and from rule_paths)."""
    rs = [r for r in load_rules(get_config(config_path).rule_paths) if service is None or r.spec.service == service]
    if fmt == "json":
        emit_json([_spec_dict(r.spec) for r in rs])
        return
    if fmt == "csv":
        emit_csv(
            ([r.id, r.spec.severity.value, r.spec.resource_type, r.spec.guardrail.value, r.spec.title,
              ";".join(f"{k}:{','.join(v)}" for k, v in r.spec.controls.items())] for r in rs),
            ("id", "severity", "resource_type", "guardrail", "title", "controls"),
        )  # fmt: skip
        return
    t = Table(title=f"{len(rs)} rules", title_justify="left")
    for col in ("id", "severity", "resource type", "guardrail", "baseline", "CIS v3.0", "FSBP"):
        t.add_column(col, overflow="fold")
    for r in rs:
        ctl = r.spec.controls
        c = ctl
        t.add_row(
            r.id, sev_text(r.spec.severity), r.spec.resource_type, r.spec.guardrail.value,
            ",".join(c.get("baseline", [])), ",".join(c.get("cis-aws-3.0", [])), ",".join(c.get("fsbp", [])),
        )  # fmt: skip
    console().print(t)


@rules.command("show")
@click.argument("rule_id")
@click.option("-o", "--output", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@config_option
def show(rule_id: str, fmt: str, config_path: str | None) -> None:
    """One rule: metadata, condition and the file it comes from."""
    rs = load_rules(get_config(config_path).rule_paths)
    if rule_id not in rs:
        raise click.BadParameter(f"no rule {rule_id!r}; `mamori rules list` shows them", param_hint="RULE_ID")
    r = rs.get(rule_id)
    if fmt == "json":
        emit_json({**_spec_dict(r.spec), "path": str(r.path)})
        return
    con = console()
    con.print(f"[bold]{r.id}[/] — {r.spec.title} ({sev_text(r.spec.severity)}, {r.spec.guardrail.value})")
    con.print(f"[dim]{r.path}[/]")
    con.print(f"resource type: {r.spec.resource_type}")
    con.print("controls: " + "; ".join(f"{k} {', '.join(v)}" for k, v in r.spec.controls.items()))
    con.print(f"[bold]rationale[/]\n{r.spec.rationale.strip()}")
    con.print(f"[bold]remediation[/]\n{r.spec.remediation.strip()}")
    cond = {"applies_when": r.spec.applies_when, "fail_when": r.spec.fail_when, "params": r.spec.params}
    con.print("[bold]condition[/]")
    con.print(yaml.safe_dump({k: v for k, v in cond.items() if v}, sort_keys=False).rstrip(), markup=False)
