"""DynamoDB (`dynamodb`): the typed properties of each resource type (see docs/resources/dynamodb.md)."""

from __future__ import annotations

from mamori.model.resources.base import Props, resource_type

TABLE = "aws.dynamodb.table"


@resource_type(TABLE)
class DynamoDbTable(Props):
    """`aws.dynamodb.table`"""

    status: str | None = None
    created: str | None = None
    billing_mode: str | None = None
    item_count: int | None = None
    deletion_protection: bool | None = None
    sse_type: str | None = None
    kms_key_arn: str | None = None
    point_in_time_recovery: bool | None = None
    stream_enabled: bool | None = None
    global_table_replicas: list[str] | None = None
