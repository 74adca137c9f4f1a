"""The generated SCPs: what each denies and exempts, AWS's size limit, the parliament linter."""

from __future__ import annotations

import json
from pathlib import Path

import parliament
import pytest
from hypothesis import given
from hypothesis import strategies as st

from mamori.config import load_config
from mamori.errors import ConfigError, InputError
from mamori.guardrails.policies import GLOBAL_ACTIONS, SCP_MAX_CHARS, Scp, ScpOptions, generate, split

BREAK_GLASS = "arn:aws:iam::*:role/break-glass"
FULL = ScpOptions(allowed_regions=("ap-northeast-1", "us-east-1"), break_glass_role=BREAK_GLASS)


def _by_name(opts: ScpOptions) -> dict[str, Scp]:
    return {s.name: s for s in generate(opts)}


def test_every_policy_the_issue_lists() -> None:
    names = set(_by_name(FULL))
    assert names == {
        "mamori-deny-access-keys", "mamori-deny-regions", "mamori-deny-leave-organization",
        "mamori-protect-security-services", "mamori-protect-mamori", "mamori-deny-root",
    }  # fmt: skip
    assert "mamori-deny-regions" not in _by_name(ScpOptions())  # no allowed Regions: no Region policy


@pytest.mark.parametrize("opts", [ScpOptions(), FULL, ScpOptions(allowed_regions=("eu-west-1",), protect_role_pattern="sec-*")])
def test_the_linter_finds_nothing_and_each_fits(opts: ScpOptions) -> None:
    for scp in generate(opts):
        assert len(scp.content) <= SCP_MAX_CHARS
        assert json.loads(scp.content) == scp.document
        findings = parliament.analyze_policy_string(scp.content).findings
        assert findings == [], (scp.name, [(f.issue, f.detail) for f in findings])


def test_the_linter_would_catch_a_bad_action() -> None:
    bad = Scp("x", "x", {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": ["iam:CreateAccessKeyz"], "Resource": "*"}]})
    assert parliament.analyze_policy_string(bad.content).findings  # the check above is not vacuous


def test_access_keys_and_login_profiles_denied_except_break_glass() -> None:
    stmt = _by_name(FULL)["mamori-deny-access-keys"].document["Statement"][0]
    assert {"iam:CreateAccessKey", "iam:CreateLoginProfile"} <= set(stmt["Action"])
    assert stmt["Condition"] == {"ArnNotLike": {"aws:PrincipalArn": [BREAK_GLASS]}}
    assert "Condition" not in _by_name(ScpOptions())["mamori-deny-access-keys"].document["Statement"][0]


def test_region_deny_keeps_global_services() -> None:
    stmt = _by_name(FULL)["mamori-deny-regions"].document["Statement"][0]
    assert stmt["NotAction"] == list(GLOBAL_ACTIONS)
    assert {"iam:*", "sts:*", "organizations:*", "cloudfront:*", "route53:*", "support:*"} <= set(stmt["NotAction"])
    assert stmt["Condition"]["StringNotEquals"] == {"aws:RequestedRegion": ["ap-northeast-1", "us-east-1"]}


def test_security_services_and_mamori_protected() -> None:
    sec = _by_name(FULL)["mamori-protect-security-services"].document["Statement"][0]
    for a in ("cloudtrail:StopLogging", "cloudtrail:DeleteTrail", "guardduty:DeleteDetector", "config:StopConfigurationRecorder",
              "config:DeleteDeliveryChannel", "securityhub:DisableSecurityHub", "access-analyzer:DeleteAnalyzer", "ec2:DeleteFlowLogs"):
        assert a in sec["Action"]
    assert sec["Condition"]["ArnNotLike"]["aws:PrincipalArn"] == [BREAK_GLASS, "arn:aws:iam::*:role/mamori-*",
                                                                  "arn:aws:iam::*:role/stacksets-exec-*"]
    own = _by_name(ScpOptions(protect_role_pattern="sec-*"))["mamori-protect-mamori"].document["Statement"]
    resources = [r for s in own for r in s["Resource"]]
    assert resources == ["arn:aws:iam::*:role/sec-*", "arn:aws:cloudformation:*:*:stack/sec-*/*",
                         "arn:aws:cloudformation:*:*:stack/StackSet-sec-*/*", "arn:aws:events:*:*:rule/sec-*"]
    assert all("arn:aws:iam::*:role/stacksets-exec-*" in s["Condition"]["ArnNotLike"]["aws:PrincipalArn"] for s in own)
    root = _by_name(FULL)["mamori-deny-root"].document["Statement"][0]
    assert root["Action"] == ["*"] and root["Condition"] == {"ArnLike": {"aws:PrincipalArn": ["arn:aws:iam::*:root"]}}


def test_a_policy_over_the_limit_is_split_into_parts_that_fit() -> None:
    big = _by_name(FULL)["mamori-protect-mamori"]
    parts = split(big, limit=700)
    assert len(parts) > 1 and all(len(p.content) <= 700 for p in parts)
    assert all(p.name.startswith("mamori-protect-mamori-") for p in parts)
    merged = [a for p in parts for s in p.document["Statement"] for a in s["Action"]]
    assert sorted(merged) == sorted(a for s in big.document["Statement"] for a in s["Action"])
    one = Scp("tiny", "t", {"Version": "2012-10-17", "Statement": [{"Sid": "S", "Effect": "Deny", "Action": ["*"], "Resource": "*"}]})
    with pytest.raises(InputError, match="cannot be split"):
        split(one, limit=20)


_REGIONS = st.lists(st.sampled_from(["us-east-1", "us-west-2", "eu-west-1", "eu-central-1", "ap-northeast-1", "ap-southeast-2",
                                     "sa-east-1", "ca-central-1", "me-south-1", "af-south-1"]), unique=True, max_size=10)  # fmt: skip


@given(regions=_REGIONS, pattern=st.from_regex(r"[a-z][a-z0-9-]{0,30}\*", fullmatch=True),
       account=st.from_regex(r"\d{12}", fullmatch=True))  # fmt: skip
def test_any_options_give_policies_within_the_limit(regions: list[str], pattern: str, account: str) -> None:
    opts = ScpOptions(allowed_regions=tuple(regions), protect_role_pattern=pattern, break_glass_role=f"arn:aws:iam::{account}:role/bg")
    for scp in generate(opts):
        assert len(scp.content) <= SCP_MAX_CHARS and json.loads(scp.content)["Statement"]


def test_options_come_from_mamori_yaml(tmp_path: Path) -> None:
    p = tmp_path / "mamori.yaml"
    p.write_text("guardrails:\n  preventive:\n    allowed_regions: [eu-west-1]\n    break_glass_role: arn:aws:iam::111122223333:role/bg\n")
    pv = load_config(p).guardrails.preventive
    assert pv.allowed_regions == ["eu-west-1"] and pv.break_glass_role == "arn:aws:iam::111122223333:role/bg"
    p.write_text("guardrails:\n  preventive:\n    allowed_regions: [moon-1]\n")
    with pytest.raises(ConfigError) as exc:
        load_config(p)
    assert "guardrails.preventive.allowed_regions" in str(exc.value) and "moon-1" in str(exc.value)
