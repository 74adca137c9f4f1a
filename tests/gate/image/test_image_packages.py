"""Package databases and installed language packages, parsed from bytes."""

from __future__ import annotations

import contextlib
import struct

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mamori.gate.deps.model import Ecosystem
from mamori.gate.image.distro import distro_of, parse_os_release
from mamori.gate.image.errors import ImageError
from mamori.gate.image.langpkgs import (
    is_node_manifest,
    is_python_meta,
    jar_packages,
    node_manifest,
    python_meta,
)
from mamori.gate.image.limits import DEFAULT_LIMITS
from mamori.gate.image.ospkgs import parse_apk, parse_dpkg
from mamori.gate.image.rpmdb import parse_header, parse_rpm_sqlite
from tests.gate.image.builders import jar, rpm_header, rpm_sqlite
from tests.gate.image.conftest import ALPINE_OS, APK_INSTALLED, DEBIAN_OS, DPKG_STATUS, ROCKY_OS, RPM_PACKAGES


def test_os_release_to_osv_ecosystem() -> None:
    assert distro_of(parse_os_release(DEBIAN_OS.decode())).release == "Debian:12"
    assert distro_of(parse_os_release(ALPINE_OS.decode())).release == "Alpine:v3.19"
    assert distro_of(parse_os_release(ROCKY_OS.decode())).release == "Rocky Linux:9"
    ubuntu = distro_of(parse_os_release('ID=ubuntu\nVERSION_ID="22.04"\n'))
    assert (
        ubuntu.covers("Ubuntu:22.04:LTS")
        and ubuntu.covers("Ubuntu:22.04")
        and not ubuntu.covers("Ubuntu:Pro:22.04:LTS")
    )
    rhel = distro_of(parse_os_release('ID="rhel"\nVERSION_ID="9.3"\n'))
    assert rhel.covers("Red Hat:enterprise_linux:9::appstream") and not rhel.covers(
        "Red Hat:enterprise_linux:8::baseos"
    )
    assert distro_of(parse_os_release("ID=arch\nVERSION_ID=1\n")) is None
    assert distro_of(parse_os_release("ID=debian\n")) is None  # no version: no release to match


def test_dpkg_status_installed_only_with_source_packages() -> None:
    pkgs = {p.name: p for p in parse_dpkg(DPKG_STATUS, "var/lib/dpkg/status")}
    assert set(pkgs) == {"libc6", "libssl3", "bash"}  # removed-pkg is only config files
    assert (pkgs["libc6"].source_name, pkgs["libc6"].source_version) == ("glibc", "2.36-9+deb12u1")
    assert (pkgs["bash"].source_name, pkgs["bash"].arch) == ("bash", "amd64")
    binnmu = parse_dpkg(
        b"Package: libx\nStatus: install ok installed\nSource: x (1.2-3)\nVersion: 1.2-3+b1\n", "s"
    )
    assert (binnmu[0].source_version, binnmu[0].version) == ("1.2-3", "1.2-3+b1")


def test_dpkg_status_d_has_no_status_field() -> None:
    pkgs = parse_dpkg(
        b"Package: base-files\nVersion: 12.4+deb12u5\nArchitecture: amd64\n",
        "status.d/base",
        need_status=False,
    )
    assert [(p.name, p.version) for p in pkgs] == [("base-files", "12.4+deb12u5")]


def test_dpkg_errors_name_the_stanza() -> None:
    with pytest.raises(ImageError, match="without Package or Version") as err:
        parse_dpkg(
            b"Package: a\nVersion: 1\n\nPackage: b\nStatus: install ok installed\n", "var/lib/dpkg/status"
        )
    assert err.value.where == "4"
    with pytest.raises(ImageError, match="NUL"):
        parse_dpkg(b"Package: a\x00\n", "s")


def test_apk_installed_with_origin() -> None:
    pkgs = {p.name: p for p in parse_apk(APK_INSTALLED, "lib/apk/db/installed")}
    assert pkgs["libssl3"].source_name == "openssl" and pkgs["libssl3"].version == "3.1.4-r1"
    assert pkgs["apache2"].source_name == "apache2"
    with pytest.raises(ImageError, match="without P: or V:"):
        parse_apk(b"P:x\n\nV:1\n", "installed")


def test_rpm_sqlite_headers() -> None:
    pkgs = {p.name: p for p in parse_rpm_sqlite(rpm_sqlite(RPM_PACKAGES), "var/lib/rpm/rpmdb.sqlite")}
    assert set(pkgs) == {"openssl-libs", "bash"}  # gpg-pubkey is a key, not a package
    ssl = pkgs["openssl-libs"]
    assert (ssl.version, ssl.epoch, ssl.arch, ssl.source_name) == ("1:3.0.7-24.el9", 1, "x86_64", "openssl")
    assert pkgs["bash"].version == "5.1.8-6.el9_1"


