"""`mamori gate iac`: the rule library on Terraform, plan JSON and CloudFormation.

Exit codes: 0 nothing at or above --fail-on, 1 a FAIL at or above it, 2 unreadable input.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import click

from mamori.cli.exits import EXIT_FAILED, exit_with, fail
from mamori.errors import MamoriError


@click.command("iac")
@click.argument("path", type=click.Path(path_type=Path))
@click.option(
    "-o", "--output", "fmt", type=click.Choice(["table", "json", "sarif"]), default="table", show_default=True
)
@click.option("--output-file", type=click.Path(path_type=Path, dir_okay=False), help="Write the report here.")
@click.option("--include-pass", is_flag=True, help="List PASS results too.")
@click.option("--fail-on", default="low", show_default=True, metavar="SEVERITY",
              help="Exit 1 when a FAIL at or above this severity (info, low, medium, high, critical) exists.")  # fmt: skip
@click.option("--var-file", "var_files", multiple=True, type=click.Path(path_type=Path, dir_okay=False),
              help="Terraform .tfvars/.tfvars.json, or CloudFormation parameters (JSON/YAML). Repeatable.")  # fmt: skip
@click.option(
    "--compare-live",
    is_flag=True,
    help="With a plan: which findings of the latest stored scan the change fixes or adds.",
)
@click.option(
    "--db",
    default=None,
    metavar="URL|PATH",
    help="Store for --compare-live (default: $MAMORI_DB, then ./.mamori/mamori.db).",
)
def iac(path: Path, fmt: str, output_file: Path | None, include_pass: bool, fail_on: str, var_files: tuple[Path, ...],
        compare_live: bool, db: str | None) -> None:  # fmt: skip
    """Evaluate Terraform (.tf, plan JSON) and CloudFormation with the live rules.

    \b
      mamori gate iac infra/                      every root module and template under infra/
      mamori gate iac plan.json --compare-live    what the change fixes and adds vs the last scan
      mamori gate iac stack.yaml -o sarif --output-file iac.sarif

    Waive in code: `# mamori:ignore RULE reason="..." expires=YYYY-MM-DD` above a Terraform
    resource, or `Metadata: {mamori: {ignore: [{rule, reason, expires}]}}` in CloudFormation.
    """
    from mamori.gate.iac.output import render_json, render_sarif, render_text
    from mamori.gate.iac.service import IacRequest, run_iac_gate
    from mamori.model.finding import Severity

    try:
        sev = Severity.parse(fail_on)
    except (ValueError, KeyError) as exc:
        raise click.BadParameter(str(exc), param_hint="--fail-on") from None
    try:
        report = run_iac_gate(
            IacRequest(path=path, var_files=var_files, include_pass=include_pass, fail_on=sev)
        )
        compare = None
        if compare_live:
            from mamori.gate.iac.compare import compare_with_live

            compare = compare_with_live(path, var_files, db)
    except MamoriError as exc:
        raise fail(exc) from None
    if fmt == "json":
        out = render_json(report, compare)
    elif fmt == "sarif":
        out = render_sarif(report)
    else:
        width = 80 if output_file else shutil.get_terminal_size((80, 24)).columns
        out = render_text(report, width, compare)
    if output_file is not None:
        output_file.write_text(out, encoding="utf-8")
        click.echo(
            f"mamori gate iac: {len(report.blocking())} blocking finding(s); {fmt} report written to {output_file}",
            err=True,
        )
    else:
        click.echo(out, nl=False)
    if report.blocking():
        raise exit_with(EXIT_FAILED)
