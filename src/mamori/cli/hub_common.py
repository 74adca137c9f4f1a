"""Helpers shared by the findings-hub commands: open the store with suppressions applied, who acts."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from mamori.cli.common import F
from mamori.config import Config
from mamori.findings import Store
from mamori.hub.sync import HubRequest, open_hub


def suppressions_option(f: F) -> F:
    return click.option(
        "--suppressions", "suppressions_path", type=click.Path(dir_okay=False), default=None, metavar="FILE",
        help="Suppressions file (default: suppressions_file in mamori.yaml).",
    )(f)  # fmt: skip


def hub_store(db: str | None, cfg: Config, suppressions_path: str | None = None, *, who: str = "cli") -> tuple[Store, dict[str, Any]]:
    """Open the store with the suppressions file applied (`mamori.hub.sync`). Returns the store and what changed."""
    path = Path(suppressions_path) if suppressions_path else cfg.suppressions_file
    if suppressions_path and path is not None and not path.exists():
        raise click.BadParameter(f"{path}: no such file", param_hint="--suppressions")
    store, result = open_hub(HubRequest(db or cfg.db, path, required=bool(suppressions_path), actor=who))
    return store, result.as_dict()
