"""What is installed in an image, from its assembled file system: the OS, OS packages, language packages.

An OS package's layer is the first layer whose copy of the package database lists it (at
the same version); a language package's layer is the layer of the file it was read from.
Lockfiles found in the image are read with the dependency gate's own parsers (never in
``node_modules``, virtualenvs or other installed trees: those are read as installed packages).
"""

from __future__ import annotations

import posixpath
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from mamori.gate.deps.discover import SKIP_DIRS, parser_for
from mamori.gate.deps.errors import LockfileError
from mamori.gate.image.distro import Distro, OsInfo, distro_of, parse_os_release
from mamori.gate.image.errors import ImageError
from mamori.gate.image.fs import Kind
from mamori.gate.image.langpkgs import (
    is_jar,
    is_node_manifest,
    is_python_meta,
    jar_packages,
    node_manifest,
    python_meta,
)
from mamori.gate.image.layers import Walk
from mamori.gate.image.limits import Limits
from mamori.gate.image.model import ImagePackage
from mamori.gate.image.ospkgs import OsPackage, parse_apk, parse_dpkg
from mamori.gate.image.rpmdb import parse_rpm_sqlite

OS_RELEASE = ("etc/os-release", "usr/lib/os-release")
DPKG_STATUS = "var/lib/dpkg/status"
DPKG_STATUS_D = "var/lib/dpkg/status.d/"
APK_INSTALLED = "lib/apk/db/installed"
RPM_SQLITE = ("var/lib/rpm/rpmdb.sqlite", "usr/lib/sysimage/rpm/rpmdb.sqlite")
RPM_UNSUPPORTED = ("var/lib/rpm/Packages", "usr/lib/sysimage/rpm/Packages", "var/lib/rpm/Packages.db",
                   "usr/lib/sysimage/rpm/Packages.db")  # fmt: skip


def is_os_db(path: str) -> bool:
    return (path in (DPKG_STATUS, APK_INSTALLED) or path in RPM_SQLITE
            or (path.startswith(DPKG_STATUS_D) and "/" not in path[len(DPKG_STATUS_D):]))  # fmt: skip


def _in_skipped_tree(path: str) -> bool:
    return any(part in SKIP_DIRS for part in path.split("/")[:-1])


def is_lockfile(path: str) -> bool:
    if _in_skipped_tree(path) or path.startswith(("usr/share/", "proc/", "sys/")):
        return False
    return parser_for(Path(posixpath.basename(path))) is not None


def keep(path: str) -> bool:
    """The files the inventory reads (kept in memory while the layers are applied)."""
    return (path in OS_RELEASE or is_os_db(path) or is_python_meta(path) or is_node_manifest(path)
            or is_jar(path) or is_lockfile(path))  # fmt: skip


@dataclass
class Inventory:
    os: OsInfo | None = None
    distro: Distro | None = None
    packages: list[ImagePackage] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    siblings: dict[str, set[str]] = field(default_factory=dict)  # directory -> names of kept files in it


def _first_layer(
    walk: Walk, path: str, parse: Callable[[bytes, str], list[OsPackage]]
) -> dict[tuple[str, str], int]:
    """(name, version) -> the first layer whose copy of ``path`` lists it (and every later copy keeps it)."""
    first: dict[tuple[str, str], int] = {}
    for layer, data in walk.history.get(path, []):
        try:
            seen = {(p.name, p.version) for p in parse(data, path)}
        except ImageError:
            continue
        first = {k: v for k, v in first.items() if k in seen}
        for k in seen:
            first.setdefault(k, layer)
    return first


