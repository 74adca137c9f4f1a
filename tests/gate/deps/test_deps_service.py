"""The dependency gate as a service: one request in, one report out, no printing (what a server calls)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from mamori.errors import InputError
from mamori.gate.deps.errors import LockfileError
from mamori.gate.deps.model import Verdict
from mamori.gate.deps.service import DepsRequest, StatsRequest, existing_store, gate_stats, run_gate

NOW = datetime(2026, 3, 2, tzinfo=UTC)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "payments-api"
    root.mkdir()
    (root / "requirements.txt").write_text("requests==2.19.0\nidna==3.7\n")
    (root / "mamori-policy.yaml").write_text("team: payments\nfix_by:\n  medium: 30\n")
    return root


def test_a_recorded_run_returns_the_report_and_its_run_id(
    project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(tmp_path / "store.db")
    result = run_gate(DepsRequest(project, NOW, sample_data=True, db=db))
    assert result.run_id is not None
    assert result.report.team == "payments" and result.report.project == "payments-api"
    verdicts = {d.package.name: d.verdict for d in result.report.packages}
    assert verdicts["idna"] is Verdict.PASS and verdicts["requests"] is not Verdict.PASS
    assert any("sample advisories" in n.message for n in result.report.notices)
    [team] = gate_stats(StatsRequest(now=NOW, db=db))
    assert team.team == "payments" and team.runs == 1
    assert capsys.readouterr() == ("", ""), "a service never prints"


def test_without_recording_no_store_is_created(project: Path, tmp_path: Path) -> None:
    db = tmp_path / "none.db"
    result = run_gate(DepsRequest(project, NOW, sample_data=True, db=str(db), record=False))
    assert result.run_id is None and not db.exists()
    assert existing_store(str(db)) is None


def test_at_most_one_advisory_source_and_none_means_the_cache(project: Path) -> None:
    with pytest.raises(InputError, match="the advisory cache is empty: run `mamori db update`"):
        run_gate(DepsRequest(project, NOW, record=False))
    with pytest.raises(InputError, match="one advisory source"):
        run_gate(DepsRequest(project, NOW, sample_data=True, online=True, record=False))


def test_a_missing_path_is_bad_input(tmp_path: Path) -> None:
    with pytest.raises(LockfileError) as info:
        run_gate(DepsRequest(tmp_path / "nope", NOW, sample_data=True, record=False))
    assert info.value.source == str(tmp_path / "nope")


def test_gate_inputs_and_audit_packages_serve_other_package_sources(project: Path) -> None:
    """What `gate image` calls: the same source, policy, KEV, risk and VEX for packages it found itself."""
    from mamori.gate.deps.check import audit_packages
    from mamori.gate.deps.model import Ecosystem, Package, Rule, Verdict
    from mamori.gate.deps.service import gate_inputs

    with gate_inputs(DepsRequest(project, NOW, sample_data=True, record=False, exposure="controlled")) as g:
        decisions, _ = audit_packages([Package(Ecosystem.MAVEN, "org.apache.logging.log4j:log4j-core", "2.14.1",
                                               "layer sha256:abc", None)], g.source, g.settings)  # fmt: skip
    (d,) = decisions
    assert d.verdict is Verdict.BLOCK and d.rule is Rule.KEV and d.upgrade_to == "2.16.0"
    risk = d.vulns[0].vulnerability.risk
    assert risk is not None and risk.decision == "out-of-cycle"  # active, controlled (command line), yes, very high*
