"""`mamori` — the entry point. Subcommands live in one module each.

Exit codes (stable, for CI):
    0  success, nothing at or above the --fail-on threshold
    1  the gate or threshold failed (findings, blocked dependencies, secrets)
    2  bad input or usage: a malformed file, an unknown region, profile or option
    3  a runtime failure: the store, the cloud or the network
"""

from __future__ import annotations

import sys

import click

from mamori import __version__
from mamori.errors import InputError, MamoriError, ScopeError

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_RUNTIME = 3


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="mamori")
def cli() -> None:
    """mamori (守り) — guardrails for AWS organisations.

    \b
    Start here:
      mamori demo                       scan an emulated AWS estate (no account needed)
      mamori scan --profile prod        scan a real account, all enabled regions
      mamori findings list --status open
      mamori rules list

    Exit codes: 0 ok, 1 gate/threshold failed, 2 bad input or usage, 3 runtime failure.
    """


def _register() -> None:
    from mamori.cli.attest import attest
    from mamori.cli.audit import audit_cmd
    from mamori.cli.demo import demo
    from mamori.cli.events import events
    from mamori.cli.findings import findings
    from mamori.cli.gate import gate
    from mamori.cli.guardrails import guardrails
    from mamori.cli.html_report import report
    from mamori.cli.keys import keys
    from mamori.cli.logs import logs
    from mamori.cli.remediate import remediate
    from mamori.cli.rules import rules
    from mamori.cli.scan import collect, scan
    from mamori.cli.scans import scans
    from mamori.cli.standards import standards

    for cmd in (scan, collect, findings, scans, rules, demo, gate, events, logs, remediate, guardrails, audit_cmd, keys, standards, attest, report):
        cli.add_command(cmd)


_register()


def main(argv: list[str] | None = None) -> None:
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
    except (InputError, ScopeError) as exc:
        click.secho(f"error: {exc}", fg="red", err=True)
        sys.exit(EXIT_USAGE)
    except MamoriError as exc:
        click.secho(f"error: {exc}", fg="red", err=True)
        sys.exit(EXIT_RUNTIME)
    except KeyboardInterrupt:
        click.echo("interrupted", err=True)
        sys.exit(130)
    sys.exit(EXIT_OK)


if __name__ == "__main__":  # pragma: no cover
    main()
