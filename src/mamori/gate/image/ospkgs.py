"""OS package databases: dpkg ``status`` (and distroless ``status.d``), apk ``installed``.

dpkg: RFC 822-style stanzas; only packages whose ``Status`` ends in ``installed`` count
(``status.d`` files have no Status: every stanza counts). ``Source: NAME (VERSION)``
names the source package Debian's advisories use (VERSION when it differs from the binary's).
apk: stanzas of ``X:value`` lines; ``P`` name, ``V`` version, ``A`` arch, ``o`` origin
(the source package Alpine's advisories use).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from mamori.gate.image.errors import ImageError

MAX_PACKAGES = 100_000
_SOURCE = re.compile(r"^(\S+)(?:\s+\((\S+)\))?$")


@dataclass(frozen=True, slots=True)
class OsPackage:
    name: str
    version: str
    arch: str | None = None
    source_name: str | None = None  # the source package (Debian, Ubuntu), origin (Alpine), source rpm (RPM)
    source_version: str | None = None
    epoch: int | None = None  # RPM only; ``version`` then holds "epoch:version-release"


def _text(data: bytes, source: str) -> str:
    if b"\x00" in data[: 1 << 20]:
        raise ImageError("a NUL byte in a text package database", source=source)
    return data.decode("utf-8", "replace")


def _stanzas(text: str) -> list[tuple[int, dict[str, str]]]:
    out: list[tuple[int, dict[str, str]]] = []
    cur: dict[str, str] = {}
    start = 1
    for i, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            if cur:
                out.append((start, cur))
            cur = {}
            continue
        if not cur:
            start = i
        if line[0] in " \t":
            continue  # a continuation line (Description, Conffiles): no field the gate reads
        key, sep, value = line.partition(":")
        if not sep:
            continue
        cur[key.strip()] = value.strip()
    if cur:
        out.append((start, cur))
    return out


def parse_dpkg(data: bytes, source: str, *, need_status: bool = True) -> list[OsPackage]:
    out: list[OsPackage] = []
    for line, st in _stanzas(_text(data, source)):
        name, version = st.get("Package"), st.get("Version")
        if not name or not version:
            if name or version:
                raise ImageError(
                    "a package stanza without Package or Version", source=source, where=str(line)
                )
            continue
        if need_status and "Status" in st and not st["Status"].endswith(" installed"):
            continue
        src_name = src_ver = None
        if st.get("Source"):
            m = _SOURCE.match(st["Source"])
            if m:
                src_name, src_ver = m.group(1), m.group(2)
        out.append(OsPackage(name, version, st.get("Architecture"), src_name or name, src_ver or version))
        if len(out) > MAX_PACKAGES:
            raise ImageError(f"more than {MAX_PACKAGES:,} packages", source=source)
    return out


def parse_apk(data: bytes, source: str) -> list[OsPackage]:
    out: list[OsPackage] = []
    cur: dict[str, str] = {}
    start = 1
    lines = _text(data, source).splitlines()
    for i, line in enumerate([*lines, ""], 1):
        if not line.strip():
            if cur:
                if not cur.get("P") or not cur.get("V"):
                    raise ImageError("a package without P: or V:", source=source, where=str(start))
                out.append(OsPackage(cur["P"], cur["V"], cur.get("A"), cur.get("o") or cur["P"], cur["V"]))
                if len(out) > MAX_PACKAGES:
                    raise ImageError(f"more than {MAX_PACKAGES:,} packages", source=source)
            cur = {}
            continue
        if not cur:
            start = i
        if len(line) >= 2 and line[1] == ":":
            cur.setdefault(line[0], line[2:].strip())
    return out
