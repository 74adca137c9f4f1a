"""`mamori` — the entry point. Subcommands live in one module each.

Subcommands are imported lazily (`mamori.cli.lazy`): `mamori --help` and the pre-commit
secrets gate load only what they use. Exit codes are defined in `mamori.cli.exits`.
"""

from __future__ import annotations

import gc
import os
import sys
import traceback

import click

from mamori import __version__
from mamori.cli import lazy
from mamori.cli.exits import EXIT_OK, EXIT_RUNTIME, EXIT_USAGE, ExitCode, code_for
from mamori.cli.lazy import Lazy, LazyGroup
from mamori.errors import MamoriError

# Every subcommand, imported only when it runs; the line is what `mamori --help` shows
# (tests/cli/test_lazy_cli.py checks it equals the command's own help).
COMMANDS: dict[str, Lazy] = {
    "access": Lazy("mamori.cli.access:access",
                   "Just-in-time production access: request, approve, grant, revoke, expire; break-glass."),
    "attest": Lazy("mamori.cli.attest:attest",
                   "Attest a control no rule can check: who vouches, with what evidence, until when."),
    "beat": Lazy("mamori.cli.fleet:beat",
                 "Celery beat: enqueue the schedules of mamori.yaml (scan, notify, keys, suppressions) for the workers."),
    "audit": Lazy("mamori.cli.audit:audit_cmd",
                  "The audit log: every plan, apply, rollback, exemption and notification, hash-chained."),
    "collect": Lazy("mamori.cli.scan:collect",
                    "Collect the estate into a snapshot file, for offline scans (`mamori scan --snapshot`)."),
    "db": Lazy("mamori.cli.db:db", "The advisory cache: OSV, CISA KEV and FIRST EPSS for `mamori gate deps`."),
    "demo": Lazy("mamori.cli.demo:demo",
                 "Scan an emulated AWS estate (moto): two accounts, two regions, no account needed."),
    "engage": Lazy("mamori.cli.engage:engage",
                   "Security engagement: a questionnaire that turns a design into tracked security tasks."),
    "events": Lazy("mamori.cli.events:events",
                   "Event-driven guardrails: CloudTrail -> detections -> responses, recorded."),
    "findings": Lazy("mamori.cli.findings:findings",
                     "List, inspect, suppress, import, export and notify findings."),
    "gate": Lazy("mamori.cli.gate:gate", "Shift-left gates for CI pipelines and pre-commit hooks."),
    "guardrails": Lazy("mamori.cli.guardrails:guardrails",
                       "Guardrails: remediation actions and modes, SCPs and detective guardrails across the organization."),
    "keys": Lazy("mamori.cli.keys:keys", "Access keys: inventory, lifecycle enforcement, leaked-key response."),
    "logs": Lazy("mamori.cli.logs:logs", "CloudTrail log analytics: ingest archives, then ask incident questions."),
    "remediate": Lazy("mamori.cli.remediate:remediate",
                      "Fix findings safely: plan (reads only), apply (verified, recorded), roll back."),
    "report": Lazy("mamori.cli.html_report:report", "Reports to share: `mamori report html -o report.html`."),
    "runbook": Lazy("mamori.cli.runbook:runbook",
                    "Reviewed runbooks: add, approve (pins the SHA-256), run under an active grant."),
    "rules": Lazy("mamori.cli.rules:rules",
                  "The rule library: what is checked, how severe, which controls it covers."),
    "scan": Lazy("mamori.cli.scan:scan",
                 "Assess AWS accounts (or GCP projects from CAI exports): collect once, evaluate every rule, record findings."),
    "scans": Lazy("mamori.cli.scans:scans",
                  "Past scans: when, what, errors, and what changed since the one before."),
    "serve": Lazy("mamori.cli.serve:serve",
                  "The web dashboard and REST API: findings, standards, scans, events, teams, audit."),
    "standards": Lazy("mamori.cli.standards:standards",
                      "The standards as code: Cloud Security Baseline, CIS AWS v3.0, AWS FSBP, CIS GCP v3.0."),
    "tokens": Lazy("mamori.cli.users:tokens", "API tokens for `mamori serve` (Authorization: Bearer mmr_...)."),
    "users": Lazy("mamori.cli.users:users", "Users of `mamori serve`: roles, account groups, passwords."),
    "worker": Lazy("mamori.cli.fleet:worker",
                   "A Celery worker that runs shards of distributed scans (`mamori scan --broker`)."),
}  # fmt: skip


