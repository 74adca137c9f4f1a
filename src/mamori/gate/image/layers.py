"""Apply an image's layers in order, in memory: whiteouts, links, kept files, and a look at every file.

Each layer is a tar (gzip'd or not) read as a stream, member by member. A ``.wh.NAME``
member deletes ``NAME`` (and what is under it) from the layers below; ``.wh..wh..opq``
empties its directory of what the layers below put there. Every regular file of every
layer is handed to ``visit`` (the secret scanner), also those a later layer deletes or
replaces: they are still in the image. Files that ``keep`` selects are kept in memory
(the package databases); the package databases' every version is kept per layer, to tell
which layer installed a package.
"""

from __future__ import annotations

import hashlib
import posixpath
import re
import tarfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import IO

from mamori.gate.image.archive import Image, LayerRef
from mamori.gate.image.errors import ImageError
from mamori.gate.image.fs import Entry, FileSystem, Kind, norm_path
from mamori.gate.image.limits import Limits

WHITEOUT = ".wh."
OPAQUE = ".wh..wh..opq"
_ZSTD = b"\x28\xb5\x2f\xfd"

Visit = Callable[[LayerRef, str, bytes], None]


@dataclass
class Walk:
    fs: FileSystem
    history: dict[str, list[tuple[int, bytes]]] = field(default_factory=dict)  # path -> [(layer, data)]
    notices: list[str] = field(default_factory=list)
    entries: int = 0
    links: int = 0
    bytes_read: int = 0
    kept_bytes: int = 0
    not_scanned: int = 0  # files larger than the secret scanner's per-file cap
    deleted: dict[str, int] = field(default_factory=dict)  # path -> layer that deleted or replaced it


class _Peek:
    """A stream whose first bytes can be looked at (zstd is refused before tarfile guesses), hashed as read."""

    def __init__(self, f: IO[bytes]) -> None:
        self.f = f
        self.sha = hashlib.sha256()
        self.head = self._raw(4)
        self.pos = 0

    def _raw(self, n: int) -> bytes:
        data = self.f.read(n)
        self.sha.update(data)
        return data

    def read(self, n: int = -1) -> bytes:
        if self.pos < len(self.head):
            out = self.head[self.pos :] if n < 0 else self.head[self.pos : self.pos + n]
            self.pos += len(out)
            if n < 0 or len(out) < n:
                out += self._raw(-1 if n < 0 else n - len(out))
            return out
        return self._raw(n)

    def drain(self) -> str:
        """Read what the tar reader left (padding, the gzip trailer); the hex digest of every byte."""
        while self._raw(1 << 20):
            pass
        return self.sha.hexdigest()


_BLOB = re.compile(r"(?:^|/)blobs/sha256/([0-9a-f]{64})$")


def _read(f: IO[bytes], size: int, where: str, source: str) -> bytes:
    data = f.read(size)
    if len(data) != size:
        raise ImageError("truncated layer member", source=source, where=where)
    return data


