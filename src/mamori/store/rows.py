"""Row helpers for any table: chunking under the bound-parameter limit, JSON-safe values, bulk insert/upsert."""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any

import orjson
from sqlalchemy import JSON, Connection, Table
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

CHUNK = 900  # stays under SQLite's bound-parameter limit


def chunks(seq: Sequence[Any], n: int = CHUNK) -> Iterator[Sequence[Any]]:
    for i in range(0, len(seq), n):
        yield seq[i : i + n]


def jsonable(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [jsonable(v) for v in value]
    return value


def bulk_insert(conn: Connection, table: Table, rows: Sequence[dict[str, Any]], *, update: Sequence[str] = ()) -> None:
    """Insert many rows without per-row round trips; with ``update``, an upsert on the primary key.

    PostgreSQL: ``COPY`` into the table (or, for an upsert, into a temporary table and then
    one ``INSERT ... SELECT ... ON CONFLICT DO UPDATE``). SQLite: ``executemany`` of
    ``INSERT ... ON CONFLICT DO UPDATE`` (in-process, no round trips to save).
    """
    if not rows:
        return
    if conn.dialect.name == "postgresql":
        _pg_copy(conn, table, rows, update)
        return
    ins = sqlite_insert(table)
    pk = list(table.primary_key.columns)
    stmt: Any = ins.on_conflict_do_update(index_elements=pk, set_={c: ins.excluded[c] for c in update}) if update else ins
    conn.execute(stmt, list(rows))


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _pg_copy(conn: Connection, table: Table, rows: Sequence[dict[str, Any]], update: Sequence[str]) -> None:
    from psycopg.types.json import Jsonb

    cols = [c for c in table.columns if c.name in rows[0]]
    names = ", ".join(_q(c.name) for c in cols)
    is_json = [isinstance(c.type, JSON) for c in cols]
    raw: Any = conn.connection.driver_connection
    target = _q(table.name)
    with raw.cursor() as cur:
        if update:
            target = _q(f"_mamori_{uuid.uuid4().hex[:12]}")
            cur.execute(f"CREATE TEMP TABLE {target} (LIKE {_q(table.name)} INCLUDING DEFAULTS) ON COMMIT DROP")
        with cur.copy(f"COPY {target} ({names}) FROM STDIN") as cp:
            for r in rows:
                cp.write_row([Jsonb(r[c.name], dumps=_dumps) if j else r[c.name] for c, j in zip(cols, is_json, strict=True)])
        if update:
            pk = ", ".join(_q(c.name) for c in table.primary_key.columns)
            sets = ", ".join(f"{_q(c)} = EXCLUDED.{_q(c)}" for c in update)
            cur.execute(f"INSERT INTO {_q(table.name)} ({names}) SELECT {names} FROM {target} ON CONFLICT ({pk}) DO UPDATE SET {sets}")


def _dumps(value: Any) -> str:
    return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode()
