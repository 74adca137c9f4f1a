"""`mamori rules list|show|test`."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import click
import yaml
from rich.table import Table

from mamori.cli.columns import Col, echo_table, severity_colour
from mamori.cli.common import config_option, get_config
from mamori.cli.exits import EXIT_FAILED, exit_with
from mamori.cli.output import console, echo_fix, emit_csv, emit_json, output_option, sev_text
from mamori.collect.snapshot import read_snapshot
from mamori.engine.testing import evaluate_rule, run_cases, status_counts
from mamori.rules import load_rules
from mamori.rules.loader import Rule, load_rule
from mamori.rules.schema import RuleSpec


def _spec_dict(s: RuleSpec) -> dict[str, object]:
    return s.model_dump(mode="json")


@click.group()
def rules() -> None:
    """The rule library: what is checked, how severe, which controls it covers.

    \b
      mamori rules list --service s3
      mamori rules show iam_root_mfa_disabled
      mamori rules test my_rule --snapshot estate.json --cases my_rule_cases.yaml
    """


@rules.command("list")
@click.option("--service", default=None, help="Only rules of this service (iam, s3, ec2, ...).")
@click.option("--source", type=click.Choice(["live", "iac"]), default=None,
              help="iac: only the rules `mamori gate iac` evaluates (not live_only); live: every rule.")  # fmt: skip
@output_option()
@config_option
def list_(service: str | None, source: str | None, fmt: str, config_path: str | None) -> None:
    """Every rule (built-in and from rule_paths)."""
    rs = [r for r in load_rules(get_config(config_path).rule_paths) if service is None or r.spec.service == service]
    if source == "iac":
        rs = [r for r in rs if r.spec.live_only is None]
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
    rows = [
        [r.id, r.spec.severity.value, ",".join(r.spec.controls.get("baseline", [])),
         ",".join(r.spec.controls.get("cis-aws-3.0", [])), ",".join(r.spec.controls.get("fsbp", [])),
         r.spec.resource_type, r.spec.guardrail.value]
        for r in rs
    ]  # fmt: skip
    echo_table(RULE_COLUMNS, rows, title=f"{len(rs)} rules (`mamori rules show <id>` for one)")


# One line per rule; wider terminals add the resource type and the guardrail kind.
RULE_COLUMNS = (
    Col("id", flex=True, min_width=30), Col("severity", style=severity_colour), Col("baseline", priority=1),
    Col("CIS v3.0", priority=2), Col("FSBP", flex=True, min_width=8, priority=3),
    Col("resource type", priority=4), Col("guardrail", priority=5),
)  # fmt: skip


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
    con.print("[bold]remediation[/]")
    echo_fix(r.spec.remediation)
    cond = {"applies_when": r.spec.applies_when, "fail_when": r.spec.fail_when, "params": r.spec.params}
    con.print("[bold]condition[/]")
    con.print(yaml.safe_dump({k: v for k, v in cond.items() if v}, sort_keys=False).rstrip(), markup=False)


def _rule_for_test(rule: str, config_path: str | None) -> tuple[Rule, dict[str, object]]:
    cfg = get_config(config_path)
    path = Path(rule)
    if path.suffix in (".yaml", ".yml") and path.is_file():
        r = load_rule(path)
    else:
        rs = load_rules(cfg.rule_paths)
        if rule not in rs:
            raise click.BadParameter(f"no rule {rule!r} (built-in or in rule_paths); give a rule id or a path to its YAML file", param_hint="RULE")
        r = rs.get(rule)
    return r, dict(cfg.params.get(r.id, {}))


@rules.command("test")
@click.argument("rule")
@click.option("--snapshot", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None, help="Evaluate the rule over this snapshot (from `mamori collect`).")
@click.option("--cases", "cases", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None, help="Run this case file (the format of tests/rules/cases); exit 1 if a case fails.")
@click.option("--now", "now", default=None, metavar="TIME", help="Evaluation time for age conditions (default: the snapshot's collection time; for cases the file's `now:` or the current time).")
@click.option("--show", type=click.Choice(["all", "fail", "unknown"]), default="all", show_default=True, help="Which snapshot results to list.")
@click.option("-o", "--output", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@config_option
def test(rule: str, snapshot: Path | None, cases: Path | None, now: str | None, show: str, fmt: str, config_path: str | None) -> None:
    """Try one rule (an id, or the path of its YAML file) before it goes live.

    \b
      mamori rules test my_bucket_rule --snapshot estate.json         every resource: PASS/FAIL/UNKNOWN, evidence
      mamori rules test ./security-rules/my_bucket_rule.yaml --cases cases.yaml
      mamori rules test iam_access_key_older_than_90_days --cases tests/rules/cases/iam/iam_access_key_older_than_90_days.yaml --now 2026-11-23T12:00:00+00:00

    A rule in a `rule_paths` directory (mamori.yaml) is found by its id; parameters
    from `params:` in the config apply. Exit codes: 0 ok, 1 a case failed, 2 bad input.
    """
    if snapshot is None and cases is None:
        raise click.UsageError("give --snapshot FILE, --cases FILE, or both")
    r, params = _rule_for_test(rule, config_path)
    when = None
    if now:
        try:
            when = datetime.fromisoformat(now.replace("Z", "+00:00"))
        except ValueError:
            raise click.BadParameter(f"invalid time {now!r}", param_hint="--now") from None
    out: dict[str, object] = {"rule": r.id, "path": str(r.path)}
    con = console()
    failed_cases = 0
    if snapshot is not None:
        inv = read_snapshot(snapshot)
        results = evaluate_rule(r, inv, params=params, now=when)
        counts = status_counts(results)
        out["snapshot"] = {"file": str(snapshot), "counts": counts, "results": [
            {"status": x.status.value, "resource_type": x.resource_type, "resource_id": x.resource_id, "account": x.account,
             "region": x.region, "evidence": x.evidence, "reason": x.reason} for x in results
        ]}  # fmt: skip
        if fmt == "table":
            wanted = {"all": None, "fail": "FAIL", "unknown": "UNKNOWN"}[show]
            t = Table(title=f"{r.id} over {snapshot.name}: {counts['PASS']} pass, {counts['FAIL']} fail, {counts['UNKNOWN']} unknown", title_justify="left")
            for col in ("status", "resource", "account/region", "evidence / reason"):
                t.add_column(col, overflow="fold")
            style = {"PASS": "green", "FAIL": "red", "UNKNOWN": "yellow"}
            for x in results:
                if wanted and x.status.value != wanted:
                    continue
                detail = yaml.safe_dump(x.evidence, default_flow_style=True, width=10_000).strip() if x.evidence else x.reason
                t.add_row(f"[{style[x.status.value]}]{x.status.value}[/]", x.resource_id, f"{x.account}/{x.region}", detail)
            con.print(t)
            if not results:
                con.print(f"[yellow]no resource of type {r.spec.resource_type} in the snapshot[/]")
    if cases is not None:
        outcomes = run_cases(r, cases, now=when)
        failed_cases = sum(1 for o in outcomes if not o.ok)
        out["cases"] = {"file": str(cases), "passed": len(outcomes) - failed_cases, "failed": failed_cases, "results": [o.to_dict() for o in outcomes]}
        if fmt == "table":
            t = Table(title=f"{r.id} cases from {cases.name}: {len(outcomes) - failed_cases} of {len(outcomes)} as expected", title_justify="left")
            for col in ("#", "case", "expect", "got", ""):
                t.add_column(col)
            for o in outcomes:
                t.add_row(str(o.index), o.name, o.expect, o.got, "[green]ok[/]" if o.ok else "[red]MISMATCH[/]")
            con.print(t)
    if fmt == "json":
        emit_json(out)
    if failed_cases:
        console(err=True).print(f"[red]{failed_cases} case(s) did not give the expected status (exit 1)[/]")
        raise exit_with(EXIT_FAILED)
