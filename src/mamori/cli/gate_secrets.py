"""`mamori gate secrets` and `mamori gate install-hook` (issue: secret-scanning gate).

Exit codes: 0 clean, 1 secrets found, 2 bad input or usage, 3 git failed.
The hook runs this module directly (``python -m mamori.cli.gate_secrets --staged``) so a
commit does not pay for importing the whole CLI.
"""

from __future__ import annotations

from pathlib import Path

import click

from mamori.cli.exits import EXIT_FAILED, exit_with, fail
from mamori.errors import MamoriError


@click.command("secrets")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--staged", is_flag=True, help="Scan what is about to be committed (lines the commit adds).")
@click.option("--history", is_flag=True, help="Scan every commit reachable from any ref of the repository.")
@click.option("--since", metavar="REV", help="With --history: only commits not reachable from REV.")
@click.option(
    "-o", "--output", "fmt", type=click.Choice(["text", "json", "sarif"]), default="text", show_default=True
)
@click.option("--output-file", type=click.Path(path_type=Path, dir_okay=False), help="Write the report here.")
@click.option("--config", "config_path", type=click.Path(path_type=Path, dir_okay=False),
              help="Config file: .mamori-secrets.yaml, or a gitleaks .gitleaks.toml "
                   "(default: either or both at the repository root or PATH).")  # fmt: skip
@click.option("--baseline", "baseline_path", type=click.Path(path_type=Path, dir_okay=False),
              help="Baseline of known fingerprints (default: .mamori-secrets-baseline.json if present).")  # fmt: skip
@click.option("--update-baseline", "write_baseline", type=click.Path(path_type=Path, dir_okay=False),
              help="Record every current finding in this baseline file and exit 0.")  # fmt: skip
@click.option("--engine", type=click.Choice(["auto", "hyperscan", "re2", "re"]), default=None,
              help="Keyword prefilter backend (default: auto).")  # fmt: skip
@click.option("--verify", is_flag=True, help="Check AWS key pairs with STS GetCallerIdentity (sends them!).")
@click.option("--endpoint-url", metavar="URL", help="STS endpoint for --verify.")
@click.option("--region", default="us-east-1", show_default=True, help="STS region for --verify.")
@click.option("--list-detectors", is_flag=True, help="List the detectors and exit.")
@click.option("--jobs", type=click.IntRange(min=1), default=None,
              help="Worker processes for a large tree (default: the CPUs; MAMORI_SECRETS_JOBS).")  # fmt: skip
def secrets(
    paths: tuple[Path, ...],
    staged: bool,
    history: bool,
    since: str | None,
    fmt: str,
    output_file: Path | None,
    config_path: Path | None,
    baseline_path: Path | None,
    write_baseline: Path | None,
    engine: str | None,
    verify: bool,
    endpoint_url: str | None,
    region: str,
    list_detectors: bool,
    jobs: int | None,
) -> None:
    """Block credentials before they ship: scan a tree, the staged changes or the whole history.

    \b
      mamori gate secrets                   the working tree (.gitignore respected)
      mamori gate secrets --staged          what `git commit` is about to record
      mamori gate secrets --history         every commit; --since origin/main for new ones
      mamori gate secrets -o sarif --output-file secrets.sarif

    Secrets are always redacted. Exit 1 when something is found.
    """
    from mamori.gate.secrets.report import ReportContext, render
    from mamori.gate.secrets.service import Mode, SecretsRequest, resolve, run_secrets_gate

    if staged and history:
        raise click.UsageError("--staged and --history are different scans; pick one")
    if (staged or history) and len(paths) > 1:
        raise click.UsageError("--staged and --history take at most one PATH: the repository")
    if since and not history:
        raise click.UsageError("--since needs --history")
    if endpoint_url and not verify:
        raise click.UsageError("--endpoint-url needs --verify")
    request = SecretsRequest(
        paths=paths,
        mode=Mode.STAGED if staged else Mode.HISTORY if history else Mode.PATHS,
        since=since,
        config_path=config_path,
        baseline_path=baseline_path,
        ignore_baseline=write_baseline is not None,
        engine=engine,
        verify=verify,
        endpoint_url=endpoint_url,
        region=region,
        jobs=jobs,
    )
    try:
        if list_detectors:
            resolved = resolve(request)
            for d in resolved.detectors():
                click.echo(f"{d.id:<28} {d.severity.value:<9} {d.title}")
            _not_honoured(resolved.config.gitleaks.skipped if resolved.config.gitleaks else ())
            return
        outcome = run_secrets_gate(request)
    except MamoriError as exc:
        raise fail(exc) from None
    _not_honoured(outcome.not_honoured)

    result = outcome.result
    if write_baseline is not None:
        doc, n = outcome.baseline_document()
        write_baseline.write_text(doc, encoding="utf-8")
        click.echo(f"baseline: {n} fingerprint(s) written to {write_baseline}")
        return

    ctx = ReportContext(
        detectors=outcome.detectors,
        mode=outcome.mode.value,
        config_path=str(outcome.config_file) if outcome.config_file and outcome.config_file.suffix != ".toml" else None,
        baseline_hint=str(baseline_path or ".mamori-secrets-baseline.json"),
    )
    report = render(fmt, result, ctx)
    if output_file is not None:
        output_file.write_text(report, encoding="utf-8")
        n = len(result.findings)
        click.echo(f"mamori gate secrets: {n} finding(s); {fmt} report written to {output_file}", err=True)
    else:
        click.echo(report, nl=False)
    if result.findings:
        raise exit_with(EXIT_FAILED)


def _not_honoured(items: tuple[str, ...]) -> None:
    """gitleaks rules and allowlists mamori cannot use: said on stderr, never dropped silently."""
    for item in items:
        click.echo(f"mamori gate secrets: gitleaks config: not used: {item}", err=True)


@click.command("install-hook")
@click.option("--repo", type=click.Path(path_type=Path, file_okay=False), default=Path("."), show_default=True)
@click.option("--force", is_flag=True, help="Replace an existing pre-commit hook.")
def install_hook(repo: Path, force: bool) -> None:
    """Install a plain git pre-commit hook that runs `mamori gate secrets --staged`."""
    from mamori.gate.secrets.hook import install_hook as install

    try:
        target = install(repo, force=force)
    except MamoriError as exc:
        raise fail(exc) from None
    click.echo(f"installed {target}: commits that add a secret will be refused")


COMMANDS: list[click.Command] = [secrets, install_hook]


if __name__ == "__main__":  # the git hook's entry point
    secrets.main(prog_name="mamori gate secrets")
