"""Snapshots: an inventory written to JSON (``mamori collect -o``) and read back offline.

Reading checks each resource's properties against the model of its type: a known property
with the wrong type is an error naming the resource; properties the model does not know
(a snapshot from another version) and types without a model are kept as they are, so a
snapshot read and written again is unchanged.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson

from mamori.errors import SnapshotError
from mamori.model.resource import Coverage, Inventory, Resource, ScanError
from mamori.model.resources import check_properties
from mamori.safeload import load_json

FORMAT = "mamori.snapshot/1"
MAX_SNAPSHOT_BYTES = 1024 * 1024 * 1024  # an organisation's estate; the depth and NUL checks still apply


def dump_inventory(inv: Inventory) -> bytes:
    doc = {
        "format": FORMAT,
        "collected_at": inv.collected_at.isoformat(),
        "source": inv.source,
        "coverage": sorted([c.account, c.region, c.resource_type] for c in inv.coverage),
        "errors": [e.to_dict() for e in inv.errors],
        "resources": [r.to_dict() for r in inv],
    }
    return orjson.dumps(doc, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS)


def write_snapshot(inv: Inventory, path: Path) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(dump_inventory(inv))
    tmp.replace(path)


def read_snapshot(path: Path) -> Inventory:
    src = str(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise SnapshotError(f"cannot read: {exc.strerror}", source=src) from exc
    # bounded (depth, NUL, NaN): a snapshot may come from anywhere
    doc: Any = load_json(data, source=src, max_bytes=MAX_SNAPSHOT_BYTES, error=SnapshotError)
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise SnapshotError(f"not a mamori snapshot (expected format {FORMAT!r})", source=src, where="format")
    try:
        collected = datetime.fromisoformat(doc["collected_at"])
    except (KeyError, TypeError, ValueError) as exc:
        raise SnapshotError("missing or invalid collected_at", source=src, where="collected_at") from exc
    if collected.tzinfo is None:  # mamori writes UTC; a hand-made snapshot without an offset means UTC too
        collected = collected.replace(tzinfo=UTC)
    inv = Inventory(collected_at=collected, source=f"snapshot:{path.name}")
    for i, item in enumerate(doc.get("resources") or []):
        try:
            resource = Resource.from_dict(item)
        except (KeyError, TypeError, AttributeError, ValueError) as exc:
            raise SnapshotError(f"invalid resource: {exc!r}", source=src, where=f"resources[{i}]") from exc
        try:
            check_properties(resource.type, resource.properties)
        except ValueError as exc:
            raise SnapshotError(f"{resource.type} {resource.id}: {exc}", source=src, where=f"resources[{i}]") from exc
        try:
            inv.add(resource)
        except ValueError as exc:
            raise SnapshotError(f"invalid resource: {exc!r}", source=src, where=f"resources[{i}]") from exc
    for i, item in enumerate(doc.get("errors") or []):
        try:
            inv.add_error(ScanError.from_dict(item))
        except (KeyError, TypeError, AttributeError) as exc:
            raise SnapshotError(f"invalid error entry: {exc!r}", source=src, where=f"errors[{i}]") from exc
    for i, item in enumerate(doc.get("coverage") or []):
        if not (isinstance(item, list) and len(item) == 3 and all(isinstance(x, str) for x in item)):
            raise SnapshotError("coverage entries are [account, region, type]", source=src, where=f"coverage[{i}]")
        inv.coverage.add(Coverage(*item))
    return inv
