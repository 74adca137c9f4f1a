"""Every rule's own cases: ``tests/rules/cases/<service>/<rule_id>.yaml``.

A case file lists resources (type, properties, optionally tags/region/other resources the
rule's hook reads) and the status the rule must give each one. The meta-test requires at
least one FAIL and one PASS case per rule.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml

from mamori.collect.iac.cases import KINDS, case_resources, pick
from mamori.engine import evaluate
from mamori.model import Inventory, Resource, ResultStatus
from mamori.rules import RuleSet, load_rules

CASES = Path(__file__).parent / "cases"
NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
RULES = load_rules()


def load_cases() -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for p in sorted(CASES.rglob("*.yaml")):
        doc = yaml.safe_load(p.read_text())
        doc["_path"] = p
        out[p.stem] = doc
    return out


ALL_CASES = load_cases()


def _resource(spec: dict[str, Any], default_type: str, i: int) -> Resource:
    return Resource(
        provider="aws",
        account=str(spec.get("account", "111122223333")),
        region=str(spec.get("region", "us-east-1")),
        type=str(spec.get("type", default_type)),
        id=str(spec.get("id", f"res-{i}")),
        arn=str(spec.get("arn", "")),
        name=str(spec.get("name", "")),
        tags=spec.get("tags") or {},
        properties=spec.get("properties") or {},
    )


def run_case(rule_id: str, case: dict[str, Any], i: int) -> ResultStatus | None:
    rule = RULES.get(rule_id)
    kind = next((k for k in KINDS if k in case), None)
    if kind is not None:  # a Terraform / CloudFormation snippet, through the real adapters
        found = case_resources(kind, case[kind])
        picked = pick(found, rule.spec.resource_type, case.get("address"))
        assert picked is not None, f"the snippet declares no {rule.spec.resource_type} ({[r.id for r in found]})"
        res, others = picked, [r for r in found if r is not picked]
    else:
        res = _resource(case["resource"], rule.spec.resource_type, i)
        others = [_resource(o, rule.spec.resource_type, 1000 + j) for j, o in enumerate(case.get("others") or [])]
    inv = Inventory([res, *others], collected_at=NOW)
    ev = evaluate(inv, RuleSet([rule]), now=NOW, params={rule_id: case.get("params") or {}})
    mine = [r for r in ev.results if r.resource_id == res.id and r.resource_type == res.type]
    return mine[0].status if mine else None


PARAMS = [
    pytest.param(rid, i, case, id=f"{rid}[{i}:{case.get('name', '')}]")
    for rid, doc in ALL_CASES.items()
    for i, case in enumerate(doc.get("cases") or [])
]


@pytest.mark.parametrize(("rule_id", "i", "case"), PARAMS)
def test_rule_case(rule_id: str, i: int, case: dict[str, Any]) -> None:
    expect = case["expect"]
    got = run_case(rule_id, case, i)
    if expect == "SKIP":  # the rule does not apply to this resource
        assert got is None
    else:
        assert got is ResultStatus(expect), case.get("name")
