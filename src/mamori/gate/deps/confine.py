"""Paths that a scanned file names must stay inside the scanned directory.

A lockfile or policy in a repository is attacker-controlled: ``-r /proc/self/environ`` or
``-c ../../.aws/credentials`` in a requirements file, a symlinked lockfile, or a policy's
``kev_catalog: /etc/shadow`` would otherwise make the gate read (and, through its error
messages, print) files outside the repository. :func:`confine` resolves the path
(symlinks included) and refuses it unless it lies under the scanned root or a directory the
user allowed explicitly (``mamori gate deps --allow-include DIR``).

The allowed directories travel in a context variable set by ``discover.collect`` for the
duration of one collection, so the parser interface (``parse(text, rel, path)``) stays as
it is.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from contextvars import ContextVar
from pathlib import Path

from mamori.gate.deps.errors import LockfileError

#: directories outside the scanned root that includes may read (``--allow-include``)
_EXTRA_ROOTS: ContextVar[tuple[Path, ...]] = ContextVar("mamori_deps_extra_roots", default=())

#: an included file larger than this is refused (a requirements file is a few KiB)
MAX_INCLUDE_BYTES = 16 * 1024 * 1024


@contextlib.contextmanager
def allowed_roots(extra: tuple[Path, ...]) -> Iterator[None]:
    """Allow reads under ``extra`` (besides the scanned root) while the block runs."""
    token = _EXTRA_ROOTS.set(tuple(p.resolve() for p in extra))
    try:
        yield
    finally:
        _EXTRA_ROOTS.reset(token)


def is_inside(path: Path, root: Path) -> bool:
    """Whether ``path`` (resolved, symlinks followed) is ``root`` or under it, or under an allowed root."""
    real = path.resolve()
    return any(real.is_relative_to(r) for r in (root.resolve(), *_EXTRA_ROOTS.get()))


def confine(value: str, base: Path, root: Path, *, source: str, where: str, show: bool) -> Path:
    """The resolved file that ``value`` (as written in ``source``, relative to ``base``) names.

    Raises ``LockfileError`` for an absolute path, a path that leaves ``root`` (``..``, or a
    symlink pointing out), and anything that is not a regular file of a sane size. ``show``
    says whether the value may appear in the message (not when it comes from an included
    file, whose content is never echoed).
    """
    what = f"included file {value!r}" if show else "an included file"
    if os.path.isabs(value) or value.startswith("~"):
        target = Path(os.path.expanduser(value))
        if not _allowed(target):
            raise LockfileError(
                f"{what} is an absolute path; includes must stay inside the scanned directory "
                "(allow a directory with --allow-include)",
                source=source,
                where=where,
            )
    target = (base / value).resolve()
    if not (target.is_relative_to(root.resolve()) or _allowed(target)):
        raise LockfileError(
            f"{what} is outside the scanned directory; includes must stay inside it "
            "(allow a directory with --allow-include)",
            source=source,
            where=where,
        )
    if not target.exists():
        raise LockfileError(f"{what} does not exist", source=source, where=where)
    if not target.is_file():
        raise LockfileError(f"{what} is not a regular file", source=source, where=where)
    if target.stat().st_size > MAX_INCLUDE_BYTES:
        raise LockfileError(f"{what} is larger than {MAX_INCLUDE_BYTES:,} bytes", source=source, where=where)
    return target


def _allowed(path: Path) -> bool:
    real = path.resolve()
    return any(real.is_relative_to(r) for r in _EXTRA_ROOTS.get())
