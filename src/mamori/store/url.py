"""Where the store is: the one place that resolves its URL. Pure: creates nothing, imports nothing heavy.

``--db`` (explicit), else ``db:`` in ``mamori.yaml`` (configured), else ``$MAMORI_DB``,
else ``./.mamori/mamori.db``. A path becomes a SQLite URL; ``postgresql://`` becomes
``postgresql+psycopg://`` (the driver mamori ships with).
"""

from __future__ import annotations

import os
from pathlib import Path

DEFAULT_PATH = Path(".mamori") / "mamori.db"
ENV = "MAMORI_DB"
_SQLITE = "sqlite:///"


def given(explicit: str | None = None, configured: str | None = None) -> str:
    """The store as given: ``--db``, the config file's ``db:``, ``$MAMORI_DB`` or the default, first given wins."""
    return explicit or configured or os.environ.get(ENV) or str(DEFAULT_PATH)


def store_url(explicit: str | None = None, configured: str | None = None) -> str:
    """The store's URL (see :func:`given`); a path becomes a SQLite URL."""
    raw = given(explicit, configured)
    if "://" in raw:
        if raw.startswith("postgresql://"):
            raw = "postgresql+psycopg://" + raw[len("postgresql://") :]
        return raw
    return f"{_SQLITE}{Path(raw).expanduser()}"


def sqlite_path(url: str) -> Path | None:
    """The file of a SQLite URL (None for another database or an in-memory one)."""
    if not url.startswith(_SQLITE):
        return None
    rest = url[len(_SQLITE) :]
    return Path(rest) if rest and rest != ":memory:" else None


def existing_store(explicit: str | None = None, configured: str | None = None) -> str | None:
    """The store's URL when the store already exists (a server database is assumed to), else None."""
    url = store_url(explicit, configured)
    path = sqlite_path(url)
    if path is None:
        return url
    return url if path.exists() else None
