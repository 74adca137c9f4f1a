"""The image's file system, assembled in memory from its layers (nothing is written to disk).

Paths are relative to the image root, normalised (``./a//b`` -> ``a/b``); a name that climbs
above the root (``../x``, ``a/../../x``) is refused. A symbolic link is resolved inside
the image (an absolute target starts at the image root; ``..`` stops at the root, as in a
chroot), at most ``hops`` links deep.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


def norm_path(name: str) -> str | None:
    """``name`` relative to the root, or None when it climbs above the root."""
    parts: list[str] = []
    for p in name.replace("\\", "/").split("/"):
        if p in ("", "."):
            continue
        if p == "..":
            if not parts:
                return None
            parts.pop()
            continue
        parts.append(p)
    return "/".join(parts)


class Kind(str, Enum):
    FILE = "file"
    DIR = "dir"
    SYMLINK = "symlink"
    OTHER = "other"


@dataclass(slots=True)
class Entry:
    kind: Kind
    layer: int
    size: int = 0
    data: bytes | None = None  # kept only for the files that name packages
    target: str | None = None  # a symlink's target as written


class FileSystem:
    """The merged view: path -> the entry of the last layer that wrote it."""

    def __init__(self) -> None:
        self.entries: dict[str, Entry] = {}

    def remove_tree(self, path: str, below_layer: int | None = None) -> None:
        """Delete ``path`` and everything under it (only what layers before ``below_layer`` wrote, when given)."""
        e = self.entries.get(path)
        if path and e is not None and e.kind is not Kind.DIR:
            if below_layer is None or e.layer < below_layer:
                del self.entries[path]
            return
        prefix = path + "/" if path else ""
        doomed = [p for p, e in self.entries.items() if (p == path or p.startswith(prefix))
                  and (below_layer is None or e.layer < below_layer)]  # fmt: skip
        if not path and below_layer is not None:
            doomed = [p for p, e in self.entries.items() if e.layer < below_layer]
        for p in doomed:
            del self.entries[p]

    def resolve(self, path: str, hops: int = 40) -> str | None:
        """``path`` with every symlink in it followed inside the image; None when it dangles or loops."""
        parts = path.split("/")
        done: list[str] = []
        budget = hops
        while parts:
            head = parts.pop(0)
            if head in ("", "."):
                continue
            if head == "..":
                if done:
                    done.pop()
                continue
            cur = "/".join((*done, head))
            e = self.entries.get(cur)
            if e is not None and e.kind is Kind.SYMLINK and e.target is not None:
                budget -= 1
                if budget < 0:
                    return None
                target = e.target
                if target.startswith("/"):
                    done = []
                parts = [*target.split("/"), *parts]
                continue
            done.append(head)
        return "/".join(done)

    def file(self, path: str) -> Entry | None:
        real = self.resolve(path)
        e = self.entries.get(real) if real is not None else None
        return e if e is not None and e.kind is Kind.FILE else None
