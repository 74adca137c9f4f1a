"""`mamori gate image` end to end: matching OS and language packages, secrets per layer, outputs, exit codes."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest
from cyclonedx.schema import SchemaVersion
from cyclonedx.validation.json import JsonStrictValidator

from mamori.gate.image.output import render, to_cyclonedx, to_json
from mamori.gate.image.service import ImageRequest, run_image_gate
from tests.clirun import runner
from tests.gate.image.builders import docker_archive, layer_tar, oci_tar
from tests.gate.image.conftest import (
    AWS_KEY_ID,
    AWS_SECRET,
    ROCKY_ADVISORY,
    alpine_layers,
    debian_layers,
    rocky_layers,
)


@pytest.fixture
def run(capsys: pytest.CaptureFixture[str]):
    return runner(capsys)


def _image(tmp_path: Path, layers: list[bytes], name: str = "img.tar") -> Path:
    p = tmp_path / name
    p.write_bytes(docker_archive(layers))
    return p


def _pkgs(report) -> dict[str, object]:
    return {r.package.name: r for r in report.packages}


def test_debian_image_source_packages_layers_and_verdicts(tmp_path: Path, now: datetime) -> None:
    report = run_image_gate(ImageRequest(_image(tmp_path, debian_layers()), now, sample_data=True))
    assert report.osv_ecosystem == "Debian:12" and report.os.pretty_name.startswith("Debian")
    pk = _pkgs(report)
    libc = pk["libc6"]
    # Debian's advisory names the source package (glibc), found through dpkg's Source field
    assert [v.vulnerability.id for v in libc.decision.vulns] == ["DSA-5514-1"]
    assert "CVE-2023-4911" in libc.decision.vulns[0].vulnerability.aliases  # from OSV's `upstream`
    assert libc.decision.upgrade_to == "2.36-9+deb12u3" and libc.package.layer == 0
    assert pk["libssl3"].decision.upgrade_to == "3.0.11-1~deb12u2"
    assert pk["bash"].decision.vulns == ()
    assert "removed-pkg" not in pk
    # language packages, each with the layer of its file
    assert pk["requests"].package.layer == 1 and pk["requests"].decision.upgrade_to == "2.31.0"
    assert pk["lodash"].decision.vulns and pk["@scope/pkg"].decision.vulns == ()
    log4j = pk["org.apache.logging.log4j:log4j-core"]
    assert log4j.decision.verdict.value == "BLOCK"  # CVE-2021-44228 is in the sample KEV catalogue
    assert log4j.package.path.startswith("app/lib/app.jar!BOOT-INF/lib/")
    assert report.exit_code == 1


def test_a_release_only_matches_its_own_ranges(tmp_path: Path, now: datetime) -> None:
    """DSA-5514-1 has a Debian:11 range fixed in 2.31-13+deb11u7: a Debian 11 image uses that one."""
    status = (
        b"Package: libc6\nStatus: install ok installed\nSource: glibc\nVersion: 2.31-13+deb11u7\n\n"
        b"Package: libssl3\nStatus: install ok installed\nSource: openssl\nVersion: 3.0.11-1~deb12u1\n"
    )
    layer = layer_tar({"etc/os-release": b"ID=debian\nVERSION_ID=11\n", "var/lib/dpkg/status": status})
    report = run_image_gate(ImageRequest(_image(tmp_path, [layer]), now, sample_data=True, secrets=False))
    pk = _pkgs(report)
    assert pk["libc6"].decision.vulns == ()  # fixed for 11 (it would be vulnerable under Debian:12's range)
    assert pk["libssl3"].decision.vulns == ()  # DSA-5532-1 lists Debian:12 only


def test_alpine_image_matches_by_origin(tmp_path: Path, now: datetime) -> None:
    report = run_image_gate(ImageRequest(_image(tmp_path, alpine_layers()), now, sample_data=True))
    assert report.osv_ecosystem == "Alpine:v3.19"
    pk = _pkgs(report)
    ssl = pk["libssl3"]
    assert [v.vulnerability.id for v in ssl.decision.vulns] == ["ALPINE-CVE-2024-0727"]
    assert ssl.decision.upgrade_to == "3.1.4-r5" and ssl.decision.vulns[0].vulnerability.score == 5.5
    # OSV's ALPINE-CVE-2006-20001 lists v3.14-v3.17 only (3.19 shipped a fixed apache2): no match here
    assert pk["apache2"].decision.vulns == ()
    assert pk["musl"].decision.vulns == ()
    assert report.exit_code == 0  # FIX BY only, no secret


def test_alpine_release_decides_which_ranges_count(tmp_path: Path, now: datetime) -> None:
    from tests.gate.image.conftest import ALPINE_OS, APK_INSTALLED

    os_317 = ALPINE_OS.replace(b"VERSION_ID=3.19.1", b"VERSION_ID=3.17.7").replace(b"v3.19", b"v3.17")
    layer = layer_tar({"etc/os-release": os_317, "lib/apk/db/installed": APK_INSTALLED})
    report = run_image_gate(ImageRequest(_image(tmp_path, [layer]), now, sample_data=True))
    assert report.osv_ecosystem == "Alpine:v3.17"
    pk = _pkgs(report)
    assert [v.vulnerability.id for v in pk["apache2"].decision.vulns] == ["ALPINE-CVE-2006-20001"]
    assert pk["apache2"].decision.upgrade_to == "2.4.55-r0"
    assert pk["libssl3"].decision.vulns == ()  # v3.17's range ends at 3.0.12-r4: 3.1.4-r1 is past it


def test_rocky_rpm_sqlite_with_epochs(tmp_path: Path, now: datetime) -> None:
    osv = tmp_path / "osv" / "Rocky Linux"
    osv.mkdir(parents=True)
    (osv / "RLSA-2024-1234.json").write_text(json.dumps(ROCKY_ADVISORY))
    report = run_image_gate(ImageRequest(_image(tmp_path, rocky_layers()), now, osv_dir=tmp_path / "osv"))
    assert report.osv_ecosystem == "Rocky Linux:9"
    pk = _pkgs(report)
    assert pk["openssl-libs"].package.version == "1:3.0.7-24.el9"
    assert [v.vulnerability.id for v in pk["openssl-libs"].decision.vulns] == ["RLSA-2024:1234"]
    assert pk["openssl-libs"].decision.upgrade_to == "1:3.0.7-25.el9_3"  # the Rocky 9 fix, not Rocky 8's
    assert pk["bash"].decision.vulns == ()


def test_berkeleydb_rpm_database_is_reported_not_silently_skipped(tmp_path: Path, now: datetime) -> None:
    layer = layer_tar(
        {"etc/os-release": b'ID="rocky"\nVERSION_ID="8.9"\n', "var/lib/rpm/Packages": b"\x00" * 64}
    )
    report = run_image_gate(ImageRequest(_image(tmp_path, [layer]), now, sample_data=True))
    assert report.exit_code == 2
    assert "BerkeleyDB" in report.errors[0] and "NOT audited" in report.errors[0]


def test_secret_deleted_in_a_later_layer_is_reported_with_its_layer(tmp_path: Path, now: datetime) -> None:
    image = _image(tmp_path, debian_layers())
    report = run_image_gate(ImageRequest(image, now, sample_data=True))
    found = {s.detector: s for s in report.secrets}
    assert set(found) == {"aws-access-key-id", "aws-secret-access-key"}
    s = found["aws-access-key-id"]
    assert (s.path, s.layer, s.removed_in_layer, s.in_final_filesystem) == (
        "app/.aws/credentials",
        1,
        2,
        False,
    )
    assert s.layer_digest == report.layers[1].digest
    for fmt in ("table", "json", "sarif", "cyclonedx"):
        text = render(report, fmt)
        assert AWS_SECRET not in text and AWS_KEY_ID not in text  # never printed in full
    assert to_json(report)["secrets"][0]["secret"].endswith("chars)")


def test_a_secret_still_in_the_final_filesystem(tmp_path: Path, now: datetime) -> None:
    layers = debian_layers()[:2]
    report = run_image_gate(ImageRequest(_image(tmp_path, layers), now, sample_data=True))
    assert all(s.in_final_filesystem for s in report.secrets) and report.secrets
    assert run_image_gate(ImageRequest(_image(tmp_path, layers, "b.tar"), now, sample_data=True,
                                       secrets=False)).secrets == ()  # fmt: skip


def test_lockfile_in_the_image_uses_the_deps_parsers(tmp_path: Path, now: datetime) -> None:
    layer = layer_tar({"etc/os-release": b"ID=alpine\nVERSION_ID=3.19.0\n",
                       "srv/app/requirements.txt": b"PyYAML==5.3\n",
                       "srv/other/requirements.txt": b"-r ../../../../../../etc/passwd\n",
                       "srv/app/node_modules/x/requirements.txt": b"urllib3==2.0.0\n"})  # fmt: skip
    report = run_image_gate(ImageRequest(_image(tmp_path, [layer]), now, sample_data=True))
    pk = _pkgs(report)
    assert pk["PyYAML"].decision.vulns and pk["PyYAML"].package.path.startswith("srv/app/requirements.txt")
    assert "urllib3" not in pk  # installed trees are not searched for lockfiles
    assert "srv/app/requirements.txt" in report.deps.files
    # the include cannot read this machine's /etc/passwd: it is reported, the audit is incomplete
    assert report.exit_code == 2 and any("passwd" in e for e in report.errors)


def test_json_output_shape(tmp_path: Path, now: datetime) -> None:
    doc = to_json(run_image_gate(ImageRequest(_image(tmp_path, debian_layers()), now, sample_data=True)))
    assert doc["schema"] == "mamori.gate.image/v1" and doc["image"]["digest"].startswith("sha256:")
    assert doc["os"]["osv_ecosystem"] == "Debian:12"
    libc = next(p for p in doc["packages"] if p["name"] == "libc6")
    assert {k: libc[k] for k in ("ecosystem", "version", "layer", "source_package", "type")} == {
        "ecosystem": "Debian:12",
        "version": "2.36-9+deb12u1",
        "layer": 0,
        "source_package": "glibc",
        "type": "os",
    }
    assert libc["purl"] == "pkg:deb/debian/libc6@2.36-9%2Bdeb12u1?arch=amd64&distro=debian-12&source=glibc"
    assert (
        libc["vulnerabilities"][0]["id"] == "DSA-5514-1"
        and libc["layer_digest"] == doc["layers"][0]["digest"]
    )
    assert doc["summary"]["secrets"] == 2 and doc["blocked"] is True


def test_cyclonedx_image_sbom_validates_against_the_1_6_schema(tmp_path: Path, now: datetime) -> None:
    report = run_image_gate(ImageRequest(_image(tmp_path, debian_layers()), now, sample_data=True))
    text = render(report, "cyclonedx")
    assert JsonStrictValidator(SchemaVersion.V1_6).validate_str(text) is None
    bom = to_cyclonedx(report)
    assert bom["metadata"]["component"]["type"] == "container"
    refs = {c["bom-ref"] for c in bom["components"]}
    assert all(a["ref"] in refs for v in bom["vulnerabilities"] for a in v["affects"])
    assert any(c["type"] == "operating-system" for c in bom["components"])


def test_cyclonedx_validator_rejects_a_broken_sbom(tmp_path: Path, now: datetime) -> None:
    bom = to_cyclonedx(run_image_gate(ImageRequest(_image(tmp_path, alpine_layers()), now, sample_data=True)))
    bom["components"][0]["type"] = "not-a-type"
    assert JsonStrictValidator(SchemaVersion.V1_6).validate_str(json.dumps(bom)) is not None


def test_deps_cyclonedx_validates_against_the_1_5_schema(run, tmp_path: Path) -> None:
    (tmp_path / "requirements.txt").write_text("requests==2.25.0\nPyYAML==5.3\n")
    r = run("gate", "deps", str(tmp_path), "--sample-data", "--no-record", "-o", "cyclonedx")
    assert r.code in (0, 1), r.err  # the verdicts depend on the default policy; the SBOM is what is checked
    assert JsonStrictValidator(SchemaVersion.V1_5).validate_str(r.out) is None


def test_cli_table_exit_codes_and_output_file(run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "200")  # the table wraps at the terminal's width
    img = _image(tmp_path, debian_layers())
    r = run("gate", "image", str(img), "--sample-data", "--now", "2026-12-01")
    assert r.code == 1
    assert "Debian:12 libc6 2.36-9+deb12u1 (source glibc) -> upgrade to 2.36-9+deb12u3" in r.out
    assert "deleted or replaced in layer 2" in r.out and "BLOCKED (exit 1)" in r.out
    alpine = _image(tmp_path, alpine_layers(), "alpine.tar")
    assert run("gate", "image", str(alpine), "--sample-data").code == 0
    out = tmp_path / "sbom.json"
    r = run("gate", "image", str(alpine), "--sample-data", "-o", "cyclonedx", "--output-file", str(out))
    assert r.code == 0 and "wrote" in r.err and json.loads(out.read_text())["specVersion"] == "1.6"
    sarif = json.loads(run("gate", "image", str(img), "--sample-data", "-o", "sarif").out)
    rules = [x["ruleId"] for x in sarif["runs"][0]["results"]]
    assert "DSA-5514-1" in rules and "mamori/image/secret/aws-access-key-id" in rules


def test_cli_bad_input_and_usage(run, tmp_path: Path) -> None:
    bad = tmp_path / "bad.tar"
    bad.write_bytes(b"junk" * 10)
    r = run("gate", "image", str(bad), "--sample-data")
    assert r.code == 2 and "bad.tar" in r.err and "Traceback" not in r.err
    assert run("gate", "image", str(bad)).code == 2  # no advisory source: the cache, empty here (names db update)
    assert run("gate", "image").code == 2 and run("gate", "image", "--demo", str(bad)).code == 2


def test_cli_demo_flag(run) -> None:
    r = run("gate", "image", "--demo", "-o", "json")
    assert r.code == 1 and json.loads(r.out)["image"]["tags"] == ["mamori-demo/shop:1.0"]


def test_oci_tar_gives_the_same_packages(tmp_path: Path, now: datetime) -> None:
    p = tmp_path / "oci.tar"
    p.write_bytes(oci_tar(debian_layers()))
    docker = run_image_gate(ImageRequest(_image(tmp_path, debian_layers()), now, sample_data=True))
    oci = run_image_gate(ImageRequest(p, now, sample_data=True))
    assert oci.format == "oci-layout"
    assert sorted((r.package.name, r.package.layer) for r in oci.packages) == sorted(
        (r.package.name, r.package.layer) for r in docker.packages
    )


def test_os_package_layer_is_the_layer_that_installed_it(tmp_path: Path, now: datetime) -> None:
    base = b"Package: bash\nStatus: install ok installed\nVersion: 5.2.15-2+b2\n"
    more = (
        base
        + b"\nPackage: libssl3\nStatus: install ok installed\nSource: openssl\nVersion: 3.0.11-1~deb12u1\n"
    )
    upgraded = more.replace(b"5.2.15-2+b2", b"5.2.15-2+b3")
    layers = [layer_tar({"etc/os-release": b"ID=debian\nVERSION_ID=12\n", "var/lib/dpkg/status": base}),
              layer_tar({"var/lib/dpkg/status": more}), layer_tar({"var/lib/dpkg/status": upgraded})]  # fmt: skip
    pk = _pkgs(run_image_gate(ImageRequest(_image(tmp_path, layers), now, sample_data=True, secrets=False)))
    assert pk["libssl3"].package.layer == 1  # not the last layer that rewrote the status file
    assert (pk["bash"].package.version, pk["bash"].package.layer) == ("5.2.15-2+b3", 2)


def test_distroless_status_d_and_ubuntu(tmp_path: Path, now: datetime) -> None:
    layer = layer_tar({"etc/os-release": b'ID=ubuntu\nVERSION_ID="22.04"\n',
                       "var/lib/dpkg/status.d/libssl3": b"Package: libssl3\nSource: openssl\nVersion: 3.0.2-0ubuntu1.10\n",
                       "var/lib/dpkg/status.d/base": b"Package: base-files\nVersion: 12ubuntu4\n"})  # fmt: skip
    report = run_image_gate(ImageRequest(_image(tmp_path, [layer]), now, sample_data=True))
    assert report.osv_ecosystem == "Ubuntu:22.04"
    assert {r.package.name: r.package.osv_ecosystem for r in report.packages} == {
        "libssl3": "Ubuntu:22.04",
        "base-files": "Ubuntu:22.04",
    }


def test_unknown_os_is_said_not_guessed(tmp_path: Path, now: datetime) -> None:
    layer = layer_tar(
        {"etc/os-release": b"ID=arch\nVERSION_ID=rolling\n", "lib/apk/db/installed": b"P:a\nV:1-r0\n"}
    )
    report = run_image_gate(ImageRequest(_image(tmp_path, [layer]), now, sample_data=True))
    assert report.packages == ()
    assert any("no OSV ecosystem" in n for n in report.notices)


def test_policy_exception_applies_to_image_packages(tmp_path: Path, now: datetime) -> None:
    policy = tmp_path / "mamori-policy.yaml"
    policy.write_text("version: 1\nexceptions:\n  - id: CVE-2021-44228\n    reason: not reachable\n"
                      "    approver: sec-lead\n    expires: 2027-06-30\n")  # fmt: skip
    report = run_image_gate(ImageRequest(_image(tmp_path, debian_layers()[:2]), now, sample_data=True,
                                         policy_path=policy, secrets=False))  # fmt: skip
    log4j = _pkgs(report)["org.apache.logging.log4j:log4j-core"].decision
    assert {v.vulnerability.id: v.rule.value for v in log4j.vulns}["GHSA-jfh8-c2jp-5v3q"] == "exception"
    # CVE-2021-45046 is not excepted: it decides the package (a deadline, or a block under a stricter policy)
    assert log4j.rule.value != "exception" and "GHSA-7rjr-3q55-vv33" in log4j.reason


def test_third_party_trees_get_vendor_detectors_only(tmp_path: Path, now: datetime) -> None:
    generic = b'password = "Zq8#rT2!vLp9@xW4"\n'
    layer = layer_tar({"etc/os-release": b"ID=alpine\nVERSION_ID=3.19.0\n",
                       "usr/lib/python3.11/site-packages/lib/example.py": generic,
                       "usr/lib/python3.11/site-packages/lib/leak.py": f"KEY = '{AWS_KEY_ID}'\n".encode(),
                       "app/settings.py": generic})  # fmt: skip
    report = run_image_gate(ImageRequest(_image(tmp_path, [layer]), now, sample_data=True))
    found = {(s.path, s.detector) for s in report.secrets}
    assert ("usr/lib/python3.11/site-packages/lib/leak.py", "aws-access-key-id") in found
    assert not any(p.endswith("example.py") for p, _ in found)
    assert any(p == "app/settings.py" for p, _ in found)


def test_without_a_source_the_advisory_cache_is_used(tmp_path: Path, now: datetime, monkeypatch: pytest.MonkeyPatch) -> None:
    import zipfile

    from mamori.errors import InputError
    from mamori.gate.deps.cache import UpdateRequest, update
    from mamori.gate.deps.kev import sample_osv_dir

    monkeypatch.setenv("MAMORI_CACHE_DIR", str(tmp_path / "cache"))
    layer = layer_tar({"etc/os-release": b"ID=alpine\nVERSION_ID=3.19.0\n",
                       "srv/app/requirements.txt": b"PyYAML==5.3\n"})  # fmt: skip
    image = _image(tmp_path, [layer])
    with pytest.raises(InputError, match="mamori db update"):
        run_image_gate(ImageRequest(image, now))
    mirror = tmp_path / "mirror" / "PyPI"
    mirror.mkdir(parents=True)
    with zipfile.ZipFile(mirror / "all.zip", "w") as zf:
        for f in (sample_osv_dir() / "PyPI").glob("*.json"):
            zf.writestr(f.name, f.read_bytes())
    update(UpdateRequest(now=now, from_dir=tmp_path / "mirror"))
    report = run_image_gate(ImageRequest(image, now))
    (pyyaml,) = [r for r in report.packages if r.package.name == "PyYAML"]
    assert pyyaml.decision.vulns and pyyaml.decision.vulns[0].vulnerability.risk is not None
    assert any(k == "osv/PyPI" for k, _, _ in report.deps.data_sources)
