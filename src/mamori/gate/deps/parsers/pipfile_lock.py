"""Pipfile.lock: JSON sections ``default`` and ``develop`` mapping names to ``{"version": "==x"}``."""

from __future__ import annotations

import re
from pathlib import Path

from mamori.gate.deps.model import Ecosystem
from mamori.gate.deps.parsers.interface import (
    Collector,
    Parser,
    ParseResult,
    expect,
    key_lines,
    load_json,
    register,
)

_KEY = re.compile(r'^\s{8}"([^"]+)":\s*\{')


class PipfileLockParser(Parser):
    name = "Pipfile.lock"
    ecosystem = Ecosystem.PYPI

    def matches(self, path: Path) -> bool:
        return path.name == "Pipfile.lock"

    def parse(self, text: str, rel: str, path: Path) -> ParseResult:
        doc = expect(load_json(text, rel), dict, rel, "$", "the document")
        col = Collector(Ecosystem.PYPI, rel)
        lines = key_lines(text, _KEY)
        for section in ("default", "develop"):
            entries = expect(doc.get(section, {}), dict, rel, f"$.{section}", f"section {section!r}")
            for name, entry in entries.items():
                where = f"$.{section}.{name}"
                expect(entry, dict, rel, where, f"entry {name!r}")
                line = lines.get(name)
                version = entry.get("version")
                if isinstance(version, str) and version.startswith("=="):
                    col.pinned(name, version.lstrip("="), line)
                elif "git" in entry or "path" in entry or "file" in entry:
                    origin = entry.get("git") or entry.get("path") or entry.get("file")
                    col.skipped(f"{name} comes from {origin}, not a registry", line)
                else:
                    col.unpinned(name, str(version or "*"), line)
        return col.result()


register(PipfileLockParser)
