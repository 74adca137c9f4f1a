"""`mamori gate` — the shift-left gates for CI and pre-commit."""

from __future__ import annotations

import click

from mamori.cli.lazy import Lazy, LazyGroup

# Imported only when run: `gate secrets --staged` in a pre-commit hook loads no store, no cloud SDK.
COMMANDS: dict[str, Lazy] = {
    "secrets": Lazy("mamori.cli.gate_secrets:secrets",
                    "Block credentials before they ship: scan a tree, the staged changes or the whole history."),
    "install-hook": Lazy("mamori.cli.gate_secrets:install_hook",
                         "Install a plain git pre-commit hook that runs `mamori gate secrets --staged`."),
    "deps": Lazy("mamori.cli.gate_deps:deps", "Block vulnerable dependencies now, or give them a fix-by date."),
    "image": Lazy("mamori.cli.gate_image:image",
                  "Scan a container image before it ships: OS and language packages, and secrets in every layer."),
    "iac": Lazy("mamori.cli.gate_iac:iac", "Evaluate Terraform (.tf, plan JSON) and CloudFormation with the live rules."),
    "stats": Lazy("mamori.cli.gate_deps:stats",
                  "How often each team's pipeline was blocked and why, and how long fixes take."),
}  # fmt: skip


@click.group(cls=LazyGroup, lazy=COMMANDS)
def gate() -> None:
    """Shift-left gates for CI pipelines and pre-commit hooks.

    \b
      mamori gate secrets [PATH]        block credentials before they ship
      mamori gate deps [PATH]           block vulnerable dependencies, or set a fix-by date
      mamori gate image PATH            a container image (docker save, OCI): packages and secrets
      mamori gate iac PATH              Terraform and CloudFormation against the live rules
      mamori gate stats                 how often each team's pipeline was blocked, and why
      mamori gate install-hook          install a plain git pre-commit hook
    """
