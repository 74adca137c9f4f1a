"""Every rule `mamori gate iac` evaluates has Terraform and CloudFormation cases, pass and fail.

Exceptions are named here with the reason, so a new one is a decision, not an accident:
a setting only Terraform can declare, or one CloudFormation cannot decide (UNKNOWN).
"""

from __future__ import annotations

from pathlib import Path

import yaml

from mamori.rules import load_rules

CASES = Path(__file__).parent / "cases"
RULES = load_rules()
IAC = [r for r in RULES if r.spec.live_only is None]

TERRAFORM_ONLY = {"ec2_default_security_group_allows_traffic": "CloudFormation cannot declare a VPC's default security group"}
CFN_CANNOT_FAIL = {
    rid: "the account-level S3 Block Public Access is not in a template: a bucket-level `false` is UNKNOWN, never PASS"
    for rid in ("s3_bucket_public_access_block_off", "s3_bucket_public_via_acl", "s3_bucket_public_via_policy")
}


def _iac_cases(rule_id: str) -> set[tuple[str, str]]:
    path = next(CASES.rglob(f"{rule_id}.yaml"))
    doc = yaml.safe_load(path.read_text())
    return {(k, c["expect"]) for c in doc["cases"] for k in ("terraform", "cloudformation") if k in c}


def test_live_only_rules_say_why() -> None:
    for r in RULES:
        assert r.spec.live_only is None or len(r.spec.live_only) >= 10, r.id


def test_at_least_70_rules_evaluable_on_iac_with_four_cases() -> None:
    full = [r.id for r in IAC if {(k, e) for k in ("terraform", "cloudformation") for e in ("PASS", "FAIL")} <= _iac_cases(r.id)]
    assert len(full) >= 70, (len(full), sorted(set(r.id for r in IAC) - set(full)))


def test_every_iac_rule_has_terraform_and_cloudformation_cases() -> None:
    for r in IAC:
        have = _iac_cases(r.id)
        need = {("terraform", "PASS"), ("terraform", "FAIL")}
        if r.id not in TERRAFORM_ONLY:
            need |= {("cloudformation", "PASS"), ("cloudformation", "UNKNOWN" if r.id in CFN_CANNOT_FAIL else "FAIL")}
        assert need <= have, (r.id, sorted(need - have))
