"""FIRST's EPSS scores (``epss_scores-current.csv.gz``): the probability of exploitation in 30 days.

The file as FIRST publishes it, gzip-compressed CSV::

    #model_version:v2025.03.14,score_date:2026-12-06T12:55:00Z
    cve,epss,percentile
    CVE-2021-44228,0.94358,0.99971

EPSS is shown as evidence next to a decision, never as a decision input on its own (see
``risk``). Bounded: at most ``MAX_ROWS`` rows, ``MAX_LINE`` characters a line and
``MAX_BYTES`` decompressed; a malformed row is an error naming the file and line.
``only`` keeps just the CVEs a run needs (a gate run asks for a few dozen of ~300k).
"""

from __future__ import annotations

import gzip
import io
import re
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from mamori.gate.deps.errors import AdvisoryDataError

MAX_ROWS = 2_000_000
MAX_LINE = 200
MAX_BYTES = 512 * 1024 * 1024
_CVE = re.compile(r"CVE-\d{4}-\d{4,}\Z")
_HEAD = re.compile(r"#model_version:(?P<model>[^,]*),score_date:(?P<date>\S+)")


@dataclass(frozen=True)
class EpssScores:
    scores: dict[str, tuple[float, float]] = field(default_factory=dict)  # CVE -> (epss, percentile)
    model_version: str = ""
    score_date: str = ""  # as FIRST writes it, e.g. 2026-12-06T12:55:00Z
    source: str = ""

    @property
    def date(self) -> str:
        return self.score_date[:10]

    def best(self, ids: Iterable[str]) -> tuple[str, float, float] | None:
        """The highest score among ``ids`` (a vulnerability's CVE aliases): (cve, epss, percentile)."""
        found = [(c, *self.scores[c]) for c in (i.upper() for i in ids) if c in self.scores]
        return max(found, key=lambda t: t[1]) if found else None


def _fail(source: str, line: int, msg: str) -> AdvisoryDataError:
    return AdvisoryDataError(msg, source=source, where=str(line))


def parse_epss(stream: io.BufferedIOBase | io.RawIOBase | gzip.GzipFile, source: str,
               only: set[str] | None = None) -> EpssScores:  # fmt: skip
    """Read the decompressed CSV from ``stream`` (bytes)."""
    scores: dict[str, tuple[float, float]] = {}
    model = date = ""
    total = 0
    header_seen = False
    wanted = {c.upper() for c in only} if only is not None else None
    lineno = 0
    try:
        for raw in stream:
            lineno += 1
            total += len(raw)
            if total > MAX_BYTES:
                raise _fail(source, lineno, f"larger than {MAX_BYTES // (1024 * 1024)} MiB decompressed")
            if len(raw) > MAX_LINE:
                raise _fail(source, lineno, f"a line longer than {MAX_LINE} characters")
            if lineno > MAX_ROWS:
                raise _fail(source, lineno, f"more than {MAX_ROWS:,} rows")
            try:
                line = raw.decode("ascii").strip()
            except UnicodeDecodeError:
                raise _fail(source, lineno, "not ASCII text") from None
            if not line:
                continue
            if line.startswith("#"):
                m = _HEAD.match(line)
                if m:
                    model, date = m.group("model"), m.group("date")
                continue
            if not header_seen:
                if line.replace(" ", "").lower() != "cve,epss,percentile":
                    raise _fail(source, lineno, "not an EPSS file: expected the header 'cve,epss,percentile'")
                header_seen = True
                continue
            parts = line.split(",")
            if len(parts) != 3 or not _CVE.match(parts[0]):
                raise _fail(source, lineno, "expected 'CVE-YYYY-NNNN,<epss>,<percentile>'")
            cve = parts[0]
            if wanted is not None and cve not in wanted:
                continue
            try:
                epss, pct = float(parts[1]), float(parts[2])
            except ValueError:
                raise _fail(source, lineno, "a score that is not a number") from None
            if not (0.0 <= epss <= 1.0 and 0.0 <= pct <= 1.0):
                raise _fail(source, lineno, "a score outside 0..1")
            scores[cve] = (epss, pct)
    except (OSError, EOFError, gzip.BadGzipFile) as exc:
        raise AdvisoryDataError(f"not a readable gzip file: {exc}", source=source, where=str(lineno)) from None
    if not header_seen:
        raise AdvisoryDataError("not an EPSS file: no 'cve,epss,percentile' header", source=source)
    return EpssScores(scores, model, date, source)


def write_index(scores: EpssScores, path: Path) -> None:
    """A SQLite copy keyed by CVE, so a gate run reads a few dozen rows instead of parsing ~300k."""
    tmp = path.with_name(path.name + ".tmp")
    tmp.unlink(missing_ok=True)
    conn = sqlite3.connect(tmp)
    try:
        conn.executescript("PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;"
                           "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);"
                           "CREATE TABLE epss (cve TEXT PRIMARY KEY, epss REAL NOT NULL, pct REAL NOT NULL) WITHOUT ROWID;")  # fmt: skip
        conn.executemany("INSERT INTO epss VALUES (?, ?, ?)", ((c, e, p) for c, (e, p) in scores.scores.items()))
        conn.executemany("INSERT INTO meta VALUES (?, ?)", [("model_version", scores.model_version),
                                                           ("score_date", scores.score_date),
                                                           ("source", scores.source)])  # fmt: skip
        conn.commit()
    finally:
        conn.close()
    tmp.replace(path)


def read_index(path: Path, only: set[str]) -> EpssScores:
    conn = sqlite3.connect(path.as_uri() + "?mode=ro", uri=True)
    try:
        meta = dict(conn.execute("SELECT key, value FROM meta").fetchall())
        wanted = sorted(c.upper() for c in only)
        scores: dict[str, tuple[float, float]] = {}
        for i in range(0, len(wanted), 500):
            chunk = wanted[i : i + 500]
            marks = ",".join("?" * len(chunk))
            for cve, e, p in conn.execute(f"SELECT cve, epss, pct FROM epss WHERE cve IN ({marks})", chunk):
                scores[cve] = (e, p)
    except sqlite3.DatabaseError as exc:
        raise AdvisoryDataError(f"not a readable EPSS index: {exc}", source=str(path)) from None
    finally:
        conn.close()
    return EpssScores(scores, meta.get("model_version", ""), meta.get("score_date", ""), meta.get("source", str(path)))


def load_epss(path: Path, only: set[str] | None = None) -> EpssScores:
    """Read ``epss_scores-current.csv.gz`` (or an uncompressed ``.csv``, or the cache's ``.sqlite`` copy)."""
    if path.suffix == ".sqlite" and only is not None:
        return read_index(path, only)
    try:
        if path.suffix == ".gz":
            with gzip.open(path, "rb") as fh:
                return parse_epss(fh, str(path), only)
        with path.open("rb") as fh:
            return parse_epss(fh, str(path), only)
    except FileNotFoundError:
        raise AdvisoryDataError("no such EPSS file", source=str(path)) from None
