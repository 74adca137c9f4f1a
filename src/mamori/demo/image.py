"""The demo container image: a small ``docker save`` archive with findings the image gate shows.

``demo-image.tar.gz`` (shipped, < 200 KB) is built by :func:`build` (``python -m
mamori.demo.image``), deterministically: a Debian 12 base layer (dpkg status with glibc and
openssl versions DSA-5514-1 and DSA-5532-1 fix), an application layer (requests 2.25.0
dist-info, lodash 4.17.20 in node_modules, a jar with log4j-core 2.14.1, and cloud
credentials), and a last layer that deletes the credentials (they are still in the image).
The key pair is AWS's documented example shape made up for the demo, not a live key.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import tarfile
import zipfile
from collections.abc import Mapping
from importlib import resources
from pathlib import Path

MTIME = 1_700_000_000
OS_RELEASE = (
    b'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nNAME="Debian GNU/Linux"\nVERSION_ID="12"\nID=debian\n'
)
STATUS = b"""Package: libc6
Status: install ok installed
Architecture: amd64
Source: glibc
Version: 2.36-9+deb12u1

Package: libssl3
Status: install ok installed
Architecture: amd64
Source: openssl
Version: 3.0.11-1~deb12u1

Package: openssl
Status: install ok installed
Architecture: amd64
Version: 3.0.11-1~deb12u1

Package: bash
Status: install ok installed
Architecture: amd64
Version: 5.2.15-2+b2

Package: base-files
Status: install ok installed
Architecture: amd64
Version: 12.4+deb12u5
"""
CREDENTIALS = (b"[default]\naws_access_key_id = AKIAQYLPMN5HHHFPZAM2\n"
               b"aws_secret_access_key = 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\n")  # fmt: skip


def _tar(files: Mapping[str, bytes | None]) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.mtime = MTIME
            if data is None:
                info.type, info.mode = tarfile.DIRTYPE, 0o755
                tar.addfile(info)
            else:
                info.size, info.mode = len(data), 0o644
                tar.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def _jar() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, text in (("META-INF/MANIFEST.MF", "Manifest-Version: 1.0\n"),
                           ("META-INF/maven/org.apache.logging.log4j/log4j-core/pom.properties",
                            "groupId=org.apache.logging.log4j\nartifactId=log4j-core\nversion=2.14.1\n")):  # fmt: skip
            zf.writestr(zipfile.ZipInfo(name, (2023, 11, 14, 0, 0, 0)), text)
    return buf.getvalue()


def build() -> bytes:
    """The demo archive (gzip'd ``docker save`` tar), byte for byte the same on every run."""
    layers = [
        _tar({"etc/": None, "etc/os-release": OS_RELEASE, "var/": None, "var/lib/": None, "var/lib/dpkg/": None,
              "var/lib/dpkg/status": STATUS}),
        _tar({"app/": None, "app/.aws/": None, "app/.aws/credentials": CREDENTIALS,
              "usr/local/lib/python3.11/site-packages/requests-2.25.0.dist-info/METADATA":
                  b"Metadata-Version: 2.1\nName: requests\nVersion: 2.25.0\n",
              "app/node_modules/lodash/package.json": b'{"name": "lodash", "version": "4.17.20"}\n',
              "app/lib/log4j-core-2.14.1.jar": _jar()}),
        _tar({"app/.aws/.wh.credentials": b""}),
    ]  # fmt: skip
    history = ["ADD rootfs.tar /  # debian:12 (bookworm)", "COPY . /app  # the application, its dependencies",
               "RUN rm /app/.aws/credentials  # removed - but still in the layer below"]  # fmt: skip
    diff_ids = ["sha256:" + hashlib.sha256(x).hexdigest() for x in layers]
    config = json.dumps({"architecture": "amd64", "os": "linux", "created": "2023-11-14T22:13:20Z",
                         "rootfs": {"type": "layers", "diff_ids": diff_ids},
                         "history": [{"created_by": h} for h in history]}, sort_keys=True).encode()  # fmt: skip
    cfg_name = hashlib.sha256(config).hexdigest() + ".json"
    members: dict[str, bytes] = {cfg_name: config}
    names = []
    for d, layer in zip(diff_ids, layers, strict=True):
        name = f"{d.split(':', 1)[1]}/layer.tar"
        members[name] = layer
        names.append(name)
    members["manifest.json"] = json.dumps([{"Config": cfg_name, "RepoTags": ["mamori-demo/shop:1.0"],
                                            "Layers": names}]).encode()  # fmt: skip
    return gzip.compress(_tar(members), mtime=0)


def demo_image() -> Path:
    """Where the shipped demo archive is."""
    return Path(str(resources.files("mamori.demo").joinpath("data/demo-image.tar.gz")))


if __name__ == "__main__":  # pragma: no cover - regenerates the shipped file
    target = Path(__file__).parent / "data" / "demo-image.tar.gz"
    target.write_bytes(build())
    print(f"wrote {target} ({target.stat().st_size:,} bytes)")
