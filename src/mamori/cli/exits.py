"""mamori's exit codes, defined once, and the one place an error becomes one.

0  success, nothing at or above the --fail-on threshold
1  the gate or threshold failed (findings, blocked dependencies, secrets)
2  bad input or usage: a malformed file, an unknown region, profile or option
3  a runtime failure: the store, the cloud or the network; or an internal error (an
   exception mamori did not expect: one line on stderr, the traceback with --debug)
"""

from __future__ import annotations

from enum import IntEnum

import click

from mamori.errors import InputError, MamoriError, ScopeError


class ExitCode(IntEnum):
    OK = 0
    FAILED = 1
    USAGE = 2
    RUNTIME = 3
    INTERRUPTED = 130


EXIT_OK = ExitCode.OK
EXIT_FAILED = ExitCode.FAILED
EXIT_USAGE = ExitCode.USAGE
EXIT_RUNTIME = ExitCode.RUNTIME


def code_for(exc: MamoriError) -> ExitCode:
    """Bad input or scope is the caller's to fix (2); anything else failed at run time (3)."""
    return EXIT_USAGE if isinstance(exc, (InputError, ScopeError)) else EXIT_RUNTIME


def fail(exc: MamoriError) -> click.exceptions.Exit:
    """Print a mamori error and return the exit to raise: `raise fail(exc) from None`."""
    click.secho(f"error: {exc}", fg="red", err=True)
    return click.exceptions.Exit(code_for(exc))


def exit_with(code: ExitCode) -> click.exceptions.Exit:
    """The exit to raise for a result that is not an error (a gate that failed, a threshold met)."""
    return click.exceptions.Exit(int(code))
