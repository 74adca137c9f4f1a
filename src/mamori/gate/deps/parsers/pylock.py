"""pylock.toml (PEP 751): ``[[packages]]`` with name, version and where the files come from."""

from __future__ import annotations

import re
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

_NAME = re.compile(r"^pylock(\.[^.]+)?\.toml$")


class PylockParser(Parser):
    name = "pylock.toml"
    ecosystem = Ecosystem.PYPI

    def matches(self, path: Path) -> bool:
        return bool(_NAME.match(path.name))

    def parse(self, text: str, rel: str, path: Path) -> ParseResult:
        doc = load_toml(text, rel)
        col = Collector(Ecosystem.PYPI, rel)
        if "lock-version" not in doc:
            fail("not a pylock.toml: no lock-version key", rel, "1")
        lines = header_lines(text, "[[packages]]")
        for i, pkg in enumerate(expect(doc.get("packages", []), list, rel, "packages", "[[packages]]")):
            line = lines[i] if i < len(lines) else None
            where = str(line) if line else f"packages[{i}]"
            expect(pkg, dict, rel, where, "a [[packages]] entry")
            name = expect(pkg.get("name"), str, rel, where, "a [[packages]] entry's name")
            if "vcs" in pkg or "directory" in pkg:
                origin = (pkg.get("vcs") or pkg.get("directory") or {}).get("url") or "a local path"
                col.skipped(f"{name} comes from {origin}, not a registry", line)
                continue
            version = pkg.get("version")
            if not isinstance(version, str):
                col.skipped(f"{name} has no version in the lock", line)
                continue
            col.pinned(name, version, line)
        return col.result()


register(PylockParser)
