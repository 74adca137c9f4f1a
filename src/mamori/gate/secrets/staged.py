"""What is about to be committed: staged blobs, and which of their lines the commit adds."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from mamori.gate.secrets import git

_HUNK = re.compile(rb"^@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@")


@dataclass(frozen=True, slots=True)
class StagedFile:
    path: str
    sha: str
    added: tuple[tuple[int, int], ...]  # inclusive line ranges the commit adds or changes

    def touches(self, first: int, last: int) -> bool:
        return any(a <= last and first <= b for a, b in self.added)


def staged_files(repo: Path) -> list[StagedFile]:
    """Added, copied, modified or renamed files in the index, with their added line ranges."""
    diff = git.run(
        repo,
        "-c",
        "core.quotePath=false",
        "diff",
        "--cached",
        "--no-color",
        "--no-ext-diff",
        "--no-renames",
        "-U0",
        "--diff-filter=ACM",
        "--src-prefix=a/",
        "--dst-prefix=b/",
    )
    added: dict[str, list[tuple[int, int]]] = {}
    current: str | None = None
    for line in diff.split(b"\n"):
        if line.startswith(b"+++ "):
            target = line[4:].rstrip(b"\t\r").decode("utf-8", "surrogateescape")
            target = git.unquote_path(target)
            current = target[2:] if target.startswith("b/") else None
            if current is not None:
                added.setdefault(current, [])
        elif current is not None and line.startswith(b"@@"):
            m = _HUNK.match(line)
            if m:
                start, count = int(m.group(1)), int(m.group(2) or 1)
                if count:
                    added[current].append((start, start + count - 1))
    if not added:
        return []
    index = git.run(repo, "ls-files", "--stage", "-z")
    shas: dict[str, str] = {}
    for entry in index.split(b"\0"):
        if not entry:
            continue
        meta, _, path = entry.partition(b"\t")
        mode, sha, stage = meta.split(b" ")
        if stage == b"0" and mode not in (b"160000", b"120000"):
            shas[path.decode("utf-8", "surrogateescape")] = sha.decode()
    return [StagedFile(p, shas[p], tuple(r)) for p, r in sorted(added.items()) if p in shas and r]
