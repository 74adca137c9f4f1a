"""Demo SNS topics: encrypted and not, private and open to anyone.

prod, ap-northeast-1: ``billing-events`` (KMS-encrypted, the default owner-only policy:
compliant). prod, us-east-1: ``ops-alerts`` (not encrypted) and ``partner-notifications``
(encrypted, but its policy lets anyone subscribe and publish).
"""

from __future__ import annotations

import json

from mamori.demo.estate import SeedEnv, seeder

TOKYO, VIRGINIA = "ap-northeast-1", "us-east-1"


@seeder("sns", order=30)
def seed_sns(env: SeedEnv) -> None:
    env.client("sns", TOKYO).create_topic(Name="billing-events", Attributes={"KmsMasterKeyId": "alias/aws/sns"})
    east = env.client("sns", VIRGINIA)
    east.create_topic(Name="ops-alerts")
    arn = east.create_topic(Name="partner-notifications", Attributes={"KmsMasterKeyId": "alias/aws/sns"})["TopicArn"]
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {"Sid": "Owner", "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{env.account}:root"},
             "Action": "SNS:*", "Resource": arn},
            {"Sid": "Partners", "Effect": "Allow", "Principal": {"AWS": "*"},
             "Action": ["SNS:Subscribe", "SNS:Publish"], "Resource": arn},
        ],
    }  # fmt: skip
    east.set_topic_attributes(TopicArn=arn, AttributeName="Policy", AttributeValue=json.dumps(policy))
