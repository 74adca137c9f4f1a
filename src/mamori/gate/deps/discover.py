"""Find a project's lockfiles and manifests and parse them all.

A malformed file does not stop the others: its error is collected (file and place), the
rest is parsed and audited, and the run ends with exit code 2 because the audit is
incomplete. Directories that hold installed or generated trees (``node_modules``,
virtualenvs, ``.git``, build outputs) are not searched. A file whose real path (symlinks
followed) lies outside the scanned directory is not read: it is an error naming the link.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from mamori.errors import InputError
from mamori.gate.deps.confine import allowed_roots, is_inside
from mamori.gate.deps.errors import LockfileError
from mamori.gate.deps.model import Notice, Package
from mamori.gate.deps.parsers import PARSERS, Parser
from mamori.gate.deps.parsers.interface import MAX_LOCKFILE_BYTES
from mamori.safeload import load_json

SKIP_DIRS = frozenset(
    {
        ".git", ".hg", ".svn", "node_modules", ".venv", "venv", "env", ".tox", ".nox", "__pycache__",
        ".mypy_cache", ".pytest_cache", ".ruff_cache", "site-packages", "target", "build", "dist",
        ".gradle", ".idea", ".mamori", "bower_components", ".yarn", ".pnpm-store",
    }
)  # fmt: skip


@dataclass(frozen=True)
class Collection:
    """Everything read from the project: packages (one per file occurrence), notices, errors."""

    root: Path
    files: tuple[str, ...]
    packages: tuple[Package, ...]
    notices: tuple[Notice, ...]
    errors: tuple[LockfileError, ...]


def parser_for(path: Path) -> Parser | None:
    for p in PARSERS.values():
        if p.matches(path):
            return p
    return None


def _sniff(path: Path) -> Parser | None:
    """A parser for a file given explicitly whose name says nothing: CycloneDX JSON by content."""
    if path.suffix.lower() != ".json":
        return None
    try:
        head = load_json(path.read_bytes(), source=str(path), max_bytes=MAX_LOCKFILE_BYTES)
    except (OSError, InputError):
        return None
    return (
        PARSERS.get("cyclonedx") if isinstance(head, dict) and head.get("bomFormat") == "CycloneDX" else None
    )


def find_files(root: Path) -> list[tuple[Path, Parser]]:
    if root.is_file():
        parser = parser_for(root) or _sniff(root)
        if parser is None:
            known = ", ".join(PARSERS)
            raise LockfileError(f"no parser reads this file (formats: {known})", source=str(root))
        return [(root, parser)]
    found: list[tuple[Path, Parser]] = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d not in SKIP_DIRS)
        names = set(filenames)
        for fname in sorted(filenames):
            path = Path(dirpath) / fname
            parser = parser_for(path)
            if parser is None or any(s in names for s in parser.superseded_by):
                continue
            found.append((path, parser))
    return found


def collect(root: Path, *, allow_include: tuple[Path, ...] = ()) -> Collection:
    """Parse every lockfile under ``root`` (or ``root`` itself when it is a file).

    Files are read only inside ``root`` (or its directory when it is a file) and the
    ``allow_include`` directories: a symlink out, or an include that leaves it, is an error.
    """
    with allowed_roots(allow_include):
        return _collect(root)


def _collect(root: Path) -> Collection:
    root = root.resolve()
    if not root.exists():
        raise LockfileError("no such file or directory", source=str(root))
    base = root.parent if root.is_file() else root
    files: list[str] = []
    packages: list[Package] = []
    notices: list[Notice] = []
    errors: list[LockfileError] = []
    for path, parser in find_files(root):
        rel = path.relative_to(base).as_posix()
        files.append(rel)
        if not is_inside(path, base):
            errors.append(
                LockfileError("a symlink to a file outside the scanned directory; not read", source=rel)
            )
            continue
        try:
            text = path.read_text(encoding="utf-8")
            result = parser.parse(text, rel, path)
        except LockfileError as exc:
            errors.append(exc)
            continue
        except (OSError, UnicodeDecodeError) as exc:
            errors.append(LockfileError(f"cannot read: {exc}", source=rel))
            continue
        packages.extend(result.packages)
        notices.extend(result.notices)
    return Collection(base, tuple(files), tuple(packages), tuple(notices), tuple(errors))
