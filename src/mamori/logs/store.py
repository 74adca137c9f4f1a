"""The CloudTrail log store: an embedded DuckDB file (``.mamori/logs.duckdb``).

One table, ``events``, with the CloudTrail fields flattened (see :mod:`mamori.logs.flatten`)
and ``requestParameters`` / ``responseElements`` kept as JSON text. Ingest streams files
(orjson), stages each batch as NDJSON and inserts it in one statement, skipping eventIDs
already stored (re-ingesting a file adds nothing). Malformed input is reported, never
stored, and never stops the ingest.

Errors: :class:`LogStoreError` (a :class:`mamori.errors.StoreError`) when the database file
cannot be opened or written.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import orjson

from mamori.errors import StoreError
from mamori.events.reader import Malformed, ReadStats, read_paths
from mamori.logs.flatten import COLUMNS, NAMES, flatten

DEFAULT_PATH = Path(".mamori") / "logs.duckdb"


class LogStoreError(StoreError):
    """The log database cannot be opened or written."""


@dataclass
class IngestReport:
    """What an ingest did. ``repaired``: records stored with a field cut or a bad time dropped (file, eventID, what)."""

    stats: ReadStats = field(default_factory=ReadStats)
    inserted: int = 0
    duplicates: int = 0
    seconds: float = 0.0
    repaired_count: int = 0
    repaired: list[Malformed] = field(default_factory=list)

    def repair(self, source: str, event_id: Any, notes: list[str]) -> None:
        self.repaired_count += 1
        if len(self.repaired) < self.stats.keep:
            self.repaired.append(Malformed(source, f"eventID {str(event_id)[:100]}", "; ".join(notes)))

    def to_dict(self) -> dict[str, Any]:
        out = {**self.stats.to_dict(), "inserted": self.inserted, "duplicates": self.duplicates, "seconds": round(self.seconds, 3)}
        if self.repaired_count:
            out |= {"repaired": self.repaired_count, "repaired_items": [m.to_dict() for m in self.repaired]}
        return out


def _ddl() -> str:
    cols = ",\n  ".join(f"{n} {t}" for n, t in COLUMNS)
    return f"CREATE TABLE IF NOT EXISTS events (\n  {cols}\n)"


_STAGE_COLS = "{" + ", ".join(f"'{n}': '{'BOOLEAN' if t == 'BOOLEAN' else 'VARCHAR'}'" for n, t in COLUMNS) + "}"
_SELECT = ", ".join("TRY_CAST(event_time AS TIMESTAMP) AS event_time" if n == "event_time" else n for n in NAMES)


class LogStore:
    def __init__(self, path: str | Path | None = None, *, read_only: bool = False) -> None:
        raw = path or os.environ.get("MAMORI_LOGS_DB") or DEFAULT_PATH
        self.path = Path(raw)
        try:
            if not read_only:
                self.path.parent.mkdir(parents=True, exist_ok=True)
            self.con = duckdb.connect(str(self.path), read_only=read_only)
            if not read_only:
                self.con.execute(_ddl())
                for name, typ in COLUMNS:  # a store made by an older mamori: add the columns it lacks
                    self.con.execute(f"ALTER TABLE events ADD COLUMN IF NOT EXISTS {name} {typ}")
        except (duckdb.Error, OSError) as exc:
            raise LogStoreError(f"cannot open the log store {self.path}: {exc}") from exc

    def close(self) -> None:
        self.con.close()

    def __enter__(self) -> LogStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def columns(self) -> set[str]:
        return {r[0] for r in self.con.execute("SELECT column_name FROM information_schema.columns WHERE table_name = 'events'").fetchall()}

    def count(self) -> int:
        row = self.con.execute("SELECT count(*) FROM events").fetchone()
        return int(row[0]) if row else 0

    def ingest(self, paths: Iterable[str | Path], *, batch_size: int = 100_000) -> IngestReport:
        rep = IngestReport()
        t0 = time.perf_counter()
        buf: list[bytes] = []
        for src, rec in read_paths(paths, rep.stats):
            buf.append(self._row(rec, src, rep))
            if len(buf) >= batch_size:
                self._insert(buf, rep)
                buf = []
        if buf:
            self._insert(buf, rep)
        rep.seconds = time.perf_counter() - t0
        return rep

    def insert_records(self, records: Iterable[dict[str, Any]], source: str = "") -> IngestReport:
        """Insert already parsed records (tests, generators)."""
        rep = IngestReport()
        self._insert([self._row(r, source, rep) for r in records], rep)
        return rep

    @staticmethod
    def _row(rec: dict[str, Any], source: str, rep: IngestReport) -> bytes:
        notes: list[str] = []
        line = orjson.dumps(flatten(rec, source, notes), option=orjson.OPT_APPEND_NEWLINE)
        if notes:
            rep.repair(source, rec.get("eventID"), notes)
        return line

    def _insert(self, lines: list[bytes], rep: IngestReport) -> None:
        fd, tmp = tempfile.mkstemp(prefix="mamori-logs-", suffix=".ndjson")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(b"".join(lines))
            con = self.con
            con.execute("BEGIN")
            con.execute(
                f"CREATE OR REPLACE TEMP TABLE staging AS SELECT {_SELECT} FROM read_ndjson(?, columns={_STAGE_COLS}) "
                "QUALIFY row_number() OVER (PARTITION BY event_id ORDER BY event_time) = 1",
                [tmp],
            )
            row = con.execute("SELECT min(event_time), max(event_time) FROM staging").fetchone()
            lo, hi = (row[0], row[1]) if row else (None, None)
            res = con.execute(
                f"INSERT INTO events ({', '.join(NAMES)}) SELECT s.* FROM staging s WHERE NOT EXISTS ("
                " SELECT 1 FROM events e WHERE e.event_id = s.event_id"
                " AND (e.event_time BETWEEN ? AND ? OR e.event_time IS NULL))",
                [lo, hi],
            ).fetchone()
            con.execute("DROP TABLE staging")
            con.execute("COMMIT")
        except duckdb.Error as exc:
            with contextlib.suppress(duckdb.Error):
                self.con.execute("ROLLBACK")
            raise LogStoreError(f"cannot write to the log store {self.path}: {exc}") from exc
        finally:
            os.unlink(tmp)
        n = int(res[0]) if res else 0
        rep.inserted += n
        rep.duplicates += len(lines) - n
