"""SNS: topics (``aws.sns.topic``) with their encryption and access policy.

Regional. ``ListTopics`` is the bulk call; ``GetTopicAttributes`` per topic (SNS has no
bulk read of attributes) through :meth:`CollectContext.call`, so a topic that cannot be
read is unknown, not a scope failure. ``NotFound`` there means the topic was deleted
between the two calls: it is skipped.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from mamori.collect.aws.base import COLLECTORS, MISSING, AwsCollector, CollectContext
from mamori.collect.aws.policy import decode_document, public_statements
from mamori.model.resource import Resource
from mamori.model.resources.sns import TOPIC, SnsTopic

_GONE: Any = object()


@COLLECTORS.register("sns")
class SnsCollector(AwsCollector):
    service = "sns"
    scope = "regional"
    resource_types = (TOPIC,)

    def collect(self, ctx: CollectContext, region: str) -> Iterator[Resource]:
        client = ctx.client("sns", region)
        for t in ctx.paginate(client, "list_topics", "Topics"):
            arn = str(t["TopicArn"])
            name = arn.rsplit(":", 1)[-1]
            resp = ctx.call(
                client, "get_topic_attributes", region=region, resource_type=TOPIC, resource_id=name,
                absent=("NotFound",), absent_value=_GONE, TopicArn=arn,
            )  # fmt: skip
            if resp is _GONE:
                continue
            yield ctx.resource(SnsTopic.of(topic_properties(resp)), region, name, arn=arn, name=name)


def topic_properties(resp: Any) -> dict[str, Any]:
    """What rules read from GetTopicAttributes (every value unknown when the call failed)."""
    keys = ("kms_master_key_id", "encrypted", "policy", "policy_public", "public_statements", "fifo",
            "display_name", "subscriptions_confirmed")  # fmt: skip
    if resp is MISSING:
        return dict.fromkeys(keys, MISSING)
    attrs: dict[str, str] = resp.get("Attributes", {})
    kms = attrs.get("KmsMasterKeyId", "") or ""
    policy = decode_document(attrs.get("Policy")) or {}
    public = public_statements(policy)
    return {
        "kms_master_key_id": kms,
        "encrypted": bool(kms),
        "policy": policy,
        "policy_public": bool(public),
        "public_statements": public,
        "fifo": attrs.get("FifoTopic", "false").lower() == "true",
        "display_name": attrs.get("DisplayName", ""),
        "subscriptions_confirmed": int(attrs.get("SubscriptionsConfirmed", "0") or 0),
    }
