"""`mamori gate secrets` and `mamori gate install-hook` (issue: secret-scanning gate).

Exit codes: 0 clean, 1 secrets found, 2 bad input or usage, 3 git failed.
The hook runs this module directly (``python -m mamori.cli.gate_secrets --staged``) so a
commit does not pay for importing the whole CLI.
"""

from __future__ import annotations

import dataclasses
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
              help="Config file (default: .mamori-secrets.yaml at the repository root or PATH).")  # fmt: skip
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
) -> None:
    """Block credentials before they ship: scan a tree, the staged changes or the whole history.

    \b
      mamori gate secrets                   the working tree (.gitignore respected)
      mamori gate secrets --staged          what `git commit` is about to record
      mamori gate secrets --history         every commit; --since origin/main for new ones
      mamori gate secrets -o sarif --output-file secrets.sarif

    Secrets are always redacted. Exit 1 when something is found.
    """
    from mamori.gate.secrets import api, git, suppress
    from mamori.gate.secrets import verify as verify_mod
    from mamori.gate.secrets.config import load_config
    from mamori.gate.secrets.report import ReportContext, render

    if staged and history:
        raise click.UsageError("--staged and --history are different scans; pick one")
    if (staged or history) and len(paths) > 1:
        raise click.UsageError("--staged and --history take at most one PATH: the repository")
    if since and not history:
        raise click.UsageError("--since needs --history")
    if endpoint_url and not verify:
        raise click.UsageError("--endpoint-url needs --verify")
    try:
        anchor = paths[0] if paths else Path(".")
        top = git.toplevel(anchor.resolve() if anchor.exists() else Path("."))
        base = top or (anchor.resolve() if anchor.is_dir() else Path(".").resolve())
        config, cfg_file = load_config(config_path, base)
        if list_detectors:
            for d in sorted(config.active_detectors(), key=lambda d: d.id):
                click.echo(f"{d.id:<28} {d.severity.value:<9} {d.title}")
            return
        settings = api.Settings.from_config(
            config,
            base_dir=cfg_file.parent if cfg_file else base,
            engine=engine,
            baseline_path=baseline_path,
        )
        if write_baseline is not None:
            settings = dataclasses.replace(settings, baseline=frozenset())
        if staged:
            mode, result = "staged", api.scan_staged(anchor, settings)
        elif history:
            mode, result = "history", api.scan_history(anchor, settings, since)
        else:
            mode, result = "paths", api.scan_paths(list(paths) or [Path(".")], settings)
        if verify and result.findings:
            factory = verify_mod.sts_factory(endpoint_url, region)
            result = api.ScanResult(
                tuple(verify_mod.verify_aws(result.findings, factory)),
                result.suppressed,
                result.stats,
                result.expired_allowlist,
            )
    except MamoriError as exc:
        raise fail(exc) from None

    if write_baseline is not None:
        keep = [s.finding for s in result.suppressed if s.by.value != "inline"]
        write_baseline.write_text(suppress.baseline_document([*result.findings, *keep]), encoding="utf-8")
        click.echo(f"baseline: {len(result.findings) + len(keep)} fingerprint(s) written to {write_baseline}")
        return

    ctx = ReportContext(
        detectors=settings.detectors,
        mode=mode,
        config_path=str(cfg_file) if cfg_file else None,
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
