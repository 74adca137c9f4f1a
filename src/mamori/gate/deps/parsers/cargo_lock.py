"""Cargo.lock: ``[[package]]`` tables; crates from a registry are audited, git crates skipped, local crates ignored."""

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


class CargoLockParser(Parser):
    name = "Cargo.lock"
    ecosystem = Ecosystem.CRATES

    def matches(self, path: Path) -> bool:
        return path.name == "Cargo.lock"

    def parse(self, text: str, rel: str, path: Path) -> ParseResult:
        doc = load_toml(text, rel)
        col = Collector(Ecosystem.CRATES, rel)
        lines = header_lines(text, "[[package]]")
        for i, pkg in enumerate(expect(doc.get("package", []), list, rel, "package", "[[package]]")):
            line = lines[i] if i < len(lines) else None
            where = str(line) if line else f"package[{i}]"
            expect(pkg, dict, rel, where, "a [[package]] entry")
            name = expect(pkg.get("name"), str, rel, where, "a [[package]] entry's name")
            version = expect(pkg.get("version"), str, rel, where, f"the version of {name}")
            source = str(pkg.get("source") or "")
            if not source:
                continue  # a crate of this workspace
            if source.startswith(("registry+", "sparse+")):
                col.pinned(name, version, line)
            else:
                col.skipped(f"{name} comes from {source.split('#', 1)[0]}, not a registry", line)
        return col.result()


register(CargoLockParser)
