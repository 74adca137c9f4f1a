"""AWS Backup (`backup`): the typed properties of each resource type (see docs/resources/backup.md)."""

from __future__ import annotations

from typing import Any

from mamori.model.resources.base import Props, resource_type

REGION = "aws.backup.region"
VAULT = "aws.backup.vault"


@resource_type(REGION)
class BackupRegion(Props):
    """`aws.backup.region`"""

    backup_plans: list[dict[str, Any]] | None = None
    backup_plan_count: int | None = None


@resource_type(VAULT)
class BackupVault(Props):
    """`aws.backup.vault`"""

    encryption_key_arn: str | None = None
    locked: bool | None = None
    min_retention_days: int | None = None
    max_retention_days: int | None = None
    recovery_points: int | None = None
    vault_type: str | None = None
    service_managed: bool | None = None
    created: str | None = None
