"""`export`: the same guardrails as a Terraform module (parsed back) and CloudFormation (cfn-lint)."""

from __future__ import annotations

import json
from pathlib import Path

import hcl2
from cfnlint.api import lint_all

from mamori.guardrails import detective
from mamori.guardrails.export import export
from mamori.guardrails.policies import ScpOptions, generate

SCPS = generate(ScpOptions(allowed_regions=("ap-northeast-1", "us-east-1")))


def _u(key: str) -> str:
    """python-hcl2 8 keeps the quotes of block labels."""
    return key.strip('"')


def _errors(body: str) -> list[str]:
    return [f"{m.rule.id} {m.message}" for m in lint_all(body) if m.rule.id.startswith("E")]


def test_terraform_module(tmp_path: Path) -> None:
    export("terraform", SCPS, ["ap-northeast-1", "us-east-1"], "us-east-1", tmp_path)
    main = hcl2.loads((tmp_path / "main.tf").read_text())
    resources = {(_u(k), _u(n)) for block in main["resource"] for k, v in block.items() for n in v}
    for s in SCPS:
        n = s.name.replace("-", "_")
        assert ("aws_organizations_policy", n) in resources and ("aws_organizations_policy_attachment", n) in resources
        assert json.loads((tmp_path / "policies" / f"{s.name}.json").read_text()) == s.document
    assert {("aws_cloudformation_stack_set", "detective"), ("aws_cloudformation_stack_set_instance", "detective"),
            ("aws_cloudformation_stack", "central")} <= resources  # fmt: skip
    ss = next(v for b in main["resource"] for k, byname in b.items() for n, v in byname.items()
              if (_u(k), _u(n)) == ("aws_cloudformation_stack_set", "detective"))
    assert "SERVICE_MANAGED" in str(ss["permission_model"]) and ss["auto_deployment"]
    variables = hcl2.loads((tmp_path / "variables.tf").read_text())
    assert {_u(next(iter(v))) for v in variables["variable"]} >= {"target_id", "regions", "central_region"}
    hcl2.loads((tmp_path / "outputs.tf").read_text())
    member = json.loads((tmp_path / "templates" / "member.json").read_text())
    assert member == detective.member_template(detective.default_rules())
    for name in ("member.json", "central.json"):
        assert _errors((tmp_path / "templates" / name).read_text()) == []


def test_cloudformation_templates(tmp_path: Path) -> None:
    export("cloudformation", SCPS, ["us-east-1"], "us-east-1", tmp_path)
    scps = json.loads((tmp_path / "scps.json").read_text())
    assert {r["Properties"]["Name"] for r in scps["Resources"].values()} == {s.name for s in SCPS}
    assert all(r["Type"] == "AWS::Organizations::Policy" for r in scps["Resources"].values())
    det = json.loads((tmp_path / "detective.json").read_text())
    ss = det["Resources"]["DetectiveStackSet"]["Properties"]
    assert ss["PermissionModel"] == "SERVICE_MANAGED" and ss["AutoDeployment"]["Enabled"] is True
    for name in ("scps.json", "detective.json", "templates/member.json"):
        assert _errors((tmp_path / name).read_text()) == [], name