@click.group(
    cls=LazyGroup,
    lazy=COMMANDS,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@click.version_option(__version__, prog_name="mamori")
@click.option(
    "--debug",
    is_flag=True,
    expose_value=False,
    help="On an internal error, print the traceback [env: MAMORI_DEBUG=1].",
)
def cli() -> None:
    """mamori (守り) — guardrails for AWS organisations.

    \b
    Start here:
      mamori demo                       scan an emulated AWS estate (no account needed)
      mamori scan --profile prod        scan a real account, all enabled regions
      mamori findings list --status open
      mamori rules list
      mamori serve                      the dashboard and API (after `mamori users add`)

    Exit codes: 0 ok, 1 gate/threshold failed, 2 bad input or usage, 3 runtime failure
    or internal error (rerun with --debug for the traceback).
    """


def _debug_requested(args: list[str]) -> bool:
    """``--debug`` given before the subcommand (where the group reads it), or ``MAMORI_DEBUG=1``."""
    if os.environ.get("MAMORI_DEBUG", "").strip().lower() in ("1", "true", "yes", "on"):
        return True
    for arg in args:
        if arg == "--debug":
            return True
        if not arg.startswith("-"):  # the subcommand: its own options are not ours
            return False
    return False


def _internal_error(exc: BaseException, debug: bool) -> None:
    """One line naming the exception (no traceback unless asked), then exit 3.

    CI reads exit 1 as "the gate failed"; a bug in mamori is not a verdict on the input.
    """
    if debug:
        traceback.print_exception(exc, file=sys.stderr)
    first = (str(exc).strip().splitlines() or [""])[0]
    if len(first) > 200:
        first = first[:200] + "..."
    detail = f"{type(exc).__name__}: {first}" if first else type(exc).__name__
    hint = "" if debug else " (rerun with --debug for the traceback)"
    click.secho(f"internal error: {detail}{hint}", fg="red", err=True)
    sys.exit(EXIT_RUNTIME)


def main(argv: list[str] | None = None) -> None:
    debug = _debug_requested(sys.argv[1:] if argv is None else argv)
    try:
        rv = cli.main(args=argv, prog_name="mamori", standalone_mode=False)
        if isinstance(rv, int) and rv:
            sys.exit(rv)  # click returns the code of a `click.exceptions.Exit` here
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        sys.exit(EXIT_RUNTIME)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.ClickException as exc:
        exc.show()
        sys.exit(EXIT_USAGE)
    except MamoriError as exc:
        click.secho(f"error: {exc}", fg="red", err=True)
        sys.exit(code_for(exc))
    except KeyboardInterrupt:
        click.echo("interrupted", err=True)
        sys.exit(ExitCode.INTERRUPTED)
    except Exception as exc:  # the last line of defence: an internal error is exit 3, not 1
        _internal_error(exc, debug)
    sys.exit(EXIT_OK)


def run() -> None:
    """The `mamori` program: :func:`main` with the subcommand's modules frozen once imported
    (:data:`mamori.cli.lazy.freeze_after_import`), then an exit that skips the interpreter's
    last collection over every object still alive (0.1-0.2 s after a replay or a large scan).

    Nothing is lost by it: the store's connections are closed here first, and at exit the
    interpreter still runs ``atexit`` handlers and clears every module; only the final
    cyclic-garbage pass is spared. Not part of :func:`main`, which tests call in-process.
    """
    lazy.freeze_after_import = True
    try:
        main()
    finally:
        db = sys.modules.get("mamori.store.db")  # only when a command opened the store
        if db is not None:
            db.close_all()
        gc.freeze()


if __name__ == "__main__":  # pragma: no cover
    run()
