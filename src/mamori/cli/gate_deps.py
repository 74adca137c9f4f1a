"""`mamori gate deps` and `mamori gate stats` (issue: software-assurance gate)."""

from __future__ import annotations

import click

COMMANDS: list[click.Command] = []
