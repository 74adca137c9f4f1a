"""The range-matching table: (ecosystem, package, version) -> vulnerabilities and verdict.

Real advisories come from the shipped sample; the TEST-* advisories are synthetic and
exist only here, to pin down edge cases of OSV ranges: ``introduced: 0``,
``last_affected``, ``limit``, pre-releases (PEP 440, SemVer, Maven qualifiers), explicit
``versions`` lists, SEMVER ranges in Go, and withdrawn records.
"""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime

import pytest

from mamori.gate.deps.assess import assess
from mamori.gate.deps.evaluate import evaluate
from mamori.gate.deps.kev import sample_kev, sample_osv_dir
from mamori.gate.deps.model import Ecosystem, Package, Verdict
from mamori.gate.deps.osv.local import LocalOsvSource
from mamori.gate.deps.policy import Policy

NOW = datetime(2026, 6, 1, tzinfo=UTC)
# critical_with_fix off: this table is about ranges; the default policy has its own tests
POLICY = Policy.model_validate({"block": {"ids": ["GHSA-qxxx-2pp7-5hmx"], "critical_with_fix": False}})


def _adv(vid: str, eco: str, name: str, *, ranges: list[dict] | None = None, versions: list[str] | None = None,
         **extra: object) -> dict:  # fmt: skip
    affected: dict = {"package": {"ecosystem": eco, "name": name}}
    if ranges is not None:
        affected["ranges"] = ranges
    if versions is not None:
        affected["versions"] = versions
    return {"id": vid, "modified": "2026-01-01T00:00:00Z", "database_specific": {"severity": "LOW"},
            "affected": [affected], **extra}  # fmt: skip


def _eco(*events: dict, kind: str = "ECOSYSTEM") -> list[dict]:
    return [{"type": kind, "events": list(events)}]


SYNTHETIC = [
    _adv(
        "TEST-LAST-AFFECTED",
        "PyPI",
        "edgepkg",
        ranges=_eco({"introduced": "1.0"}, {"last_affected": "1.4.2"}),
    ),
    _adv("TEST-PRE", "PyPI", "prepkg", ranges=_eco({"introduced": "0"}, {"fixed": "2.0.0"})),
    _adv("TEST-VERSIONS", "PyPI", "listpkg", versions=["1.0", "1.1"]),
    _adv("TEST-LIMIT", "npm", "limitpkg", ranges=_eco({"introduced": "0"}, {"limit": "3.0.0"})),
    _adv("TEST-NPM-PRE", "npm", "prenpm", ranges=_eco({"introduced": "1.0.0-beta.2"}, {"fixed": "1.0.0"})),
    _adv("TEST-ZERO-LAST", "npm", "zeropkg", ranges=_eco({"introduced": "0"}, {"last_affected": "0.5.0"})),
    _adv("TEST-MAVEN-Q", "Maven", "org.example:qual", ranges=_eco({"introduced": "0"}, {"fixed": "1.2.0"})),
    _adv(
        "TEST-GO-SEMVER",
        "Go",
        "example.com/mod",
        ranges=_eco({"introduced": "0"}, {"fixed": "1.2.3"}, kind="SEMVER"),
    ),  # fmt: skip
    _adv(
        "TEST-WITHDRAWN",
        "npm",
        "withdrawnpkg",
        ranges=_eco({"introduced": "0"}),
        withdrawn="2025-01-01T00:00:00Z",
    ),
]

PY, NPM, MVN, GO, CARGO = Ecosystem.PYPI, Ecosystem.NPM, Ecosystem.MAVEN, Ecosystem.GO, Ecosystem.CRATES
JACKSON, LOG4J = "com.fasterxml.jackson.core:jackson-databind", "org.apache.logging.log4j:log4j-core"
B, F, P = Verdict.BLOCK, Verdict.FIX_BY, Verdict.PASS
L44, L45 = "GHSA-jfh8-c2jp-5v3q", "GHSA-7rjr-3q55-vv33"

