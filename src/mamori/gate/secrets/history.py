"""Whole-history scanning: every blob reachable from any ref, each scanned once.

``git log --reverse --raw`` streams, oldest first, which blob each commit wrote at which path;
the first time a blob id shows up, that commit introduced it. New blob ids go in batches to one
``git cat-file --batch`` process and their content streams through the scanner in chunks.
Nothing here holds more than one block of one blob, plus the set of blob ids already seen.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from itertools import islice
from pathlib import Path

from mamori.gate.secrets import git
from mamori.gate.secrets.model import Commit

_SEP = "\x1f"
_FORMAT = "%x01%H%x1f%an%x1f%ae%x1f%aI"
_ZERO = "0" * 40
_SKIP_MODES = ("160000", "120000")  # submodules, symlinks
BATCH = 512


@dataclass(frozen=True, slots=True)
class NewBlob:
    sha: str
    path: str
    commit: Commit


def log_args(since: str | None, revs: tuple[str, ...] = ()) -> list[str]:
    args = [
        "-c",
        "core.quotePath=false",
        "log",
        "--reverse",
        "--date-order",
        "--no-renames",
        "--raw",
        "--no-abbrev",
        "--diff-merges=first-parent",
        f"--format={_FORMAT}",
        *(revs or ("--all",)),
    ]
    if since:
        args += ["--not", since]
    return args


def iter_new_blobs(repo: Path, since: str | None = None, stats: dict[str, int] | None = None) -> Iterator[NewBlob]:
    """Blobs in the order their introducing commits were made, each blob id once."""
    seen: set[bytes] = set()
    commit: Commit | None = None
    commits = 0
    args = log_args(since)
    with git.popen_lines(repo, *args) as out:
        for raw in out:
            line = raw.decode("utf-8", "surrogateescape").rstrip("\n")
            if line.startswith("\x01"):
                sha, author, email, date = line[1:].split(_SEP, 3)
                commit = Commit(sha=sha, author=author, email=email, date=date)
                commits += 1
                continue
            if not line.startswith(":") or commit is None:
                continue
            meta, _, path = line.partition("\t")
            fields = meta[1:].split(" ")
            if len(fields) < 5:
                continue
            new_mode, new_sha, status = fields[1], fields[3], fields[4]
            if status.startswith("D") or new_sha == _ZERO or new_mode in _SKIP_MODES:
                continue
            key = bytes.fromhex(new_sha)
            if key in seen:
                continue
            seen.add(key)
            yield NewBlob(new_sha, git.unquote_path(path), commit)
    if stats is not None:
        stats["commits"] = commits
        stats["blobs"] = len(seen)


def batched(it: Iterator[NewBlob], n: int = BATCH) -> Iterator[list[NewBlob]]:
    while True:
        batch = list(islice(it, n))
        if not batch:
            return
        yield batch


def verify_rev(repo: Path, rev: str) -> None:
    """Raise NotARepositoryError-style input errors early for an unknown --since revision."""
    from mamori.gate.secrets.errors import SecretsConfigError

    proc = git.run(repo, "rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}", check=False)
    if not proc.strip():
        raise SecretsConfigError(f"unknown revision {rev!r}", source="--since")
