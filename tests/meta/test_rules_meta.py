"""Registry-wide checks: every rule is complete, mapped to real controls and tested both ways."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import mamori.rules as rules_pkg
from mamori.catalog import standards
from mamori.collect.aws.org_checks import ORG_LEVEL_TYPES
from mamori.collect.aws.runner import COLLECTORS, load_collectors
from mamori.collect.gcp import ASSET_TYPES as GCP_ASSET_TYPES
from mamori.model.resources import RESOURCE_TYPES, check_properties
from mamori.rules import load_rules

from ..rules.test_rule_cases import ALL_CASES

RULES = load_rules()


def test_every_rule_file_in_the_library_is_loaded() -> None:
    """Each YAML file under rules/library is one registered rule: none dropped, none counted twice."""
    library = Path(rules_pkg.__file__).parent / "library"
    files = sorted(p.stem for p in library.rglob("*.yaml") if not p.name.endswith(".cases.yaml"))
    ids = sorted(r.id for r in RULES)
    assert ids == files
    assert len(ids) == len(set(ids)) == 193  # the library's size today (121 AWS + 72 GCP): change it with the library


def test_every_rule_has_metadata_and_real_controls() -> None:
    cat = standards()
    for rule in RULES:
        s = rule.spec
        assert rule.path.stem == s.id
        assert s.title and s.rationale and s.remediation
        assert s.controls.get("baseline"), f"{s.id} maps to no Cloud Security Baseline item"
        for std, ids in s.controls.items():
            known = cat[std].controls()
            for cid in ids:
                assert cid in known, f"{s.id}: {std} has no control {cid}"


def test_every_rule_has_a_failing_and_a_passing_case() -> None:
    missing = []
    for rule in RULES:
        doc = ALL_CASES.get(rule.id)
        expects = Counter(c["expect"] for c in (doc or {}).get("cases") or [])
        if expects["FAIL"] < 1 or expects["PASS"] < 1:
            missing.append(rule.id)
    assert not missing, f"rules without both a FAIL and a PASS case: {missing}"


def test_case_files_name_existing_rules() -> None:
    assert not set(ALL_CASES) - {r.id for r in RULES}


def test_every_collected_type_has_a_model_and_every_model_a_collector() -> None:
    load_collectors()
    collected = {t for _, c in COLLECTORS.items() for t in c.resource_types}
    collected |= {t for t, _ in GCP_ASSET_TYPES.values()}  # GCP: read from Cloud Asset Inventory exports
    collected |= set(ORG_LEVEL_TYPES)  # built once per `--org` scan, not by a per-account collector
    assert collected == set(RESOURCE_TYPES), (
        f"collected without a model: {sorted(collected - set(RESOURCE_TYPES))}; "
        f"models no collector emits: {sorted(set(RESOURCE_TYPES) - collected)}"
    )


def test_every_rule_targets_a_modelled_type() -> None:
    assert {r.spec.resource_type for r in RULES} <= set(RESOURCE_TYPES)


def test_rule_cases_use_only_real_properties() -> None:
    """A case's resource has only properties its type's model declares, with the declared types."""
    bad = []
    for rule_id, doc in ALL_CASES.items():
        default = RULES.get(rule_id).spec.resource_type
        for i, case in enumerate(doc["cases"]):
            if "resource" not in case:  # a Terraform / CloudFormation case: the adapters build typed models
                continue
            for res in [case["resource"], *(case.get("others") or [])]:
                rtype = res.get("type", default)
                props = res.get("properties") or {}
                unknown = set(props) - set(RESOURCE_TYPES.get(rtype).model_fields)
                try:
                    check_properties(rtype, props)
                except ValueError as exc:
                    bad.append(f"{rule_id} case {i}: {exc}")
                if unknown:
                    bad.append(f"{rule_id} case {i}: {rtype} has no {sorted(unknown)}")
    assert not bad, bad
