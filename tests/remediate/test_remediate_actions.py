"""Each action against moto: plan (reads only), apply, verify, re-plan is a no-op, rollback restores."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import pytest

from mamori.model.resource import GLOBAL
from mamori.remediate.action import ACTIONS, load_actions
from mamori.remediate.errors import ActionError, ActionParamsError, NotReversibleError
from mamori.remediate.model import Proposal, Target

from . import estate
from .conftest import ACCOUNT, Aws, public_bucket

load_actions()


def roundtrip(aws: Aws, name: str, target: Target, overrides: Mapping[str, Any] | None = None, *, rule: str = "") -> Proposal:
    """Plan, apply, verify, re-plan; then roll back and check the prior state is back."""
    action = ACTIONS.get(name)
    params = action.params(rule, overrides)
    clients = aws.fresh_clients()
    ctx = clients.context(target.account)
    prop = action.plan(ctx, target, params)
    assert clients.mutating() == [], "plan must only read"
    assert prop.calls and not prop.refused, prop
    assert {c.permission for c in prop.calls} <= set(action.permissions)
    action.apply(ctx, prop)
    assert action.verify(ctx, target, params)
    assert action.plan(ctx, target, params).noop
    if action.reversible:
        current = action.read(ctx, target, params)
        calls = action.rollback_calls(target, prop.before, current, params)
        assert {c.permission for c in calls} <= set(action.permissions)
        for c in calls:
            ctx.execute(c)
        assert action.restored(ctx, target, prop.before, params)
    else:
        with pytest.raises(NotReversibleError):
            action.rollback_calls(target, prop.before, prop.after, params)
    return prop


def bucket(name: str, region: str = "us-east-1") -> Target:
    return Target(ACCOUNT, region, "aws.s3.bucket", name, f"arn:aws:s3:::{name}")


def test_bucket_public_access_block_from_nothing_and_from_partial(aws: Aws) -> None:
    public_bucket(aws, "none", "eu-west-1")
    p = roundtrip(aws, "s3_bucket_block_public_access", bucket("none", "eu-west-1"))
    assert p.calls[0].operation == "PutPublicAccessBlock" and p.before["configured"] is False
    with pytest.raises(Exception, match="NoSuchPublicAccessBlockConfiguration"):
        aws.client("s3", "eu-west-1").get_public_access_block(Bucket="none")  # rolled back to no configuration
    public_bucket(aws, "partial", "us-east-1")
    aws.client("s3").put_public_access_block(Bucket="partial", PublicAccessBlockConfiguration={"BlockPublicAcls": True})
    p = roundtrip(aws, "s3_bucket_block_public_access", bucket("partial"), {"restrict_public_buckets": False})
    assert p.after["config"] == {"BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True, "RestrictPublicBuckets": False}
    assert "RestrictPublicBuckets" not in p.summary


def test_account_public_access_block(aws: Aws) -> None:
    target = Target(ACCOUNT, GLOBAL, "aws.s3.account", ACCOUNT)
    p = roundtrip(aws, "s3_account_block_public_access", target)
    assert p.calls[0].service == "s3control" and p.calls[0].params["AccountId"] == ACCOUNT


def test_remove_public_acl_grants(aws: Aws) -> None:
    public_bucket(aws, "acl", "us-east-1")
    s3 = aws.client("s3")
    owner = s3.get_bucket_acl(Bucket="acl")["Owner"]
    uri = "http://acs.amazonaws.com/groups/global/"
    s3.put_bucket_acl(Bucket="acl", AccessControlPolicy={"Owner": owner, "Grants": [
        {"Grantee": {"Type": "CanonicalUser", "ID": owner["ID"]}, "Permission": "FULL_CONTROL"},
        {"Grantee": {"Type": "Group", "URI": uri + "AllUsers"}, "Permission": "READ"},
        {"Grantee": {"Type": "Group", "URI": uri + "AuthenticatedUsers"}, "Permission": "WRITE"},
    ]})  # fmt: skip
    p = roundtrip(aws, "s3_bucket_remove_public_acl_grants", bucket("acl"))
    assert "AllUsers:READ" in p.summary and "AuthenticatedUsers:WRITE" in p.summary
    assert all("URI" not in g["Grantee"] for g in p.after["grants"])


def _policy(*stmts: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(stmts)})


def test_remove_public_policy_statements_keeps_the_others(aws: Aws) -> None:
    public_bucket(aws, "pol", "us-east-1")
    s3 = aws.client("s3")
    res = "arn:aws:s3:::pol/*"
    s3.put_bucket_policy(Bucket="pol", Policy=_policy(
        {"Sid": "Anyone", "Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "s3:GetObject", "Resource": res},
        {"Sid": "FromVpce", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": res,
         "Condition": {"StringEquals": {"aws:SourceVpce": "vpce-1234"}}},
    ))  # fmt: skip
    p = roundtrip(aws, "s3_bucket_remove_public_policy_statements", bucket("pol"))
    assert p.calls[0].operation == "PutBucketPolicy" and "Anyone" in p.summary
    assert [s["Sid"] for s in p.after["policy"]["Statement"]] == ["FromVpce"]


def test_remove_public_policy_deletes_a_policy_with_only_public_statements(aws: Aws) -> None:
    public_bucket(aws, "pol2", "us-east-1")
    aws.client("s3").put_bucket_policy(Bucket="pol2", Policy=_policy({"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::pol2/*"}))
    p = roundtrip(aws, "s3_bucket_remove_public_policy_statements", bucket("pol2"))
    assert p.calls[0].operation == "DeleteBucketPolicy" and p.after == {"policy": None}
    public_bucket(aws, "nopolicy", "us-east-1")
    ctx = aws.fresh_clients().context(ACCOUNT)
    assert ACTIONS.get("s3_bucket_remove_public_policy_statements").plan(ctx, bucket("nopolicy"), None).noop


def test_ebs_default_encryption(aws: Aws) -> None:
    p = roundtrip(aws, "ec2_enable_ebs_default_encryption", Target(ACCOUNT, "eu-west-1", "aws.ec2.region", "eu-west-1"))
    assert p.calls[0].region == "eu-west-1"
    assert aws.client("ec2", "eu-west-1").get_ebs_encryption_by_default()["EbsEncryptionByDefault"] is False


def test_security_group_ipv4_only_keeps_ipv6_and_other_ports(aws: Aws) -> None:
    gid = estate.world_ssh_group(aws)
    sg = Target(ACCOUNT, "us-east-1", "aws.ec2.security_group", gid)
    p = roundtrip(aws, "ec2_revoke_world_admin_ingress", sg, rule="ec2_security_group_admin_port_open_ipv4")
    assert p.calls[0].params["IpPermissions"] == [{"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}]
    action = ACTIONS.get("ec2_revoke_world_admin_ingress")
    ctx = aws.fresh_clients().context(ACCOUNT)
    action.apply(ctx, p)
    perms = aws.client("ec2").describe_security_groups(GroupIds=[gid])["SecurityGroups"][0]["IpPermissions"]
    ssh = next(x for x in perms if x.get("FromPort") == 22)
    assert ssh["IpRanges"] == [{"CidrIp": "10.0.0.0/8"}] and ssh["Ipv6Ranges"] == [{"CidrIpv6": "::/0"}]
    assert any(x.get("FromPort") == 443 and x["IpRanges"] == [{"CidrIp": "0.0.0.0/0"}] for x in perms)
    p6 = action.plan(ctx, sg, action.params("ec2_security_group_admin_port_open_ipv6"))
    assert p6.calls[0].params["IpPermissions"] == [{"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "Ipv6Ranges": [{"CidrIpv6": "::/0"}]}]


def test_security_group_ranges_all_traffic_and_rule_ports(aws: Aws) -> None:
    ec2 = aws.client("ec2")
    vpc = ec2.describe_vpcs()["Vpcs"][0]["VpcId"]
    gid = ec2.create_security_group(GroupName="wide", Description="x", VpcId=vpc)["GroupId"]
    ec2.authorize_security_group_ingress(GroupId=gid, IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": 0, "ToPort": 1024, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]},
        {"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]},
        {"IpProtocol": "tcp", "FromPort": 5432, "ToPort": 5432, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]},
    ])  # fmt: skip
    sg = Target(ACCOUNT, "us-east-1", "aws.ec2.security_group", gid)
    p = roundtrip(aws, "ec2_revoke_world_admin_ingress", sg)
    revoked = p.calls[0].params["IpPermissions"]
    assert {(x["IpProtocol"], x.get("FromPort")) for x in revoked} == {("tcp", 0), ("-1", None)}
    action = ACTIONS.get("ec2_revoke_world_admin_ingress")
    params = action.params("ec2_security_group_admin_port_open_ipv4", rule_params={"admin_ports": [5432], "protocols": ["tcp"]})
    revoked = action.plan(aws.fresh_clients().context(ACCOUNT), sg, params).calls[0].params["IpPermissions"]
    assert {(x["IpProtocol"], x.get("FromPort")) for x in revoked} == {("tcp", 5432), ("-1", None)}
    gone = Target(ACCOUNT, "us-east-1", "aws.ec2.security_group", "sg-00000000000000000")
    assert action.plan(aws.fresh_clients().context(ACCOUNT), gone, params).noop


def test_cloudtrail_start_logging_is_not_reversible_and_refuses_foreign_trails(aws: Aws) -> None:
    arn = estate.stopped_trail(aws)
    trail = Target(ACCOUNT, "us-east-1", "aws.cloudtrail.trail", arn, arn)
    p = roundtrip(aws, "cloudtrail_start_logging", trail)
    assert p.calls[0].operation == "StartLogging"
    assert aws.client("cloudtrail").get_trail_status(Name=arn)["IsLogging"] is True
    aws.client("cloudtrail").stop_logging(Name=arn)
    org = Target("210987654321", "us-east-1", "aws.cloudtrail.trail", arn, arn)
    action = ACTIONS.get("cloudtrail_start_logging")
    assert "belongs to account 123456789012" in action.propose(org, {"is_logging": False}, None).refused


def test_cloudtrail_log_file_validation(aws: Aws) -> None:
    arn = estate.stopped_trail(aws)
    p = roundtrip(aws, "cloudtrail_enable_log_file_validation", Target(ACCOUNT, "us-east-1", "aws.cloudtrail.trail", arn))
    assert p.calls[0].params == {"Name": arn, "EnableLogFileValidation": True}


def test_kms_rotation_with_a_period(aws: Aws) -> None:
    key = aws.client("kms", "eu-west-1").create_key()["KeyMetadata"]["KeyId"]
    p = roundtrip(aws, "kms_enable_key_rotation", Target(ACCOUNT, "eu-west-1", "aws.kms.key", key), {"rotation_period_days": 180})
    assert p.calls[0].params == {"KeyId": key, "RotationPeriodInDays": 180}
    with pytest.raises(ActionParamsError, match=r"guardrails\.rules\.kms_key_rotation_disabled\.params"):
        ACTIONS.get("kms_enable_key_rotation").params("kms_key_rotation_disabled", {"rotation_period_days": 5}, where="guardrails.rules.kms_key_rotation_disabled.params")


def test_guardduty_create_then_delete(aws: Aws) -> None:
    p = roundtrip(aws, "guardduty_enable", Target(ACCOUNT, "eu-west-1", "aws.guardduty.region", "eu-west-1"))
    assert p.calls[0].operation == "CreateDetector"
    assert aws.client("guardduty", "eu-west-1").list_detectors()["DetectorIds"] == []


def test_guardduty_resume_then_suspend(aws: Aws) -> None:
    gd = aws.client("guardduty", "eu-west-1")
    d = gd.create_detector(Enable=False)["DetectorId"]
    p = roundtrip(aws, "guardduty_enable", Target(ACCOUNT, "eu-west-1", "aws.guardduty.region", "eu-west-1"))
    assert p.calls[0].params == {"DetectorId": d, "Enable": True}
    assert gd.get_detector(DetectorId=d)["Status"] == "DISABLED"


def test_disable_key_then_delete_only_when_inactive(aws: Aws) -> None:
    kid = estate.user_key(aws)
    key = Target(ACCOUNT, GLOBAL, "aws.iam.access_key", kid)
    p = roundtrip(aws, "iam_disable_access_key", key)
    assert p.calls[0].params == {"UserName": "ci", "AccessKeyId": kid, "Status": "Inactive"}
    delete = ACTIONS.get("iam_delete_access_key")
    ctx = aws.fresh_clients().context(ACCOUNT)
    assert "disable it first" in delete.plan(ctx, key, None).refused
    aws.client("iam").update_access_key(UserName="ci", AccessKeyId=kid, Status="Inactive")
    p = roundtrip(aws, "iam_delete_access_key", key)
    assert p.calls[0].operation == "DeleteAccessKey"
    assert aws.client("iam").list_access_keys(UserName="ci")["AccessKeyMetadata"] == []
    assert ACTIONS.get("iam_disable_access_key").plan(ctx, key, None).summary == "the key no longer exists"
    with pytest.raises(ActionError, match="re-scan"):
        delete.plan(ctx, Target(ACCOUNT, GLOBAL, "aws.iam.access_key", "ci/access_key_1"), None)


def test_revoke_sessions_policy(aws: Aws) -> None:
    estate.user_key(aws, "leaky")
    user = Target(ACCOUNT, GLOBAL, "aws.iam.user", "leaky")
    p = roundtrip(aws, "iam_revoke_user_sessions", user, {"issued_before": "2026-11-23T10:00:00Z"})
    doc = json.loads(p.calls[0].params["PolicyDocument"])
    assert p.calls[0].params["PolicyName"] == "mamori-revoke-sessions"
    assert doc["Statement"][0]["Effect"] == "Deny" and doc["Statement"][0]["Condition"] == {"DateLessThan": {"aws:TokenIssueTime": "2026-11-23T10:00:00Z"}}
    assert aws.client("iam").list_user_policies(UserName="leaky")["PolicyNames"] == []
    with pytest.raises(ActionParamsError):
        ACTIONS.get("iam_revoke_user_sessions").params("", {"issued_before": "yesterday"})


@pytest.mark.parametrize("kind", ["user", "role"])
def test_quarantine_principal_from_nothing_and_over_a_different_policy(aws: Aws, kind: str) -> None:
    iam = aws.client("iam")
    if kind == "user":
        iam.create_user(UserName="mallory")
        target = Target(ACCOUNT, GLOBAL, "aws.iam.user", "mallory", f"arn:aws:iam::{ACCOUNT}:user/mallory")
        get, listed = iam.get_user_policy, lambda: iam.list_user_policies(UserName="mallory")["PolicyNames"]
    else:
        iam.create_role(RoleName="ops", AssumeRolePolicyDocument="{}")
        target = Target(ACCOUNT, GLOBAL, "aws.iam.role", "ops", f"arn:aws:iam::{ACCOUNT}:role/ops")
        get, listed = iam.get_role_policy, lambda: iam.list_role_policies(RoleName="ops")["PolicyNames"]
    name = f"iam_quarantine_{kind}"
    key = {"UserName": "mallory"} if kind == "user" else {"RoleName": "ops"}
    p = roundtrip(aws, name, target)
    assert p.calls[0].operation == f"Put{kind.title()}Policy" and p.calls[0].params["PolicyName"] == "mamori-quarantine"
    doc = json.loads(p.calls[0].params["PolicyDocument"])
    assert doc["Statement"][0]["Effect"] == "Deny" and "cloudtrail:StopLogging" in doc["Statement"][0]["Action"]
    assert listed() == []  # rolled back: no policy, as before
    # a policy of that name already there (different actions): replaced, and the rollback puts it back
    older = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "s3:*", "Resource": "*"}]})
    (iam.put_user_policy if kind == "user" else iam.put_role_policy)(**key, PolicyName="mamori-quarantine", PolicyDocument=older)
    p = roundtrip(aws, name, target, {"actions": ["*"]})
    assert json.loads(p.calls[0].params["PolicyDocument"])["Statement"][0]["Action"] == ["*"]
    back = get(**key, PolicyName="mamori-quarantine")["PolicyDocument"]
    assert (json.loads(back) if isinstance(back, str) else back)["Statement"][0]["Action"] == "s3:*"


def test_quarantine_refuses_aws_managed_roles_and_bad_params() -> None:
    action = ACTIONS.get("iam_quarantine_role")
    arn = f"arn:aws:iam::{ACCOUNT}:role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig"
    prop = action.propose(Target(ACCOUNT, GLOBAL, "aws.iam.role", "AWSServiceRoleForConfig", arn), {"policy": None}, action.params())
    assert prop.refused and not prop.calls
    with pytest.raises(ActionParamsError):
        action.params("", {"actions": []})
