"""`mamori gate` — the shift-left gates for CI and pre-commit."""

from __future__ import annotations

import click


@click.group()
def gate() -> None:
    """Shift-left gates for CI pipelines and pre-commit hooks.

    \b
      mamori gate secrets [PATH]        block credentials before they ship
      mamori gate deps [PATH]           block vulnerable dependencies, or set a fix-by date
      mamori gate stats                 how often each team's pipeline was blocked, and why
      mamori gate install-hook          install a plain git pre-commit hook
    """


def _register() -> None:
    from mamori.cli import gate_deps, gate_secrets

    for cmd in (*gate_secrets.COMMANDS, *gate_deps.COMMANDS):
        gate.add_command(cmd)


_register()
