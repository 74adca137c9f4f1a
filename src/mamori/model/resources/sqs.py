"""SQS (`sqs`): the typed properties of each resource type (see docs/resources/sqs.md)."""

from __future__ import annotations

from typing import Any

from mamori.model.resources.base import Props, resource_type

QUEUE = "aws.sqs.queue"


@resource_type(QUEUE)
class SqsQueue(Props):
    """`aws.sqs.queue`: id = queue name, arn = queue ARN (built from the Region and name when attributes fail)."""

    url: str | None = None
    encryption: str | None = None
    encrypted: bool | None = None
    kms_master_key_id: str | None = None
    policy: dict[str, Any] | None = None
    policy_public: bool | None = None
    public_statements: list[dict[str, Any]] | None = None
    fifo: bool | None = None
