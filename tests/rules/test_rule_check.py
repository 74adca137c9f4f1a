"""The rule loader checks paths, hooks and params against the resource type's model at load time."""

from __future__ import annotations

from pathlib import Path

import pytest

from mamori.engine.testing import evaluate_rule
from mamori.errors import RuleError
from mamori.model import Inventory, Resource
from mamori.rules import load_rules
from mamori.rules.hooks import SHARED_HOOKS
from mamori.rules.loader import load_rule

HEAD = """id: {id}
title: A rule under test
severity: high
resource_type: {type}
rationale: Because a test needs a rule.
remediation: Nothing to remediate here.
"""


def write(tmp_path: Path, rule_id: str, body: str, rtype: str = "aws.s3.bucket") -> Path:
    p = tmp_path / f"{rule_id}.yaml"
    p.write_text(HEAD.format(id=rule_id, type=rtype) + body)
    return p


def refused(path: Path) -> RuleError:
    with pytest.raises(RuleError) as exc:
        load_rule(path)
    return exc.value


def test_a_misspelled_path_names_the_file_the_line_and_the_fields(tmp_path: Path) -> None:
    p = write(tmp_path, "typo", "fail_when:\n  all:\n    - path: policy_public\n      eq: true\n    - path: polcy_present\n      eq: true\n")
    err = refused(p)
    assert err.source == str(p) and err.where == "11"
    assert "fail_when.all[1].path" in err.message and "'polcy_present'" in err.message and "policy_present" in err.message
    assert str(err).startswith(f"{p}:11: ")


@pytest.mark.parametrize(
    ("cond", "needle"),
    [
        ("{path: public_access_block.block_public_acl, eq: false}", "no field 'block_public_acl'"),
        ("{not: {any: [{path: encrypted_algorithm, eq: x}]}}", "no field 'encrypted_algorithm'"),
        ("{path: versioning_status.x, eq: 1}", "versioning_status is a str"),
        ("{path: acl_public_grants.grantee, eq: x}", "is a list"),
        ("{path: \"length(policy_public_statementz[?sid])\", gt: 0}", "policy_public_statementz"),
    ],
)
def test_nested_and_deep_paths_are_checked(tmp_path: Path, cond: str, needle: str) -> None:
    err = refused(write(tmp_path, "deep", f"fail_when: {cond}\n"))
    assert needle in err.message and err.where == "7"


def test_applies_when_and_evidence_paths_are_checked(tmp_path: Path) -> None:
    err = refused(write(tmp_path, "app", "applies_when: {path: nope, exists: true}\nfail_when: {path: acl_public, eq: true}\n"))
    assert "applies_when.path" in err.message and err.where == "7"
    err = refused(write(tmp_path, "ev", "fail_when: {path: acl_public, eq: true}\nevidence: [acl_public, aclpublic]\n"))
    assert "evidence[1]" in err.message and err.where == "8"


def test_jmespath_filters_are_checked_against_list_elements(tmp_path: Path) -> None:
    ok = write(tmp_path, "lb_ok", "fail_when: {path: \"listeners[?protocol=='HTTP' && !redirects_to_https]\", empty: false}\n", "aws.elb.load_balancer")
    load_rule(ok)
    err = refused(write(tmp_path, "lb_bad", "fail_when: {path: \"listeners[?protocol=='HTTP' && !redirect_to_https]\", empty: false}\n", "aws.elb.load_balancer"))
    assert "'redirect_to_https'" in err.message


def test_below_an_untyped_mapping_any_key_is_accepted(tmp_path: Path) -> None:
    load_rule(write(tmp_path, "pol", "fail_when: {path: policy.Statement, exists: true}\nevidence: [$tags.Owner, $region]\n"))


def test_a_type_without_a_model_is_refused(tmp_path: Path) -> None:
    err = refused(write(tmp_path, "unknown_type", "fail_when: {path: x, eq: 1}\n", "aws.nope.thing"))
    assert "no model" in err.message and err.where == "4"


