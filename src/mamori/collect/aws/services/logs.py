"""CloudWatch Logs: log groups (``aws.logs.log_group``) with their retention and encryption.

Regional. ``DescribeLogGroups`` alone carries what the rules read (retention, KMS key,
size, class): no per-group call. A log group without ``retentionInDays`` keeps its events
forever (``retention_days = 0``, ``never_expires = true``).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from mamori.collect.aws.base import COLLECTORS, AwsCollector, CollectContext
from mamori.model.resource import Resource
from mamori.model.resources.logs import LOG_GROUP, LogsLogGroup


@COLLECTORS.register("logs")
class LogsCollector(AwsCollector):
    service = "logs"
    scope = "regional"
    resource_types = (LOG_GROUP,)

    def collect(self, ctx: CollectContext, region: str) -> Iterator[Resource]:
        client = ctx.client("logs", region)
        for g in ctx.paginate(client, "describe_log_groups", "logGroups"):
            name = str(g["logGroupName"])
            arn = str(g.get("logGroupArn") or str(g.get("arn", "")).removesuffix(":*"))
            yield ctx.resource(LogsLogGroup.of(log_group_properties(g)), region, name, arn=arn, name=name)


def log_group_properties(g: dict[str, Any]) -> dict[str, Any]:
    retention = int(g.get("retentionInDays") or 0)
    kms = g.get("kmsKeyId") or ""
    created = g.get("creationTime")
    return {
        "retention_days": retention,
        "never_expires": retention == 0,
        "kms_key_id": kms,
        "encrypted_with_kms": bool(kms),
        "created": datetime.fromtimestamp(created / 1000, UTC).isoformat() if isinstance(created, int | float) else "",
        "stored_bytes": int(g.get("storedBytes") or 0),
        "log_group_class": g.get("logGroupClass") or "STANDARD",
        "data_protection_status": g.get("dataProtectionStatus") or "",
    }
