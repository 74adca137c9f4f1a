"""Open an image: a ``docker save`` archive or an OCI image layout, as a directory or a tar (gzip'd or not).

``docker save``: ``manifest.json`` (``[{"Config", "RepoTags", "Layers"}]``) beside the config
and the layer tars. OCI layout: ``oci-layout`` + ``index.json`` + ``blobs/<alg>/<hex>``;
an index inside the index is followed (linux/amd64 first, else the first image). Every
name the manifests give is checked before use: a blob is ``sha256:<64 hex>``, a docker
layer path is relative and stays inside the archive (no ``..``, no absolute path, no
symlink out of a directory). Nothing is extracted: layers are opened as streams.
"""

from __future__ import annotations

import contextlib
import hashlib
import re
import tarfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from mamori.gate.image.errors import ImageError
from mamori.gate.image.fs import norm_path as _norm
from mamori.gate.image.limits import Limits
from mamori.safeload import load_json

_DIGEST = re.compile(r"^(sha256|sha512):([0-9a-f]{64}|[0-9a-f]{128})$")
_INDEX_TYPES = {
    "application/vnd.oci.image.index.v1+json",
    "application/vnd.docker.distribution.manifest.list.v2+json",
}
_MAX_INDEX_DEPTH = 4


@dataclass(frozen=True, slots=True)
class LayerRef:
    index: int
    digest: str  # the manifest's layer digest (OCI) or the config's diff_id (docker save), else the blob's
    member: str  # where the layer is in the archive (errors name it)
    open: Callable[[], IO[bytes]]
    created_by: str | None = None


@dataclass(frozen=True)
class Image:
    source: str
    format: str  # "docker-archive" | "oci-layout"
    digest: str | None  # OCI: the manifest digest; docker save: the image id (config digest)
    config_digest: str | None
    tags: tuple[str, ...]
    layers: tuple[LayerRef, ...]
    platform: str | None = None
    config: dict[str, Any] = field(default_factory=dict)
    notes: tuple[str, ...] = ()


class _Reader:
    """Reads named members of a directory or a tar, confined to it."""

    def __init__(self, path: Path, stack: contextlib.ExitStack) -> None:
        self.path = path
        self.source = str(path)
        self.tar: tarfile.TarFile | None = None
        self.members: dict[str, tarfile.TarInfo] = {}
        if path.is_dir():
            self.root = path.resolve()
            return
        try:
            self.tar = stack.enter_context(tarfile.open(path, "r:*"))  # noqa: SIM115 - closed by the stack
            for i, m in enumerate(self.tar):
                if i >= 1_000_000:
                    raise ImageError("more than 1,000,000 members in the archive", source=self.source)
                name = _norm(m.name)
                if name is not None:
                    self.members[name] = m
        except (tarfile.TarError, EOFError, OSError, ValueError) as exc:
            raise ImageError(f"not a readable image archive (tar): {exc}", source=self.source) from None

    def has(self, name: str) -> bool:
        if self.tar is None:
            return (self.root / name).is_file()
        m = self.members.get(name)
        return m is not None and m.isfile()

    def open(self, name: str) -> IO[bytes]:
        clean = _norm(name)
        if clean is None:
            raise ImageError("a path that leaves the archive", source=self.source, where=name)
        if self.tar is None:
            target = (self.root / clean).resolve()
            if not target.is_relative_to(self.root):
                raise ImageError(
                    "a symlink out of the image directory; not read", source=self.source, where=name
                )
            try:
                return target.open("rb")
            except OSError as exc:
                raise ImageError(f"cannot read: {exc.strerror}", source=self.source, where=name) from None
        m = self.members.get(clean)
        if m is None or not m.isfile():
            raise ImageError("missing from the archive", source=self.source, where=name)
        f = self.tar.extractfile(m)
        assert f is not None
        return f

    def read(self, name: str, limit: int) -> bytes:
        with self.open(name) as f:
            data = f.read(limit + 1)
        if len(data) > limit:
            raise ImageError(f"larger than {limit:,} bytes", source=self.source, where=name)
        return data

    def json(self, name: str, limit: int) -> Any:
        return load_json(self.read(name, limit), source=f"{self.source}!{name}", error=ImageError)


