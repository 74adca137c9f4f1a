"""A small non-compliant estate in moto, with the findings a scan would have stored."""

from __future__ import annotations

import json
from typing import Any

from mamori.model.finding import Finding

from .conftest import ACCOUNT, REGIONS, Aws, finding, public_bucket


def world_ssh_group(aws: Aws, region: str = "us-east-1", name: str = "admin") -> str:
    ec2 = aws.client("ec2", region)
    vpc = ec2.describe_vpcs()["Vpcs"][0]["VpcId"]
    gid = str(ec2.create_security_group(GroupName=name, Description="x", VpcId=vpc)["GroupId"])
    ec2.authorize_security_group_ingress(GroupId=gid, IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22,
         "IpRanges": [{"CidrIp": "0.0.0.0/0", "Description": "ssh from anywhere"}, {"CidrIp": "10.0.0.0/8"}],
         "Ipv6Ranges": [{"CidrIpv6": "::/0"}]},
        {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]},
    ])  # fmt: skip
    return gid


def stopped_trail(aws: Aws, region: str = "us-east-1") -> str:
    public_bucket(aws, f"trail-logs-{region}", region)
    ct = aws.client("cloudtrail", region)
    arn = str(ct.create_trail(Name=f"main-{region}", S3BucketName=f"trail-logs-{region}")["TrailARN"])
    return arn


def user_key(aws: Aws, user: str = "ci") -> str:
    iam = aws.client("iam")
    iam.create_user(UserName=user)
    return str(iam.create_access_key(UserName=user)["AccessKey"]["AccessKeyId"])


def build(aws: Aws) -> tuple[list[Finding], dict[str, Any]]:
    """One non-compliant resource per bound rule; returns the findings and the names."""
    names: dict[str, Any] = {"buckets": []}
    out: list[Finding] = []
    for r in REGIONS:
        b = f"pab-off-{r}"
        public_bucket(aws, b, r)
        names["buckets"].append((b, r))
        out.append(finding("s3_bucket_public_access_block_off", "aws.s3.bucket", b, r, arn=f"arn:aws:s3:::{b}"))
    public_bucket(aws, "acl-public", "us-east-1")
    aws.client("s3").put_bucket_acl(Bucket="acl-public", ACL="public-read")
    out.append(finding("s3_bucket_public_via_acl", "aws.s3.bucket", "acl-public", "us-east-1"))
    public_bucket(aws, "policy-public", "us-east-1")
    aws.client("s3").put_bucket_policy(Bucket="policy-public", Policy=json.dumps({"Version": "2012-10-17", "Statement": [
        {"Sid": "Public", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::policy-public/*"},
        {"Sid": "Partner", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::policy-public/*"},
    ]}))  # fmt: skip
    out.append(finding("s3_bucket_public_via_policy", "aws.s3.bucket", "policy-public", "us-east-1"))
    out.append(finding("s3_account_public_access_block_off", "aws.s3.account", ACCOUNT, "global"))
    out.append(finding("ec2_ebs_default_encryption_off", "aws.ec2.region", "eu-west-1", "eu-west-1"))
    gid = world_ssh_group(aws)
    names["sg"] = gid
    out.append(finding("ec2_security_group_admin_port_open_ipv4", "aws.ec2.security_group", gid, "us-east-1"))
    out.append(finding("ec2_security_group_admin_port_open_ipv6", "aws.ec2.security_group", gid, "us-east-1"))
    key = str(aws.client("kms", "ap-northeast-1").create_key()["KeyMetadata"]["KeyId"])
    names["kms"] = key
    out.append(finding("kms_key_rotation_disabled", "aws.kms.key", key, "ap-northeast-1"))
    trail = stopped_trail(aws)
    names["trail"] = trail
    out.append(finding("cloudtrail_trail_not_logging", "aws.cloudtrail.trail", trail, "us-east-1"))
    out.append(finding("cloudtrail_log_file_validation_off", "aws.cloudtrail.trail", trail, "us-east-1"))
    out.append(finding("guardduty_disabled", "aws.guardduty.region", "eu-west-1", "eu-west-1"))
    kid = user_key(aws)
    names["key"] = kid
    out.append(finding("iam_access_key_older_than_90_days", "aws.iam.access_key", kid, "global"))
    return out, names