@pytest.mark.parametrize("blob, message", [
    (b"\x00\x00", "impossible size"),
    (struct.pack(">ii", 1000, 5) + b"\x00" * 20, "bad index"),
    (struct.pack(">ii", 1, 4) + struct.pack(">iiii", 1000, 6, 50, 1) + b"abcd", "outside the data"),
    (struct.pack(">ii", 1, 4) + struct.pack(">iiii", 1000, 6, 0, 1) + b"abcd", "unterminated"),
    (struct.pack(">ii", 1, 4) + struct.pack(">iiii", 1000, 3, 0, 1) + b"abcd", "unexpected type"),
])  # fmt: skip
def test_rpm_header_bounds(blob: bytes, message: str) -> None:
    with pytest.raises(ImageError, match=message):
        parse_header(blob)


def test_rpm_database_errors_name_the_row() -> None:
    with pytest.raises(ImageError, match="not an SQLite database"):
        parse_rpm_sqlite(b"Berkeley DB", "var/lib/rpm/rpmdb.sqlite")
    with pytest.raises(ImageError, match="NAME, VERSION or RELEASE") as err:
        parse_rpm_sqlite(rpm_sqlite([{1000: "x"}]), "var/lib/rpm/rpmdb.sqlite")
    assert err.value.where == "hnum 1" and err.value.source == "var/lib/rpm/rpmdb.sqlite"


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=300))
def test_rpm_header_random_bytes_only_raise_image_errors(blob: bytes) -> None:
    with contextlib.suppress(ImageError):
        parse_header(blob)


@settings(max_examples=100, deadline=None)
@given(st.dictionaries(st.sampled_from([1000, 1001, 1002, 1003, 1022, 1044, 5000]),
                       st.one_of(st.integers(-2**31, 2**31 - 1), st.text(alphabet="abc.-~:1", max_size=10)),
                       max_size=7))  # fmt: skip
def test_rpm_header_round_trip(tags: dict[int, str | int]) -> None:
    out = parse_header(rpm_header(tags))
    assert {k: v for k, v in out.items()} == {k: v for k, v in tags.items() if k != 5000}


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=500))
def test_text_databases_random_bytes(data: bytes) -> None:
    for parse in (parse_apk, lambda d, s: parse_dpkg(d, s)):
        with contextlib.suppress(ImageError):
            parse(data, "db")


def test_python_dist_info() -> None:
    assert is_python_meta("usr/lib/python3/dist-packages/six-1.16.0.dist-info/METADATA")
    assert is_python_meta("x/foo.egg-info/PKG-INFO") and not is_python_meta("x/METADATA")
    p = python_meta(b"Name: PyYAML\nVersion: 5.3\n\nName: other\n", "x.dist-info/METADATA")
    assert (p.ecosystem, p.name, p.version) == (Ecosystem.PYPI, "PyYAML", "5.3")
    assert python_meta(b"Name: x\n", "m") is None


def test_node_modules_manifests() -> None:
    assert is_node_manifest("app/node_modules/lodash/package.json")
    assert is_node_manifest("node_modules/@babel/core/package.json")
    assert not is_node_manifest("app/package.json") and not is_node_manifest(
        "node_modules/a/lib/package.json"
    )
    assert node_manifest(b'{"name": "a", "version": "1.0.0"}', "p").version == "1.0.0"
    assert node_manifest(b'{"name": "a"}', "p") is None
    with pytest.raises(ImageError):
        node_manifest(b"{not json", "node_modules/a/package.json")


def test_jars_and_nested_jars() -> None:
    inner = jar({"groupId": "org.apache.logging.log4j", "artifactId": "log4j-core", "version": "2.14.1"})
    outer = jar(
        {"groupId": "com.acme", "artifactId": "app", "version": "1.0"}, {"BOOT-INF/lib/log4j.jar": inner}
    )
    pkgs, notes = jar_packages(outer, "app/app.jar", DEFAULT_LIMITS)
    assert {(p.name, p.version) for p in pkgs} == {
        ("com.acme:app", "1.0"),
        ("org.apache.logging.log4j:log4j-core", "2.14.1"),
    }
    assert any(p.path.startswith("app/app.jar!BOOT-INF/lib/log4j.jar!META-INF/maven/") for p in pkgs)
    assert notes == []
    pkgs, notes = jar_packages(b"PK\x03\x04 broken", "bad.jar", DEFAULT_LIMITS)
    assert pkgs == [] and "bad.jar: not a readable jar" in notes[0]
