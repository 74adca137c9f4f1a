"""pnpm-lock.yaml, lockfile versions 5.x (``/name/1.0.0_peer``), 6.x (``/name@1.0.0(peer)``) and 9.x (``name@1.0.0``)."""

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
    load_yaml,
    register,
)
from mamori.gate.deps.parsers.package_lock import registry_version

_NOT_REGISTRY = ("tarball", "directory", "repo", "commit")
_KEY = re.compile(r"""^\s{2}['"]?([^'"\s][^'"]*?)['"]?:\s*$""")


def split_key(key: str, lockfile_version: float) -> tuple[str, str]:
    """(name, version) of a ``packages`` key."""
    k = key.lstrip("/").split("(", 1)[0]
    if lockfile_version < 6:
        name, _, version = k.rpartition("/")
        return name, version.split("_", 1)[0]
    at = k.rfind("@")
    if at <= 0:
        return k, ""
    return k[:at], k[at + 1 :]


class PnpmLockParser(Parser):
    name = "pnpm-lock.yaml"
    ecosystem = Ecosystem.NPM

    def matches(self, path: Path) -> bool:
        return path.name == "pnpm-lock.yaml"

    def parse(self, text: str, rel: str, path: Path) -> ParseResult:
        doc = expect(load_yaml(text, rel), dict, rel, "$", "the document")
        col = Collector(Ecosystem.NPM, rel)
        raw_version = str(doc.get("lockfileVersion", "")).split(".")
        try:
            lock_version = float(".".join(raw_version[:2]))
        except ValueError:
            fail(f"unknown lockfileVersion {doc.get('lockfileVersion')!r}", rel, "lockfileVersion")
        lines = key_lines(text, _KEY)
        packages = expect(doc.get("packages") or {}, dict, rel, "packages", "packages")
        for key, entry in packages.items():
            line = lines.get(str(key))
            entry = expect(entry or {}, dict, rel, str(line or f"packages.{key}"), f"package {key!r}")
            name, version = split_key(str(key), lock_version)
            name = entry.get("name", name)
            version = str(entry.get("version", version))
            resolution = entry.get("resolution") or {}
            if registry_version(version) and not any(k in resolution for k in _NOT_REGISTRY):
                col.pinned(name, version, line)
            elif not version.startswith(("link:", "file:")):
                origin: Any = resolution.get("tarball") or resolution.get("repo") or version
                col.skipped(f"{name} comes from {origin}, not the npm registry", line)
        return col.result()


register(PnpmLockParser)