def test_an_undeclared_param_is_refused(tmp_path: Path) -> None:
    body = "params: {max_days: 3}\nfail_when: {path: created, older_than_days: $max_age}\n"
    err = refused(write(tmp_path, "param", body))
    assert "'max_age'" in err.message and err.where == "8"
    load_rule(write(tmp_path, "param_ok", "params: {max_age: 3}\nfail_when: {path: created, older_than_days: $max_age}\n"))


def test_shared_hooks_are_checked_for_name_type_and_params(tmp_path: Path) -> None:
    err = refused(write(tmp_path, "h1", "fail_when: {hook: monitoring.metric_filter_not_alarmd}\n"))
    assert "no shared hook" in err.message and "monitoring.metric_filter_not_alarmed" in err.message
    err = refused(write(tmp_path, "h2", "fail_when: {hook: monitoring.metric_filter_not_alarmed}\n"))
    assert "reads aws.monitoring.region, not aws.s3.bucket" in err.message
    err = refused(write(tmp_path, "h3", "fail_when: {hook: ec2.admin_port_open_to_ipv4_world}\n", "aws.ec2.security_group"))
    assert "admin_ports, protocols" in err.message
    err = refused(write(tmp_path, "h4", "fail_when: {hook: not_in_module}\n"))
    assert "not defined in the rule's Python module" in err.message and err.where == "7"


def test_a_custom_rule_naming_a_shared_hook_works(tmp_path: Path) -> None:
    body = "params: {admin_ports: [2222], protocols: [tcp]}\nfail_when: {hook: ec2.admin_port_open_to_ipv4_world}\n"
    write(tmp_path, "my_ssh_2222", body, "aws.ec2.security_group")
    rule = load_rules([tmp_path], builtin=False).get("my_ssh_2222")
    sg = Resource("aws", "1", "us-east-1", "aws.ec2.security_group", "sg-1", properties={"ingress": [
        {"protocol": "tcp", "from_port": 2000, "to_port": 3000, "open_to_world": True, "ipv6": False}]})
    [result] = evaluate_rule(rule, Inventory([sg]))
    assert result.status.value == "FAIL" and result.evidence["open_to_world"][0]["ports"] == [2222]


def test_custom_rule_dirs_get_the_same_check(tmp_path: Path) -> None:
    write(tmp_path, "custom", "fail_when: {path: encryption, eq: none}\n")
    with pytest.raises(RuleError, match=r"custom\.yaml:7: fail_when\.path"):
        load_rules([tmp_path], builtin=False)


def test_every_shared_hook_is_used_by_a_built_in_rule() -> None:
    used = {r.spec.fail_when.get("hook") for r in load_rules()} | {
        (r.spec.applies_when or {}).get("hook") for r in load_rules()
    }
    assert set(SHARED_HOOKS) <= used


@pytest.mark.parametrize(
    ("cond", "needle"),
    [
        ('{path: acl_public, eq: "true"}', "the property is a bool, compared with 'true' (str)"),
        ("{path: versioning_status, ne: 1}", "the property is a str, compared with 1 (int)"),
        ("{path: versioning_status, in: [Enabled, 2]}", "the list holds 2 (int)"),
        ("{path: public_access_block.block_public_acls, eq: yes_please}", "the property is a bool"),
    ],
)
def test_a_compared_value_of_the_wrong_type_is_refused(tmp_path: Path, cond: str, needle: str) -> None:
    err = refused(write(tmp_path, "operand", f"fail_when: {cond}\n"))
    assert needle in err.message and "can never hold" in err.message and err.where == "7"


def test_values_of_the_right_type_pass(tmp_path: Path) -> None:
    load_rule(write(tmp_path, "ok_values", "fail_when:\n  any:\n    - {path: acl_public, eq: true}\n"
                    "    - {path: versioning_status, in: [Enabled, Suspended]}\n    - {path: created, older_than_days: 30}\n"))
    load_rule(write(tmp_path, "ok_int", "fail_when: {path: password_minimum_length, lt: 14.5}\n", "aws.iam.account"))
