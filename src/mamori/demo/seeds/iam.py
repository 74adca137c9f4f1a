"""Demo IAM: three people/machines, a few policies and roles, a weak password policy.

What each IAM rule sees in the demo:

* alice (console + MFA, permissions through the ``developers`` group, one key in use):
  compliant with every user rule.
* bob (console without MFA, a policy attached directly, a key never used): fails
  iam_user_console_without_mfa, iam_user_has_attached_policies and
  iam_user_access_key_with_console_password_never_used.
* ci-deployer (programmatic only, two active keys): fails iam_user_multiple_active_access_keys.
* policies ``acme-admin`` (``*`` on ``*``: fails) and ``billing-readonly`` /
  ``deploy-artifacts`` (scoped: pass).
* roles ``partner-audit`` (trusts ``{"AWS": "*"}``: fails), ``billing-api`` (EC2) and
  ``vendor-readonly`` (one account, with an external id) pass.
* the account: a password policy with 8-character minimum and no reuse prevention (fails).
  Root MFA and root keys are whatever the emulator reports (moto: no root MFA, no root key).

The emulator stamps every key, password and user with the current time, so age rules
(90/80-day keys, 45-day unused credentials) can only pass in the demo.
"""

from __future__ import annotations

import json
from typing import Any

import boto3

from mamori.demo.estate import SeedEnv, seeder

_VERSION = "2012-10-17"


def _doc(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": _VERSION, "Statement": list(statements)})


def _use_key(env: SeedEnv, key: dict[str, Any]) -> None:
    """Make one call with a key so that IAM records it as used."""
    sts = boto3.client(
        "sts",
        region_name=env.regions[0],
        endpoint_url=env.endpoint_url,
        aws_access_key_id=key["AccessKeyId"],
        aws_secret_access_key=key["SecretAccessKey"],
    )
    sts.get_caller_identity()


@seeder("iam", order=10)
def seed_iam(env: SeedEnv) -> None:
    iam = env.client("iam")

    iam.update_account_password_policy(
        MinimumPasswordLength=8, RequireNumbers=True, RequireLowercaseCharacters=True, AllowUsersToChangePassword=True
    )

    def policy(name: str, description: str, *statements: dict[str, Any]) -> str:
        arn = iam.create_policy(PolicyName=name, Description=description, PolicyDocument=_doc(*statements))
        return str(arn["Policy"]["Arn"])

    admin = policy("acme-admin", "Break-glass administrators", {"Effect": "Allow", "Action": "*", "Resource": "*"})
    billing = policy(
        "billing-readonly",
        "Read cost and budget data",
        {"Effect": "Allow", "Action": ["ce:Get*", "ce:Describe*", "budgets:View*"], "Resource": "*"},
    )
    deploy = policy(
        "deploy-artifacts",
        "Upload release artifacts",
        {"Effect": "Allow", "Action": ["s3:PutObject", "s3:GetObject"], "Resource": "arn:aws:s3:::acme-prod-artifacts/*"},
    )

    for group, arn in (("developers", billing), ("deployers", deploy), ("admins", admin)):
        iam.create_group(GroupName=group)
        iam.attach_group_policy(GroupName=group, PolicyArn=arn)

    # alice: console with MFA, permissions through her group, one key she uses.
    iam.create_user(UserName="alice", Tags=[{"Key": "team", "Value": "platform"}])
    iam.create_login_profile(UserName="alice", Password="Correct-Horse-Battery-42")
    iam.add_user_to_group(GroupName="developers", UserName="alice")
    serial = iam.create_virtual_mfa_device(VirtualMFADeviceName="alice")["VirtualMFADevice"]["SerialNumber"]
    iam.enable_mfa_device(UserName="alice", SerialNumber=serial, AuthenticationCode1="123456", AuthenticationCode2="654321")
    _use_key(env, iam.create_access_key(UserName="alice")["AccessKey"])

    # bob: console without MFA, a policy attached to him directly, a key created "just in case".
    iam.create_user(UserName="bob", Tags=[{"Key": "team", "Value": "finance"}])
    iam.create_login_profile(UserName="bob", Password="Summer-2026-bob!")
    iam.attach_user_policy(UserName="bob", PolicyArn=billing)
    iam.create_access_key(UserName="bob")

    # ci-deployer: a machine user with two active keys (a rotation never finished).
    iam.create_user(UserName="ci-deployer", Path="/machines/", Tags=[{"Key": "team", "Value": "platform"}])
    iam.add_user_to_group(GroupName="deployers", UserName="ci-deployer")
    _use_key(env, iam.create_access_key(UserName="ci-deployer")["AccessKey"])
    _use_key(env, iam.create_access_key(UserName="ci-deployer")["AccessKey"])

    roles = {
        "billing-api": {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"},
        "vendor-readonly": {
            "Effect": "Allow",
            "Principal": {"AWS": "arn:aws:iam::999988887777:root"},
            "Action": "sts:AssumeRole",
            "Condition": {"StringEquals": {"sts:ExternalId": "acme-7f3c2a"}},
        },
        "partner-audit": {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"},
    }
    arns: dict[str, str] = {}
    for name, trust in roles.items():
        arns[name] = str(iam.create_role(RoleName=name, AssumeRolePolicyDocument=_doc(trust))["Role"]["Arn"])
    iam.attach_role_policy(RoleName="billing-api", PolicyArn=billing)
    iam.put_role_policy(
        RoleName="partner-audit",
        PolicyName="read-config",
        PolicyDocument=_doc({"Effect": "Allow", "Action": ["config:Describe*", "config:Get*"], "Resource": "*"}),
    )
    env.shared["iam_roles"] = arns
