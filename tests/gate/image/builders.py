"""Build image archives in memory for tests: layers as tars, docker save and OCI layouts, rpm headers."""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import sqlite3
import struct
import tarfile
import zipfile
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Link:
    target: str
    hard: bool = False


Files = dict[str, "bytes | Link | None"]  # None: a directory


def layer_tar(files: Files, gz: bool = False) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        for name, content in files.items():
            info = tarfile.TarInfo(name)
            info.mtime = 1_700_000_000
            if content is None:
                info.type = tarfile.DIRTYPE
                tar.addfile(info)
            elif isinstance(content, Link):
                info.type = tarfile.LNKTYPE if content.hard else tarfile.SYMTYPE
                info.linkname = content.target
                tar.addfile(info)
            else:
                info.size = len(content)
                tar.addfile(info, io.BytesIO(content))
    data = buf.getvalue()
    return gzip.compress(data, mtime=0) if gz else data


def _sha(b: bytes) -> str:
    return "sha256:" + hashlib.sha256(b).hexdigest()


def _tar_of(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def _config(layers: list[bytes], history: list[str] | None) -> bytes:
    diff_ids = [_sha(gzip.decompress(x) if x[:2] == b"\x1f\x8b" else x) for x in layers]
    hist = [{"created_by": h} for h in (history or [f"layer {i}" for i in range(len(layers))])]
    return json.dumps(
        {
            "architecture": "amd64",
            "os": "linux",
            "rootfs": {"type": "layers", "diff_ids": diff_ids},
            "history": hist,
        }
    ).encode()


def docker_archive(layers: list[bytes], tag: str = "demo/app:1.0", history: list[str] | None = None) -> bytes:
    cfg = _config(layers, history)
    cfg_name = hashlib.sha256(cfg).hexdigest() + ".json"
    members = {cfg_name: cfg}
    names = []
    for i, layer in enumerate(layers):
        name = f"{i:02d}{hashlib.sha256(layer).hexdigest()[:20]}/layer.tar"
        members[name] = layer
        names.append(name)
    members["manifest.json"] = json.dumps([{"Config": cfg_name, "RepoTags": [tag], "Layers": names}]).encode()
    return _tar_of(members)


def oci_members(layers: list[bytes], tag: str = "demo/app:1.0") -> dict[str, bytes]:
    cfg = _config(layers, None)
    blobs = {_sha(cfg): cfg}
    descs = []
    for layer in layers:
        blobs[_sha(layer)] = layer
        mt = "application/vnd.oci.image.layer.v1.tar" + ("+gzip" if layer[:2] == b"\x1f\x8b" else "")
        descs.append({"mediaType": mt, "digest": _sha(layer), "size": len(layer)})
    manifest = json.dumps(
        {
            "schemaVersion": 2,
            "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "config": {
                "mediaType": "application/vnd.oci.image.config.v1+json",
                "digest": _sha(cfg),
                "size": len(cfg),
            },
            "layers": descs,
        }
    ).encode()
    blobs[_sha(manifest)] = manifest
    index = {
        "schemaVersion": 2,
        "manifests": [
            {
                "mediaType": "application/vnd.oci.image.manifest.v1+json",
                "digest": _sha(manifest),
                "size": len(manifest),
                "annotations": {"org.opencontainers.image.ref.name": tag},
            }
        ],
    }
    out = {"oci-layout": b'{"imageLayoutVersion": "1.0.0"}', "index.json": json.dumps(index).encode()}
    for d, b in blobs.items():
        out["blobs/sha256/" + d.split(":", 1)[1]] = b
    return out


def oci_tar(layers: list[bytes], tag: str = "demo/app:1.0") -> bytes:
    return _tar_of(oci_members(layers, tag))


def oci_dir(root: Path, layers: list[bytes]) -> Path:
    for name, data in oci_members(layers).items():
        p = root / name
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(data)
    return root


# -- rpm ---------------------------------------------------------------------------------


def rpm_header(tags: dict[int, str | int]) -> bytes:
    """An rpm header blob (no magic): il, dl, index entries (tag, type, offset, count), data."""
    index = b""
    data = b""
    # the immutable-region tag first, as rpm writes it (the reader skips it)
    entries = [(63, 7, 0, 16)]
    data += b"\x00" * 16
    for tag, value in tags.items():
        if isinstance(value, int):
            while len(data) % 4:
                data += b"\x00"
            entries.append((tag, 4, len(data), 1))
            data += struct.pack(">i", value)
        else:
            entries.append((tag, 6, len(data), 1))
            data += value.encode() + b"\x00"
    for e in entries:
        index += struct.pack(">iiii", *e)
    return struct.pack(">ii", len(entries), len(data)) + index + data


def rpm_sqlite(packages: list[dict[int, str | int]]) -> bytes:
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE TABLE Packages (hnum INTEGER PRIMARY KEY AUTOINCREMENT, blob BLOB NOT NULL)")
    conn.executemany("INSERT INTO Packages (blob) VALUES (?)", [(rpm_header(p),) for p in packages])
    conn.commit()
    data = conn.serialize()
    conn.close()
    return data


def jar(pom: dict[str, str], nested: dict[str, bytes] | None = None) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("META-INF/MANIFEST.MF", "Manifest-Version: 1.0\n")
        g, a = pom["groupId"], pom["artifactId"]
        zf.writestr(f"META-INF/maven/{g}/{a}/pom.properties", "".join(f"{k}={v}\n" for k, v in pom.items()))
        for name, data in (nested or {}).items():
            zf.writestr(name, data)
    return buf.getvalue()
