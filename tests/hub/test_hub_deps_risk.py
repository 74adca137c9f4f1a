"""The risk decision of `mamori gate deps` travels into the findings hub (SARIF) and its digests."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from mamori.config.hub import OwnersConfig, SlaConfig
from mamori.gate.deps.output import FORMATS
from mamori.gate.deps.service import DepsRequest, run_gate
from mamori.hub.digest import build_groups, digests
from mamori.hub.importers.base import Ctx
from mamori.hub.importers.sarif import SarifImporter, risk_of
from mamori.hub.view import enrich

POM = Path(__file__).parents[1] / "gate" / "deps" / "fixtures" / "maven" / "pom.xml"
T0 = datetime(2026, 6, 1, tzinfo=UTC)


def _imported(tmp_path: Path) -> list:  # type: ignore[type-arg]
    (tmp_path / "pom.xml").write_text(POM.read_text())
    report = run_gate(DepsRequest(tmp_path, T0, sample_data=True, record=False)).report
    doc = json.loads(FORMATS.get("sarif").render(report))
    return list(SarifImporter().parse(doc, Ctx("deps.sarif", T0)))


def test_sarif_import_keeps_the_decision_and_factors(tmp_path: Path) -> None:
    found = {i.finding.rule_id: i.finding for i in _imported(tmp_path)}
    shell = found["GHSA-jfh8-c2jp-5v3q"].evidence["risk"]
    assert shell["decision"] == "immediate"
    factors = {f["factor"]: f for f in shell["factors"]}
    assert factors["exploitation"]["value"] == "active" and factors["exploitation"]["source"].startswith("CISA KEV")
    assert factors["exposure"]["default"] is True


def test_risk_of_is_bounded_and_strict() -> None:
    assert risk_of({"risk": {"decision": "panic", "factors": []}}) is None
    assert risk_of({"risk": "immediate"}) is None and risk_of(None) is None
    big = risk_of({"risk": {"decision": "defer", "factors": [{"factor": "x", "value": "v" * 5000}] * 50}})
    assert big is not None and len(big["factors"]) == 12 and len(big["factors"][0]["value"]) == 300


def test_digests_put_the_most_urgent_decision_first_with_headings(tmp_path: Path) -> None:
    findings = [i.finding for i in _imported(tmp_path)]
    hub = enrich(findings, {f.id: {"root_cause": f"{f.rule_id}"} for f in findings}, OwnersConfig(), SlaConfig(), T0)
    groups = build_groups(hub)
    decisions = [g.decision for g in groups]
    assert decisions[0] == "immediate" and "out-of-cycle" in decisions
    rank = {"immediate": 3, "out-of-cycle": 2, "scheduled": 1, "defer": 0, None: -1}
    assert [rank[d] for d in decisions] == sorted((rank[d] for d in decisions), reverse=True)
    (msg,) = digests(groups)
    assert msg.body.startswith("== immediate ==\n[immediate]") and "== out-of-cycle ==" in msg.body
    assert msg.data["groups"][0]["decision"] == "immediate"
