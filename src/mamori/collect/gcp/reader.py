"""Read Cloud Asset Inventory exports: newline-delimited JSON (what `gcloud asset export` writes),
a JSON array of the same objects, either gzip-compressed or not.

Every input is attacker-controlled: a line is at most :data:`MAX_LINE_BYTES`, a value at most
:data:`MAX_DEPTH` deep, a file at most :data:`MAX_FILE_BYTES` once decompressed and an export at
most :data:`MAX_ASSETS` assets. NDJSON is read one line at a time (the raw text of the whole
file is never held); a JSON array is read once and parsed once. A bad line is an
:class:`~mamori.errors.InputError` naming ``file:line`` (``file:[index]`` in an array).

Several files (one per content type: RESOURCE, IAM_POLICY, ORG_POLICY, ...) are joined by the
asset ``name``; :class:`Export` remembers which content was present at all, so that an
export without IAM policies makes IAM rules UNKNOWN instead of PASS.
"""

from __future__ import annotations

import gzip
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from mamori.errors import InputError
from mamori.safeload import load_json

MAX_LINE_BYTES = 8 * 1024 * 1024
MAX_FILE_BYTES = 2 * 1024 * 1024 * 1024
MAX_ARRAY_BYTES = 512 * 1024 * 1024
MAX_DEPTH = 64
MAX_ASSETS = 2_000_000


@dataclass(slots=True)
class Asset:
    """One asset, joined across the content types that mention it."""

    name: str
    asset_type: str = ""
    data: dict[str, Any] | None = None
    parent: str = ""
    location: str = ""
    ancestors: list[str] = field(default_factory=list)
    iam_policy: dict[str, Any] | None = None
    org_policy: list[Any] | None = None
    update_time: str = ""
    origin: tuple[str, str] = field(default=("", ""), compare=False)
    """(file, line) of the asset's RESOURCE content, for errors found while building it."""


@dataclass
class Export:
    """The assets of one or more export files, by name, and which content types they held."""

    assets: dict[str, Asset] = field(default_factory=dict)
    has_resource: bool = False
    has_iam_policy: bool = False
    has_org_policy: bool = False
    files: list[str] = field(default_factory=list)
    keep_data: frozenset[str] | None = None
    """Asset types whose ``resource.data`` is kept (None: all); others keep ``{}`` (present, not read),
    so an export full of types no rule reads costs little memory."""

    def add(self, raw: dict[str, Any], source: str, where: str) -> None:
        name = raw.get("name")
        atype = raw.get("asset_type", raw.get("assetType"))
        if not isinstance(name, str) or not name:
            raise InputError("an asset needs a non-empty string 'name'", source=source, where=where)
        if not isinstance(atype, str) or not atype:
            raise InputError(f"asset {name!r} needs a string 'asset_type'", source=source, where=where)
        a = self.assets.get(name)
        if a is None:
            if len(self.assets) >= MAX_ASSETS:
                raise InputError(f"more than {MAX_ASSETS} assets", source=source, where=where)
            a = self.assets[name] = Asset(name, atype)
        elif a.asset_type != atype:
            raise InputError(
                f"asset {name!r} is {atype!r} here and {a.asset_type!r} elsewhere", source=source, where=where
            )
        anc = raw.get("ancestors")
        if anc is not None:
            if not (isinstance(anc, list) and all(isinstance(x, str) for x in anc)):
                raise InputError(
                    f"asset {name!r}: 'ancestors' must be a list of strings", source=source, where=where
                )
            a.ancestors = anc
        ut = raw.get("update_time", raw.get("updateTime"))
        if isinstance(ut, str):
            a.update_time = ut
        res = raw.get("resource")
        if res is not None:
            if not isinstance(res, dict):
                raise InputError(f"asset {name!r}: 'resource' must be an object", source=source, where=where)
            data = res.get("data")
            if data is not None and not isinstance(data, dict):
                raise InputError(
                    f"asset {name!r}: 'resource.data' must be an object", source=source, where=where
                )
            a.data = data if data is not None and (self.keep_data is None or atype in self.keep_data) else {}
            a.parent = str(res.get("parent") or "")
            a.location = str(res.get("location") or "")
            a.origin = (source, where)
            self.has_resource = True
        pol = raw.get("iam_policy", raw.get("iamPolicy"))
        if pol is not None:
            if not isinstance(pol, dict):
                raise InputError(
                    f"asset {name!r}: 'iam_policy' must be an object", source=source, where=where
                )
            a.iam_policy = pol
            self.has_iam_policy = True
        org = raw.get("org_policy", raw.get("orgPolicy"))
        if org is not None:
            a.org_policy = org if isinstance(org, list) else [org]
            self.has_org_policy = True