def _os_packages(walk: Walk, inv: Inventory) -> None:
    fs = walk.fs
    eco = inv.distro.ecosystem if inv.distro else None
    release = inv.distro.release if inv.distro else None
    dbs: list[tuple[str, Callable[[bytes, str], list[OsPackage]]]] = []
    if fs.file(DPKG_STATUS):
        dbs.append((DPKG_STATUS, parse_dpkg))
    for p in sorted(x for x in fs.entries if x.startswith(DPKG_STATUS_D) and is_os_db(x)):
        dbs.append((p, lambda d, s: parse_dpkg(d, s, need_status=False)))
    if fs.file(APK_INSTALLED):
        dbs.append((APK_INSTALLED, parse_apk))
    rpm = next((p for p in RPM_SQLITE if fs.file(p)), None)
    if rpm:
        dbs.append((rpm, parse_rpm_sqlite))
    elif any(fs.file(p) for p in RPM_UNSUPPORTED):
        inv.errors.append("the rpm database is in the BerkeleyDB or NDB format (var/lib/rpm/Packages), which "
                          "mamori does not read: the image's rpm packages were NOT audited (RHEL/CentOS 8 and older)")  # fmt: skip
    for path, parse in dbs:
        entry = fs.file(path)
        if entry is None or entry.data is None:
            continue
        inv.files.append(path)
        try:
            pkgs = parse(entry.data, path)
        except ImageError as exc:
            inv.errors.append(str(exc) if exc.source else f"{path}: {exc}")
            continue
        if eco is None:
            inv.notices.append(f"{path}: {len(pkgs)} OS package(s) listed, but the OS "
                               f"({inv.os.pretty_name if inv.os else 'no os-release'}) has no OSV ecosystem: "
                               "not audited")  # fmt: skip
            continue
        layers = _first_layer(walk, path, parse)
        for op in pkgs:
            layer = layers.get((op.name, op.version), entry.layer)
            assert release is not None
            inv.packages.append(ImagePackage(eco, op.name, op.version, layer, path, release, True,
                                             op.source_name, op.source_version, op.arch))  # fmt: skip


def _lockfile(path: str, data: bytes, layer: int, inv: Inventory, sandbox: Path) -> None:
    parser = parser_for(Path(posixpath.basename(path)))
    if parser is None:
        return
    if any(s in inv.siblings.get(posixpath.dirname(path), ()) for s in parser.superseded_by):
        return
    inv.files.append(path)
    try:
        text = data.decode("utf-8")
        # a path inside an empty directory: an include (-r other.txt) can read nothing of this machine
        result = parser.parse(text, path, sandbox / path)
    except UnicodeDecodeError:
        inv.errors.append(f"{path}: not UTF-8")
        return
    except LockfileError as exc:
        inv.errors.append(str(exc))
        return
    for p in result.packages:
        if p.version is None:
            continue  # a manifest's range: the installed packages beside it are what runs
        inv.packages.append(
            ImagePackage(p.ecosystem, p.name, p.version, layer, p.location, p.ecosystem.value)
        )
    inv.notices.extend(str(n) for n in result.notices)


def take_inventory(walk: Walk, limits: Limits) -> Inventory:
    inv = Inventory()
    fs = walk.fs
    for p in OS_RELEASE:
        e = fs.file(p)
        if e is not None and e.data is not None:
            inv.os = parse_os_release(e.data.decode("utf-8", "replace"), p)
            inv.distro = distro_of(inv.os)
            break
    if inv.os is None:
        inv.notices.append(
            "no etc/os-release or usr/lib/os-release: the OS is unknown, OS packages not audited"
        )
    elif inv.distro is None:
        inv.notices.append(f"OS {inv.os.pretty_name or inv.os.id} {inv.os.version_id}: no OSV ecosystem for it "
                           "(Debian, Ubuntu, Alpine, Red Hat, Rocky Linux and AlmaLinux are known)")  # fmt: skip
    _os_packages(walk, inv)
    kept = sorted((p, e) for p, e in fs.entries.items() if e.kind is Kind.FILE and e.data is not None)
    for p, _ in kept:
        inv.siblings.setdefault(posixpath.dirname(p), set()).add(posixpath.basename(p))
    with tempfile.TemporaryDirectory(prefix="mamori-image-") as tmp:
        sandbox = Path(tmp) / "image"
        for path, e in kept:
            assert e.data is not None
            if path in OS_RELEASE or is_os_db(path):
                continue
            try:
                if is_python_meta(path):
                    lp = python_meta(e.data, path)
                elif is_node_manifest(path):
                    lp = node_manifest(e.data, path)
                elif is_jar(path):
                    pkgs, notes = jar_packages(e.data, path, limits)
                    inv.notices.extend(notes)
                    inv.packages.extend(ImagePackage(x.ecosystem, x.name, x.version, e.layer, x.path,
                                                     x.ecosystem.value) for x in pkgs)  # fmt: skip
                    continue
                elif is_lockfile(path):
                    _lockfile(path, e.data, e.layer, inv, sandbox)
                    continue
                else:
                    continue
            except ImageError as exc:
                inv.errors.append(str(exc))
                continue
            if lp is not None:
                inv.packages.append(ImagePackage(lp.ecosystem, lp.name, lp.version, e.layer, path,
                                                 lp.ecosystem.value))  # fmt: skip
    return inv
