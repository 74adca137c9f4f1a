"""The image's operating system (``etc/os-release``, else ``usr/lib/os-release``) and its OSV ecosystem.

OSV names a distribution with its release: ``Debian:12``, ``Ubuntu:22.04:LTS``,
``Alpine:v3.19``, ``Rocky Linux:9``, ``AlmaLinux:9``, ``Red Hat:enterprise_linux:9::appstream``.
``Distro.covers`` says whether an advisory's ``affected[].package.ecosystem`` is this image's
release (Ubuntu's ``:LTS`` suffix and Red Hat's product streams are accepted; Ubuntu Pro is not).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from mamori.gate.deps.model import Ecosystem

_LINE = re.compile(r'^([A-Z0-9_]+)=(?:"((?:[^"\\]|\\.)*)"|\'([^\']*)\'|(\S*))\s*$')


@dataclass(frozen=True, slots=True)
class OsInfo:
    id: str
    version_id: str
    pretty_name: str
    id_like: tuple[str, ...] = ()
    source: str = ""  # the os-release file read

    def to_dict(self) -> dict[str, object]:
        return {"id": self.id, "version_id": self.version_id, "pretty_name": self.pretty_name,
                "id_like": list(self.id_like), "source": self.source}  # fmt: skip


def parse_os_release(text: str, source: str = "") -> OsInfo:
    """KEY=value lines (quoted or not); unknown keys and malformed lines are ignored."""
    kv: dict[str, str] = {}
    for line in text.splitlines()[:500]:
        m = _LINE.match(line.strip())
        if m:
            val = (
                m.group(2) if m.group(2) is not None else m.group(3) if m.group(3) is not None else m.group(4)
            )
            kv[m.group(1)] = re.sub(r"\\(.)", r"\1", val or "")[:200]
    return OsInfo(kv.get("ID", "").lower(), kv.get("VERSION_ID", ""), kv.get("PRETTY_NAME", ""),
                  tuple(kv.get("ID_LIKE", "").lower().split()), source)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Distro:
    """How this image's OS packages are looked up in OSV."""

    ecosystem: Ecosystem
    release: str  # the OSV ecosystem string shown in reports: "Debian:12"
    prefixes: tuple[str, ...]  # advisory ecosystems that are this release

    def covers(self, osv_ecosystem: str) -> bool:
        return osv_ecosystem == self.release or osv_ecosystem.startswith(self.prefixes)


def _major(version: str) -> str:
    return version.split(".", 1)[0]


def distro_of(info: OsInfo) -> Distro | None:
    """The OSV ecosystem of an OS, or None when OSV has none for it (or the version is unknown)."""
    ident, ver = info.id, info.version_id
    if not ver:
        return None
    if ident == "debian":
        r = f"Debian:{_major(ver)}"
        return Distro(Ecosystem.DEBIAN, r, ())
    if ident == "ubuntu":
        r = f"Ubuntu:{ver}"
        return Distro(Ecosystem.UBUNTU, r, (f"{r}:LTS",))
    if ident == "alpine":
        parts = ver.split(".")
        r = f"Alpine:v{parts[0]}.{parts[1]}" if len(parts) > 1 else f"Alpine:v{ver}"
        return Distro(Ecosystem.ALPINE, r, ())
    if ident == "rocky":
        return Distro(Ecosystem.ROCKY, f"Rocky Linux:{_major(ver)}", ())
    if ident == "almalinux":
        return Distro(Ecosystem.ALMA, f"AlmaLinux:{_major(ver)}", ())
    if ident == "rhel":
        r = f"Red Hat:enterprise_linux:{_major(ver)}"
        return Distro(Ecosystem.REDHAT, r, (f"{r}::",))
    return None
