"""CloudTrail: a well-configured multi-Region trail in prod, a stopped single-Region one in dev.

prod: ``acme-prod-trail`` (home us-east-1): multi-Region, logging, read+write management
events, log file validation, SSE-KMS with the ``acme-prod-cloudtrail`` key, delivery to
CloudWatch Logs, into the ``acme-prod-cloudtrail`` bucket (created here, with the bucket
policy CloudTrail needs). dev: ``acme-dev-trail`` (home ap-northeast-1): single-Region,
no validation, no KMS, no CloudWatch Logs, and stopped (StopLogging), as someone once
did "to save money".
"""

from __future__ import annotations

import json
from typing import Any

from mamori.demo.estate import DEMO_ACCOUNTS, SeedEnv, seeder

PROD_BUCKET = "acme-prod-cloudtrail"
DEV_BUCKET = "acme-dev-cloudtrail"


def log_bucket_policy(bucket: str, account: str) -> str:
    """The bucket policy CloudTrail and AWS Config need to write into the log bucket."""
    arn = f"arn:aws:s3:::{bucket}"
    services = {"Service": ["cloudtrail.amazonaws.com", "config.amazonaws.com"]}
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {"Sid": "AclCheck", "Effect": "Allow", "Principal": services, "Action": "s3:GetBucketAcl", "Resource": arn},
                {
                    "Sid": "Write",
                    "Effect": "Allow",
                    "Principal": services,
                    "Action": "s3:PutObject",
                    "Resource": f"{arn}/*/AWSLogs/{account}/*",
                    "Condition": {"StringEquals": {"s3:x-amz-acl": "bucket-owner-full-control"}},
                },
                {
                    "Sid": "DenyInsecureTransport",
                    "Effect": "Deny",
                    "Principal": "*",
                    "Action": "s3:*",
                    "Resource": [arn, f"{arn}/*"],
                    "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                },
            ],
        }
    )


def make_log_bucket(s3: Any, bucket: str, region: str, account: str) -> None:
    kwargs: dict[str, Any] = {} if region == "us-east-1" else {"CreateBucketConfiguration": {"LocationConstraint": region}}
    s3.create_bucket(Bucket=bucket, **kwargs)
    s3.put_public_access_block(
        Bucket=bucket,
        PublicAccessBlockConfiguration={
            "BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True, "RestrictPublicBuckets": True,
        },
    )  # fmt: skip
    s3.put_bucket_policy(Bucket=bucket, Policy=log_bucket_policy(bucket, account))


@seeder("cloudtrail", order=30)
def seed_cloudtrail(env: SeedEnv) -> None:
    east, tokyo = "us-east-1", "ap-northeast-1"
    prod = DEMO_ACCOUNTS["prod"]
    make_log_bucket(env.client("s3", east), PROD_BUCKET, east, prod)
    env.shared["log_bucket"] = {"prod": PROD_BUCKET, "dev": DEV_BUCKET}

    logs = env.client("logs", east)
    group = "/aws/cloudtrail/acme-prod"
    logs.create_log_group(logGroupName=group)
    logs.put_retention_policy(logGroupName=group, retentionInDays=365)
    iam = env.client("iam", east)
    role = iam.create_role(
        RoleName="acme-cloudtrail-to-cloudwatch",
        AssumeRolePolicyDocument=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"}, "Action": "sts:AssumeRole"}],
            }
        ),
        Description="Lets CloudTrail deliver acme-prod-trail to CloudWatch Logs",
    )["Role"]
    iam.put_role_policy(
        RoleName=role["RoleName"],
        PolicyName="deliver-to-log-group",
        PolicyDocument=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                        "Resource": f"arn:aws:logs:{east}:{prod}:log-group:{group}:log-stream:*",
                    }
                ],
            }
        ),
    )

    ct = env.client("cloudtrail", east)
    ct.create_trail(
        Name="acme-prod-trail",
        S3BucketName=PROD_BUCKET,
        IsMultiRegionTrail=True,
        IncludeGlobalServiceEvents=True,
        EnableLogFileValidation=True,
        KmsKeyId=env.shared["cloudtrail_kms_key_arn"],
        CloudWatchLogsLogGroupArn=f"arn:aws:logs:{east}:{prod}:log-group:{group}:*",
        CloudWatchLogsRoleArn=role["Arn"],
        TagsList=[{"Key": "owner", "Value": "security"}],
    )
    ct.put_event_selectors(
        TrailName="acme-prod-trail",
        EventSelectors=[{"ReadWriteType": "All", "IncludeManagementEvents": True, "DataResources": []}],
    )
    ct.start_logging(Name="acme-prod-trail")

    make_log_bucket(env.client("s3", tokyo, account="dev"), DEV_BUCKET, tokyo, DEMO_ACCOUNTS["dev"])
    dev = env.client("cloudtrail", tokyo, account="dev")
    dev.create_trail(Name="acme-dev-trail", S3BucketName=DEV_BUCKET, TagsList=[{"Key": "owner", "Value": "dev-team"}])
    dev.start_logging(Name="acme-dev-trail")
    dev.stop_logging(Name="acme-dev-trail")
