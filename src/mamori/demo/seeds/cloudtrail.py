"""CloudTrail: a well-configured multi-Region trail in prod, a stopped single-Region one in dev.

prod: ``acme-prod-trail`` (home us-east-1): multi-Region, logging, read+write management
events, log file validation, SSE-KMS with the ``acme-prod-cloudtrail`` key, delivery to
CloudWatch Logs, into the ``acme-prod-cloudtrail`` bucket (created here, with the bucket
policy CloudTrail needs, and server access logs to ``acme-prod-access-logs-us-east-1``:
cloudtrail_bucket_access_logging_off passes). Its advanced event selectors also record
S3 object writes of every bucket (s3_bucket_object_write_logging_off passes for prod
buckets) and object reads of ``acme-partner-exchange`` only (the read rule passes there
and fails for the other buckets).

dev: ``acme-dev-trail`` (home ap-northeast-1): single-Region, no validation, no KMS, no
CloudWatch Logs, and stopped (StopLogging), as someone once did "to save money"; its
bucket keeps no access logs, and nothing records dev's S3 object events.
"""

from __future__ import annotations

import json
from typing import Any

from mamori.demo.estate import DEMO_ACCOUNTS, SeedEnv, seeder

PROD_BUCKET = "acme-prod-cloudtrail"
DEV_BUCKET = "acme-dev-cloudtrail"
ACCESS_LOGS = "acme-prod-access-logs-us-east-1"
PARTNER_BUCKET = "acme-partner-exchange"


def _selector(name: str, *fields: tuple[str, str, list[str]]) -> dict[str, Any]:
    return {"Name": name, "FieldSelectors": [{"Field": f, op: values} for f, op, values in fields]}


# Management events (read and write), S3 object writes everywhere, S3 object reads of partner data.
PROD_SELECTORS = [
    _selector("Management events", ("eventCategory", "Equals", ["Management"])),
    _selector("S3 object writes, every bucket", ("eventCategory", "Equals", ["Data"]),
              ("resources.type", "Equals", ["AWS::S3::Object"]), ("readOnly", "Equals", ["false"])),
    _selector("S3 object reads, partner data", ("eventCategory", "Equals", ["Data"]),
              ("resources.type", "Equals", ["AWS::S3::Object"]), ("readOnly", "Equals", ["true"]),
              ("resources.ARN", "StartsWith", [f"arn:aws:s3:::{PARTNER_BUCKET}/"])),
]  # fmt: skip


def _access_log_target(s3: Any, bucket: str, account: str) -> None:
    """A bucket that receives S3 server access logs (from this account only), in us-east-1."""
    s3.create_bucket(Bucket=bucket)
    s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps({"Version": "2012-10-17", "Statement": [
        {"Sid": "S3ServerAccessLogs", "Effect": "Allow", "Principal": {"Service": "logging.s3.amazonaws.com"},
         "Action": "s3:PutObject", "Resource": f"arn:aws:s3:::{bucket}/*",
         "Condition": {"StringEquals": {"aws:SourceAccount": account}}},
    ]}))  # fmt: skip
    s3.put_public_access_block(
        Bucket=bucket,
        PublicAccessBlockConfiguration={
            "BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True, "RestrictPublicBuckets": True,
        },
    )  # fmt: skip
    s3.put_bucket_encryption(
        Bucket=bucket, ServerSideEncryptionConfiguration={"Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]}
    )


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
    s3 = env.client("s3", east)
    make_log_bucket(s3, PROD_BUCKET, east, prod)
    _access_log_target(s3, ACCESS_LOGS, prod)
    s3.put_bucket_logging(
        Bucket=PROD_BUCKET,
        BucketLoggingStatus={"LoggingEnabled": {"TargetBucket": ACCESS_LOGS, "TargetPrefix": f"{PROD_BUCKET}/"}},
    )
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
    ct.put_event_selectors(TrailName="acme-prod-trail", AdvancedEventSelectors=PROD_SELECTORS)
    ct.start_logging(Name="acme-prod-trail")

    make_log_bucket(env.client("s3", tokyo, account="dev"), DEV_BUCKET, tokyo, DEMO_ACCOUNTS["dev"])
    dev = env.client("cloudtrail", tokyo, account="dev")
    dev.create_trail(Name="acme-dev-trail", S3BucketName=DEV_BUCKET, TagsList=[{"Key": "owner", "Value": "dev-team"}])
    dev.start_logging(Name="acme-dev-trail")
    dev.stop_logging(Name="acme-dev-trail")
