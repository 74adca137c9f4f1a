"""Demo S3: a well-kept log bucket, a public marketing site, a partner drop open by policy.

What each S3 rule sees in the demo:

* the account public access block is off in ``prod`` (it hosts a public website) and on,
  all four settings, in ``dev``: s3_account_public_access_block_off fails / passes.
* acme-prod-logs (ap-northeast-1): bucket-level public access block, SSE-KMS, versioning,
  server access logs to acme-prod-access-logs, a TLS-only policy: passes every bucket rule
  (the only one passing s3_bucket_not_encrypted_with_kms; the others use SSE-S3).
  It also receives the VPC flow logs (see the EC2 seeder).
* acme-prod-access-logs (ap-northeast-1): the access log target; everything but its own
  access logging (fails s3_bucket_access_logging_off, as log targets do).
* acme-marketing-site (us-east-1): public-read ACL, no public access block, SSE-S3 and
  nothing else: fails the ACL, public access block, versioning, HTTP and logging rules.
* acme-partner-exchange (us-east-1): a bucket policy granting ``s3:GetObject`` to ``*``:
  fails s3_bucket_public_via_policy.
* acme-prod-artifacts (us-east-1): ``Principal: *`` restricted to a VPC endpoint (not public),
  TLS-only, versioning suspended (fails s3_bucket_versioning_off).
* acme-dev-scratch (dev, ap-northeast-1): nothing configured, so no default encryption
  (fails s3_bucket_default_encryption_off; AWS itself would report SSE-S3 since 2023,
  the emulator does not); the dev account's public access block covers it.
"""

from __future__ import annotations

import json
from typing import Any

from mamori.collect.aws.services.s3 import keep_endpoint_host
from mamori.demo.estate import DEMO_ACCOUNTS, SeedEnv, seeder