def apply_layer(
    image: Image,
    ref: LayerRef,
    walk: Walk,
    limits: Limits,
    keep: Callable[[str], bool],
    history: Callable[[str], bool],
    visit: Visit | None,
) -> None:
    fs = walk.fs
    source = f"{image.source}!{ref.member}"
    try:
        raw = ref.open()
        peek = _Peek(raw)
        if peek.head == _ZSTD:
            raise ImageError(
                "a zstd-compressed layer (not supported: gzip or uncompressed only)", source=source
            )
        with tarfile.open(fileobj=peek, mode="r|*") as tar:  # type: ignore[call-overload]
            for m in tar:
                walk.entries += 1
                if walk.entries > limits.max_entries:
                    raise ImageError(f"more than {limits.max_entries:,} files in the layers", source=source,
                                     where=m.name)  # fmt: skip
                path = norm_path(m.name)
                if path is None:
                    walk.notices.append(f"layer {ref.index} ({ref.digest[:19]}): member {m.name[:200]!r} climbs "
                                        "above the root; ignored")  # fmt: skip
                    continue
                if not path:
                    continue
                base, parent = posixpath.basename(path), posixpath.dirname(path)
                if base == OPAQUE:
                    fs.remove_tree(parent, below_layer=ref.index)
                    continue
                if base.startswith(WHITEOUT):
                    gone = posixpath.join(parent, base[len(WHITEOUT) :]) if parent else base[len(WHITEOUT) :]
                    if gone in fs.entries:
                        walk.deleted.setdefault(gone, ref.index)
                    fs.remove_tree(gone, below_layer=ref.index)
                    continue
                old = fs.entries.get(path)
                if old is not None and old.layer < ref.index and old.kind is Kind.FILE:
                    walk.deleted.setdefault(path, ref.index)
                if m.isdir():
                    if old is None or old.kind is not Kind.DIR:
                        if old is not None:
                            fs.remove_tree(path)
                        fs.entries[path] = Entry(Kind.DIR, ref.index)
                    continue
                if old is not None and old.kind is Kind.DIR:
                    fs.remove_tree(path)
                if m.issym() or m.islnk():
                    walk.links += 1
                    if walk.links > limits.max_links:
                        raise ImageError(f"more than {limits.max_links:,} links in the layers", source=source,
                                         where=m.name)  # fmt: skip
                if m.issym():
                    fs.entries[path] = Entry(Kind.SYMLINK, ref.index, target=m.linkname[:4096])
                    continue
                if m.islnk():
                    target = norm_path(m.linkname)
                    src = fs.entries.get(target) if target else None
                    if src is None or src.kind is not Kind.FILE:
                        walk.notices.append(f"layer {ref.index}: hard link {path} -> {m.linkname[:200]} names no "
                                            "file of the layers so far; ignored")  # fmt: skip
                        continue
                    # the same file under a second name: its content was scanned under the first
                    fs.entries[path] = Entry(Kind.FILE, ref.index, src.size, src.data if keep(path) else None)
                    continue
                if not m.isfile():
                    fs.entries[path] = Entry(Kind.OTHER, ref.index)
                    continue
                size = m.size
                walk.bytes_read += size  # counted before the stream decompresses it, read or skipped
                if walk.bytes_read > limits.max_total_bytes:
                    raise ImageError(f"more than {limits.max_total_bytes:,} uncompressed bytes in the layers",
                                     source=source, where=m.name)  # fmt: skip
                f = tar.extractfile(m)
                wanted = keep(path)
                scan = visit is not None and size <= limits.max_scan_file
                data = None
                if f is not None and (wanted or scan):
                    if wanted and size > limits.max_kept_file:
                        walk.notices.append(f"layer {ref.index}: {path} is larger than {limits.max_kept_file:,} "
                                            "bytes; not read")  # fmt: skip
                        wanted = False
                    if wanted or scan:
                        data = _read(f, size, m.name, source)
                if visit is not None and size > limits.max_scan_file:
                    walk.not_scanned += 1
                kept = None
                if wanted and data is not None:
                    walk.kept_bytes += len(data)
                    if walk.kept_bytes > limits.max_kept_total:
                        raise ImageError(f"more than {limits.max_kept_total:,} bytes of package data",
                                         source=source, where=m.name)  # fmt: skip
                    kept = data
                    if history(path):
                        walk.history.setdefault(path, []).append((ref.index, data))
                fs.entries[path] = Entry(Kind.FILE, ref.index, size, kept)
                if data is not None and scan and visit is not None:
                    visit(ref, path, data)
            named = _BLOB.search(ref.member)
            if named is not None and peek.drain() != named.group(1):
                raise ImageError("the layer's content does not match its sha256 digest (altered or corrupt)",
                                 source=image.source, where=ref.member)  # fmt: skip
    except ImageError:
        raise
    except (tarfile.TarError, EOFError, zlib.error, OSError, ValueError) as exc:
        raise ImageError(f"not a readable layer: {exc}", source=image.source, where=ref.member) from None


def walk_image(
    image: Image,
    limits: Limits,
    keep: Callable[[str], bool],
    history: Callable[[str], bool],
    visit: Visit | None = None,
) -> Walk:
    """Every layer applied in order; ``visit(layer, path, data)`` is called for each regular file."""
    walk = Walk(FileSystem())
    for ref in image.layers:
        apply_layer(image, ref, walk, limits, keep, history, visit)
    return walk
