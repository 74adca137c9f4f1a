"""Read CloudTrail records from bytes and files, in every shape AWS delivers them.

Accepted shapes (gzip or plain, detected by content, not by name):

* a CloudTrail log file: ``{"Records": [record, ...]}`` (the S3 archive layout
  ``AWSLogs/<account>/CloudTrail/<region>/YYYY/MM/DD/*.json.gz``)
* one EventBridge event (``"detail-type": "AWS API Call via CloudTrail"``; its ``detail`` is
  the record), a JSON array of events or records, or JSON lines of either
* a bare record

Bad input never stops reading: every malformed file, line or record is reported as a
:class:`Malformed` (file and line or record index, and why), and the rest is read.
"""

from __future__ import annotations

import gzip
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from mamori.events.record import problem


@dataclass(frozen=True, slots=True)
class Malformed:
    """One piece of input that could not be used, and where it is."""

    source: str
    where: str
    reason: str

    def __str__(self) -> str:
        return f"{self.source}:{self.where}: {self.reason}" if self.where else f"{self.source}: {self.reason}"

    def to_dict(self) -> dict[str, str]:
        return {"source": self.source, "where": self.where, "reason": self.reason}


@dataclass
class ReadStats:
    """What reading saw: files, usable records, and the malformed items (kept up to ``keep``)."""

    files: int = 0
    records: int = 0
    malformed_count: int = 0
    malformed: list[Malformed] = field(default_factory=list)
    keep: int = 1000

    def bad(self, item: Malformed) -> None:
        self.malformed_count += 1
        if len(self.malformed) < self.keep:
            self.malformed.append(item)

    def to_dict(self) -> dict[str, Any]:
        return {
            "files": self.files,
            "records": self.records,
            "malformed": self.malformed_count,
            "malformed_items": [m.to_dict() for m in self.malformed],
        }


def _unwrap(item: Any, source: str, where: str, stats: ReadStats) -> dict[str, Any] | None:
    """A CloudTrail record from a record or an EventBridge event, else report it."""
    if isinstance(item, dict) and "detail-type" in item and "eventID" not in item:
        dt = item.get("detail-type")
        if not isinstance(dt, str) or "via CloudTrail" not in dt:
            stats.bad(Malformed(source, where, f"not a CloudTrail event (detail-type {dt!r})"))
            return None
        item = item.get("detail")
    why = problem(item)
    if why is not None:
        stats.bad(Malformed(source, where, why))
        return None
    stats.records += 1
    rec: dict[str, Any] = item
    return rec


def decompress(data: bytes) -> bytes:
    if data[:2] == b"\x1f\x8b":
        return gzip.decompress(data)
    return data


def iter_records(data: bytes, source: str, stats: ReadStats) -> Iterator[dict[str, Any]]:
    """Every usable record in one file's bytes; malformed parts are reported into ``stats``."""
    try:
        data = decompress(data)
    except (OSError, EOFError, zlib.error) as exc:
        stats.bad(Malformed(source, "", f"cannot decompress: {exc}"))
        return
    if not data.strip():
        return
    try:
        doc = orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        yield from _json_lines(data, source, stats, exc)
        return
    if isinstance(doc, dict) and "Records" in doc:
        recs = doc["Records"]
        if not isinstance(recs, list):
            stats.bad(Malformed(source, "Records", "'Records' is not a list"))
            return
        for i, item in enumerate(recs):
            rec = _unwrap(item, source, f"record {i}", stats)
            if rec is not None:
                yield rec
    elif isinstance(doc, list):
        for i, item in enumerate(doc):
            rec = _unwrap(item, source, f"record {i}", stats)
            if rec is not None:
                yield rec
    else:
        rec = _unwrap(doc, source, "", stats)
        if rec is not None:
            yield rec


def _json_lines(data: bytes, source: str, stats: ReadStats, whole_error: Exception) -> Iterator[dict[str, Any]]:
    lines = data.split(b"\n")
    first = next((ln for ln in lines if ln.strip()), b"")
    try:
        orjson.loads(first)
    except orjson.JSONDecodeError:
        # Not JSON lines either: one malformed document (orjson names line and column).
        stats.bad(Malformed(source, "", f"invalid JSON: {whole_error}"))
        return
    for n, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            item = orjson.loads(line)
        except orjson.JSONDecodeError as exc:
            stats.bad(Malformed(source, f"line {n}", f"invalid JSON: {exc}"))
            continue
        if isinstance(item, dict) and "Records" in item and isinstance(item["Records"], list):
            for i, sub in enumerate(item["Records"]):
                rec = _unwrap(sub, source, f"line {n} record {i}", stats)
                if rec is not None:
                    yield rec
            continue
        rec = _unwrap(item, source, f"line {n}", stats)
        if rec is not None:
            yield rec


SKIP_SUFFIXES = (".md", ".txt", ".yaml", ".yml", ".digest")


def iter_files(paths: Iterable[str | Path]) -> Iterator[Path]:
    """Files named, and every file under directories named (sorted: the archive is chronological)."""
    for p in paths:
        path = Path(p)
        if path.is_dir():
            for f in sorted(path.rglob("*")):
                if f.is_file() and not f.name.startswith(".") and "CloudTrail-Digest" not in f.parts and not f.name.endswith(SKIP_SUFFIXES):
                    yield f
        else:
            yield path


def read_paths(paths: Iterable[str | Path], stats: ReadStats) -> Iterator[tuple[str, dict[str, Any]]]:
    """(source file, record) for every usable record under ``paths``."""
    for f in iter_files(paths):
        try:
            data = f.read_bytes()
        except OSError as exc:
            stats.bad(Malformed(str(f), "", f"cannot read: {exc.strerror or exc}"))
            continue
        stats.files += 1
        src = str(f)
        for rec in iter_records(data, src, stats):
            yield src, rec
