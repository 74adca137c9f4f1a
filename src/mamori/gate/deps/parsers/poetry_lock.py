"""poetry.lock: ``[[package]]`` tables with name, version and an optional non-registry source."""

from __future__ import annotations

from pathlib import Path

from mamori.gate.deps.model import Ecosystem
from mamori.gate.deps.parsers.interface import (
    Collector,
    Parser,
    ParseResult,
    expect,
    fail,
    header_lines,
    load_toml,
    register,
)

NON_REGISTRY = ("git", "directory", "file", "url")


class PoetryLockParser(Parser):
    name = "poetry.lock"
    ecosystem = Ecosystem.PYPI

    def matches(self, path: Path) -> bool:
        return path.name == "poetry.lock"

    def parse(self, text: str, rel: str, path: Path) -> ParseResult:
        doc = load_toml(text, rel)
        col = Collector(Ecosystem.PYPI, rel)
        lines = header_lines(text, "[[package]]")
        for i, pkg in enumerate(expect(doc.get("package", []), list, rel, "package", "[[package]]")):
            line = lines[i] if i < len(lines) else None
            where = str(line) if line else f"package[{i}]"
            expect(pkg, dict, rel, where, "a [[package]] entry")
            name, version = pkg.get("name"), pkg.get("version")
            if not isinstance(name, str) or not isinstance(version, str):
                fail("a [[package]] entry needs a string name and version", rel, where)
            source = pkg.get("source") or {}
            if isinstance(source, dict) and source.get("type") in NON_REGISTRY:
                col.skipped(
                    f"{name} comes from a {source['type']} source ({source.get('url', '')}), not a registry",
                    line,
                )
                continue
            col.pinned(name, version, line)
        return col.result()


register(PoetryLockParser)
