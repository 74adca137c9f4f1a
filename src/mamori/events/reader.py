"""Read CloudTrail records from bytes and files, in every shape AWS delivers them.

Accepted shapes (gzip or plain, detected by content, not by name):

* a CloudTrail log file: ``{"Records": [record, ...]}`` (the S3 archive layout
  ``AWSLogs/<account>/CloudTrail/<region>/YYYY/MM/DD/*.json.gz``)
* one EventBridge event (``"detail-type": "AWS API Call via CloudTrail"``; its ``detail`` is
  the record), a JSON array of events or records, or JSON lines of either
* a bare record

Bad input never stops reading: every malformed file, line or record is reported as a
:class:`Malformed` (file and line or record index, and why), and the rest is read. In
particular:

* a file is decompressed as a stream, up to ``max_bytes`` (default
  :data:`DEFAULT_MAX_BYTES`); a larger file (a gzip bomb) is reported as oversize and
  skipped, with memory bounded by the cap;
* one record nested deeper than orjson's 1024 levels does not lose its file: the
  ``Records`` array (or a top-level array) is split by :func:`split_array`, a
  non-recursive, string-aware scanner, and only the deep record is reported.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

import orjson

from mamori.events.record import MAX_EVENT_ID, problem

DEFAULT_MAX_BYTES = 256 * 1024 * 1024
"""The largest file read, after decompression (``events.max_file_mib``, ``--max-file-mib``)."""


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
    """Everything skipped: malformed items, oversize files, records a detection or the processor failed on."""
    oversize: int = 0
    hook_errors: int = 0
    record_errors: int = 0
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
            "oversize": self.oversize,
            "hook_errors": self.hook_errors,
            "record_errors": self.record_errors,
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


class TooLarge(ValueError):
    """A file above the size cap (after decompression)."""


_CHUNK = 1 << 20


def decompress(data: bytes, max_bytes: int = DEFAULT_MAX_BYTES) -> bytes | bytearray:
    """Plain bytes of a (possibly multi-member) gzip, streamed 1 MiB at a time, never above ``max_bytes``.

    ISA-L's inflate (python-isal) when it is installed: the same bytes, in about two thirds of
    zlib's time. Whenever it refuses the input (any error, the cap included), zlib decompresses
    it again, so a damaged or oversize file is reported exactly as zlib reports it.
    """
    if data[:2] != b"\x1f\x8b":
        if len(data) > max_bytes:
            raise TooLarge(f"{len(data):,} bytes, above the cap of {max_bytes:,}")
        return data
    fast = _isal_decompressobj()
    if fast is not None:
        try:
            return _gunzip(data, max_bytes, fast)
        except Exception:  # zlib decides, with its own messages
            pass
    return _gunzip(data, max_bytes, zlib.decompressobj)


_ISAL: Any = False


def _isal_decompressobj() -> Callable[[int], Any] | None:
    global _ISAL
    if _ISAL is False:
        try:
            from isal import isal_zlib
        except ImportError:  # an optional speed-up: zlib does the same
            _ISAL = None
        else:
            _ISAL = isal_zlib.decompressobj
    return cast("Callable[[int], Any] | None", _ISAL)


_PLAIN_HEADERS = (b"\x08\x00", b"\x08\x08")
"""Deflate and no flag, or only a file name: the member headers ISA-L gets (zlib refuses reserved
flags and checks a header CRC, where ISA-L is laxer; found by tests/events/test_fast_read.py)."""


def _gunzip(data: bytes, max_bytes: int, decompressobj: Callable[[int], Any]) -> bytearray:
    out = bytearray()
    rest = data
    strict = decompressobj is not zlib.decompressobj
    while rest[:2] == b"\x1f\x8b":
        if strict and rest[2:4] not in _PLAIN_HEADERS:
            raise ValueError("a gzip header ISA-L might read otherwise than zlib: zlib reads it")
        d = decompressobj(16 + zlib.MAX_WBITS)
        buf = rest
        while buf and not d.eof:
            out += d.decompress(buf, min(_CHUNK, max_bytes + 1 - len(out)))
            if len(out) > max_bytes:
                raise TooLarge(f"decompresses to more than the cap of {max_bytes:,} bytes")
            buf = d.unconsumed_tail
        if not d.eof:
            raise EOFError("compressed file ended before the end-of-stream marker was reached")
        rest = d.unused_data
    if rest.strip(b"\x00"):
        raise OSError("trailing garbage after the compressed data")
    return out  # not copied to bytes: a file near the cap would need twice its size


def iter_records(data: bytes, source: str, stats: ReadStats, *, max_bytes: int = DEFAULT_MAX_BYTES) -> Iterator[dict[str, Any]]:
    """Every usable record in one file's bytes; malformed parts are reported into ``stats``."""
    for _, rec in iter_located(data, source, stats, max_bytes=max_bytes):
        yield rec


