"""`mamori gate deps` and `mamori gate stats` (issue: software-assurance gate).

Exit codes of ``gate deps``: 0 nothing blocks, 1 a package is blocked (banned, known
exploited, over the severity threshold, or past its fix-by deadline), 2 bad input (a
lockfile, policy or data file that cannot be read: the audit is incomplete), 3 the store
or the OSV API failed.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import click

from mamori.cli.exits import ExitCode, exit_with, fail
from mamori.errors import MamoriError

FORMATS = ("table", "json", "sarif", "cyclonedx", "openvex")


def _parse_now(value: str | None) -> datetime:
    if not value:
        return datetime.now(UTC)
    try:
        dt = datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"not an ISO date or date-time: {value!r}", param_hint="--now") from None
    return dt.replace(tzinfo=UTC) if dt.tzinfo is None else dt.astimezone(UTC)


@click.command("deps")
@click.argument("path", default=".", type=click.Path(path_type=Path))
@click.option("-o", "--output", "fmt", type=click.Choice(FORMATS), default="table", show_default=True)
@click.option("--output-file", type=click.Path(path_type=Path, dir_okay=False), help="Write the report here.")
@click.option("--policy", "policy_path", type=click.Path(path_type=Path, dir_okay=False),
              help="Policy file (default: mamori-policy.yaml in PATH, else built-in defaults).")  # fmt: skip
@click.option("--osv-dir", type=click.Path(path_type=Path, file_okay=False), envvar="MAMORI_OSV_DIR",
              help="Offline OSV data: <dir>/<Ecosystem>/all.zip and/or *.json records [env: MAMORI_OSV_DIR].")  # fmt: skip
@click.option("--online", is_flag=True, help="Ask the OSV API (api.osv.dev) instead of offline data.")
@click.option(
    "--osv-api", default="https://api.osv.dev", show_default=True, help="OSV API base URL for --online."
)
@click.option(
    "--sample-data", is_flag=True, help="Use the shipped sample advisories and KEV entry (demos, tests)."
)
@click.option("--kev", "kev_path", type=click.Path(path_type=Path, dir_okay=False),
              help="CISA KEV catalogue (known_exploited_vulnerabilities.json) to block known-exploited CVEs.")  # fmt: skip
@click.option("--project", help="Project name (default: policy, git remote origin, or the directory name).")
@click.option("--team", help="Owning team, for `gate stats` [env: MAMORI_TEAM, or the policy's team].")
@click.option("--commit", help="Commit (default: git rev-parse HEAD, or GITHUB_SHA / CI_COMMIT_SHA / ...).")
@click.option("--db", help="Store URL or SQLite path (default: $MAMORI_DB, else ./.mamori/mamori.db).")
@click.option("--no-record", is_flag=True, help="Do not record this run (first-seen dates are still read).")
@click.option("--all", "show_all", is_flag=True, help="Table: list clean packages too.")
@click.option("--allow-include", "allow_include", multiple=True, type=click.Path(path_type=Path, file_okay=False),
              help="A directory outside PATH that -r/-c includes may read (repeatable; default: none).")  # fmt: skip
@click.option("--max-data-age", "max_data_age", type=click.FloatRange(min=0), default=7.0, show_default=True,
              envvar="MAMORI_MAX_DATA_AGE", help="Days after which the advisory cache is reported stale.")  # fmt: skip
@click.option("--inventory", "inventory_path", type=click.Path(path_type=Path, dir_okay=False),
              help="A mamori snapshot (`mamori collect -o`): where the code runs decides the exposure.")  # fmt: skip
@click.option("--runs-on", "runs_on", multiple=True,
              help="ARN, id, name or image digest (sha256:...) of where this code runs, in --inventory (repeatable).")  # fmt: skip
@click.option("--exposure", type=click.Choice(["small", "controlled", "open"]),
              help="SSVC exposure, overriding the inventory.")  # fmt: skip
@click.option("--impact", type=click.Choice(["low", "medium", "high", "very high"]),
              help="SSVC human impact, overriding the data-classification tags.")  # fmt: skip
@click.option("--vex", "vex_paths", multiple=True, type=click.Path(path_type=Path, dir_okay=False),
              help="OpenVEX or CycloneDX VEX document (repeatable): not_affected/fixed statements pass.")  # fmt: skip
@click.option("--now", "now_text", hidden=True, help="Evaluate as of this ISO date-time (testing).")
@click.pass_context
def deps(
    ctx: click.Context,
    path: Path,
    fmt: str,
    output_file: Path | None,
    policy_path: Path | None,
    osv_dir: Path | None,
    online: bool,
    osv_api: str,
    sample_data: bool,
    kev_path: Path | None,
    project: str | None,
    team: str | None,
    commit: str | None,
    db: str | None,
    no_record: bool,
    show_all: bool,
    allow_include: tuple[Path, ...],
    max_data_age: float,
    inventory_path: Path | None,
    runs_on: tuple[str, ...],
    exposure: str | None,
    impact: str | None,
    vex_paths: tuple[Path, ...],
    now_text: str | None,
) -> None:
    """Block vulnerable dependencies now, or give them a fix-by date.

    \b
      mamori gate deps                               the advisory cache (`mamori db update` fills it)
      mamori gate deps --osv-dir ~/osv               offline: OSV's <Ecosystem>/all.zip exports
      mamori gate deps --online --kev kev.json       ask api.osv.dev; block KEV-listed CVEs
      mamori gate deps -o sarif --output-file deps.sarif
      mamori gate deps --sample-data                 the shipped sample advisories (demo)

    Per package: BLOCK (why), FIX BY <date> (why), UNPINNED, or PASS, with the version to
    upgrade to. Exit 1 only when something blocks; 2 when an input cannot be read.
    """
    sources = sum(bool(x) for x in (osv_dir, online, sample_data))
    if sources > 1:
        raise click.UsageError("give one advisory source: --osv-dir DIR, --online, --sample-data, or none "
                               "for the advisory cache (`mamori db update`)")  # fmt: skip
    from mamori.gate.deps.service import DepsRequest, run_gate

    request = DepsRequest(
        path=path,
        now=_parse_now(now_text),
        osv_dir=osv_dir,
        online=online,
        sample_data=sample_data,
        osv_api=osv_api,
        osv_transport=(ctx.find_object(dict) or {}).get("osv_transport"),
        policy_path=policy_path,
        kev_path=kev_path,
        project=project,
        team=team,
        commit=commit,
        db=db,
        record=not no_record,
        allow_include=allow_include,
        max_data_age_days=max_data_age,
        inventory_path=inventory_path,
        runs_on=runs_on,
        exposure=exposure,
        impact=impact,
        vex_paths=vex_paths,
    )
    try:
        report = run_gate(request).report
    except MamoriError as exc:
        raise fail(exc) from None
    from mamori.gate.deps.output import FORMATS as REGISTRY
    from mamori.gate.deps.output.table import TableFormat

    text = (
        TableFormat(all_packages=show_all).render(report)
        if fmt == "table"
        else REGISTRY.get(fmt).render(report)
    )
    if output_file is not None:
        output_file.write_text(text, encoding="utf-8")
        c = report.counts()
        click.echo(f"wrote {output_file}: {c['BLOCK']} BLOCK, {c['FIX_BY']} FIX BY, {c['UNPINNED']} UNPINNED, "
                   f"{c['PASS']} PASS (exit {report.exit_code})", err=True)  # fmt: skip
    else:
        click.echo(text, nl=False)
    if report.exit_code:
        raise exit_with(ExitCode(report.exit_code))


@click.command("stats")
@click.option("--db", help="Store URL or SQLite path (default: $MAMORI_DB, else ./.mamori/mamori.db).")
@click.option("--team", help="Only this team.")
@click.option("--project", help="Only this project.")
@click.option("--since", "since_days", type=click.IntRange(min=1), help="Only runs of the last N days.")
@click.option(
    "-o", "--output", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True
)
@click.option("--now", "now_text", hidden=True, help="Evaluate as of this ISO date-time (testing).")
def stats(db: str | None, team: str | None, project: str | None, since_days: int | None, fmt: str,
          now_text: str | None) -> None:  # fmt: skip
    """How often each team's pipeline was blocked and why, and how long fixes take.

    \b
      mamori gate stats                      every team, all time
      mamori gate stats --since 30 -o json   the last 30 days, for a dashboard
    """
    import json

    from mamori.gate.deps.service import StatsRequest, gate_stats

    now = _parse_now(now_text)
    since = now - timedelta(days=since_days) if since_days else None
    try:
        rows = gate_stats(StatsRequest(now=now, since=since, team=team, project=project, db=db))
    except MamoriError as exc:
        raise fail(exc) from None
    if fmt == "json":
        click.echo(json.dumps({"since": since.isoformat() if since else None, "teams": [r.to_dict() for r in rows]},
                              indent=2))  # fmt: skip
        return
    if not rows:
        click.echo("no gate runs recorded yet (run `mamori gate deps` in a pipeline first)")
        return
    header = f"{'team':<20} {'runs':>5} {'blocked':>8} {'rate':>6}  {'fixed':>5} {'median d':>9} {'mean d':>7} " \
             f"{'open':>5} {'overdue':>8}  why blocked"  # fmt: skip
    click.echo(header)
    for r in rows:
        why = ", ".join(f"{k} {v}" for k, v in r.reasons.items()) or "-"
        med = "-" if r.median_days_to_fix is None else f"{r.median_days_to_fix:.1f}"
        mean = "-" if r.mean_days_to_fix is None else f"{r.mean_days_to_fix:.1f}"
        click.echo(f"{r.team[:20]:<20} {r.runs:>5} {r.blocked:>8} {r.block_rate:>6.0%}  {r.fixed:>5} {med:>9} "
                   f"{mean:>7} {r.open:>5} {r.overdue:>8}  {why}")  # fmt: skip
    for r in rows:
        if r.top_blockers:
            tops = ", ".join(f"{p} ({n})" for p, n in r.top_blockers)
            click.echo(f"{r.team}: most blocking packages: {tops}")
