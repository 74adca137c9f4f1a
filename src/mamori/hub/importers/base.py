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
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

import orjson

from mamori.errors import InputError
from mamori.model.finding import Finding, FindingMeta, Severity
from mamori.registry import Registry


@dataclass(frozen=True, slots=True)
class Imported:
    finding: Finding
    meta: FindingMeta


@dataclass
class Ctx:
    """Where parsing is: the file (for errors) and the time of the import."""

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
        if not isinstance(value, kind):
            names = kind.__name__ if isinstance(kind, type) else " or ".join(k.__name__ for k in kind)
            raise self.error(f"{where}.{key}", f"expected {names}, got {type(value).__name__}")
        return value

    def time(self, value: Any, where: str, default: datetime | None = None) -> datetime:
        """ISO 8601 text, or epoch seconds / milliseconds."""
        if value is None or value == "":
            if default is None:
                raise self.error(where, "missing timestamp")
            return default
        if isinstance(value, int | float) and not isinstance(value, bool):
            secs = value / 1000 if value > 1e11 else value
            return datetime.fromtimestamp(secs, UTC)
        if isinstance(value, str):
            text = value.strip().replace("Z", "+00:00")
            try:
                t = datetime.fromisoformat(text)
            except ValueError:
                raise self.error(where, f"not an ISO 8601 timestamp: {value!r}") from None
            return t if t.tzinfo else t.replace(tzinfo=UTC)
        raise self.error(where, f"not a timestamp: {value!r}")


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


def load_document(path: Path) -> Any:
    """Parse a JSON (or JSON Lines) file; syntax errors name the file and line:column."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror or exc}", source=str(path)) from exc
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError:
        pass
    text = raw.decode("utf-8", errors="replace")
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        if exc.msg == "Extra data":
            lines = [ln for ln in text.splitlines() if ln.strip()]
            items = []
            for n, ln in enumerate(lines, 1):
                try:
                    items.append(json.loads(ln))
                except json.JSONDecodeError as e2:
                    raise InputError(
                        f"malformed JSON Lines: {e2.msg}", source=str(path), where=f"{n}:{e2.colno}"
                    ) from e2
            return items
        raise InputError(
            f"malformed JSON: {exc.msg}", source=str(path), where=f"{exc.lineno}:{exc.colno}"
        ) from exc


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