class _Counting(io.RawIOBase):
    """A readable stream that refuses to yield more than ``limit`` bytes (a gzip bomb stops here)."""

    def __init__(self, inner: IO[bytes], limit: int, source: str) -> None:
        self.inner, self.limit, self.read_bytes, self.source = inner, limit, 0, source

    def readable(self) -> bool:
        return True

    def readinto(self, b: Any) -> int:
        chunk = self.inner.read(len(b))
        self.read_bytes += len(chunk)
        if self.read_bytes > self.limit:
            raise InputError(f"larger than {self.limit} bytes (decompressed)", source=self.source)
        b[: len(chunk)] = chunk
        return len(chunk)


def _open(path: Path, source: str) -> io.BufferedReader:
    try:
        raw = path.open("rb")
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror}", source=source) from exc
    head = raw.read(2)
    raw.seek(0)
    inner: Any = gzip.GzipFile(fileobj=raw, mode="rb") if head == b"\x1f\x8b" else raw
    return io.BufferedReader(_Counting(inner, MAX_FILE_BYTES, source), buffer_size=1024 * 1024)


def _first_byte(stream: io.BufferedReader) -> bytes:
    while True:
        peek = stream.peek(1)[:64]
        if not peek:
            return b""
        stripped = peek.lstrip()
        if stripped:
            return stripped[:1]
        stream.read(len(peek))


def _parse(text: bytes, source: str, where: str | None) -> Any:
    """One JSON value; an error names ``where`` (a line), or when None the parser's own place (line:column / path)."""
    try:
        return load_json(text, source=source, max_bytes=max(len(text), 1), max_depth=MAX_DEPTH)
    except InputError as exc:
        raise InputError(exc.message, source=source, where=where or exc.where) from None


def iter_file(path: Path) -> Iterator[tuple[str, dict[str, Any]]]:
    """``(place, asset object)`` for each asset of one export file (place = line number or ``[i]``)."""
    source = str(path)
    with _open(path, source) as stream:
        try:
            first = _first_byte(stream)
            if first == b"[":
                data = stream.read(MAX_ARRAY_BYTES + 1)
                if len(data) > MAX_ARRAY_BYTES:
                    raise InputError(
                        f"a JSON array export is larger than {MAX_ARRAY_BYTES} bytes: use newline-delimited JSON",
                        source=source,
                    )
                doc = _parse(data, source, None)
                del data
                if not isinstance(doc, list):
                    raise InputError("a JSON export must be an array of assets", source=source)
                for i, item in enumerate(doc):
                    if not isinstance(item, dict):
                        raise InputError("an asset must be a JSON object", source=source, where=f"[{i}]")
                    yield f"[{i}]", item
                return
            lineno = 0
            while True:
                line = stream.readline(MAX_LINE_BYTES + 1)
                if not line:
                    return
                lineno += 1
                if len(line) > MAX_LINE_BYTES and not line.endswith(b"\n"):
                    raise InputError(
                        f"line longer than {MAX_LINE_BYTES} bytes", source=source, where=str(lineno)
                    )
                if not line.strip():
                    continue
                item = _parse(line, source, str(lineno))
                if not isinstance(item, dict):
                    raise InputError("an asset must be a JSON object", source=source, where=str(lineno))
                yield str(lineno), item
        except (OSError, EOFError, gzip.BadGzipFile) as exc:
            raise InputError(f"cannot decompress: {exc}", source=source) from None


def read_export(paths: list[Path], keep_data: frozenset[str] | None = None) -> Export:
    """Join every file's assets by name (a file per content type, or one with several); ``keep_data``: see :class:`Export`."""
    exp = Export(keep_data=keep_data)
    for p in paths:
        exp.files.append(str(p))
        for where, raw in iter_file(p):
            exp.add(raw, str(p), where)
    return exp
