"""The catalogues as data: attestation-only marks, reasons for what no rule checks, the generated doc."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from mamori.catalog import Control, standards
from mamori.rules import load_rules
from mamori.standards.docs import render
from mamori.standards.status import rules_by_control

DOC = Path(__file__).resolve().parents[2] / "docs" / "standards.md"
RULES = load_rules()
ATTESTATION_ONLY = {"1.1", "1.2", "1.4", "1.5", "1.6", "1.10", "2.1", "5.2", "6.1", "6.2"}


def test_the_baseline_has_26_items_in_6_categories_and_marks_what_needs_a_person() -> None:
    b = standards()["baseline"]
    assert [c.id for c in b.categories] == ["1", "2", "3", "4", "5", "6"] and len(b.controls()) == 26
    manual = {cid for cid, c in b.controls().items() if not c.automated}
    assert manual == ATTESTATION_ONLY
    assert all(b.controls()[c].attest_with for c in manual), "say what evidence an attestation should point at"


@pytest.mark.parametrize("std_id", ["baseline", "cis-aws-3.0", "cis-gcp-3.0", "fsbp"])
def test_controls_no_rule_checks_are_manual_or_say_why(std_id: str) -> None:
    if std_id == "fsbp":  # FSBP controls are all automatable by definition; the doc lists those without a rule
        return
    std = standards()[std_id]
    by = rules_by_control({r.id: r.spec.controls for r in RULES}, std_id)
    silent = [cid for cid, c in std.controls().items() if c.automated and not by.get(cid) and not c.not_covered_reason]
    assert not silent, f"{std_id}: automatable controls with no rule and no not_covered_reason: {silent}"


def test_cis_manual_controls_and_sizes() -> None:
    cis = standards()["cis-aws-3.0"].controls()
    assert len(cis) == 62 and {"1.1", "1.2", "1.3", "1.11", "1.18", "1.21", "2.1.3", "5.5"} <= {c for c, v in cis.items() if not v.automated}
    assert len(standards()["fsbp"].controls()) >= 93


def test_cis_gcp_has_84_recommendations_72_automated_and_rules_check_at_least_35() -> None:
    gcp = standards()["cis-gcp-3.0"].controls()
    assert len(gcp) == 84 and sum(c.automated for c in gcp.values()) == 72
    by = rules_by_control({r.id: r.spec.controls for r in RULES}, "cis-gcp-3.0")
    checked = {cid for cid, c in gcp.items() if c.automated and by.get(cid)}
    assert len(checked) >= 35 and len(checked) == 70
    # every GCP rule maps to the baseline, only to GCP types, and to a CIS GCP control or says why not (2 extras)
    gcp_rules = [r for r in RULES if r.spec.resource_type.startswith("gcp.")]
    assert all(r.spec.controls.get("baseline") and "cis-aws-3.0" not in r.spec.controls for r in gcp_rules)
    assert sorted(r.id for r in gcp_rules if "cis-gcp-3.0" not in r.spec.controls) == ["gcp_firewall_all_ports_open_to_world", "gcp_iam_primitive_role_for_user"]


def test_a_typo_in_a_catalogue_is_rejected() -> None:
    with pytest.raises(ValidationError):
        Control.model_validate({"id": "9.9", "title": "x", "not_covered_reson": "typo"})


def test_docs_standards_md_is_generated_from_the_registry() -> None:
    text = DOC.read_text()
    assert text == render(text, RULES), "regenerate: make docs (python -m mamori.standards.docs docs/standards.md)"
    for block in ("per-standard", "baseline-coverage", "cis-not-covered", "cis-gcp-not-covered", "fsbp-not-covered", "per-service"):
        assert f"<!-- generated:{block} -->" in text
    with pytest.raises(KeyError, match="unknown generated block"):
        render("<!-- generated:nope -->\n<!-- /generated:nope -->", RULES)
