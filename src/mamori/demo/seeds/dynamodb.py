"""Demo DynamoDB: a protected orders table in prod, a bare sessions table in dev.

* ``orders`` (prod, ap-northeast-1): point-in-time recovery, deletion protection, encrypted
  with the customer managed ``billing-data`` key: passes the three DynamoDB rules.
* ``sessions`` (dev, us-east-1): none of it (DynamoDB's own key): fails them.
"""

from __future__ import annotations

from typing import Any

from mamori.demo.estate import SeedEnv, seeder

TOKYO, VIRGINIA = "ap-northeast-1", "us-east-1"
_SCHEMA: dict[str, Any] = {
    "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
    "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
    "BillingMode": "PAY_PER_REQUEST",
}


@seeder("dynamodb", order=50)
def seed_dynamodb(env: SeedEnv) -> None:
    tokyo = env.client("dynamodb", TOKYO)
    key = env.shared.get("billing_kms_key_arn")
    sse: dict[str, Any] = {"Enabled": True, "SSEType": "KMS", **({"KMSMasterKeyId": key} if key else {})}
    tokyo.create_table(TableName="orders", DeletionProtectionEnabled=True, SSESpecification=sse,
                       Tags=[{"Key": "owner", "Value": "billing"}], **_SCHEMA)  # fmt: skip
    tokyo.update_continuous_backups(TableName="orders", PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True})
    env.client("dynamodb", VIRGINIA, account="dev").create_table(
        TableName="sessions", Tags=[{"Key": "owner", "Value": "dev-team"}], **_SCHEMA
    )
