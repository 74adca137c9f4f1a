"""Open the store: create the engine, run migrations, take the write lock.

SQLite (a file under ``./.mamori/`` or ``$MAMORI_DB``) is the embedded default;
PostgreSQL is chosen by URL (``postgresql+psycopg://user@host/db``).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.exc import SQLAlchemyError

from mamori.errors import StoreError
from mamori.store.url import check_folder, store_url

MIGRATIONS = Path(__file__).parent / "migrations"
_LOCK_KEY = 0x6D616D6F  # "mamo": the advisory lock every writer of the store takes
_migrate_lock = threading.Lock()


def _prepare(url: str | None, configured: str | None) -> str:
    """The resolved URL (see :func:`mamori.store.url.store_url`); only the default folder is created."""
    folder = check_folder(url, configured)
    if folder is not None:
        folder.mkdir(parents=True, exist_ok=True)
    return store_url(url, configured)


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    dbapi_conn.isolation_level = None  # we emit BEGIN ourselves (see _sqlite_begin)
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.close()


def _sqlite_begin(conn: Connection) -> None:
    # IMMEDIATE takes the write lock at BEGIN, so two scans serialise instead of failing
    # with "database is locked" half-way through.
    conn.exec_driver_sql("BEGIN IMMEDIATE")


def make_engine(url: str | None = None, configured: str | None = None) -> Engine:
    """An engine on the store given by ``--db`` (``url``), else the config file's ``db:``, else ``$MAMORI_DB``, else the default."""
    resolved = _prepare(url, configured)
    try:
        if resolved.startswith("sqlite"):
            engine = create_engine(resolved, connect_args={"timeout": 30, "check_same_thread": False})
            event.listen(engine, "connect", _sqlite_pragmas)
            event.listen(engine, "begin", _sqlite_begin)
        else:
            engine = create_engine(resolved, pool_pre_ping=True)
    except (SQLAlchemyError, ImportError, ValueError) as exc:
        raise StoreError(f"cannot open the store at {redact(resolved)}: {exc}") from exc
    return engine


def redact(url: str) -> str:
    """A URL without its password, for messages."""
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        creds, host = rest.rsplit("@", 1)
        user = creds.split(":", 1)[0]
        return f"{scheme}://{user}:***@{host}" if ":" in creds else url
    return url


def head_revisions() -> set[str]:
    """The newest revision of every migration branch.

    Each subsystem (findings, gates, events, remediation, ...) keeps its own branch
    starting from ``0001_initial``, so they evolve independently; ``upgrade heads``
    applies them all.
    """
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return set(ScriptDirectory.from_config(cfg).get_heads())


def current_revisions(conn: Connection) -> set[str]:
    return set(MigrationContext.configure(conn).get_current_heads())


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest revision (no-op when it is there already)."""
    with _migrate_lock:
        try:
            with engine.connect() as conn:
                current = current_revisions(conn)
            if current == head_revisions():
                return
            with engine.begin() as conn:
                if conn.dialect.name == "postgresql":
                    conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _LOCK_KEY + 1})
                cfg = Config()
                cfg.set_main_option("script_location", str(MIGRATIONS))
                cfg.attributes["connection"] = conn
                command.upgrade(cfg, "heads")
        except SQLAlchemyError as exc:
            raise StoreError(f"cannot migrate the store at {redact(str(engine.url))}: {exc}") from exc


@contextmanager
def write_transaction(engine: Engine) -> Iterator[Connection]:
    """A transaction that holds the store's write lock until it commits or rolls back."""
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _LOCK_KEY})
        yield conn
