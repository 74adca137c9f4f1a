"""The demo estate holds a compliant and a non-compliant resource for every rule."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from mamori.collect.aws.org_checks import ORG_LEVEL_TYPES
from mamori.collect.aws.runner import CollectResult
from mamori.collect.gcp import read_gcp_assets
from mamori.demo.gcp_estate import DEMO_NOW, write_demo_export
from mamori.engine import evaluate
from mamori.model import ResultStatus
from mamori.rules import load_rules


def test_every_rule_passes_and_fails_somewhere_in_the_demo(demo_collect: CollectResult, tmp_path: Path) -> None:
    """AWS rules on the emulated estate, GCP rules on the demo's CAI export (`mamori demo --gcp`)."""
    rules = load_rules()
    gcp = read_gcp_assets(write_demo_export(tmp_path), DEMO_NOW)
    seen: dict[str, set[ResultStatus]] = defaultdict(set)
    for ev in (evaluate(demo_collect.inventory, rules), evaluate(gcp, rules)):
        for r in ev.results:
            seen[r.rule_id].add(r.status)
    missing = {
        rule.id: sorted(s.value for s in seen[rule.id])
        for rule in rules
        # org-level rules read the organization as a whole: only `scan --org` builds it (tests/scan/test_org_scan.py)
        if not {ResultStatus.PASS, ResultStatus.FAIL} <= seen[rule.id] and rule.spec.resource_type not in ORG_LEVEL_TYPES
    }
    assert not missing, f"rules without both outcomes in the demo estate: {missing}"


def test_demo_collection_has_no_scope_errors(demo_collect: CollectResult) -> None:
    scope_errors = [e for e in demo_collect.inventory.errors if not e.partial]
    assert not scope_errors, scope_errors
