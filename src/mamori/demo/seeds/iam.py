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
* legacy-batch (console password set 200 days ago, never used): fails
  iam_user_credentials_unused_45_days.
* ci-deployer's first key is 120 days old (fails the 90-day rule), its second 85 days
  (fails the 80-day warning); alice's key is new (passes both).
* the accounts: prod has a weak password policy (8 characters, no reuse prevention), no
  root MFA, a root access key and a root sign-in two days ago; dev has a strong policy, hardware root MFA, no root
  key and no root activity for 200 days. moto cannot express key ages or root state through its API, so
  :mod:`mamori.demo.emulator` sets them in moto's in-process backend.
* ``seed_iam_access``: inline and whole-service grants, AWS managed policies (CloudShell in
  prod, a support role in dev) and an expired server certificate in prod.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import boto3

from mamori.demo import emulator
from mamori.demo.estate import DEMO_ACCOUNTS, SeedEnv, seeder

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
    iam.create_login_profile(UserName="alice", Password="Correct-Horse-Battery-42")  # mamori:allow demo password inside the emulator
    iam.add_user_to_group(GroupName="developers", UserName="alice")
    serial = iam.create_virtual_mfa_device(VirtualMFADeviceName="alice")["VirtualMFADevice"]["SerialNumber"]
    iam.enable_mfa_device(UserName="alice", SerialNumber=serial, AuthenticationCode1="123456", AuthenticationCode2="654321")
    _use_key(env, iam.create_access_key(UserName="alice")["AccessKey"])

    # bob: console without MFA, a policy attached to him directly, a key created "just in case".
    iam.create_user(UserName="bob", Tags=[{"Key": "team", "Value": "finance"}])
    iam.create_login_profile(UserName="bob", Password="Summer-2026-bob!")  # mamori:allow demo password inside the emulator
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


@seeder("iam_history", order=11)
def seed_iam_history(env: SeedEnv) -> None:
    """What time and the dev account add: old keys, a forgotten user, root state, a strong policy."""
    iam = env.client("iam")
    # legacy-batch: a console user nobody has signed in as for 200 days.
    iam.create_user(UserName="legacy-batch", Tags=[{"Key": "team", "Value": "finance"}])
    iam.create_login_profile(UserName="legacy-batch", Password="Legacy-Batch-2025!")  # mamori:allow demo password inside the emulator
    emulator.backdate_user(DEMO_ACCOUNTS["prod"], "legacy-batch", days=200)
    emulator.backdate_access_key(DEMO_ACCOUNTS["prod"], "ci-deployer", 0, days=120, last_used_days=1)
    emulator.backdate_access_key(DEMO_ACCOUNTS["prod"], "ci-deployer", 1, days=85, last_used_days=1)
    emulator.set_root(DEMO_ACCOUNTS["prod"], mfa=False, access_keys=True)
    emulator.add_root_to_credential_report(DEMO_ACCOUNTS["prod"], mfa=False, password_last_used_days=2, access_key_age_days=400)

    # dev: the account-wide settings done right.
    dev = env.client("iam", account="dev")
    dev.update_account_password_policy(
        MinimumPasswordLength=14,
        RequireNumbers=True,
        RequireSymbols=True,
        RequireUppercaseCharacters=True,
        RequireLowercaseCharacters=True,
        AllowUsersToChangePassword=True,
        PasswordReusePrevention=24,
        MaxPasswordAge=90,
    )
    emulator.set_root(DEMO_ACCOUNTS["dev"], mfa=True, access_keys=False)
    emulator.add_root_to_credential_report(DEMO_ACCOUNTS["dev"], mfa=True, password_last_used_days=200, access_key_age_days=None)


