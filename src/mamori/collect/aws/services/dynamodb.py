"""DynamoDB: tables (``aws.dynamodb.table``) with encryption, deletion protection and point-in-time recovery.

Regional scope. Bulk call: paginated ListTables (names only). Per table, since DynamoDB
has no bulk describe, through :meth:`CollectContext.call`: DescribeTable,
DescribeContinuousBackups and ListTagsOfResource. A table deleted between the listing
and its DescribeTable (``ResourceNotFoundException``) is skipped.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from mamori.collect.aws.base import COLLECTORS, MISSING, AwsCollector, CollectContext, iso, tags_of
from mamori.model.resource import Resource
from mamori.model.resources.dynamodb import TABLE, DynamoDbTable

_GONE: Any = object()


@COLLECTORS.register("dynamodb")
class DynamoDbCollector(AwsCollector):
    service = "dynamodb"
    scope = "regional"
    resource_types = (TABLE,)

    def collect(self, ctx: CollectContext, region: str) -> Iterator[Resource]:
        client = ctx.client("dynamodb", region)
        for name in ctx.paginate(client, "list_tables", "TableNames"):
            res = _table(ctx, client, region, str(name))
            if res is not None:
                yield res


def _table(ctx: CollectContext, client: Any, region: str, name: str) -> Resource | None:
    def call(operation: str, **kw: Any) -> Any:
        return ctx.call(client, operation, region=region, resource_type=TABLE, resource_id=name, **kw)

    desc = ctx.call(
        client, "describe_table", region=region, resource_type=TABLE, resource_id=name,
        absent=("ResourceNotFoundException",), absent_value=_GONE, TableName=name,
    )  # fmt: skip
    if desc is _GONE:
        return None
    t: dict[str, Any] = {} if desc is MISSING else desc.get("Table") or {}
    arn = str(t.get("TableArn") or ctx.arn("dynamodb", region, f"table/{name}"))
    backups = call("describe_continuous_backups", TableName=name)
    tags = call("list_tags_of_resource", ResourceArn=arn)
    known = desc is not MISSING

    def k(value: Any) -> Any:
        return value if known else MISSING

    sse = t.get("SSEDescription") or {}
    # No SSEDescription: encrypted with a key DynamoDB owns (the default); otherwise KMS (AWS managed or customer's).
    sse_type = str(sse.get("SSEType") or "") if sse.get("Status") in ("ENABLED", "UPDATING") else "AWS_OWNED"
    pitr: Any = MISSING
    if backups is not MISSING:
        desc_pitr = (backups.get("ContinuousBackupsDescription") or {}).get("PointInTimeRecoveryDescription") or {}
        pitr = desc_pitr.get("PointInTimeRecoveryStatus") == "ENABLED"
    props: dict[str, Any] = {
        "status": k(str(t.get("TableStatus", ""))),
        "created": k(iso(t.get("CreationDateTime")) or ""),
        "billing_mode": k(str((t.get("BillingModeSummary") or {}).get("BillingMode") or "PROVISIONED")),
        "item_count": k(t.get("ItemCount")),
        "deletion_protection": k(bool(t.get("DeletionProtectionEnabled", False))),
        "sse_type": k(sse_type),
        "kms_key_arn": k(str(sse.get("KMSMasterKeyArn") or "")),
        "point_in_time_recovery": pitr,
        "stream_enabled": k(bool((t.get("StreamSpecification") or {}).get("StreamEnabled", False))),
        "global_table_replicas": k([str(r.get("RegionName")) for r in t.get("Replicas") or [] if r.get("RegionName")]),
    }
    tag_map = {} if tags is MISSING else tags_of(tags.get("Tags"))
    return ctx.resource(DynamoDbTable.of(props), region, name, arn=arn, name=name, tags=tag_map)