CASES: list[tuple[Ecosystem, str, str, set[str], Verdict]] = [
    # PyPI, real advisories
    (PY, "requests", "2.2.1", set(), P),  # before introduced 2.3.0
    (PY, "requests", "2.3.0", {"GHSA-j8r2-6x86-q33q"}, F),  # introduced is inclusive
    (PY, "requests", "2.30.0", {"GHSA-j8r2-6x86-q33q"}, F),
    (PY, "requests", "2.31.0", set(), P),  # fixed is exclusive
    (PY, "Requests", "2.19.0", {"GHSA-j8r2-6x86-q33q"}, F),  # PEP 503 names
    (PY, "urllib3", "1.26.16", {"GHSA-v845-jxx5-vc9f"}, F),
    (PY, "urllib3", "1.26.17", set(), P),
    (PY, "urllib3", "2.0.0", {"GHSA-v845-jxx5-vc9f"}, F),  # the second branch
    (PY, "urllib3", "2.0.5", {"GHSA-v845-jxx5-vc9f"}, F),
    (PY, "urllib3", "2.0.6", set(), P),
    (PY, "urllib3", "2.1.0", set(), P),
    (PY, "PyYAML", "5.3.1", {"GHSA-8q59-q68h-6hv4"}, F),
    (PY, "pyyaml", "5.4b1", {"GHSA-8q59-q68h-6hv4"}, F),  # a pre-release of the fix is still affected
    (PY, "pyyaml", "5.4", set(), P),
    (PY, "PyYAML", "5.4.0", set(), P),  # 5.4 == 5.4.0 in PEP 440
    # PyPI, synthetic edges
    (PY, "edgepkg", "0.9", set(), P),
    (PY, "edgepkg", "1.0", {"TEST-LAST-AFFECTED"}, F),
    (PY, "edgepkg", "1.4.2", {"TEST-LAST-AFFECTED"}, F),  # last_affected is inclusive
    (PY, "edgepkg", "1.4.2.post1", set(), P),  # a post-release is after it
    (PY, "edgepkg", "1.4.3", set(), P),
    (PY, "prepkg", "1.9.dev0", {"TEST-PRE"}, F),
    (PY, "prepkg", "2.0rc1", {"TEST-PRE"}, F),
    (PY, "prepkg", "2.0", set(), P),  # == 2.0.0
    (PY, "prepkg", "2.0.post1", set(), P),
    (PY, "prepkg", "1!0.5", set(), P),  # epoch 1 is after every epoch-0 version
    (PY, "listpkg", "1.0", {"TEST-VERSIONS"}, F),  # explicit versions list
    (PY, "listpkg", "1.0.0", {"TEST-VERSIONS"}, F),  # ... compared as versions
    (PY, "listpkg", "1.2", set(), P),
    # npm
    (NPM, "lodash", "4.17.20", {"GHSA-35jh-r3h4-6jhm"}, F),
    (NPM, "lodash", "4.17.21", set(), P),
    (NPM, "lodash-es", "4.17.15", {"GHSA-35jh-r3h4-6jhm"}, F),  # a second package of the same advisory
    (NPM, "minimist", "0.2.3", {"GHSA-xvch-5gv4-984h"}, F),
    (NPM, "minimist", "0.2.4", set(), P),
    (NPM, "minimist", "1.0.0", {"GHSA-xvch-5gv4-984h"}, F),
    (NPM, "minimist", "1.2.5", {"GHSA-xvch-5gv4-984h"}, F),
    (NPM, "minimist", "1.2.6", set(), P),
    (NPM, "prenpm", "1.0.0-alpha", set(), P),  # before introduced 1.0.0-beta.2
    (NPM, "prenpm", "1.0.0-beta.1", set(), P),
    (NPM, "prenpm", "1.0.0-beta.2", {"TEST-NPM-PRE"}, F),
    (NPM, "prenpm", "1.0.0-beta.10", {"TEST-NPM-PRE"}, F),  # numeric identifiers compare as numbers
    (NPM, "prenpm", "1.0.0-rc.1", {"TEST-NPM-PRE"}, F),
    (NPM, "prenpm", "1.0.0", set(), P),
    (NPM, "prenpm", "1.0.0+build.5", set(), P),  # build metadata does not order
    (NPM, "limitpkg", "2.9.9", {"TEST-LIMIT"}, F),
    (NPM, "limitpkg", "3.0.0", set(), P),  # limit is exclusive
    (NPM, "limitpkg", "3.1.0", set(), P),
    (NPM, "zeropkg", "0.0.1", {"TEST-ZERO-LAST"}, F),
    (NPM, "zeropkg", "0.5.0", {"TEST-ZERO-LAST"}, F),
    (NPM, "zeropkg", "0.5.1", set(), P),
    (NPM, "withdrawnpkg", "1.0.0", set(), P),  # withdrawn advisories never match
    # Maven
    (MVN, JACKSON, "2.1.0", {"GHSA-qxxx-2pp7-5hmx"}, B),  # banned: "you cannot ship until you upgrade"
    (MVN, JACKSON, "2.6.7", {"GHSA-qxxx-2pp7-5hmx"}, B),
    (MVN, JACKSON, "2.6.7.1", set(), P),
    (MVN, JACKSON, "2.7.9", {"GHSA-qxxx-2pp7-5hmx"}, B),
    (MVN, JACKSON, "2.7.9.1", set(), P),
    (MVN, JACKSON, "2.8.8", {"GHSA-qxxx-2pp7-5hmx"}, B),
    (MVN, JACKSON, "2.8.9", set(), P),
    (MVN, JACKSON, "2.9.10.8", set(), P),
    (MVN, LOG4J, "2.0-beta9", {L44, L45}, B),  # KEV (CVE-2021-44228)
    (MVN, LOG4J, "2.3", {L44, L45}, B),
    (MVN, LOG4J, "2.3.1", {L45}, F),  # the 2.3.x backport fixed 44228 only
    (MVN, LOG4J, "2.12.1", {L44, L45}, B),
    (MVN, LOG4J, "2.12.2", set(), P),
    (MVN, LOG4J, "2.14.1", {L44, L45}, B),
    (MVN, LOG4J, "2.15.0", {L45}, F),
    (MVN, LOG4J, "2.16.0", set(), P),
    (MVN, "org.example:qual", "1.1.9", {"TEST-MAVEN-Q"}, F),
    (MVN, "org.example:qual", "1.2.0-alpha-1", {"TEST-MAVEN-Q"}, F),
    (MVN, "org.example:qual", "1.2.0-beta", {"TEST-MAVEN-Q"}, F),
    (MVN, "org.example:qual", "1.2.0-M1", {"TEST-MAVEN-Q"}, F),  # milestone
    (MVN, "org.example:qual", "1.2.0-rc1", {"TEST-MAVEN-Q"}, F),
    (MVN, "org.example:qual", "1.2.0-SNAPSHOT", {"TEST-MAVEN-Q"}, F),
    (MVN, "org.example:qual", "1.2.0", set(), P),
    (MVN, "org.example:qual", "1.2", set(), P),  # trailing zeros do not count
    (MVN, "org.example:qual", "1.2.0.Final", set(), P),  # final == ga == release
    (MVN, "org.example:qual", "1.2.0-sp1", set(), P),  # service packs come after the release
    # Go
    (GO, "golang.org/x/text", "v0.3.7", {"GHSA-69ch-w2m2-3vjp"}, F),  # a package path under the module
    (GO, "golang.org/x/text", "v0.3.8", set(), P),
    (GO, "golang.org/x/text", "v0.0.0-20210220033148-5ea612d1eb83", {"GHSA-69ch-w2m2-3vjp"}, F),  # pseudo
    (GO, "example.com/mod", "v1.2.2", {"TEST-GO-SEMVER"}, F),  # SEMVER range, go version with v
    (GO, "example.com/mod", "v1.2.3", set(), P),
    (GO, "example.com/mod", "v2.0.0+incompatible", set(), P),
    # crates.io (SEMVER ranges with two intervals)
    (CARGO, "smallvec", "0.6.2", set(), P),
    (CARGO, "smallvec", "0.6.3", {"RUSTSEC-2021-0003"}, F),
    (CARGO, "smallvec", "0.6.14", set(), P),
    (CARGO, "smallvec", "1.0.0", {"RUSTSEC-2021-0003"}, F),
    (CARGO, "smallvec", "1.6.0", {"RUSTSEC-2021-0003"}, F),
    (CARGO, "smallvec", "1.6.1", set(), P),
]


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory) -> LocalOsvSource:
    data = tmp_path_factory.mktemp("osv")
    shutil.copytree(sample_osv_dir(), data, dirs_exist_ok=True)
    for adv in SYNTHETIC:
        (data / f"{adv['id']}.json").write_text(json.dumps(adv))
    return LocalOsvSource(data, cache=tmp_path_factory.mktemp("index"))


