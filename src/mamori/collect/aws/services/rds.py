"""RDS: DB instances (``aws.rds.db_instance``) from one paginated DescribeDBInstances per region.

Everything the rules need, tags included, is in the bulk answer: no per-instance calls.
DescribeDBInstances also lists DocumentDB and Neptune instances (same API); ``engine``
tells them apart.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from mamori.collect.aws.base import COLLECTORS, AwsCollector, CollectContext, iso, tags_of
from mamori.model.resource import Resource
from mamori.model.resources.rds import DB_INSTANCE, RdsDbInstance


def _flag(db: dict[str, Any], key: str) -> bool | None:
    """A boolean AWS always returns; absent means we cannot tell (None), never False."""
    v = db.get(key)
    return None if v is None else bool(v)


@COLLECTORS.register("rds")
class RdsCollector(AwsCollector):
    service = "rds"
    scope = "regional"
    resource_types = (DB_INSTANCE,)

    def collect(self, ctx: CollectContext, region: str) -> Iterator[Resource]:
        client = ctx.client("rds", region)
        for db in ctx.paginate(client, "describe_db_instances", "DBInstances"):
            yield self._instance(ctx, region, db)

    @staticmethod
    def _instance(ctx: CollectContext, region: str, db: dict[str, Any]) -> Resource:
        ident = str(db["DBInstanceIdentifier"])
        endpoint = db.get("Endpoint") or {}
        subnet_group = db.get("DBSubnetGroup") or {}
        props: dict[str, Any] = {
            "engine": str(db.get("Engine", "")),
            "engine_version": str(db.get("EngineVersion", "")),
            "instance_class": str(db.get("DBInstanceClass", "")),
            "status": str(db.get("DBInstanceStatus", "")),
            "db_cluster_identifier": str(db.get("DBClusterIdentifier") or ""),
            "publicly_accessible": _flag(db, "PubliclyAccessible"),
            "storage_encrypted": _flag(db, "StorageEncrypted"),
            "kms_key_id": str(db.get("KmsKeyId") or ""),
            "auto_minor_version_upgrade": _flag(db, "AutoMinorVersionUpgrade"),
            "backup_retention_period": db.get("BackupRetentionPeriod"),
            "multi_az": _flag(db, "MultiAZ"),
            "deletion_protection": _flag(db, "DeletionProtection"),
            "iam_database_authentication_enabled": _flag(db, "IAMDatabaseAuthenticationEnabled"),
            "endpoint_address": str(endpoint.get("Address") or ""),
            "endpoint_port": endpoint.get("Port") or db.get("DbInstancePort") or 0,
            "vpc_id": str(subnet_group.get("VpcId") or ""),
            "db_subnet_group": str(subnet_group.get("DBSubnetGroupName") or ""),
            "vpc_security_group_ids": [
                str(g.get("VpcSecurityGroupId")) for g in db.get("VpcSecurityGroups") or [] if g.get("VpcSecurityGroupId")
            ],
            "ca_certificate_identifier": str(db.get("CACertificateIdentifier") or ""),
            "enabled_cloudwatch_logs_exports": list(db.get("EnabledCloudwatchLogsExports") or []),
            "copy_tags_to_snapshot": bool(db.get("CopyTagsToSnapshot", False)),
            "performance_insights_enabled": bool(db.get("PerformanceInsightsEnabled", False)),
            "created_at": iso(db.get("InstanceCreateTime")) or "",
            "read_replica_source": str(db.get("ReadReplicaSourceDBInstanceIdentifier") or ""),
        }
        arn = str(db.get("DBInstanceArn") or ctx.arn("rds", region, f"db:{ident}"))
        return ctx.resource(RdsDbInstance.of(props), region, ident, arn=arn, name=ident, tags=tags_of(db.get("TagList")))