TOKYO, VIRGINIA = "ap-northeast-1", "us-east-1"
LOG_BUCKET = "acme-prod-logs"
ACCESS_LOG_BUCKET = "acme-prod-access-logs"
_ALL_BLOCKED = {"BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True, "RestrictPublicBuckets": True}


def _arn(bucket: str) -> str:
    return f"arn:aws:s3:::{bucket}"


def tls_only(bucket: str) -> dict[str, Any]:
    """The statement CIS 2.1.1 asks for: deny every request that does not use TLS."""
    return {
        "Sid": "DenyInsecureTransport",
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:*",
        "Resource": [_arn(bucket), f"{_arn(bucket)}/*"],
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }


def _policy(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def _create(s3: Any, bucket: str, region: str, tags: dict[str, str]) -> None:
    kwargs: dict[str, Any] = {} if region == VIRGINIA else {"CreateBucketConfiguration": {"LocationConstraint": region}}
    s3.create_bucket(Bucket=bucket, **kwargs)
    s3.put_bucket_tagging(Bucket=bucket, Tagging={"TagSet": [{"Key": k, "Value": v} for k, v in tags.items()]})


def _encrypt(s3: Any, bucket: str, algorithm: str = "AES256") -> None:
    rule: dict[str, Any] = {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": algorithm}}
    if algorithm == "aws:kms":
        rule["BucketKeyEnabled"] = True
    s3.put_bucket_encryption(Bucket=bucket, ServerSideEncryptionConfiguration={"Rules": [rule]})


@seeder("s3", order=15)
def seed_s3(env: SeedEnv) -> None:
    prod = DEMO_ACCOUNTS["prod"]
    tokyo, virginia = env.client("s3", TOKYO), env.client("s3", VIRGINIA)

    # The access log target: S3's log delivery may write, from this account only.
    _create(tokyo, ACCESS_LOG_BUCKET, TOKYO, {"owner": "platform", "data": "logs"})
    delivery = {
        "Sid": "S3ServerAccessLogs",
        "Effect": "Allow",
        "Principal": {"Service": "logging.s3.amazonaws.com"},
        "Action": "s3:PutObject",
        "Resource": f"{_arn(ACCESS_LOG_BUCKET)}/*",
        "Condition": {"StringEquals": {"aws:SourceAccount": prod}},
    }
    tokyo.put_bucket_policy(Bucket=ACCESS_LOG_BUCKET, Policy=_policy(delivery, tls_only(ACCESS_LOG_BUCKET)))
    tokyo.put_public_access_block(Bucket=ACCESS_LOG_BUCKET, PublicAccessBlockConfiguration=_ALL_BLOCKED)
    _encrypt(tokyo, ACCESS_LOG_BUCKET)
    tokyo.put_bucket_versioning(Bucket=ACCESS_LOG_BUCKET, VersioningConfiguration={"Status": "Enabled"})

    # The central log bucket: compliant with every bucket rule.
    _create(tokyo, LOG_BUCKET, TOKYO, {"owner": "platform", "data": "logs"})
    tokyo.put_bucket_policy(Bucket=LOG_BUCKET, Policy=_policy(tls_only(LOG_BUCKET)))
    tokyo.put_public_access_block(Bucket=LOG_BUCKET, PublicAccessBlockConfiguration=_ALL_BLOCKED)
    _encrypt(tokyo, LOG_BUCKET, "aws:kms")
    tokyo.put_bucket_versioning(Bucket=LOG_BUCKET, VersioningConfiguration={"Status": "Enabled"})
    tokyo.put_bucket_logging(
        Bucket=LOG_BUCKET,
        BucketLoggingStatus={"LoggingEnabled": {"TargetBucket": ACCESS_LOG_BUCKET, "TargetPrefix": f"{LOG_BUCKET}/"}},
    )
    env.shared["flow_log_bucket"] = {"prod": LOG_BUCKET}

    # A static website someone made public the old way: object writer ownership and a public-read ACL.
    site = "acme-marketing-site"
    _create(virginia, site, VIRGINIA, {"owner": "marketing"})
    virginia.put_bucket_ownership_controls(Bucket=site, OwnershipControls={"Rules": [{"ObjectOwnership": "ObjectWriter"}]})
    virginia.put_bucket_acl(Bucket=site, ACL="public-read")
    _encrypt(virginia, site)

    # A partner drop opened to everyone by policy.
    partner = "acme-partner-exchange"
    _create(virginia, partner, VIRGINIA, {"owner": "billing"})
    public_read = {"Sid": "PartnerDownload", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
                   "Resource": f"{_arn(partner)}/*"}  # fmt: skip
    virginia.put_bucket_policy(Bucket=partner, Policy=_policy(public_read))
    _encrypt(virginia, partner)

    # Build artifacts: Principal "*" but only through the VPC endpoint, so not public.
    artifacts = "acme-prod-artifacts"
    _create(virginia, artifacts, VIRGINIA, {"owner": "platform"})
    via_endpoint = {
        "Sid": "ReadThroughVpcEndpoint",
        "Effect": "Allow",
        "Principal": "*",
        "Action": ["s3:GetObject", "s3:ListBucket"],
        "Resource": [_arn(artifacts), f"{_arn(artifacts)}/*"],
        "Condition": {"StringEquals": {"aws:SourceVpce": "vpce-0a1b2c3d4e5f60718"}},
    }
    virginia.put_bucket_policy(Bucket=artifacts, Policy=_policy(via_endpoint, tls_only(artifacts)))
    virginia.put_public_access_block(Bucket=artifacts, PublicAccessBlockConfiguration=_ALL_BLOCKED)
    _encrypt(virginia, artifacts)
    virginia.put_bucket_versioning(Bucket=artifacts, VersioningConfiguration={"Status": "Enabled"})
    virginia.put_bucket_versioning(Bucket=artifacts, VersioningConfiguration={"Status": "Suspended"})

    # dev: the account-wide public access block is on; one bucket with nothing configured.
    dev = DEMO_ACCOUNTS["dev"]
    control = env.client("s3control", VIRGINIA, account="dev")
    if env.endpoint_url:
        keep_endpoint_host(control, env.endpoint_url)
    control.put_public_access_block(AccountId=dev, PublicAccessBlockConfiguration=_ALL_BLOCKED)
    _create(env.client("s3", TOKYO, account="dev"), "acme-dev-scratch", TOKYO, {"owner": "dev-team"})
