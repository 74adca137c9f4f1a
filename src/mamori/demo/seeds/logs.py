"""Demo CloudWatch Logs groups: retention long enough or not, KMS-encrypted or not.

prod, ap-northeast-1: ``/acme/billing-api/audit`` (400 days, KMS: compliant) and
``/aws/lambda/billing-api`` (14 days, no KMS). prod, us-east-1: ``/acme/prod/app``
(never expires, no KMS) besides the CloudTrail seeder's group (365 days).
"""

from __future__ import annotations

from mamori.demo.estate import SeedEnv, seeder

TOKYO, VIRGINIA = "ap-northeast-1", "us-east-1"


@seeder("logs", order=30)
def seed_logs(env: SeedEnv) -> None:
    tokyo = env.client("logs", TOKYO)
    key = env.shared.get("billing_kms_key_arn") or env.client("kms", TOKYO).create_key(Description="Log encryption")["KeyMetadata"]["Arn"]
    tokyo.create_log_group(logGroupName="/acme/billing-api/audit", kmsKeyId=str(key), tags={"team": "billing"})
    tokyo.put_retention_policy(logGroupName="/acme/billing-api/audit", retentionInDays=400)
    tokyo.create_log_group(logGroupName="/aws/lambda/billing-api")
    tokyo.put_retention_policy(logGroupName="/aws/lambda/billing-api", retentionInDays=14)
    env.client("logs", VIRGINIA).create_log_group(logGroupName="/acme/prod/app")
