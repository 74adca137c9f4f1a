"""VEX: OpenVEX and CycloneDX VEX statements read (bounded), honoured by the gate, and written."""

from __future__ import annotations

import contextlib
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mamori.gate.deps.assess import assess
from mamori.gate.deps.evaluate import evaluate
from mamori.gate.deps.kev import sample_kev
from mamori.gate.deps.model import Ecosystem, Package, Rule, Verdict
from mamori.gate.deps.osv.local import LocalOsvSource
from mamori.gate.deps.output import FORMATS
from mamori.gate.deps.policy import DEFAULT_POLICY
from mamori.gate.deps.service import DepsRequest, run_gate
from mamori.gate.deps.vex import VexError, VexIndex, parse_vex

NOW = datetime(2026, 6, 1, tzinfo=UTC)
LOG4J = "org.apache.logging.log4j:log4j-core"

OPENVEX = {
    "@context": "https://openvex.dev/ns/v0.2.0",
    "@id": "https://example.com/vex/1",
    "author": "Payments Security <sec@example.com>",
    "timestamp": "2026-05-01T00:00:00Z",
    "version": 1,
    "statements": [
        {"vulnerability": {"name": "CVE-2021-44228"},
         "products": [{"@id": "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1"}],
         "status": "not_affected", "justification": "vulnerable_code_not_in_execute_path",
         "impact_statement": "JNDI lookups are disabled (-Dlog4j2.formatMsgNoLookups=true) and the class removed"},
        {"vulnerability": {"name": "CVE-2021-45046"},
         "products": [{"@id": "pkg:maven/org.apache.logging.log4j/log4j-core"}],
         "status": "affected", "action_statement": "upgrade"},
        {"vulnerability": {"name": "CVE-2023-32681"}, "products": ["pkg:pypi/requests@2.19.0"],
         "status": "not_affected"},
    ],
}  # fmt: skip

CDX = {
    "bomFormat": "CycloneDX", "specVersion": "1.5",
    "metadata": {"authors": [{"name": "Platform Security"}]},
    "components": [{"bom-ref": "jd", "purl": "pkg:maven/com.fasterxml.jackson.core/jackson-databind@2.1.0"}],
    "vulnerabilities": [
        {"id": "CVE-2017-7525", "analysis": {"state": "resolved", "detail": "patched build 2.1.0-sp1"},
         "affects": [{"ref": "jd"}]},
    ],
}  # fmt: skip


def _decide(source: LocalOsvSource, vex: VexIndex):  # type: ignore[no-untyped-def]
    items, _ = assess([Package(Ecosystem.MAVEN, LOG4J, "2.14.1"), Package(Ecosystem.PYPI, "requests", "2.19.0"),
                       Package(Ecosystem.MAVEN, "com.fasterxml.jackson.core:jackson-databind", "2.1.0")], source)  # fmt: skip
    decisions, _ = evaluate(items, DEFAULT_POLICY, sample_kev(), lambda p, v: None, NOW, vex)
    return {d.package.name.split(":")[-1]: d for d in decisions}


def test_openvex_not_affected_passes_with_reason_and_author(sample_source: LocalOsvSource) -> None:
    by = _decide(sample_source, VexIndex(tuple(parse_vex(json.dumps(OPENVEX), "app.openvex.json"))))
    log4j = {d.vulnerability.id: d for d in by["log4j-core"].vulns}
    shell = log4j["GHSA-jfh8-c2jp-5v3q"]
    assert shell.verdict is Verdict.PASS and shell.rule is Rule.VEX
    assert "vulnerable_code_not_in_execute_path" in shell.reason and "Payments Security" in shell.reason
    other = log4j["GHSA-7rjr-3q55-vv33"]  # affected: the policy still decides (critical with a fix: BLOCK)
    assert other.verdict is Verdict.BLOCK and other.vex_status == "affected"
    assert by["log4j-core"].verdict is Verdict.BLOCK
    # not_affected without a justification silences nothing
    (req,) = by["requests"].vulns
    assert req.rule is not Rule.VEX and req.vex_status == "not_affected"


