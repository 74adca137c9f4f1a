"""Open the store: create the engine, run migrations, take the write lock.

SQLite (a file under ``./.mamori/`` or ``$MAMORI_DB``) is the embedded default;
PostgreSQL is chosen by URL (``postgresql+psycopg://user@host/db``).
"""

from __future__ import annotations

import ast
import re
import threading
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, inspect, text
from sqlalchemy.exc import SQLAlchemyError

from mamori.errors import StoreError
from mamori.store.url import check_folder, store_url

MIGRATIONS = Path(__file__).parent / "migrations"
_LOCK_KEY = 0x6D616D6F  # "mamo": the advisory lock every writer of the store takes
_migrate_lock = threading.Lock()
_engines: weakref.WeakSet[Engine] = weakref.WeakSet()


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
    _engines.add(engine)
    return engine


def close_all() -> None:
    """Close the pooled connections of every engine made here (at the program's exit: SQLite
    then folds its write-ahead log back into the database file)."""
    for engine in list(_engines):
        engine.dispose()


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
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return set(ScriptDirectory.from_config(cfg).get_heads())


_REVISION_LINE = re.compile(r"^(revision|down_revision)(?:\s*:[^=]*)?\s*=\s*(.+?)\s*$", re.M)


def script_heads() -> set[str]:
    """:func:`head_revisions` read from the scripts' ``revision`` and ``down_revision`` lines,
    without importing alembic (~0.08 s): a revision no other script descends from is a head.
    A test keeps the two equal. Read once per process (every store opened asks)."""
    return set(_script_heads())


@cache
def _script_heads() -> frozenset[str]:
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in (MIGRATIONS / "versions").glob("[0-9]*.py"):
        found = {m.group(1): m.group(2) for m in _REVISION_LINE.finditer(path.read_text(encoding="utf-8"))}
        revisions.add(ast.literal_eval(found["revision"]))
        down = ast.literal_eval(found.get("down_revision", "None"))
        parents.update((down,) if isinstance(down, str) else down or ())
    return frozenset(revisions - parents)


def current_revisions(conn: Connection) -> set[str]:
    from alembic.runtime.migration import MigrationContext

    return set(MigrationContext.configure(conn).get_current_heads())


def _stamped(conn: Connection) -> set[str]:
    """What ``alembic_version`` holds (nothing before the first migration), read with plain SQL."""
    if not inspect(conn).has_table("alembic_version"):
        return set()
    return {str(r[0]) for r in conn.execute(text("SELECT version_num FROM alembic_version"))}


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest revision (no-op when it is there already).

    A store already at the newest revision is recognised without alembic, which is imported
    only to migrate."""
    with _migrate_lock:
        try:
            with engine.connect() as conn:
                current = _stamped(conn)
            if current == script_heads():
                return
            from alembic import command
            from alembic.config import Config

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
