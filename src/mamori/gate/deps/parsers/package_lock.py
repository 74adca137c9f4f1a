"""npm's package-lock.json and npm-shrinkwrap.json, lockfileVersion 1, 2 and 3.

v2/v3 list every installed package under ``packages`` keyed by its ``node_modules`` path
(the name is the part after the last ``node_modules/``, or ``name`` for aliases); v1 nests
``dependencies``. Workspace members and links are the project itself and are not audited;
git, file and tarball-URL dependencies are reported as skipped.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from mamori.gate.deps.model import Ecosystem
from mamori.gate.deps.parsers.interface import (
    Collector,
    Parser,
    ParseResult,
    expect,
    fail,
    key_lines,
    load_json,
    register,
)
from mamori.gate.deps.versions import parse_version

_KEY = re.compile(r'^\s*"((?:[^"]*/)?node_modules/[^"]+)":\s*\{')
_V1_KEY = re.compile(r'^\s*"([^"]+)":\s*\{')


def registry_version(version: Any) -> bool:
    return isinstance(version, str) and parse_version(Ecosystem.NPM, version) is not None


def registry_tarball(resolved: Any) -> bool:
    """Whether ``resolved`` is absent or a registry tarball (``.../name/-/name-1.0.0.tgz``)."""
    return not resolved or (isinstance(resolved, str) and resolved.startswith("http") and "/-/" in resolved)


class PackageLockParser(Parser):
    name = "package-lock.json"
    ecosystem = Ecosystem.NPM

    def matches(self, path: Path) -> bool:
        return path.name in ("package-lock.json", "npm-shrinkwrap.json")

    def parse(self, text: str, rel: str, path: Path) -> ParseResult:
        doc = expect(load_json(text, rel), dict, rel, "$", "the document")
        col = Collector(Ecosystem.NPM, rel)
        if "packages" in doc:  # a wrong shape is an error, never "no packages" (the gate would pass)
            packages = expect(doc["packages"], dict, rel, "$.packages", "packages")
            self._packages(packages, key_lines(text, _KEY), rel, col)
        elif "dependencies" in doc:
            self._v1(doc["dependencies"], key_lines(text, _V1_KEY), rel, col, "$.dependencies")
        elif doc.get("lockfileVersion") is None:
            fail("not a package-lock: no lockfileVersion, packages or dependencies", rel, "1")
        return col.result()

    def _packages(self, packages: dict[str, Any], lines: dict[str, int], rel: str, col: Collector) -> None:
        for key, entry in packages.items():
            if key == "" or "node_modules/" not in key:
                continue  # the root project and workspace members
            expect(entry, dict, rel, f'$.packages["{key}"]', f"package {key!r}")
            if entry.get("link"):
                continue
            name = entry.get("name") or key.rsplit("node_modules/", 1)[1]
            version = entry.get("version")
            line = lines.get(key)
            if registry_version(version) and registry_tarball(entry.get("resolved")):
                col.pinned(name, version, line)
            else:
                origin = entry.get("resolved") or version or "no version"
                col.skipped(f"{name} comes from {origin}, not the npm registry", line)

    def _v1(self, deps: Any, lines: dict[str, int], rel: str, col: Collector, where: str) -> None:
        expect(deps, dict, rel, where, "dependencies")
        for name, entry in deps.items():
            here = f"{where}.{name}"
            expect(entry, dict, rel, here, f"dependency {name!r}")
            version = entry.get("version")
            if registry_version(version) and registry_tarball(entry.get("resolved")):
                col.pinned(name, version, lines.get(name))
            elif not str(version or "").startswith("file:"):
                col.skipped(
                    f"{name} comes from {version or 'no version'}, not the npm registry", lines.get(name)
                )
            if "dependencies" in entry:
                self._v1(entry["dependencies"], lines, rel, col, here + ".dependencies")


register(PackageLockParser)
