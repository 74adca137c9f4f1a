"""package.json without a lockfile beside it: direct dependencies only.

An exact version (``1.2.3``) is audited; any range (``^1.2``, ``~1``, ``*``, ``latest``) is
reported UNPINNED — which version npm would install is not known without a lockfile, and
the transitive dependencies are not known at all (a notice says so).
"""

from __future__ import annotations

import re
from pathlib import Path

from mamori.gate.deps.model import Ecosystem, NoticeKind
from mamori.gate.deps.parsers.interface import (
    Collector,
    Parser,
    ParseResult,
    expect,
    key_lines,
    load_json,
    register,
)

_EXACT = re.compile(r"^[=v]?\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$")
_KEY = re.compile(r'^\s{4}"([^"]+)":')
_NOT_REGISTRY = ("file:", "link:", "workspace:", "git", "http:", "https:", "github:", "portal:")
SECTIONS = ("dependencies", "devDependencies", "optionalDependencies")
LOCKFILES = ("package-lock.json", "npm-shrinkwrap.json", "yarn.lock", "pnpm-lock.yaml")


class PackageJsonParser(Parser):
    name = "package.json"
    ecosystem = Ecosystem.NPM
    superseded_by = LOCKFILES

    def matches(self, path: Path) -> bool:
        return path.name == "package.json"

    def parse(self, text: str, rel: str, path: Path) -> ParseResult:
        doc = expect(load_json(text, rel), dict, rel, "$", "the document")
        col = Collector(Ecosystem.NPM, rel)
        lines = key_lines(text, _KEY)
        for section in SECTIONS:
            deps = expect(doc.get(section) or {}, dict, rel, f"$.{section}", section)
            for name, spec in deps.items():
                spec = str(spec).strip()
                line = lines.get(name)
                if spec.startswith(_NOT_REGISTRY) or ("/" in spec and not spec.startswith("npm:")):
                    col.skipped(f"{name} comes from {spec}, not the npm registry", line)
                elif _EXACT.match(spec):
                    col.pinned(name, spec.lstrip("=v"), line)
                else:
                    col.unpinned(name, spec, line)
        if col.packages:
            col.notice(
                NoticeKind.SKIPPED,
                "no lockfile: only direct dependencies are known; transitive ones are not audited",
            )
        return col.result()


register(PackageJsonParser)
