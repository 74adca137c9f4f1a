"""`mamori gate secrets` and `mamori gate install-hook` (issue: secret-scanning gate)."""

from __future__ import annotations

import click

COMMANDS: list[click.Command] = []
