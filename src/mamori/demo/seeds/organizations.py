"""Demo organization: prod is the management account; dev was created on its own, outside it.

The organization has a ``workloads`` OU with two member accounts (``acme-staging``,
``acme-sandbox``) that the demo does not scan: they are what `mamori guardrails deploy
--org` guards (SCPs attached to the root, the detective StackSet in every member account
and Region). They are created last, with moto's id generator saved and restored around
them, so every identifier the scan sees stays what it was before they existed.

For `mamori scan --org`: a third member, ``acme-legacy``, is closed (SUSPENDED: the org scan
skips it and says so), and each active member gets planted violations reached through
``OrganizationAccountAccessRole`` — an S3 bucket without a public access block and a security
group open to SSH from anywhere (besides what a fresh account fails: no password policy, no
trail, no GuardDuty). The organization has no delegated administrators and no organization
trail, so the org checks fail.
"""

from __future__ import annotations

from mamori.collect.aws.session import new_session
from mamori.demo.estate import SeedEnv, seeder

MEMBER_OU = "workloads"
MEMBERS = {"acme-staging": "aws+staging@acme.example", "acme-sandbox": "aws+sandbox@acme.example"}
SUSPENDED_MEMBERS = {"acme-legacy": "aws+legacy@acme.example"}  # closed: skipped by `scan --org`
ORG_ROLE = "OrganizationAccountAccessRole"


@seeder("organizations", order=5)
def seed_organizations(env: SeedEnv) -> None:
    env.client("organizations", "us-east-1").create_organization(FeatureSet="ALL")


@seeder("organization_members", order=99)
def seed_organization_members(env: SeedEnv) -> None:
    from moto.moto_api._internal import mock_random

    saved = mock_random.getstate()
    try:
        org = env.client("organizations", "us-east-1")
        root = org.list_roots()["Roots"][0]["Id"]
        ou = org.create_organizational_unit(ParentId=root, Name=MEMBER_OU)["OrganizationalUnit"]["Id"]
        for name, email in (MEMBERS | SUSPENDED_MEMBERS).items():
            account = org.create_account(AccountName=name, Email=email)["CreateAccountStatus"]["AccountId"]
            org.move_account(AccountId=account, SourceParentId=root, DestinationParentId=ou)
            if name in SUSPENDED_MEMBERS:
                org.close_account(AccountId=account)
            else:
                plant_member_violations(env, account, name)
    finally:
        mock_random.setstate(saved)


def plant_member_violations(env: SeedEnv, account: str, name: str) -> None:
    """Violations in a member account, seeded the way an org scan reaches it (the org access role)."""
    sts = env.session.client("sts", region_name="us-east-1", endpoint_url=env.endpoint_url)
    creds = sts.assume_role(RoleArn=f"arn:aws:iam::{account}:role/{ORG_ROLE}", RoleSessionName="mamori-demo-seed")
    c = creds["Credentials"]
    sess = new_session(
        aws_access_key_id=c["AccessKeyId"], aws_secret_access_key=c["SecretAccessKey"],
        aws_session_token=c["SessionToken"], region_name="us-east-1",
    )  # fmt: skip
    region = env.regions[0]
    s3 = sess.client("s3", region_name=region, endpoint_url=env.endpoint_url)
    where = {} if region == "us-east-1" else {"CreateBucketConfiguration": {"LocationConstraint": region}}
    s3.create_bucket(Bucket=f"{name}-uploads-{account}", **where)
    ec2 = sess.client("ec2", region_name=region, endpoint_url=env.endpoint_url)
    sg = ec2.create_security_group(GroupName=f"{name}-debug-ssh", Description="temporary debug access")["GroupId"]
    ec2.authorize_security_group_ingress(
        GroupId=sg, IpPermissions=[{"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}]
    )
