"""Open the findings store with the suppressions file applied: the step every hub command starts with.

The suppressions file (``suppressions_file`` in mamori.yaml, or one named by the caller) is
the source of truth for file-borne suppressions: opening the hub makes the store's copy equal
to it, applies new entries and reopens findings whose suppression expired. Without a file only
expiry runs. The CLI and a server call `open_hub` alike; nothing here prints.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from mamori.errors import ConfigError
from mamori.findings import Store
from mamori.hub.suppfile import load_suppressions_file


@dataclass(frozen=True)
class HubRequest:
    store_url: str | None  # None: the default store
    suppressions_file: Path | None = None
    required: bool = False  # the caller named the file: a missing file is an error, not "no file"
    actor: str = "cli"
    now: datetime | None = None


@dataclass(frozen=True)
class SyncResult:
    """What opening the hub changed: ids of suppressions and findings."""

    reopened: tuple[str, ...]
    file: str | None = None  # the suppressions file applied, if any
    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    suppressed: tuple[str, ...] = ()
    expired_entries: tuple[str, ...] = ()  # entries in the file that have expired

    def as_dict(self) -> dict[str, Any]:
        """The JSON shape of `mamori findings refresh -o json`."""
        if self.file is None:
            return {"reopened": list(self.reopened)}
        return {
            "added": list(self.added),
            "removed": list(self.removed),
            "suppressed": list(self.suppressed),
            "reopened": list(self.reopened),
            "file": self.file,
            "expired_entries": list(self.expired_entries),
        }


def open_hub(req: HubRequest) -> tuple[Store, SyncResult]:
    """Open the store, sync the suppressions file (if any) and evaluate expiry."""
    path = req.suppressions_file
    if path is not None and req.required and not path.exists():
        raise ConfigError("no such file", source=str(path))
    store = Store.open(req.store_url)
    return store, sync_hub(store, path, actor=req.actor, now=req.now)


def sync_hub(store: Store, path: Path | None, *, actor: str, now: datetime | None = None) -> SyncResult:
    """On an open store: sync the suppressions file (when it exists) and evaluate expiry (what open_hub does)."""
    now = now or datetime.now(UTC)
    if path is not None and path.exists():
        items = load_suppressions_file(path, now=now)
        changes = store.sync_suppressions(f"file:{path.name}", items, actor=actor, now=now)
        return SyncResult(
            reopened=tuple(changes["reopened"]),
            file=str(path),
            added=tuple(changes["added"]),
            removed=tuple(changes["removed"]),
            suppressed=tuple(changes["suppressed"]),
            expired_entries=tuple(s.id for s in items if not s.active(now)),
        )
    return SyncResult(reopened=tuple(store.refresh(actor=actor, now=now)))
