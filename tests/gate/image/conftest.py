from __future__ import annotations

import pytest

from tests.gate.image.builders import Link, jar, layer_tar, rpm_sqlite

DEBIAN_OS = (
    b'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nNAME="Debian GNU/Linux"\nVERSION_ID="12"\nID=debian\n'
)
ALPINE_OS = b'NAME="Alpine Linux"\nID=alpine\nVERSION_ID=3.19.1\nPRETTY_NAME="Alpine Linux v3.19"\n'
ROCKY_OS = b'NAME="Rocky Linux"\nVERSION_ID="9.3"\nID="rocky"\nID_LIKE="rhel centos fedora"\nPRETTY_NAME="Rocky Linux 9.3"\n'

DPKG_STATUS = b"""Package: libc6
Status: install ok installed
Priority: optional
Architecture: amd64
Source: glibc
Version: 2.36-9+deb12u1
Description: GNU C Library: Shared libraries
 Contains the standard libraries that are used by nearly all programs on
 the system.

Package: libssl3
Status: install ok installed
Architecture: amd64
Source: openssl
Version: 3.0.11-1~deb12u1

Package: removed-pkg
Status: deinstall ok config-files
Architecture: amd64
Version: 1.0-1

Package: bash
Status: install ok installed
Architecture: amd64
Version: 5.2.15-2+b2
"""

APK_INSTALLED = b"""C:Q1abc=
P:libssl3
V:3.1.4-r1
A:x86_64
o:openssl
T:SSL shared libraries

C:Q1def=
P:musl
V:1.2.4_git20230717-r4
A:x86_64
o:musl

P:apache2
V:2.4.54-r0
A:x86_64
o:apache2
"""

# a real-looking AWS key pair (not a live key): the scanner's AWS detectors find both
AWS_KEY_ID = "AKIAQYLPMN5HHHFPZAM2"
AWS_SECRET = "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"
CREDENTIALS = f"[default]\naws_access_key_id = {AWS_KEY_ID}\naws_secret_access_key = {AWS_SECRET}\n".encode()


def debian_layers() -> list[bytes]:
    base = layer_tar({"etc/": None, "usr/lib/os-release": DEBIAN_OS, "etc/os-release": Link("../usr/lib/os-release"),
                      "var/lib/dpkg/status": DPKG_STATUS}, gz=True)  # fmt: skip
    app = layer_tar({
        "app/.aws/credentials": CREDENTIALS,
        "usr/local/lib/python3.11/site-packages/requests-2.25.0.dist-info/METADATA":
            b"Metadata-Version: 2.1\nName: requests\nVersion: 2.25.0\n\nVersion: 9.9.9 in the description\n",
        "app/node_modules/lodash/package.json": b'{"name": "lodash", "version": "4.17.20"}',
        "app/node_modules/@scope/pkg/package.json": b'{"name": "@scope/pkg", "version": "1.0.0"}',
        "app/lib/app.jar": jar({"groupId": "org.example", "artifactId": "app", "version": "1.0"},
                               {"BOOT-INF/lib/log4j-core-2.14.1.jar": jar({"groupId": "org.apache.logging.log4j",
                                "artifactId": "log4j-core", "version": "2.14.1"})}),
    })  # fmt: skip
    cleanup = layer_tar({"app/.aws/.wh.credentials": b""})
    return [base, app, cleanup]


def alpine_layers() -> list[bytes]:
    return [layer_tar({"etc/os-release": ALPINE_OS, "lib/apk/db/installed": APK_INSTALLED})]


RPM_PACKAGES: list[dict[int, str | int]] = [
    {
        1000: "openssl-libs",
        1001: "3.0.7",
        1002: "24.el9",
        1003: 1,
        1022: "x86_64",
        1044: "openssl-3.0.7-24.el9.src.rpm",
    },
    {1000: "bash", 1001: "5.1.8", 1002: "6.el9_1", 1022: "x86_64", 1044: "bash-5.1.8-6.el9_1.src.rpm"},
    {1000: "gpg-pubkey", 1001: "350d275d", 1002: "6279464b"},
]


def rocky_layers() -> list[bytes]:
    return [layer_tar({"etc/os-release": ROCKY_OS, "var/lib/rpm/rpmdb.sqlite": rpm_sqlite(RPM_PACKAGES)})]


ROCKY_ADVISORY = {
    "id": "RLSA-2024:1234",
    "summary": "Moderate: openssl security update",
    "upstream": ["CVE-2023-5678"],
    "affected": [
        {"package": {"ecosystem": "Rocky Linux:9", "name": "openssl-libs"},
         "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "1:3.0.7-25.el9_3"}]}]},
        {"package": {"ecosystem": "Rocky Linux:8", "name": "openssl-libs"},
         "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "1:1.1.1k-12.el8_9"}]}]},
    ],
}  # fmt: skip


@pytest.fixture
def now():
    from datetime import UTC, datetime

    return datetime(2026, 12, 1, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _private_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test indexes into its own cache; no test touches ~/.cache or reads $MAMORI_OSV_DIR."""
    monkeypatch.setenv("MAMORI_CACHE", str(tmp_path_factory.mktemp("mamori-cache")))
    monkeypatch.delenv("MAMORI_OSV_DIR", raising=False)
    monkeypatch.delenv("MAMORI_CACHE_DIR", raising=False)  # the advisory cache: this test's own, empty
    # the store `gate image` reads (the last scan) and writes (its runs): this test's own
    monkeypatch.setenv("MAMORI_DB", str(tmp_path_factory.mktemp("mamori-store") / "mamori.db"))
