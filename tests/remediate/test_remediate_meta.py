"""Registry-wide checks of the remediation actions."""

from __future__ import annotations

import re

from pydantic import BaseModel

from mamori.collect.aws.base import COLLECTORS
from mamori.collect.aws.runner import load_collectors
from mamori.remediate.action import ACTIONS, bindings, load_actions
from mamori.remediate.permissions import policy
from mamori.rules import load_rules
from mamori.rules.schema import GuardrailKind

RULES = load_rules()
load_actions()
PERMISSION = re.compile(r"^[a-z0-9-]+:[A-Za-z0-9*]+$")


def test_every_binding_names_an_existing_rule_of_the_same_resource_type() -> None:
    bound = bindings()  # also: no rule is bound twice
    assert bound
    for rule_id, action in bound.items():
        assert rule_id in RULES, f"{action.name} is bound to unknown rule {rule_id}"
        assert RULES.get(rule_id).spec.resource_type == action.resource_type, (rule_id, action.name)


def test_every_auto_remediating_rule_has_an_action() -> None:
    auto = {r.id for r in RULES if r.spec.guardrail is GuardrailKind.AUTO_REMEDIATING}
    assert auto <= set(bindings()), auto - set(bindings())


def test_every_action_is_complete() -> None:
    load_collectors()
    types = {t for c in COLLECTORS.values() for t in c.resource_types}
    for name, action in ACTIONS.items():
        assert action.name == name and action.title
        assert action.resource_type in types, f"{name}: no collector produces {action.resource_type}"
        assert action.permissions and all(PERMISSION.match(p) for p in action.permissions), name
        assert issubclass(action.Params, BaseModel)
        assert action.Params.model_config.get("extra") == "forbid", name
        assert action.reversible or action.irreversible_reason, name
        for ours in action.from_rule_params:
            assert ours in action.Params.model_fields, name
        for rule_id in action.rules:
            action.params(rule_id)  # a bound action's defaults validate (unbound ones may need values)
        assert set(action.describe()) >= {"name", "rules", "permissions", "parameters"}


def test_policy_allows_exactly_the_declared_permissions() -> None:
    doc = policy()
    allowed = {a for st in doc["Statement"] if st["Resource"] == "*" for a in st["Action"]}
    declared = {p for a in ACTIONS.values() for p in a.permissions}
    assert allowed == declared | {"sts:GetCallerIdentity"}
    assert len({st["Sid"] for st in doc["Statement"]}) == len(doc["Statement"])
    assert any(st.get("Condition") for st in doc["Statement"])  # GuardDuty's service-linked role
    only = policy([ACTIONS.get("kms_enable_key_rotation")])
    assert {a for st in only["Statement"] for a in st["Action"]} == {"sts:GetCallerIdentity", "kms:GetKeyRotationStatus", "kms:EnableKeyRotation", "kms:DisableKeyRotation"}


def test_docs_describe_every_action() -> None:
    from pathlib import Path

    doc = (Path(__file__).resolve().parents[2] / "docs" / "remediation.md").read_text(encoding="utf-8")
    missing = [n for n in ACTIONS if f"`{n}`" not in doc]
    assert not missing, f"docs/remediation.md does not describe {missing}"
