"""Which working-tree files to scan, and reading them as bounded chunks."""

from __future__ import annotations

import fnmatch
import functools
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from mamori.gate.secrets import git

SKIP_DIRS = frozenset(
    {
        ".git",
        ".hg",
        ".svn",
        "node_modules",
        "bower_components",
        "jspm_packages",
        "vendor",
        "third_party",
        ".venv",
        "venv",
        "site-packages",
        "__pycache__",
        ".mypy_cache",
        ".pytest_cache",
        ".ruff_cache",
        ".tox",
        ".nox",
        ".terraform",
        ".gradle",
        ".idea",
        ".next",
    }
)
SKIP_SUFFIXES = frozenset(
    {
        ".png", ".jpg", ".jpeg", ".gif", ".bmp", ".ico", ".webp", ".tiff", ".psd",
        ".pdf", ".zip", ".gz", ".tgz", ".bz2", ".xz", ".zst", ".7z", ".rar", ".jar", ".war",
        ".whl", ".egg", ".so", ".dylib", ".dll", ".exe", ".o", ".a", ".class", ".pyc",
        ".woff", ".woff2", ".ttf", ".otf", ".eot", ".mp3", ".mp4", ".mov", ".avi", ".wav",
        ".sqlite", ".db", ".parquet", ".npy", ".pkl",
    }
)  # fmt: skip
BASELINE_NAME = ".mamori-secrets-baseline.json"
READ_SIZE = 1 << 20


@dataclass(frozen=True, slots=True)
class FileRef:
    path: Path  # on disk
    display: str  # repo- or root-relative, forward slashes


def skipped_by_name(rel: str) -> bool:
    p = PurePosixPath(rel)
    if any(part in SKIP_DIRS for part in p.parts[:-1]):
        return True
    return p.suffix.lower() in SKIP_SUFFIXES or p.name == BASELINE_NAME


def excluded(rel: str, patterns: Sequence[str]) -> bool:
    return any(fnmatch.fnmatchcase(rel, pat) for pat in patterns)


@functools.lru_cache(maxsize=256)
def _toplevel_of_dir(directory: Path) -> Path | None:
    """Cached: pre-commit passes many files of the same folders."""
    return git.toplevel(directory)


def iter_files(root: Path, exclude: Sequence[str] = ()) -> Iterator[FileRef | str]:
    """Files under ``root``; yields the display path (a ``str``) of each one skipped by a rule.

    Inside a git work tree ``git ls-files -co --exclude-standard`` lists the files, so
    .gitignore is respected; elsewhere the tree is walked, skipping VCS and vendor folders.
    """
    root = root.resolve()
    if root.is_file():
        top = _toplevel_of_dir(root.parent)
        rel = os.path.relpath(root, top) if top else root.name
        yield FileRef(root, rel.replace(os.sep, "/"))
        return
    top = git.toplevel(root)
    if top is not None and not git.is_ignored(top, root):
        base = top.resolve()
        for rel in git.ls_files(root, "."):
            full = root / rel
            display = os.path.relpath(full, base).replace(os.sep, "/")
            if skipped_by_name(display) or excluded(display, exclude):
                yield display
                continue
            if full.is_file() and not full.is_symlink():
                yield FileRef(full, display)
        return
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d not in SKIP_DIRS)
        for name in sorted(filenames):
            full = Path(dirpath) / name
            display = os.path.relpath(full, root).replace(os.sep, "/")
            if skipped_by_name(display) or excluded(display, exclude):
                yield display
                continue
            if not full.is_symlink():
                yield FileRef(full, display)


def read_chunks(path: Path, size: int = READ_SIZE) -> Iterator[bytes]:
    with open(path, "rb") as fh:
        while True:
            data = fh.read(size)
            if not data:
                return
            yield data