def _items(items: Iterable[Any], source: str, prefix: str, stats: ReadStats) -> Iterator[tuple[str, dict[str, Any], int]]:
    """(where, record, its index in ``items``) for every usable item."""
    n = 0  # usual records seen, added to stats.records in batches
    try:
        for i, item in enumerate(items):
            if type(item) is dict:  # the usual record, checked inline (what problem() checks)
                eid, name, src = item.get("eventID"), item.get("eventName"), item.get("eventSource")
                if (
                    type(eid) is str and type(name) is str and type(src) is str and eid and name and src
                    and len(eid) <= MAX_EVENT_ID and "\x00" not in eid
                ):  # fmt: skip
                    n += 1
                    yield f"{prefix}record {i}", item, i
                    continue
            where = f"{prefix}record {i}"
            rec = _unwrap(item, source, where, stats)
            if rec is not None:
                yield where, rec, i
    finally:
        stats.records += n


def iter_located(
    data: bytes, source: str, stats: ReadStats, *, max_bytes: int = DEFAULT_MAX_BYTES
) -> Iterator[tuple[str, dict[str, Any]]]:
    """(where, record) for every usable record in one file's bytes (``record 3``, ``line 7``)."""
    for where, rec, _ in iter_raw(data, source, stats, max_bytes=max_bytes):
        yield where, rec


def iter_raw(
    data: bytes, source: str, stats: ReadStats, *, max_bytes: int = DEFAULT_MAX_BYTES
) -> Iterator[tuple[str, dict[str, Any], memoryview | None]]:
    """:func:`iter_located`, each record with its own JSON text when the file is a plain CloudTrail
    log file (:func:`split_records`), else None (parallel readers send that text as it is)."""
    try:
        text = decompress(data, max_bytes)
    except TooLarge as exc:
        stats.oversize += 1
        stats.bad(Malformed(source, "", f"file too large: {exc} (skipped; raise --max-file-mib to read it)"))
        return
    except (OSError, EOFError, zlib.error) as exc:
        stats.bad(Malformed(source, "", f"cannot decompress: {exc}"))
        return
    if not text or text.isspace():  # what strip() tells, without copying the file
        return
    raws = split_records(text)
    if raws is not None:
        items = _Parsed(raws)
        for where, rec, i in _items(items, source, "", stats):
            yield where, rec, raws[i] if rec is items.item else None  # an EventBridge event's text is not its record's
        return
    for where, rec in _whole(text, source, stats):
        yield where, rec, None


def _whole(text: bytes | bytearray, source: str, stats: ReadStats) -> Iterator[tuple[str, dict[str, Any]]]:
    try:
        doc = orjson.loads(text)
    except orjson.JSONDecodeError as exc:
        if _too_deep(exc):
            yield from _split(text, source, stats, exc)
            return
        yield from _json_lines(text, source, stats, exc)
        return
    if isinstance(doc, dict) and "Records" in doc:
        recs = doc["Records"]
        if not isinstance(recs, list):
            stats.bad(Malformed(source, "Records", "'Records' is not a list"))
            return
        for w, r, _ in _items(recs, source, "", stats):
            yield w, r
    elif isinstance(doc, list):
        for w, r, _ in _items(doc, source, "", stats):
            yield w, r
    else:
        rec = _unwrap(doc, source, "", stats)
        if rec is not None:
            yield "", rec


_RECORDS_DOC: Any = None


def split_records(text: bytes | bytearray) -> list[memoryview] | None:
    """The records of a CloudTrail log file that is exactly ``{"Records": [...]}`` (any JSON
    whitespace), each as its own JSON text; None for anything else.

    Parsed with orjson one by one, the texts give the same records, in the same order, as
    ``orjson.loads(text)["Records"]``: msgspec only finds where each element of the array starts
    and ends (it validates the skeleton), orjson parses each element. Whenever the two parsers
    could disagree — another key beside ``Records``, an element orjson refuses (too deep, not
    UTF-8, a number out of range...), any error at all — the answer is None and the caller parses
    the whole file with orjson, as before.

    Every element is parsed here to decide that, and dropped at once: the caller parses each
    again when it comes to it (:class:`_Parsed`). Keeping a file's records alive together
    instead cost more than the second parse: a 4,000-record file is ~30 MB of objects, which
    the allocator maps afresh for every file (200,000 events: ~60,000 page faults, ~0.6 s of
    CPU, against ~0.4 s for parsing every record twice).
    """
    global _RECORDS_DOC
    if _RECORDS_DOC is None:
        import msgspec

        doc = msgspec.defstruct("RecordsDoc", [("Records", list[msgspec.Raw])], forbid_unknown_fields=True)
        _RECORDS_DOC = msgspec.json.Decoder(doc)
    try:
        raws = [memoryview(r) for r in _RECORDS_DOC.decode(text).Records]
        loads = orjson.loads
        for r in raws:
            loads(r)
        return raws
    except Exception:  # msgspec's or orjson's refusal, or msgspec's recursion limit: the whole-file path decides
        return None


