"""upgrade_to clears every known advisory of the package, checked on real OSV records.

tests/gate/deps/fixtures/osv-real/ holds every PyPA advisory of requests, cryptography and
waitress (pypa/advisory-database, GIT ranges and long version lists dropped) and three
GitHub advisories of log4j-core. Before, the target cleared only the advisories of the
current version: requests 2.2.1 -> 2.20.0, cryptography 1.9 -> 39.0.1, waitress 1.4.0 ->
2.1.1, each affected by another advisory of the same package.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from mamori.gate.deps.assess import assess
from mamori.gate.deps.model import Ecosystem, Package
from mamori.gate.deps.osv.local import LocalOsvSource

REAL = Path(__file__).parent / "fixtures" / "osv-real"
PY, MVN = Ecosystem.PYPI, Ecosystem.MAVEN
LOG4J = "org.apache.logging.log4j:log4j-core"


@pytest.fixture(scope="module")
def real(tmp_path_factory: pytest.TempPathFactory) -> LocalOsvSource:
    return LocalOsvSource(REAL, cache=tmp_path_factory.mktemp("real-index"))


@pytest.mark.parametrize(
    ("eco", "name", "version", "old", "target"),
    [
        (PY, "requests", "2.2.1", "2.20.0", "2.31.0"),  # 2.20.0 is in CVE-2023-32681's [2.3.0, 2.31.0)
        (PY, "requests", "2.19.0", None, "2.31.0"),
        (PY, "cryptography", "1.9", "39.0.1", "41.0.6"),  # 39.0.1 is in CVE-2023-49083's [3.1, 41.0.6)
        (PY, "cryptography", "40.0.0", None, "41.0.6"),
        (PY, "waitress", "1.4.0", "2.1.1", "2.1.2"),  # 2.1.1 is in CVE-2022-31015's [2.1.0, 2.1.2)
        (MVN, LOG4J, "2.14.1", None, "2.17.0"),  # CVE-2021-45105: fixed 2.17.0 on the 2.13+ line
        (MVN, LOG4J, "2.12.1", None, "2.12.3"),
        (MVN, LOG4J, "2.0", None, "2.12.3"),  # 2.3.1 is still in CVE-2021-45046's [0, 2.12.2)
    ],
)
def test_upgrade_clears_every_known_advisory(
    real: LocalOsvSource, eco: Ecosystem, name: str, version: str, old: str | None, target: str
) -> None:
    (item,), _ = assess([Package(eco, name, version, "lock", 1)], real)
    assert item.upgrade_to == target
    assert item.upgrade_to != old
    # the target is clean against the same data
    (after,), _ = assess([Package(eco, name, target, "lock", 1)], real)
    assert after.vulns == ()


def test_an_affected_version_with_no_clearing_fix_says_so(tmp_path: Path) -> None:
    # a real-shaped record whose only range has no fix (last_affected): nothing clears it
    (tmp_path / "x.json").write_text(
        '{"id": "GHSA-0000-0000-0001", "affected": [{"package": {"ecosystem": "PyPI", "name": "nofix"},'
        ' "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"last_affected": "9.9"}]}]}]}'
    )
    (item,), _ = assess([Package(PY, "nofix", "1.0", "lock", 1)], LocalOsvSource(tmp_path, cache=tmp_path / "c"))
    assert item.vulns and item.upgrade_to is None
    assert item.upgrade_note is not None and "no known version clears every advisory" in item.upgrade_note


def test_clean_packages_have_no_note(real: LocalOsvSource) -> None:
    (item,), _ = assess([Package(PY, "requests", "2.31.0", "lock", 1)], real)
    assert item.vulns == () and item.upgrade_to is None and item.upgrade_note is None
