"""The importer interface: read a foreign findings file into mamori findings with stable ids.

An importer knows one format. ``detect(doc)`` says whether a parsed JSON document is in
it; ``parse(doc, ctx)`` yields :class:`Imported` items and raises
:class:`mamori.errors.InputError` naming the file and the place (a JSON path such as
``Findings[3].Resources``) when a required field is missing or malformed.

Ids are stable across re-imports: a hash of the producer's own unique id (for AWS
services the finding ARN, so a GuardDuty or Inspector finding imported natively and
through Security Hub's ASFF is the same finding).
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

from mamori.errors import InputError
from mamori.model.finding import Finding, FindingMeta, Severity
from mamori.registry import Registry
from mamori.safeload import load_json, load_json_lines


@dataclass(frozen=True, slots=True)
class Imported:
    finding: Finding
    meta: FindingMeta


MIN_TIME = datetime(1970, 1, 1, tzinfo=UTC)
MAX_TIME = datetime(9999, 12, 31, tzinfo=UTC)
_GO_ZERO = datetime(1, 1, 1)


_NAMES: dict[type, str] = {Mapping: "object", dict: "object", list: "array"}


def _kinds(kind: type | tuple[type, ...]) -> str:
    kinds = (kind,) if isinstance(kind, type) else kind
    return " or ".join(_NAMES.get(k, k.__name__) for k in kinds)


def _is(value: Any, kind: type | tuple[type, ...]) -> bool:
    """isinstance, except that a bool is not a number and a float must be finite."""
    if isinstance(value, bool) and bool not in (kind if isinstance(kind, tuple) else (kind,)):
        return False
    if isinstance(value, float) and not math.isfinite(value):
        return False
    return isinstance(value, kind)


@dataclass
class Ctx:
    """Where parsing is: the file (for errors) and the time of the import.

    The accessors check the shape of what they return and raise :class:`InputError` at the
    JSON path of the first value that does not fit, so an importer never indexes, calls or
    compares something of the wrong type.
    """

    source: str
    now: datetime = field(default_factory=lambda: datetime.now(UTC))
    skipped: int = 0

    def error(self, where: str, message: str) -> InputError:
        return InputError(message, source=self.source, where=where)

    def need(self, obj: Any, key: str, where: str, kind: type | tuple[type, ...] = str) -> Any:
        if not isinstance(obj, Mapping):
            raise self.error(where, "expected an object")
        if key not in obj or obj[key] is None or obj[key] == "":
            raise self.error(f"{where}.{key}", f"missing required field {key!r}")
        value = obj[key]
        if not _is(value, kind):
            raise self.error(f"{where}.{key}", f"expected {_kinds(kind)}, got {type(value).__name__}")
        return value

    def opt(self, obj: Mapping[str, Any], key: str, where: str, kind: type | tuple[type, ...] = str) -> Any:
        """An optional field: None when absent, null or empty, else of ``kind``."""
        value = obj.get(key)
        if value is None or value == "":
            return None
        if not _is(value, kind):
            raise self.error(f"{where}.{key}", f"expected {_kinds(kind)}, got {type(value).__name__}")
        return value

    def obj(self, obj: Mapping[str, Any], key: str, where: str) -> Mapping[str, Any]:
        """An optional object field: {} when absent or null."""
        return self.opt(obj, key, where, Mapping) or {}

    def seq(self, obj: Mapping[str, Any], key: str, where: str) -> list[Any]:
        """An optional array field: [] when absent or null."""
        return list(self.opt(obj, key, where, list) or [])

    def first(self, obj: Mapping[str, Any], key: str, where: str) -> Mapping[str, Any]:
        """The first object of a required, non-empty array field."""
        items = self.need(obj, key, where, list)
        if not items:
            raise self.error(f"{where}.{key}", "expected at least one item, got an empty array")
        if not isinstance(items[0], Mapping):
            raise self.error(f"{where}.{key}[0]", f"expected an object, got {type(items[0]).__name__}")
        return items[0]

    def time(self, value: Any, where: str, default: datetime | None = None) -> datetime:
        """ISO 8601 text, or epoch seconds / milliseconds, between 1970 and 9999."""
        if value is None or value == "":
            if default is None:
                raise self.error(where, "missing timestamp")
            return default
        if _is(value, (int, float)):
            secs = value / 1000 if value > 1e11 else value
            if not 0 <= secs <= MAX_TIME.timestamp():
                raise self.error(where, f"timestamp out of range: {value!r}")
            return datetime.fromtimestamp(secs, UTC)
        if isinstance(value, str):
            text = value.strip().replace("Z", "+00:00")
            try:
                t = datetime.fromisoformat(text)
            except ValueError:
                raise self.error(where, f"not an ISO 8601 timestamp: {value[:100]!r}") from None
            t = t if t.tzinfo else t.replace(tzinfo=UTC)
            if t.replace(tzinfo=None) == _GO_ZERO and not t.utcoffset() and default is not None:
                return default  # Go's zero time.Time (0001-01-01T00:00:00Z), written by Go scanners for "unset"
            try:
                in_range = MIN_TIME <= t.astimezone(UTC) <= MAX_TIME
            except OverflowError:
                in_range = False
            if not in_range:
                raise self.error(where, f"timestamp out of range: {value[:100]!r}")
            return t
        raise self.error(where, f"not a timestamp: {type(value).__name__}")


class Importer(Protocol):
    name: str
    title: str

    def detect(self, doc: Any) -> bool: ...

    def parse(self, doc: Any, ctx: Ctx) -> Iterator[Imported]: ...


IMPORTERS: Registry[Importer] = Registry("import format")


def stable_id(*parts: str) -> str:
    raw = "\x1f".join(parts)
    return hashlib.sha256(raw.encode()).hexdigest()[:24]


def arn_region(arn: str) -> str:
    parts = arn.split(":")
    return parts[3] if len(parts) > 5 and parts[0] == "arn" else ""


def severity_from_score(score: float) -> Severity:
    """A 0-10 score (CVSS, security-severity) as a label: 9+ critical, 7+ high, 4+ medium, >0 low."""
    if score >= 9.0:
        return Severity.CRITICAL
    if score >= 7.0:
        return Severity.HIGH
    if score >= 4.0:
        return Severity.MEDIUM
    if score > 0:
        return Severity.LOW
    return Severity.INFORMATIONAL


def severity_label(ctx: Ctx, value: Any, where: str) -> Severity:
    if not isinstance(value, str):
        raise ctx.error(where, f"expected a severity label, got {value!r}")
    v = value.strip().lower()
    v = {
        "untriaged": "informational",
        "fatal": "critical",
        "unknown": "informational",
        "none": "informational",
    }.get(v, v)
    try:
        return Severity.parse(v)
    except ValueError as exc:
        raise ctx.error(where, str(exc)) from None


def tags_from(value: Any) -> dict[str, str]:
    """Tags as a dict from {k: v}, [{Key, Value}] / [{key, value}] or ["k:v"] shapes."""
    if isinstance(value, Mapping):
        return {str(k): str(v) for k, v in value.items() if v is not None}
    out: dict[str, str] = {}
    if isinstance(value, list):
        for t in value:
            if isinstance(t, Mapping):
                k = t.get("Key", t.get("key"))
                if k is not None:
                    out[str(k)] = str(t.get("Value", t.get("value", "")))
            elif isinstance(t, str):
                sep = ":" if ":" in t else "=" if "=" in t else None
                if sep:
                    k, v = t.split(sep, 1)
                    out[k.strip()] = v.strip()
    return out


MAX_FILE_BYTES = 512 * 1024 * 1024  # a Security Hub export of ~100k findings is ~300 MB
MAX_DEPTH = 64  # ASFF, SARIF, OCSF and the AWS APIs nest far less; deeper is hostile


def load_document(path: Path) -> Any:
    """Parse a JSON (or JSON Lines) file; every problem is an InputError naming the file and place."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror or exc}", source=str(path)) from exc
    return parse_document(raw, str(path))


def parse_document(raw: bytes, source: str) -> Any:
    """A JSON document, or JSON Lines (one value per line) when the file holds more than one value."""
    try:
        return load_json(raw, source=source, max_bytes=MAX_FILE_BYTES, max_depth=MAX_DEPTH)
    except InputError as exc:
        if "unexpected content after document" not in exc.message:
            raise
    return load_json_lines(raw, source=source, max_bytes=MAX_FILE_BYTES, max_depth=MAX_DEPTH)


def items_of(doc: Any, key: str) -> list[Any] | None:
    """``doc[key]`` when doc is a {key: [...]} wrapper, doc itself when it is a list, else None."""
    if isinstance(doc, Mapping) and isinstance(doc.get(key), list):
        return list(doc[key])
    if isinstance(doc, list):
        return doc
    return None


def first(items: list[Any] | None) -> Mapping[str, Any]:
    if items and isinstance(items[0], Mapping):
        return items[0]
    return {}
