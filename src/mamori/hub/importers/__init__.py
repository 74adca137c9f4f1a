"""Importers of foreign findings: one module per format, one registry, format detection.

asff       Security Hub (ASFF; GetFindings / BatchGetFindings exports)
inspector  Amazon Inspector v2 (ListFindings)
guardduty  Amazon GuardDuty (GetFindings)
sarif      SARIF 2.1.0 (Trivy, Checkov, Semgrep, ...)
ocsf       OCSF Detection Finding 2004 (Prowler json-ocsf)
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from mamori.errors import InputError
from mamori.hub.importers import asff, guardduty, inspector, ocsf, sarif  # noqa: F401 - register the formats
from mamori.hub.importers.base import IMPORTERS, Ctx, Imported, Importer, load_document, parse_document

__all__ = ["IMPORTERS", "ImportBatch", "Imported", "Importer", "detect_format", "read_bytes", "read_file"]


@dataclass(frozen=True)
class ImportBatch:
    path: Path
    format: str
    items: list[Imported]
    skipped: int


def detect_format(doc: object) -> str | None:
    for name, imp in IMPORTERS.items():
        if imp.detect(doc):
            return name
    return None


def read_file(path: Path, fmt: str | None = None, *, now: datetime | None = None) -> ImportBatch:
    """Parse a findings file; raises InputError (file and place) when it is malformed or unknown."""
    doc = load_document(path)
    # Missing timestamps default to the file's modification time, so re-importing the same
    # file is a no-op rather than "seen again now".
    when = now or datetime.fromtimestamp(path.stat().st_mtime, UTC)
    name, items, skipped = parse_doc(doc, str(path), fmt, when)
    return ImportBatch(path, name, items, skipped)


def read_bytes(raw: bytes, source: str, fmt: str | None = None, *, now: datetime) -> tuple[str, list[Imported], int]:
    """(format, items, skipped) of a findings document given as bytes (``source`` names it in errors)."""
    return parse_doc(parse_document(raw, source), source, fmt, now)


def parse_doc(doc: object, source: str, fmt: str | None, now: datetime) -> tuple[str, list[Imported], int]:
    name = fmt or detect_format(doc)
    if name is None:
        known = ", ".join(IMPORTERS)
        raise InputError(f"cannot tell the format of this file; give --format (one of: {known})", source=source)
    if name not in IMPORTERS:
        raise InputError(f"unknown format {name!r} (one of: {', '.join(IMPORTERS)})", source=source)
    ctx = Ctx(source, now)
    items = list(IMPORTERS.get(name).parse(doc, ctx))
    return name, items, ctx.skipped
