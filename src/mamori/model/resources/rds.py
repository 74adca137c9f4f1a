"""RDS (`rds`): the typed properties of each resource type (see docs/resources/rds.md)."""

from __future__ import annotations

from mamori.model.resources.base import Props, resource_type

DB_INSTANCE = "aws.rds.db_instance"


@resource_type(DB_INSTANCE)
class RdsDbInstance(Props):
    """`aws.rds.db_instance`"""

    engine: str | None = None
    engine_version: str | None = None
    instance_class: str | None = None
    status: str | None = None
    db_cluster_identifier: str | None = None
    publicly_accessible: bool | None = None
    storage_encrypted: bool | None = None
    kms_key_id: str | None = None
    auto_minor_version_upgrade: bool | None = None
    backup_retention_period: int | None = None
    multi_az: bool | None = None
    deletion_protection: bool | None = None
    iam_database_authentication_enabled: bool | None = None
    endpoint_address: str | None = None
    endpoint_port: int | None = None
    vpc_id: str | None = None
    db_subnet_group: str | None = None
    vpc_security_group_ids: list[str] | None = None
    ca_certificate_identifier: str | None = None
    enabled_cloudwatch_logs_exports: list[str] | None = None
    copy_tags_to_snapshot: bool | None = None
    performance_insights_enabled: bool | None = None
    created_at: str | None = None
    read_replica_source: str | None = None
