"""EFS: file systems (``aws.efs.file_system``) and access points (``aws.efs.access_point``).

Regional scope. Bulk calls: one paginated DescribeFileSystems and one paginated
DescribeAccessPoints (without a file system id it lists every access point of the
Region), each a source of its own: one failing leaves the other type collected. Per file
system, DescribeBackupPolicy (no bulk form exists) through :meth:`CollectContext.call`;
``PolicyNotFound`` means automatic backups were never turned on (a fact: ``DISABLED``).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from mamori.collect.aws.base import COLLECTORS, MISSING, AwsCollector, CollectContext, iso, tags_of
from mamori.collect.aws.services.sources import guarded
from mamori.model.resource import Resource
from mamori.model.resources.efs import ACCESS_POINT, FILE_SYSTEM, EfsAccessPoint, EfsFileSystem


@COLLECTORS.register("efs")
class EfsCollector(AwsCollector):
    service = "efs"
    scope = "regional"
    resource_types = (FILE_SYSTEM, ACCESS_POINT)

    def collect(self, ctx: CollectContext, region: str) -> Iterator[Resource]:
        client = ctx.client("efs", region)
        systems = guarded(ctx, region, "efs", "DescribeFileSystems", (FILE_SYSTEM,),
                          lambda: ctx.paginate(client, "describe_file_systems", "FileSystems"))  # fmt: skip
        for fs in systems if systems is not MISSING else []:
            yield _file_system(ctx, client, region, fs)
        points = guarded(ctx, region, "efs", "DescribeAccessPoints", (ACCESS_POINT,),
                         lambda: ctx.paginate(client, "describe_access_points", "AccessPoints"))  # fmt: skip
        for ap in points if points is not MISSING else []:
            yield _access_point(ctx, region, ap)


def _file_system(ctx: CollectContext, client: Any, region: str, fs: dict[str, Any]) -> Resource:
    fid = str(fs["FileSystemId"])
    policy = ctx.call(
        client, "describe_backup_policy", region=region, resource_type=FILE_SYSTEM, resource_id=fid,
        absent=("PolicyNotFound",), absent_value={"BackupPolicy": {"Status": "DISABLED"}}, FileSystemId=fid,
    )  # fmt: skip
    status = MISSING if policy is MISSING else str((policy.get("BackupPolicy") or {}).get("Status") or "DISABLED")
    tags = tags_of(fs.get("Tags"))
    props: dict[str, Any] = {
        "encrypted": bool(fs.get("Encrypted", False)),
        "kms_key_id": str(fs.get("KmsKeyId") or ""),
        "lifecycle_state": str(fs.get("LifeCycleState", "")),
        "performance_mode": str(fs.get("PerformanceMode", "")),
        "throughput_mode": str(fs.get("ThroughputMode", "")),
        "availability_zone_name": str(fs.get("AvailabilityZoneName") or ""),
        "number_of_mount_targets": int(fs.get("NumberOfMountTargets") or 0),
        "created": iso(fs.get("CreationTime")) or "",
        "backup_policy_status": status,
        "automatic_backups": MISSING if status is MISSING else status == "ENABLED",
    }
    arn = str(fs.get("FileSystemArn") or ctx.arn("elasticfilesystem", region, f"file-system/{fid}"))
    name = str(fs.get("Name") or tags.get("Name") or fid)
    return ctx.resource(EfsFileSystem.of(props), region, fid, arn=arn, name=name, tags=tags)


def _access_point(ctx: CollectContext, region: str, ap: dict[str, Any]) -> Resource:
    aid = str(ap["AccessPointId"])
    tags = tags_of(ap.get("Tags"))
    root = ap.get("RootDirectory") or {}
    path = str(root.get("Path") or "/")
    posix = ap.get("PosixUser") or {}
    user = {
        "uid": posix.get("Uid"),
        "gid": posix.get("Gid"),
        "secondary_gids": list(posix.get("SecondaryGids") or []),
    } if posix else {}  # fmt: skip
    props: dict[str, Any] = {
        "file_system_id": str(ap.get("FileSystemId", "")),
        "lifecycle_state": str(ap.get("LifeCycleState", "")),
        "root_directory_path": path,
        "root_directory_enforced": path != "/",
        "posix_user": user,
        "posix_user_enforced": bool(posix),
    }
    arn = str(ap.get("AccessPointArn") or ctx.arn("elasticfilesystem", region, f"access-point/{aid}"))
    name = str(ap.get("Name") or tags.get("Name") or aid)
    return ctx.resource(EfsAccessPoint.of(props), region, aid, arn=arn, name=name, tags=tags)