def _blob(digest: Any, source: str, where: str) -> str:
    if not isinstance(digest, str) or not _DIGEST.match(digest):
        raise ImageError(f"not a content digest: {str(digest)[:80]!r}", source=source, where=where)
    alg, hexd = digest.split(":", 1)
    return f"blobs/{alg}/{hexd}"


def _history(config: dict[str, Any]) -> list[str | None]:
    """``created_by`` of each history entry that made a layer (empty layers skipped)."""
    out: list[str | None] = []
    hist = config.get("history")
    for h in hist if isinstance(hist, list) else ():
        if isinstance(h, dict) and not h.get("empty_layer"):
            cb = h.get("created_by")
            out.append(str(cb)[:500] if cb else None)
    return out


def _diff_ids(config: dict[str, Any]) -> list[str]:
    rootfs = config.get("rootfs")
    ids = rootfs.get("diff_ids") if isinstance(rootfs, dict) else None
    return [str(i) for i in ids] if isinstance(ids, list) else []


def _opener(reader: _Reader, name: str) -> Callable[[], IO[bytes]]:
    return lambda: reader.open(name)


def _docker(reader: _Reader, limits: Limits) -> Image:
    doc = reader.json("manifest.json", limits.max_manifest)
    if not isinstance(doc, list) or not doc or not isinstance(doc[0], dict):
        raise ImageError("manifest.json is not a list of images", source=reader.source, where="manifest.json")
    entry = doc[0]
    cfg_name = entry.get("Config")
    layers = entry.get("Layers")
    if (
        not isinstance(cfg_name, str)
        or not isinstance(layers, list)
        or not all(isinstance(x, str) for x in layers)
    ):
        raise ImageError("manifest.json[0] needs a 'Config' and a list of 'Layers'", source=reader.source,
                         where="manifest.json")  # fmt: skip
    if len(layers) > limits.max_layers:
        raise ImageError(f"{len(layers)} layers (the limit is {limits.max_layers})", source=reader.source)
    raw_cfg = reader.read(cfg_name, limits.max_manifest)
    config = load_json(raw_cfg, source=f"{reader.source}!{cfg_name}", error=ImageError)
    config = config if isinstance(config, dict) else {}
    config_digest = "sha256:" + hashlib.sha256(raw_cfg).hexdigest()
    diff_ids, hist = _diff_ids(config), _history(config)
    refs = []
    for i, name in enumerate(layers):
        if _norm(name) is None:
            raise ImageError("a layer path that leaves the archive", source=reader.source, where=name)
        digest = diff_ids[i] if i < len(diff_ids) else _digest_from_name(name)
        refs.append(LayerRef(i, digest, name, _opener(reader, name), hist[i] if i < len(hist) else None))
    tags = entry.get("RepoTags")
    notes = (
        (f"the archive holds {len(doc)} images: only the first ({cfg_name}) was scanned",)
        if len(doc) > 1
        else ()
    )
    return Image(reader.source, "docker-archive", config_digest, config_digest,
                 tuple(str(t) for t in tags) if isinstance(tags, list) else (), tuple(refs),
                 _platform(config), config, notes)  # fmt: skip


def _digest_from_name(name: str) -> str:
    m = re.search(r"([0-9a-f]{64})", name)
    return f"sha256:{m.group(1)}" if m else name


def _platform(obj: dict[str, Any]) -> str | None:
    os_, arch = obj.get("os"), obj.get("architecture")
    return f"{os_}/{arch}" if isinstance(os_, str) and isinstance(arch, str) else None


