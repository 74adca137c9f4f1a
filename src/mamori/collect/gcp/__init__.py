"""Google Cloud posture from Cloud Asset Inventory exports (docs/gcp.md): read, join, build typed resources."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from mamori.collect.gcp.build import ASSET_TYPES, READ_TYPES, build_inventory
from mamori.collect.gcp.reader import Export, read_export
from mamori.model.resource import Inventory


def read_gcp_assets(paths: list[Path], collected_at: datetime | None = None) -> Inventory:
    """The inventory of one or more CAI export files (joined by asset name)."""
    return build_inventory(read_export(paths, READ_TYPES), collected_at)


__all__ = ["ASSET_TYPES", "Export", "build_inventory", "read_export", "read_gcp_assets"]