@seeder("iam_access", order=12)
def seed_iam_access(env: SeedEnv) -> None:
    """Inline policies, whole-service wildcards, AWS managed policies attached, server certificates.

    prod: role ``legacy-jenkins`` carries an inline ``*`` on ``*`` (partner-audit's inline
    read-config passes); policy ``data-team-s3`` grants ``s3:*`` (billing-readonly does not);
    the ``developers`` group holds AWSCloudShellFullAccess; nobody holds AWSSupportAccess; a
    certificate that expired in 2024 is still stored in IAM. dev: role ``aws-support`` holds
    AWSSupportAccess, no CloudShell grant, no server certificates.
    """
    iam = env.client("iam")
    trust = {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{env.account}:root"}, "Action": "sts:AssumeRole"}
    iam.create_role(RoleName="legacy-jenkins", AssumeRolePolicyDocument=_doc(trust))
    iam.put_role_policy(
        RoleName="legacy-jenkins",
        PolicyName="jenkins-everything",
        PolicyDocument=_doc({"Effect": "Allow", "Action": "*", "Resource": "*"}),
    )
    iam.create_policy(
        PolicyName="data-team-s3",
        Description="Data team buckets",
        PolicyDocument=_doc(
            {"Effect": "Allow", "Action": "s3:*", "Resource": ["arn:aws:s3:::acme-data-*", "arn:aws:s3:::acme-data-*/*"]}
        ),
    )
    if _aws_managed_policies(DEMO_ACCOUNTS["prod"], _CLOUDSHELL, needs=("groups", "developers")):
        iam.attach_group_policy(GroupName="developers", PolicyArn=f"arn:aws:iam::aws:policy/{_CLOUDSHELL}")
    cert, key = _expired_certificate("www.acme.example")
    iam.upload_server_certificate(ServerCertificateName="www-acme-2023", CertificateBody=cert, PrivateKey=key)

    dev = env.client("iam", account="dev")
    dev_trust = {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{DEMO_ACCOUNTS['dev']}:root"}, "Action": "sts:AssumeRole"}
    dev.create_role(RoleName="aws-support", AssumeRolePolicyDocument=_doc(dev_trust))
    if _aws_managed_policies(DEMO_ACCOUNTS["dev"], _SUPPORT, needs=("roles", "aws-support")):
        dev.attach_role_policy(RoleName="aws-support", PolicyArn=f"arn:aws:iam::aws:policy/{_SUPPORT}")


_SUPPORT = "AWSSupportAccess"
_CLOUDSHELL = "AWSCloudShellFullAccess"


def _aws_managed_policies(account: str, *names: str, needs: tuple[str, str]) -> bool:
    """Give moto's IAM the AWS managed policies every real account has (moto loads none by default).

    Only for moto running in this process (``mock_aws`` or the demo's threaded server), which
    is known by ``needs`` = (``"groups"`` or ``"roles"``, name) just created through the API
    being visible in the in-process backend; otherwise this does nothing and returns False.
    """
    try:
        from moto.iam.aws_managed_policies import aws_managed_policies_data
        from moto.iam.models import AWSManagedPolicy, iam_backends
    except ImportError:  # pragma: no cover - moto is a dependency
        return False
    try:
        backend = iam_backends[account]["global"]
    except KeyError:
        return False
    kind, identity = needs
    if identity not in {getattr(e, "name", None) for e in getattr(backend, kind, {}).values()}:
        return False
    data = json.loads(aws_managed_policies_data)
    for name in names:
        policy = AWSManagedPolicy.from_data(name, account, "us-east-1", data[name])
        if policy.arn not in backend.managed_policies:
            backend.aws_managed_policies.append(policy)
            backend.managed_policies[policy.arn] = policy
    return True


def _expired_certificate(host: str) -> tuple[str, str]:
    """A self-signed certificate (PEM) and its key, valid during 2023 only."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, host)])
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(datetime(2023, 1, 1, tzinfo=UTC))
        .not_valid_after(datetime(2024, 1, 1, tzinfo=UTC))
        .sign(key, hashes.SHA256())
    )
    pem_key = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    return cert.public_bytes(serialization.Encoding.PEM).decode(), pem_key.decode()