def _pick(manifests: list[Any], source: str) -> dict[str, Any]:
    cands = [m for m in manifests if isinstance(m, dict)]
    if not cands:
        raise ImageError("index.json lists no manifest", source=source, where="index.json")
    for m in cands:
        plat = m.get("platform")
        if isinstance(plat, dict) and plat.get("os") == "linux" and plat.get("architecture") == "amd64":
            return m
    return next((m for m in cands if (m.get("platform") or {}).get("architecture") != "unknown"), cands[0])


def _oci(reader: _Reader, limits: Limits) -> Image:
    index = reader.json("index.json", limits.max_manifest)
    desc: dict[str, Any] = {"mediaType": "application/vnd.oci.image.index.v1+json"}
    doc: Any = index
    tags: list[str] = []
    notes: list[str] = []
    for depth in range(_MAX_INDEX_DEPTH + 1):
        if not isinstance(doc, dict):
            raise ImageError("an index or manifest that is not an object", source=reader.source,
                             where=str(desc.get("digest", "index.json")))  # fmt: skip
        manifests = doc.get("manifests")
        if doc.get("mediaType") in _INDEX_TYPES or (isinstance(manifests, list) and "layers" not in doc):
            if depth == _MAX_INDEX_DEPTH:
                raise ImageError("indexes nested too deeply", source=reader.source)
            listed = manifests if isinstance(manifests, list) else []
            desc = _pick(listed, reader.source)
            if len(listed) > 1:
                plat = desc.get("platform")
                which = (
                    f"{plat.get('os')}/{plat.get('architecture')}" if isinstance(plat, dict) else "the first"
                )
                notes.append(
                    f"the index lists {len(listed)} manifests: {which} ({desc.get('digest')}) was scanned"
                )
            ann = desc.get("annotations")
            if isinstance(ann, dict) and isinstance(ann.get("org.opencontainers.image.ref.name"), str):
                tags.append(ann["org.opencontainers.image.ref.name"])
            doc = reader.json(_blob(desc.get("digest"), reader.source, "index.json"), limits.max_manifest)
            continue
        break
    manifest, digest = doc, desc.get("digest")
    layers = manifest.get("layers")
    cfg = manifest.get("config")
    if not isinstance(layers, list) or not isinstance(cfg, dict):
        raise ImageError(
            "an image manifest needs 'config' and 'layers'", source=reader.source, where=str(digest)
        )
    if len(layers) > limits.max_layers:
        raise ImageError(f"{len(layers)} layers (the limit is {limits.max_layers})", source=reader.source)
    config = reader.json(_blob(cfg.get("digest"), reader.source, str(digest)), limits.max_manifest)
    config = config if isinstance(config, dict) else {}
    hist = _history(config)
    refs = []
    for i, layer in enumerate(layers):
        ldig = layer.get("digest") if isinstance(layer, dict) else None
        name = _blob(ldig, reader.source, f"{digest} layers[{i}]")
        refs.append(LayerRef(i, str(ldig), name, _opener(reader, name), hist[i] if i < len(hist) else None))
    return Image(reader.source, "oci-layout", str(digest), str(cfg.get("digest")), tuple(tags), tuple(refs),
                 _platform(config), config, tuple(notes))  # fmt: skip


@contextlib.contextmanager
def open_image(path: Path, limits: Limits) -> Iterator[Image]:
    """The image at ``path`` (directory or tar); layers stay readable while the context is open."""
    if not path.exists():
        raise ImageError("no such file or directory", source=str(path))
    with contextlib.ExitStack() as stack:
        reader = _Reader(path, stack)
        if reader.has("index.json") and (reader.has("oci-layout") or not reader.has("manifest.json")):
            yield _oci(reader, limits)
        elif reader.has("manifest.json"):
            yield _docker(reader, limits)
        else:
            raise ImageError("neither a docker save archive (manifest.json) nor an OCI image layout "
                             "(oci-layout, index.json)", source=str(path))  # fmt: skip
