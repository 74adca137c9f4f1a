"""Which working-tree files to scan, and reading them as bounded chunks."""

from __future__ import annotations

import fnmatch
import functools
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

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
    path: str  # on disk (a string: no ``Path`` object per file, in the lister nor in a worker)
    display: str  # repo- or root-relative, forward slashes


def skipped_by_name(rel: str) -> bool:
    """VCS and vendor folders, binary suffixes, the baseline file (string work: called per file)."""
    parts = [p for p in rel.split("/") if p and p != "."]
    if not parts:
        return False
    if any(part in SKIP_DIRS for part in parts[:-1]):
        return True
    return _skipped_name(parts[-1])


def _skipped_name(name: str) -> bool:
    dot = name.rfind(".")
    suffix = name[dot:] if 0 < dot < len(name) - 1 else ""  # PurePosixPath.suffix
    return suffix.lower() in SKIP_SUFFIXES or name == BASELINE_NAME


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
        yield FileRef(str(root), rel.replace(os.sep, "/"))
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
                yield FileRef(str(full), display)
        return
    yield from _walk(str(root), "", exclude)


def _walk(path: str, prefix: str, exclude: Sequence[str]) -> Iterator[FileRef | str]:
    """What ``os.walk`` (top-down, sorted, symlinks not followed) gave, from one ``scandir`` per
    folder: the entries' types come with the listing, so no ``stat`` per file."""
    try:
        with os.scandir(path) as it:
            entries = list(it)
    except OSError:  # as os.walk: an unreadable folder is left out
        return
    dirs: list[tuple[str, bool]] = []
    names: list[tuple[str, bool]] = []
    for e in entries:
        try:
            is_dir = e.is_dir()
        except OSError:
            is_dir = False
        (dirs if is_dir else names).append((e.name, e.is_symlink()))
    for name, link in sorted(names):
        display = prefix + name
        # the folders above were not skipped (or not walked): the name alone decides
        if _skipped_name(name) or (exclude and excluded(display, exclude)):
            yield display
            continue
        if not link:
            yield FileRef(os.path.join(path, name), display)
    for name, link in sorted(dirs):
        if name in SKIP_DIRS or link:
            continue
        yield from _walk(os.path.join(path, name), prefix + name + "/", exclude)


def read_rest(fd: int, head: bytes) -> bytes:
    """``head`` and everything after it in the open file ``fd``, to its end."""
    parts = [head]
    while data := os.read(fd, READ_SIZE):
        parts.append(data)
    return b"".join(parts)


def read_chunks(path: str | Path, size: int = READ_SIZE) -> Iterator[bytes]:
    with open(path, "rb") as fh:
        while True:
            data = fh.read(size)
            if not data:
                return
            yield data
