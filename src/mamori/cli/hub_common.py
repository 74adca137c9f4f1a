"""Helpers shared by the findings-hub commands: open the store with suppressions applied, who acts."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click

from mamori.cli.common import F, open_store
from mamori.config import Config
from mamori.findings import Store
from mamori.hub.suppfile import load_suppressions_file


def suppressions_option(f: F) -> F:
    return click.option(
        "--suppressions", "suppressions_path", type=click.Path(dir_okay=False), default=None, metavar="FILE",
        help="Suppressions file (default: suppressions_file in mamori.yaml).",
    )(f)  # fmt: skip


def hub_store(db: str | None, cfg: Config, suppressions_path: str | None = None, *, who: str = "cli") -> tuple[Store, dict[str, Any]]:
    """Open the store, sync the suppressions file (if any) and evaluate expiry. Returns the store and what changed."""
    store = open_store(db, cfg)
    path = Path(suppressions_path) if suppressions_path else cfg.suppressions_file
    now = datetime.now(UTC)
    if path is not None:
        if suppressions_path and not path.exists():
            raise click.BadParameter(f"{path}: no such file", param_hint="--suppressions")
        if path.exists():
            items = load_suppressions_file(path, now=now)
            changes: dict[str, Any] = dict(store.sync_suppressions(f"file:{path.name}", items, actor=who, now=now))
            changes["file"] = str(path)
            changes["expired_entries"] = [s.id for s in items if not s.active(now)]
            return store, changes
    return store, {"reopened": store.refresh(actor=who, now=now)}
