"""KMS keys: rotating and non-rotating, one pending deletion, one asymmetric signing key.

prod: ``acme-prod-cloudtrail`` (us-east-1, rotating; the CloudTrail seeder encrypts the
trail with it), ``billing-data`` (ap-northeast-1, rotating; encrypts billing-db),
``legacy-reports`` (ap-northeast-1, scheduled for deletion), ``release-signing``
(us-east-1, RSA signing key: no automatic rotation exists). dev: ``dev-app-data``
(us-east-1, not rotating).
"""

from __future__ import annotations

import json
from typing import Any

from mamori.demo.estate import DEMO_ACCOUNTS, SeedEnv, seeder


def _trail_key_policy(account: str) -> str:
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "AccountAdmin",
                    "Effect": "Allow",
                    "Principal": {"AWS": f"arn:aws:iam::{account}:root"},
                    "Action": "kms:*",
                    "Resource": "*",
                },
                {
                    "Sid": "CloudTrailEncrypt",
                    "Effect": "Allow",
                    "Principal": {"Service": "cloudtrail.amazonaws.com"},
                    "Action": ["kms:GenerateDataKey*", "kms:DescribeKey"],
                    "Resource": "*",
                    "Condition": {"StringLike": {"kms:EncryptionContext:aws:cloudtrail:arn": f"arn:aws:cloudtrail:*:{account}:trail/*"}},
                },
            ],
        }
    )


def _key(kms: Any, alias: str, description: str, owner: str, **kwargs: Any) -> dict[str, Any]:
    meta: dict[str, Any] = kms.create_key(
        Description=description, Tags=[{"TagKey": "owner", "TagValue": owner}], **kwargs
    )["KeyMetadata"]
    kms.create_alias(AliasName=f"alias/{alias}", TargetKeyId=meta["KeyId"])
    return meta


@seeder("kms", order=20)
def seed_kms(env: SeedEnv) -> None:
    east, tokyo = "us-east-1", "ap-northeast-1"
    kms = env.client("kms", east)
    trail_key = _key(kms, "acme-prod-cloudtrail", "CloudTrail log encryption", "security",
                     Policy=_trail_key_policy(DEMO_ACCOUNTS["prod"]))  # fmt: skip
    kms.enable_key_rotation(KeyId=trail_key["KeyId"])
    env.shared["cloudtrail_kms_key_arn"] = trail_key["Arn"]
    _key(kms, "release-signing", "Signs release artefacts", "platform", KeySpec="RSA_2048", KeyUsage="SIGN_VERIFY")

    kms_tokyo = env.client("kms", tokyo)
    billing = _key(kms_tokyo, "billing-data", "Billing database encryption", "billing")
    kms_tokyo.enable_key_rotation(KeyId=billing["KeyId"])
    env.shared["billing_kms_key_arn"] = billing["Arn"]
    legacy = _key(kms_tokyo, "legacy-reports", "Old reporting exports (retired)", "data")
    kms_tokyo.schedule_key_deletion(KeyId=legacy["KeyId"], PendingWindowInDays=7)

    _key(env.client("kms", east, account="dev"), "dev-app-data", "Dev application data", "dev-team")
