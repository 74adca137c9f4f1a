"""Output formats: JSON fields, SARIF 2.1.0 structure, CycloneDX 1.5 structure, the table."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from mamori.gate.deps.check import CheckSettings, check
from mamori.gate.deps.context import RunContext
from mamori.gate.deps.kev import sample_kev
from mamori.gate.deps.model import DepsReport, Ecosystem, Package
from mamori.gate.deps.osv.local import LocalOsvSource
from mamori.gate.deps.output import FORMATS
from mamori.gate.deps.output.interface import purl
from mamori.gate.deps.output.table import TableFormat
from mamori.gate.deps.policy import parse_policy

FIXTURES = Path(__file__).parent / "fixtures"
NOW = datetime(2026, 6, 1, tzinfo=UTC)


@pytest.fixture(scope="module")
def report(sample_source: LocalOsvSource, tmp_path_factory: pytest.TempPathFactory) -> DepsReport:
    root = tmp_path_factory.mktemp("project")
    (root / "requirements.txt").write_text("requests==2.19.0\nPyYAML==5.3.1\nidna==3.7\nflask>=2\n")
    (root / "java").mkdir()
    (root / "java" / "pom.xml").write_text((FIXTURES / "maven/pom.xml").read_text())
    (root / "web").mkdir()
    (root / "web" / "package-lock.json").write_text((FIXTURES / "npm/v3/package-lock.json").read_text())
    policy = parse_policy(
        "block:\n  ids: [GHSA-qxxx-2pp7-5hmx]\nexceptions:\n  - id: CVE-2021-44906\n    reason: CLI only\n"
        "    approver: sec@example.com\n    expires: 2026-12-31\n",
        "mamori-policy.yaml",
    )
    settings = CheckSettings(
        policy, "mamori-policy.yaml", sample_kev(), RunContext("acme/shop", "web", "abc123"), NOW
    )
    rep, _ = check(root, sample_source, settings)
    return rep


def test_json_has_per_package_verdicts_and_vulnerabilities(report: DepsReport) -> None:
    doc = json.loads(FORMATS.get("json").render(report))
    assert doc["schema"] == "mamori.gate.deps/v1" and doc["blocked"] is True and doc["exit_code"] == 1
    pkgs = {(p["ecosystem"], p["name"], p["version"]): p for p in doc["packages"]}
    jackson = pkgs[("Maven", "com.fasterxml.jackson.core:jackson-databind", "2.1.0")]
    assert (
        jackson["verdict"] == "BLOCK" and jackson["rule"] == "banned" and jackson["upgrade_to"] == "2.6.7.1"
    )
    assert jackson["purl"] == "pkg:maven/com.fasterxml.jackson.core/jackson-databind@2.1.0"
    (v,) = jackson["vulnerabilities"]
    assert v["id"] == "GHSA-qxxx-2pp7-5hmx" and v["aliases"] == ["CVE-2017-7525"]
    assert v["severity"] == "critical" and v["score"] == 9.8
    assert v["fixed_versions"] == ["2.6.7.1", "2.7.9.1", "2.8.9"]
    log4j = pkgs[("Maven", "org.apache.logging.log4j:log4j-core", "2.14.1")]
    assert log4j["verdict"] == "BLOCK" and log4j["rule"] == "kev"
    requests = pkgs[("PyPI", "requests", "2.19.0")]
    assert requests["verdict"] == "FIX_BY" and requests["deadline"] == "2026-08-30"
    assert set(requests["vulnerabilities"][0]["aliases"]) == {"PYSEC-2023-74", "CVE-2023-32681"}
    minimist = pkgs[("npm", "minimist", "1.2.5")]
    assert minimist["verdict"] == "PASS" and minimist["rule"] == "exception"
    assert pkgs[("PyPI", "idna", "3.7")]["verdict"] == "PASS"
    flask = pkgs[("PyPI", "flask", None)]
    assert flask["verdict"] == "UNPINNED" and flask["spec"] == ">=2"
    pyyaml = pkgs[("PyPI", "PyYAML", "5.3.1")]  # critical (9.8) with a fix: the default rule blocks it
    assert pyyaml["verdict"] == "BLOCK" and pyyaml["rule"] == "critical-fixable"
    assert doc["summary"]["BLOCK"] == 3 and doc["summary"]["UNPINNED"] >= 2


def test_sarif_2_1_0_structure(report: DepsReport) -> None:
    doc = json.loads(FORMATS.get("sarif").render(report))
    assert doc["version"] == "2.1.0" and doc["$schema"].endswith("sarif-2.1.0.json")
    (run,) = doc["runs"]
    driver = run["tool"]["driver"]
    assert driver["name"] == "mamori"
    rules = {r["id"]: r for r in driver["rules"]}
    assert rules["GHSA-jfh8-c2jp-5v3q"]["properties"]["security-severity"] == "10.0"
    assert "mamori/deps/unpinned" in rules
    for r in run["results"]:
        assert r["ruleId"] in rules
        assert r["level"] in ("error", "warning", "note")
        assert r["message"]["text"]
        for loc in r["locations"]:
            phys = loc["physicalLocation"]
            assert phys["artifactLocation"]["uri"]
            assert "region" not in phys or phys["region"]["startLine"] >= 1
    by_rule = {
        (r["ruleId"], r["properties"]["package"] if "properties" in r else ""): r for r in run["results"]
    }
    jackson = by_rule[("GHSA-qxxx-2pp7-5hmx", "com.fasterxml.jackson.core:jackson-databind")]
    assert jackson["level"] == "error"
    assert jackson["locations"][0]["physicalLocation"] == {"artifactLocation": {"uri": "java/pom.xml"},
                                                           "region": {"startLine": 40}}  # fmt: skip
    requests = by_rule[("GHSA-j8r2-6x86-q33q", "requests")]
    assert requests["level"] == "warning" and "Upgrade to 2.31.0" in requests["message"]["text"]
    minimist = by_rule[("GHSA-xvch-5gv4-984h", "minimist")]
    assert minimist["suppressions"][0]["kind"] == "external"
    assert run["invocations"][0]["executionSuccessful"] is True


def test_cyclonedx_1_5_structure(report: DepsReport) -> None:
    doc = json.loads(FORMATS.get("cyclonedx").render(report))
    assert doc["bomFormat"] == "CycloneDX" and doc["specVersion"] == "1.5" and doc["version"] == 1
    assert doc["serialNumber"].startswith("urn:uuid:")
    assert doc["metadata"]["tools"]["components"][0]["name"] == "mamori"
    refs = {c["bom-ref"] for c in doc["components"]}
    assert len(refs) == len(doc["components"])
    assert all(c["type"] == "library" and c["purl"] for c in doc["components"])
    jackson = next(c for c in doc["components"] if c["name"] == "jackson-databind")
    assert jackson["group"] == "com.fasterxml.jackson.core" and jackson["version"] == "2.1.0"
    vulns = {(v["id"], v["affects"][0]["ref"]): v for v in doc["vulnerabilities"]}
    assert all(v["affects"][0]["ref"] in refs for v in doc["vulnerabilities"])
    log4j = vulns[("GHSA-jfh8-c2jp-5v3q", "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1")]
    assert log4j["ratings"][0] == {"source": {"name": "GitHub Advisory Database",
                                              "url": "https://github.com/advisories/GHSA-jfh8-c2jp-5v3q"},
                                   "score": 10.0, "severity": "critical", "method": "CVSSv31",
                                   "vector": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H"}  # fmt: skip
    assert log4j["references"][0]["id"] == "CVE-2021-44228"
    assert log4j["recommendation"] == "Upgrade to 2.16.0"
    props = {p["name"]: p["value"] for p in log4j["properties"]}
    assert props["mamori:verdict"] == "BLOCK" and props["mamori:rule"] == "kev"
    minimist = vulns[("GHSA-xvch-5gv4-984h", "pkg:npm/minimist@1.2.5")]
    assert minimist["analysis"]["state"] == "exploitable" and minimist["analysis"]["response"] == [
        "will_not_fix"
    ]
    assert len({v["bom-ref"] for v in doc["vulnerabilities"]}) == len(doc["vulnerabilities"])


def test_table_says_block_fix_by_pass_and_the_upgrade(report: DepsReport) -> None:
    text = TableFormat(width=200).render(report)
    assert (
        "BLOCK             Maven com.fasterxml.jackson.core:jackson-databind 2.1.0 -> upgrade to 2.6.7.1"
        in text
    )
    assert "FIX BY 2026-08-30 PyPI requests 2.19.0 -> upgrade to 2.31.0" in text
    assert "UNPINNED          PyPI flask >=2" in text
    assert "package(s) with no known vulnerabilities (--all lists them)" in text
    assert "PASS              PyPI idna 3.7" in TableFormat(all_packages=True, width=200).render(report)
    assert text.rstrip().endswith("-> BLOCKED (exit 1)")


@pytest.mark.parametrize(
    ("pkg", "expected"),
    [
        (Package(Ecosystem.NPM, "@babel/core", "7.20.0"), "pkg:npm/%40babel/core@7.20.0"),
        (Package(Ecosystem.PYPI, "PyYAML", "5.3.1"), "pkg:pypi/pyyaml@5.3.1"),
        (Package(Ecosystem.GO, "golang.org/x/text", "v0.3.7"), "pkg:golang/golang.org/x/text@v0.3.7"),
        (Package(Ecosystem.CRATES, "smallvec", "1.6.0"), "pkg:cargo/smallvec@1.6.0"),
        (Package(Ecosystem.PYPI, "flask", None, spec=">=2"), "pkg:pypi/flask"),
    ],
)
def test_purls(pkg: Package, expected: str) -> None:
    assert purl(pkg) == expected


def test_every_format_is_registered() -> None:
    assert list(FORMATS) == ["cyclonedx", "json", "openvex", "sarif", "table"]


def test_table_fits_80_columns_and_never_splits_a_word(report: DepsReport) -> None:
    text = TableFormat(width=80).render(report)
    lines = text.splitlines()
    assert all(len(ln) <= 80 or " " not in ln.strip() for ln in lines), [ln for ln in lines if len(ln) > 80]
    # where a package was found is its own line under it, and no id or version is cut
    head = next(i for i, ln in enumerate(lines) if "jackson-databind 2.1.0" in ln)
    assert lines[head + 1].strip().startswith("in ") or lines[head + 2].strip().startswith("in ")
    assert "com.fasterxml.jackson.core:jackson-databind" in text and "2.6.7.1" in text
