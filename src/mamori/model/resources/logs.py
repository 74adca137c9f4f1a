"""CloudWatch Logs (`logs`): the typed properties of each resource type (see docs/resources/logs.md)."""

from __future__ import annotations

from mamori.model.resources.base import Props, resource_type

LOG_GROUP = "aws.logs.log_group"


@resource_type(LOG_GROUP)
class LogsLogGroup(Props):
    """`aws.logs.log_group`: id = log group name, arn = log group ARN (without the `:*` suffix)."""

    retention_days: int | None = None
    never_expires: bool | None = None
    kms_key_id: str | None = None
    encrypted_with_kms: bool | None = None
    created: str | None = None
    stored_bytes: int | None = None
    log_group_class: str | None = None
    data_protection_status: str | None = None