class _Parsed:
    """The records of :func:`split_records`' texts, parsed as they are iterated; ``item`` is the
    last one handed out (a record read whole, not unwrapped, is sent as its own text)."""

    __slots__ = ("item", "raws")

    def __init__(self, raws: list[memoryview]) -> None:
        self.raws = raws
        self.item: Any = None

    def __iter__(self) -> Iterator[Any]:
        loads = orjson.loads
        for r in self.raws:
            self.item = item = loads(r)
            yield item


def _too_deep(exc: Exception) -> bool:
    """orjson refused the document for its nesting (its message: "depth limit exceeded", formerly "Recursion limit")."""
    msg = str(exc).lower()
    return "depth" in msg or "recursion" in msg


# A JSON string (consumed whole, escapes included) or one structural character.
_TOKEN = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{},]', re.S)


def split_array(data: bytes | bytearray, key: bytes = b"Records") -> list[tuple[int, int]] | None:
    """(start, end) of each element of the top-level array, or of the ``key`` array of the
    top-level object; None when there is none. Iterative: any nesting depth, strings skipped whole.
    """
    depth = 0
    target: int | None = None  # depth of the array's elements
    last_key: bytes | None = None
    start: int | None = None
    out: list[tuple[int, int]] = []
    for m in _TOKEN.finditer(data):
        tok = m.group()
        c = tok[:1]
        if target is None:
            if c == b"[" and (depth == 0 or (depth == 1 and last_key == key)):  # the top-level or the key's array
                target = depth + 1
                start = m.end()
            elif depth == 1 and c == b'"':
                last_key = tok[1:-1]
            elif depth == 1 and c == b",":
                last_key = None
        elif depth == target and c in (b",", b"]"):
            assert start is not None
            if data[start : m.start()].strip():
                out.append((start, m.start()))
            start = m.end()
            if c == b"]":
                return out
        if c in (b"[", b"{"):
            depth += 1
        elif c in (b"]", b"}"):
            depth -= 1
    return None


def _split(data: bytes | bytearray, source: str, stats: ReadStats, whole_error: Exception) -> Iterator[tuple[str, dict[str, Any]]]:
    spans = split_array(data)
    if spans is None:
        stats.bad(Malformed(source, "", f"invalid JSON: {whole_error}"))
        return
    for i, (a, b) in enumerate(spans):
        where = f"record {i}"
        try:
            item = orjson.loads(data[a:b])
        except orjson.JSONDecodeError as exc:
            stats.bad(Malformed(source, where, f"invalid JSON: {exc}"))
            continue
        rec = _unwrap(item, source, where, stats)
        if rec is not None:
            yield where, rec


def _json_lines(data: bytes | bytearray, source: str, stats: ReadStats, whole_error: Exception) -> Iterator[tuple[str, dict[str, Any]]]:
    lines = cast(list[bytes], data.split(b"\n"))  # bytearray lines: same methods
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
            for w, r, _ in _items(item["Records"], source, f"line {n} ", stats):
                yield w, r
            continue
        rec = _unwrap(item, source, f"line {n}", stats)
        if rec is not None:
            yield f"line {n}", rec


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


def read_file(f: Path, stats: ReadStats, *, max_bytes: int = DEFAULT_MAX_BYTES) -> Iterator[tuple[str, dict[str, Any]]]:
    """(where in it, record) for every usable record of one file; its problems go into ``stats``."""
    for where, rec, _ in read_file_raw(f, stats, max_bytes=max_bytes):
        yield where, rec


def read_file_raw(f: Path, stats: ReadStats, *, max_bytes: int = DEFAULT_MAX_BYTES) -> Iterator[tuple[str, dict[str, Any], memoryview | None]]:
    """:func:`read_file`, each record with its JSON text when there is one (:func:`iter_raw`)."""
    src = str(f)
    try:
        size = f.stat().st_size
        if size > max_bytes:
            stats.files += 1
            stats.oversize += 1
            stats.bad(Malformed(src, "", f"file too large: {size:,} bytes, above the cap of {max_bytes:,} (skipped)"))
            return
        data = f.read_bytes()
    except OSError as exc:
        stats.bad(Malformed(src, "", f"cannot read: {exc.strerror or exc}"))
        return
    stats.files += 1
    yield from iter_raw(data, src, stats, max_bytes=max_bytes)


def read_located(
    paths: Iterable[str | Path], stats: ReadStats, *, max_bytes: int = DEFAULT_MAX_BYTES
) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """(source file, where in it, record) for every usable record under ``paths``."""
    for f in iter_files(paths):
        src = str(f)
        for where, rec in read_file(f, stats, max_bytes=max_bytes):
            yield src, where, rec


def read_paths(
    paths: Iterable[str | Path], stats: ReadStats, *, max_bytes: int = DEFAULT_MAX_BYTES
) -> Iterator[tuple[str, dict[str, Any]]]:
    """(source file, record) for every usable record under ``paths``."""
    for src, _, rec in read_located(paths, stats, max_bytes=max_bytes):
        yield src, rec
