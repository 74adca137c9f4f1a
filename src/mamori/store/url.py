"""Where the store is: the one place that resolves its URL. Pure: creates nothing, imports nothing heavy.

``--db`` (explicit), else ``db:`` in ``mamori.yaml`` (configured), else ``$MAMORI_DB``,
else ``./.mamori/mamori.db``. A path becomes a SQLite URL; ``postgresql://`` and ``postgres://``
become ``postgresql+psycopg://`` (the driver mamori ships with). Only mamori's own folder
(``.mamori``, as in the default ``./.mamori/mamori.db``) is ever created: a store given in
any other folder that does not exist is a typo, refused by :func:`check_folder`.
"""

from __future__ import annotations

import os
from pathlib import Path

from mamori.errors import InputError

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
        for alias in ("postgresql://", "postgres://"):
            if raw.startswith(alias):
                raw = "postgresql+psycopg://" + raw[len(alias) :]
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


def check_folder(explicit: str | None = None, configured: str | None = None) -> Path | None:
    """The folder to create for the store (only a ``.mamori`` folder, as in the default), else None.

    Raises :class:`InputError` when a store given by ``--db``, ``db:`` or ``$MAMORI_DB`` is a
    SQLite file in a folder that does not exist: opening it would create an empty store
    somewhere nobody meant (``--db /typo/m.db`` would report "no findings").
    """
    raw = given(explicit, configured)
    path = sqlite_path(store_url(explicit, configured))
    if path is None or path.parent.is_dir():
        return None
    if path.parent.name == DEFAULT_PATH.parent.name and path.parent.parent.is_dir():
        return path.parent  # mamori's own folder (``.mamori``) in a folder that exists
    by = "--db" if explicit else "db: in the config file" if configured else f"${ENV}"
    raise InputError(f"the store {raw} (from {by}) is in a folder that does not exist: {path.parent}; create it or fix the path")
