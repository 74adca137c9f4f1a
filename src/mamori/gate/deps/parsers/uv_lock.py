"""uv.lock: ``[[package]]`` tables; ``source`` tells registry releases from the project and its paths."""

from __future__ import annotations

from pathlib import Path

from mamori.gate.deps.model import Ecosystem
from mamori.gate.deps.parsers.interface import (
    Collector,
    Parser,
    ParseResult,
    expect,
    header_lines,
    load_toml,
    register,
)

LOCAL = ("editable", "virtual", "directory", "path")  # the project itself or a path next to it


class UvLockParser(Parser):
    name = "uv.lock"
    ecosystem = Ecosystem.PYPI

    def matches(self, path: Path) -> bool:
        return path.name == "uv.lock"

    def parse(self, text: str, rel: str, path: Path) -> ParseResult:
        doc = load_toml(text, rel)
        col = Collector(Ecosystem.PYPI, rel)
        lines = header_lines(text, "[[package]]")
        for i, pkg in enumerate(expect(doc.get("package", []), list, rel, "package", "[[package]]")):
            line = lines[i] if i < len(lines) else None
            where = str(line) if line else f"package[{i}]"
            expect(pkg, dict, rel, where, "a [[package]] entry")
            name = expect(pkg.get("name"), str, rel, where, "a [[package]] entry's name")
            source = pkg.get("source") or {}
            expect(source, dict, rel, where, f"the source of {name}")
            if any(k in source for k in LOCAL):
                continue
            if "git" in source:
                col.skipped(f"{name} comes from git ({source['git']}), not a registry", line)
                continue
            version = pkg.get("version")
            if not isinstance(version, str):
                col.skipped(f"{name} has no version in the lock", line)
                continue
            col.pinned(name, version, line)
        return col.result()


register(UvLockParser)
