"""Demo SQS queues: SSE-SQS, SSE-KMS and unencrypted; private, pinned and public policies.

prod, ap-northeast-1: ``billing-jobs`` (SSE-SQS, the default) and ``billing-jobs-dlq``
(SSE-KMS): compliant. prod, us-east-1: ``legacy-import`` (encryption turned off),
``partner-inbox`` (anyone may send) and ``ops-alerts-queue`` (anyone, but only from the
``ops-alerts`` topic: not public).
"""

from __future__ import annotations

import json
from typing import Any

from mamori.demo.estate import SeedEnv, seeder

TOKYO, VIRGINIA = "ap-northeast-1", "us-east-1"


def _policy(arn: str, **condition: Any) -> str:
    stmt: dict[str, Any] = {"Effect": "Allow", "Principal": "*", "Action": "sqs:SendMessage", "Resource": arn}
    if condition:
        stmt["Condition"] = condition
    return json.dumps({"Version": "2012-10-17", "Statement": [stmt]})


@seeder("sqs", order=30)
def seed_sqs(env: SeedEnv) -> None:
    tokyo = env.client("sqs", TOKYO)
    tokyo.create_queue(QueueName="billing-jobs")
    tokyo.create_queue(QueueName="billing-jobs-dlq", Attributes={"KmsMasterKeyId": "alias/aws/sqs"})

    east = env.client("sqs", VIRGINIA)
    east.create_queue(QueueName="legacy-import", Attributes={"SqsManagedSseEnabled": "false"})
    prefix = f"arn:aws:sqs:{VIRGINIA}:{env.account}"
    east.create_queue(QueueName="partner-inbox", Attributes={"Policy": _policy(f"{prefix}:partner-inbox")})
    topic = f"arn:aws:sns:{VIRGINIA}:{env.account}:ops-alerts"
    east.create_queue(
        QueueName="ops-alerts-queue",
        Attributes={"Policy": _policy(f"{prefix}:ops-alerts-queue", ArnEquals={"aws:SourceArn": topic})},
    )