def test_cyclonedx_vex_resolved_passes(sample_source: LocalOsvSource) -> None:
    by = _decide(sample_source, VexIndex(tuple(parse_vex(json.dumps(CDX), "bom.vex.json"))))
    (jd,) = by["jackson-databind"].vulns
    assert jd.verdict is Verdict.PASS and jd.rule is Rule.VEX and "Platform Security" in jd.reason
    assert "patched build" in jd.reason and by["jackson-databind"].verdict is Verdict.PASS


def test_a_statement_for_another_version_does_not_apply(sample_source: LocalOsvSource) -> None:
    doc = json.loads(json.dumps(OPENVEX))
    doc["statements"][0]["products"] = [{"@id": "pkg:maven/org.apache.logging.log4j/log4j-core@2.17.1"}]
    by = _decide(sample_source, VexIndex(tuple(parse_vex(json.dumps(doc), "v.json"))))
    assert all(d.rule is not Rule.VEX for d in by["log4j-core"].vulns)


@pytest.mark.parametrize(("mutate", "where"), [
    (lambda d: d["statements"][0].update(status="maybe"), "statements[0].status"),
    (lambda d: d["statements"][1].update(products=[]), "statements[1].products"),
    (lambda d: d["statements"][0].update(justification="because"), "statements[0].justification"),
    (lambda d: d["statements"][2].update(vulnerability={"name": 7}), "statements[2].vulnerability"),
])  # fmt: skip
def test_malformed_statements_name_the_file_and_statement(mutate, where: str) -> None:  # type: ignore[no-untyped-def]
    doc = json.loads(json.dumps(OPENVEX))
    mutate(doc)
    with pytest.raises(VexError) as err:
        parse_vex(json.dumps(doc), "app.openvex.json")
    assert f"app.openvex.json:{where}" in str(err.value)


def test_unknown_documents_and_hostile_json_are_errors() -> None:
    with pytest.raises(VexError, match="neither OpenVEX"):
        parse_vex("{}", "x.json")
    with pytest.raises(VexError):
        parse_vex("[" * 500 + "]" * 500, "deep.json")


@settings(max_examples=200, deadline=None)
@given(st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=20),
                    lambda c: st.lists(c, max_size=4) | st.dictionaries(st.text(max_size=10), c, max_size=4),
                    max_leaves=30))  # fmt: skip
def test_vex_parser_never_crashes(junk: object) -> None:
    for wrap in ({"@context": "https://openvex.dev/ns/v0.2.0", "statements": junk},
                 {"bomFormat": "CycloneDX", "vulnerabilities": junk}, junk):  # fmt: skip
        with contextlib.suppress(VexError):
            parse_vex(json.dumps(wrap), "fuzz.json")


def test_gate_reads_vex_files_and_writes_openvex(tmp_path: Path) -> None:
    project = tmp_path / "p"
    project.mkdir()
    (project / "pom.xml").write_text((Path(__file__).parent / "fixtures" / "maven" / "pom.xml").read_text())
    vex = tmp_path / "app.openvex.json"
    vex.write_text(json.dumps(OPENVEX))
    report = run_gate(DepsRequest(project, NOW, sample_data=True, record=False, vex_paths=(vex,))).report
    doc = json.loads(FORMATS.get("openvex").render(report))
    assert doc["@context"] == "https://openvex.dev/ns/v0.2.0" and doc["statements"]
    by = {(s["products"][0]["@id"], s["vulnerability"]["name"]): s for s in doc["statements"]}
    shell = by[("pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1", "GHSA-jfh8-c2jp-5v3q")]
    assert shell["status"] == "not_affected" and shell["justification"] == "vulnerable_code_not_in_execute_path"
    jd = by[("pkg:maven/com.fasterxml.jackson.core/jackson-databind@2.1.0", "GHSA-qxxx-2pp7-5hmx")]
    assert jd["status"] == "affected" and jd["action_statement"].startswith("blocked:")
    assert "upgrade to 2.6.7.1" in jd["action_statement"]
    # what we wrote reads back
    assert parse_vex(json.dumps(doc), "out.json")
