"""EFS (`efs`): the typed properties of each resource type (see docs/resources/efs.md)."""

from __future__ import annotations

from typing import Any

from mamori.model.resources.base import Props, resource_type

FILE_SYSTEM = "aws.efs.file_system"
ACCESS_POINT = "aws.efs.access_point"


@resource_type(FILE_SYSTEM)
class EfsFileSystem(Props):
    """`aws.efs.file_system`"""

    encrypted: bool | None = None
    kms_key_id: str | None = None
    lifecycle_state: str | None = None
    performance_mode: str | None = None
    throughput_mode: str | None = None
    availability_zone_name: str | None = None
    number_of_mount_targets: int | None = None
    created: str | None = None
    backup_policy_status: str | None = None
    automatic_backups: bool | None = None


@resource_type(ACCESS_POINT)
class EfsAccessPoint(Props):
    """`aws.efs.access_point`"""

    file_system_id: str | None = None
    lifecycle_state: str | None = None
    root_directory_path: str | None = None
    root_directory_enforced: bool | None = None
    posix_user: dict[str, Any] | None = None
    posix_user_enforced: bool | None = None