def test_the_table_is_big_enough() -> None:
    assert len(CASES) >= 50
    assert {c[0] for c in CASES} >= {PY, NPM, MVN, GO, CARGO}


@pytest.mark.parametrize(("eco", "name", "version", "ids", "verdict"), CASES,
                         ids=[f"{c[0].value}:{c[1]}@{c[2]}" for c in CASES])  # fmt: skip
def test_range_table(source: LocalOsvSource, eco: Ecosystem, name: str, version: str, ids: set[str],
                     verdict: Verdict) -> None:  # fmt: skip
    items, _ = assess([Package(eco, name, version, "lock", 1)], source)
    assert {v.id for v in items[0].vulns} == ids
    decisions, _ = evaluate(items, POLICY, sample_kev(), lambda p, v: None, NOW)
    assert decisions[0].verdict is verdict, decisions[0].reason


def test_upgrade_targets_fix_every_vulnerability(source: LocalOsvSource) -> None:
    items, _ = assess([Package(MVN, LOG4J, "2.14.1"), Package(MVN, LOG4J, "2.10.0"), Package(PY, "urllib3", "2.0.1"),
                       Package(MVN, JACKSON, "2.7.1")], source)  # fmt: skip
    assert [i.upgrade_to for i in items] == ["2.16.0", "2.12.2", "2.0.6", "2.7.9.1"]


def test_aliases_merge_into_one_vulnerability(source: LocalOsvSource) -> None:
    items, _ = assess([Package(PY, "requests", "2.19.0")], source)
    (v,) = items[0].vulns
    assert v.id == "GHSA-j8r2-6x86-q33q"
    assert set(v.aliases) == {"PYSEC-2023-74", "CVE-2023-32681"}
    assert v.fixed == ("2.31.0",)
    assert v.score == 6.1 and v.severity is not None and v.severity.value == "medium"


def test_withdrawn_records_are_not_indexed(source: LocalOsvSource) -> None:
    assert source.count == 15 + len(SYNTHETIC) - 1


def test_unreadable_version_is_a_notice(source: LocalOsvSource) -> None:
    _, notices = assess([Package(NPM, "lodash", "not-a-version")], source)
    assert any("this gate can compare" in n.message for n in notices)


def test_the_shipped_sample_is_where_the_package_says() -> None:
    assert (sample_osv_dir() / "Maven" / "GHSA-jfh8-c2jp-5v3q.json").is_file()
