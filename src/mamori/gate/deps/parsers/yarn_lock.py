"""yarn.lock, classic (v1, yarn's own format) and berry (v2+, YAML with ``__metadata``).

Each entry maps one or more descriptors (``lodash@^4.17.0, lodash@^4.17.20``) to the
resolved version. Aliases (``alias@npm:real@^1``) are audited under the real name;
workspace, link, portal, file and git resolutions are not registry releases.
"""

from __future__ import annotations

import re
from pathlib import Path

from mamori.gate.deps.model import Ecosystem
from mamori.gate.deps.parsers.interface import (
    Collector,
    Parser,
    ParseResult,
    check_text,
    expect,
    fail,
    load_yaml,
    register,
)
from mamori.gate.deps.parsers.package_lock import registry_version

_V1_FIELD = re.compile(r'^\s{2}(\w+)\s+"?([^"]*)"?\s*$')


def _quotes_ok(text: str) -> bool:
    """Each comma-separated part is either unquoted or wholly in one pair of double quotes."""
    for part in text.split(","):
        part = part.strip()
        if '"' in part and not (len(part) >= 2 and part[0] == part[-1] == '"' and part.count('"') == 2):
            return False
    return True


def split_descriptor(desc: str) -> tuple[str, str]:
    """``@scope/name@range`` -> (``@scope/name``, ``range``)."""
    desc = desc.strip().strip('"')
    at = desc.find("@", 1)
    if at < 0:
        return desc, ""
    return desc[:at], desc[at + 1 :]


def real_name(desc: str) -> str:
    name, rng = split_descriptor(desc)
    if rng.startswith("npm:"):
        inner = rng[4:]
        return split_descriptor(inner)[0] if "@" in inner[1:] else inner
    return name


class YarnLockParser(Parser):
    name = "yarn.lock"
    ecosystem = Ecosystem.NPM

    def matches(self, path: Path) -> bool:
        return path.name == "yarn.lock"

    def parse(self, text: str, rel: str, path: Path) -> ParseResult:
        check_text(text, rel)
        col = Collector(Ecosystem.NPM, rel)
        if "__metadata:" in text:
            self._berry(text, rel, col)
        else:
            self._classic(text, rel, col)
        return col.result()

    def _classic(self, text: str, rel: str, col: Collector) -> None:
        header: tuple[int, str] | None = None
        fields: dict[str, str] = {}

        def flush() -> None:
            if header is None:
                return
            line, descs = header
            name = real_name(descs.split(",")[0])
            version = fields.get("version")
            if version is None:
                fail(f"entry {descs!r} has no version", rel, str(line))
            resolved = fields.get("resolved", "")
            if registry_version(version) and not resolved.startswith(("file:", "git", "link:")):
                col.pinned(name, version, line)
            else:
                col.skipped(f"{name} comes from {resolved or version}, not the npm registry", line)

        for i, raw in enumerate(text.splitlines(), 1):
            if not raw.strip() or raw.lstrip().startswith("#"):
                continue
            if not raw[0].isspace():
                if not raw.rstrip().endswith(":"):
                    fail(f"expected an entry header ending in ':', got {raw.strip()!r}", rel, str(i))
                if not _quotes_ok(raw.rstrip()[:-1]):
                    fail("unterminated or stray quote in an entry header", rel, str(i))
                flush()
                header, fields = (i, raw.rstrip()[:-1]), {}
            elif raw.startswith("  ") and not raw.startswith("   "):
                if header is None:
                    fail("indented line before any entry", rel, str(i))
                m = _V1_FIELD.match(raw)
                if m and not _quotes_ok(raw.strip().partition(" ")[2]):
                    fail("unterminated or stray quote in a field", rel, str(i))
                if m:
                    fields[m.group(1)] = m.group(2)
                elif not raw.rstrip().endswith(":"):
                    fail(f"cannot read {raw.strip()!r}", rel, str(i))
        flush()

    def _berry(self, text: str, rel: str, col: Collector) -> None:
        doc = expect(load_yaml(text, rel), dict, rel, "$", "the document")
        lines: dict[str, int] = {}
        for i, raw in enumerate(text.splitlines(), 1):
            if raw and not raw[0].isspace() and raw.rstrip().endswith(":"):
                lines.setdefault(raw.rstrip()[:-1].strip('"'), i)
        for key, entry in doc.items():
            if key == "__metadata":
                continue
            expect(entry, dict, rel, str(lines.get(str(key), key)), f"entry {key!r}")
            line = lines.get(str(key))
            resolution = str(entry.get("resolution", ""))
            name, ref = (
                split_descriptor(resolution) if resolution else (real_name(str(key).split(",")[0]), "")
            )
            version = entry.get("version")
            if ref.startswith("workspace:") or entry.get("linkType") == "soft":
                continue
            from_npm = ref.startswith("npm:") or (ref.startswith("patch:") and "npm%3A" in ref)
            if from_npm and registry_version(str(version)):
                col.pinned(name, str(version), line)
                continue
            col.skipped(f"{name} resolves to {resolution or version}, not the npm registry", line)


register(YarnLockParser)
