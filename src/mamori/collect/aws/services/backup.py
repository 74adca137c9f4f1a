"""AWS Backup: backup vaults (``aws.backup.vault``) and, per region, the backup plans (``aws.backup.region``).

Regional scope. Bulk calls, each a source of its own: paginated ListBackupVaults (the
vault's encryption key, lock and recovery point count) and paginated ListBackupPlans.
Per vault, through :meth:`CollectContext.call`: ListTags.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from mamori.collect.aws.base import COLLECTORS, MISSING, AwsCollector, CollectContext, iso
from mamori.collect.aws.services.sources import guarded
from mamori.model.resource import Resource
from mamori.model.resources.backup import REGION, VAULT, BackupRegion, BackupVault


@COLLECTORS.register("backup")
class BackupCollector(AwsCollector):
    service = "backup"
    scope = "regional"
    resource_types = (VAULT, REGION)

    def collect(self, ctx: CollectContext, region: str) -> Iterator[Resource]:
        client = ctx.client("backup", region)
        plans = guarded(ctx, region, "backup", "ListBackupPlans", (REGION,),
                        lambda: ctx.paginate(client, "list_backup_plans", "BackupPlansList"))  # fmt: skip
        if plans is not MISSING:
            found = [
                {"name": str(p.get("BackupPlanName", "")), "id": str(p.get("BackupPlanId", "")),
                 "arn": str(p.get("BackupPlanArn", "")), "last_execution": iso(p.get("LastExecutionDate")) or ""}
                for p in plans
            ]  # fmt: skip
            yield ctx.resource(BackupRegion.of({"backup_plans": found, "backup_plan_count": len(found)}), region, region,
                               name=f"AWS Backup {region}")  # fmt: skip
        vaults = guarded(ctx, region, "backup", "ListBackupVaults", (VAULT,),
                         lambda: ctx.paginate(client, "list_backup_vaults", "BackupVaultList"))  # fmt: skip
        for v in vaults if vaults is not MISSING else []:
            yield _vault(ctx, client, region, v)


def _vault(ctx: CollectContext, client: Any, region: str, v: dict[str, Any]) -> Resource:
    name = str(v["BackupVaultName"])
    arn = str(v.get("BackupVaultArn") or ctx.arn("backup", region, f"backup-vault:{name}"))
    tags = ctx.call(client, "list_tags", region=region, resource_type=VAULT, resource_id=name, ResourceArn=arn)
    props: dict[str, Any] = {
        "encryption_key_arn": str(v.get("EncryptionKeyArn") or ""),
        "locked": bool(v.get("Locked", False)),
        "min_retention_days": v.get("MinRetentionDays"),
        "max_retention_days": v.get("MaxRetentionDays"),
        "recovery_points": int(v.get("NumberOfRecoveryPoints") or 0),
        "vault_type": str(v.get("VaultType") or "BACKUP_VAULT"),
        # Vaults AWS creates for a service (aws/efs/automatic-backup-vault): nobody chooses their key.
        "service_managed": name.startswith("aws/"),
        "created": iso(v.get("CreationDate")) or "",
    }
    tag_map = {} if tags is MISSING else {str(k): str(val) for k, val in (tags.get("Tags") or {}).items()}
    return ctx.resource(BackupVault.of(props), region, name, arn=arn, name=name, tags=tag_map)
