"""An AWS Organization in moto for the org-scan tests: members with planted violations, one suspended."""

from __future__ import annotations

from dataclasses import dataclass, field

import boto3

ROLE = "OrganizationAccountAccessRole"
REGION = "us-east-1"


def member_session(session: boto3.Session, account: str, endpoint_url: str | None = None) -> boto3.Session:
    sts = session.client("sts", region_name=REGION, endpoint_url=endpoint_url)
    c = sts.assume_role(RoleArn=f"arn:aws:iam::{account}:role/{ROLE}", RoleSessionName="mamori-test")["Credentials"]
    return boto3.Session(
        aws_access_key_id=c["AccessKeyId"], aws_secret_access_key=c["SecretAccessKey"],
        aws_session_token=c["SessionToken"], region_name=REGION,
    )  # fmt: skip


@dataclass
class BuiltOrg:
    management: str
    members: list[str]  # ACTIVE, in creation order
    suspended: str
    ou: str
    in_ou: list[str]
    names: dict[str, str] = field(default_factory=dict)


def build_org(
    session: boto3.Session, *, members: int = 3, endpoint_url: str | None = None, regions: tuple[str, ...] = (REGION,)
) -> BuiltOrg:
    """An organization: ``members`` ACTIVE members (the first half in an OU), one SUSPENDED; each
    member has a bucket and a security group open to SSH in every Region."""
    org = session.client("organizations", region_name=REGION, endpoint_url=endpoint_url)
    org.create_organization(FeatureSet="ALL")
    root = org.list_roots()["Roots"][0]["Id"]
    ou = org.create_organizational_unit(ParentId=root, Name="workloads")["OrganizationalUnit"]["Id"]
    ids: list[str] = []
    names: dict[str, str] = {}
    for i in range(members + 1):
        name = f"member-{i}"
        acct = org.create_account(AccountName=name, Email=f"{name}@example.com")["CreateAccountStatus"]["AccountId"]
        names[acct] = name
        ids.append(acct)
    suspended = ids.pop()
    org.close_account(AccountId=suspended)
    in_ou = ids[: max(1, len(ids) // 2)]
    for acct in in_ou:
        org.move_account(AccountId=acct, SourceParentId=root, DestinationParentId=ou)
    for acct in ids:
        plant(member_session(session, acct, endpoint_url), acct, regions, endpoint_url)
    mgmt = session.client("sts", region_name=REGION, endpoint_url=endpoint_url).get_caller_identity()["Account"]
    return BuiltOrg(mgmt, ids, suspended, ou, in_ou, names)


def plant(sess: boto3.Session, account: str, regions: tuple[str, ...], endpoint_url: str | None) -> None:
    for region in regions:
        s3 = sess.client("s3", region_name=region, endpoint_url=endpoint_url)
        where = {} if region == "us-east-1" else {"CreateBucketConfiguration": {"LocationConstraint": region}}
        s3.create_bucket(Bucket=f"planted-{account}-{region}", **where)
        ec2 = sess.client("ec2", region_name=region, endpoint_url=endpoint_url)
        sg = ec2.create_security_group(GroupName="planted-ssh", Description="planted")["GroupId"]
        ec2.authorize_security_group_ingress(
            GroupId=sg, IpPermissions=[{"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}]
        )
