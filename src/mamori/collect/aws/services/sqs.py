"""SQS: queues (``aws.sqs.queue``) with their server-side encryption and access policy.

Regional. ``ListQueues`` is the bulk call; ``GetQueueAttributes(All)`` per queue (SQS has
no bulk read of attributes) through :meth:`CollectContext.call`, so a queue that cannot be
read is unknown, not a scope failure. ``AWS.SimpleQueueService.NonExistentQueue`` /
``QueueDoesNotExist`` there mean the queue was deleted between the two calls: it is skipped.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from mamori.collect.aws.base import COLLECTORS, MISSING, AwsCollector, CollectContext
from mamori.collect.aws.policy import decode_document, public_statements
from mamori.model.resource import Resource
from mamori.model.resources.sqs import QUEUE, SqsQueue

_GONE: Any = object()
_DELETED = ("AWS.SimpleQueueService.NonExistentQueue", "QueueDoesNotExist")


@COLLECTORS.register("sqs")
class SqsCollector(AwsCollector):
    service = "sqs"
    scope = "regional"
    resource_types = (QUEUE,)

    def collect(self, ctx: CollectContext, region: str) -> Iterator[Resource]:
        client = ctx.client("sqs", region)
        for url in ctx.paginate(client, "list_queues", "QueueUrls"):
            name = str(url).rstrip("/").rsplit("/", 1)[-1]
            resp = ctx.call(
                client, "get_queue_attributes", region=region, resource_type=QUEUE, resource_id=name,
                absent=_DELETED, absent_value=_GONE, QueueUrl=url, AttributeNames=["All"],
            )  # fmt: skip
            if resp is _GONE:
                continue
            arn = "" if resp is MISSING else str(resp.get("Attributes", {}).get("QueueArn", ""))
            props = {"url": str(url), **queue_properties(resp)}
            yield ctx.resource(SqsQueue.of(props), region, name, arn=arn or ctx.arn("sqs", region, name), name=name)


def queue_properties(resp: Any) -> dict[str, Any]:
    """What rules read from GetQueueAttributes (every value unknown when the call failed).

    ``encryption`` is ``"SSE-KMS"`` (a KMS key), ``"SSE-SQS"`` (SQS-managed keys) or ``"none"``.
    """
    keys = ("encryption", "encrypted", "kms_master_key_id", "policy", "policy_public", "public_statements", "fifo")
    if resp is MISSING:
        return dict.fromkeys(keys, MISSING)
    attrs: dict[str, str] = resp.get("Attributes", {})
    kms = attrs.get("KmsMasterKeyId", "") or ""
    if kms:
        encryption = "SSE-KMS"
    elif attrs.get("SqsManagedSseEnabled", "false").lower() == "true":
        encryption = "SSE-SQS"
    else:
        encryption = "none"
    policy = decode_document(attrs.get("Policy")) or {}
    public = public_statements(policy)
    return {
        "encryption": encryption,
        "encrypted": encryption != "none",
        "kms_master_key_id": kms,
        "policy": policy,
        "policy_public": bool(public),
        "public_statements": public,
        "fifo": attrs.get("FifoQueue", "false").lower() == "true",
    }
